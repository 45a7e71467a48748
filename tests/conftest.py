"""Shared fixtures: a real SQLite file, the real service, the real web app over real HTTP."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from bot.clock import Clock, parse_instant
from bot.config import load_settings
from bot.runtime.service import Service
from bot.server import start_site

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-0123456789abcdefghijklmnopqrstuv"
# A Tuesday in term time, mid-morning in London (GMT): the team is open.
OPEN_TIME = "2026-11-24T10:00:00Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    """The service running on loopback, with an HTTP client and the API token."""

    service: Service
    base: str
    http: aiohttp.ClientSession

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKEN}"}

    async def api(self, method: str, path: str, **kwargs) -> tuple[int, dict]:  # noqa: ANN003
        async with self.http.request(method, self.base + path, headers=self.auth, **kwargs) as r:
            return r.status, await r.json()

    async def simulator_send(self, number: str, body: str) -> int:
        """A text typed on the phone simulator, sent with the page's CSRF token as a browser
        would; the status of the answer (303 when taken)."""
        async with self.http.get(self.base + "/simulator") as r:
            found = re.search(r'name="csrf_token" value="([^"]+)"', await r.text())
        assert found, "the simulator page has no CSRF token"
        form = {"number": number, "body": body, "csrf_token": found.group(1)}
        async with self.http.post(
            self.base + "/simulator/send", data=form, allow_redirects=False
        ) as r:
            return r.status

    def at(self, instant: str) -> datetime:
        when = parse_instant(instant)
        self.service.clock.set(when)
        return when


def make_settings(tmp_path: Path, port: int, **extra: object):  # noqa: ANN201
    env = {
        "CRADLE_DATABASE": str(tmp_path / "cradle.sqlite3"),
        "CRADLE_POLICIES_DIR": str(ROOT / "policies"),
        "CRADLE_MESSAGES_DIR": str(ROOT / "messages"),
        "CRADLE_API_TOKEN": TOKEN,
        "CRADLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CRADLE_PORT": str(port),
        "CRADLE_SIMULATOR": "true",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return load_settings(env)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    port = free_port()
    settings = make_settings(tmp_path, port)
    service = await Service.create(settings, Clock(parse_instant(OPEN_TIME)))
    runner = await start_site(service, "127.0.0.1", port)
    # Cookies for 127.0.0.1 too: the simulator's forms carry a session's CSRF token.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Live(service, f"http://127.0.0.1:{port}", http)
    await runner.cleanup()
    await service.close()
