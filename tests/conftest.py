"""Shared fixtures: a real SQLite file, the real service, the real web app over real HTTP."""

from __future__ import annotations

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
    async with aiohttp.ClientSession() as http:
        yield Live(service, f"http://127.0.0.1:{port}", http)
    await runner.cleanup()
    await service.close()
