"""A member of staff using the console over real HTTP: their own cookies, the CSRF token from
the last page they saw, and the demo team to sign in as."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache

import aiohttp
import pytest

from bot import demo
from bot.core.model import ChannelName, InboundMessage
from bot.passwords import hash_password
from bot.runtime import pipeline
from bot.runtime.service import Service
from tests.conftest import Live

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
EMAILS = {
    "practitioner": "amira@demo.cradle",
    "other_practitioner": "tom@demo.cradle",
    "duty_clinician": "grace@demo.cradle",
    "clinical_lead": "helen@demo.cradle",
    "administrator": "sam@demo.cradle",
}


@cache
def demo_password_hash() -> str:
    return hash_password(demo.DEMO_PASSWORD)


async def seed_demo(service: Service) -> dict[str, int]:
    """The demo team and families (first contact queued), every account with the demo password."""
    return await demo.seed(service, demo_password_hash())


@dataclass
class ConsoleClient:
    """One person's cookies and the page they last saw."""

    base: str
    http: aiohttp.ClientSession
    last_page: str = ""
    history: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, base: str) -> ConsoleClient:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for an address like 127.0.0.1
        return cls(base, aiohttp.ClientSession(cookie_jar=jar))

    async def close(self) -> None:
        await self.http.close()

    @property
    def csrf(self) -> str:
        found = CSRF.search(self.last_page)
        assert found, "the last page had no form with a CSRF token"
        return found.group(1)

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base + path, allow_redirects=True) as r:
            text = await r.text()
            if r.status == 200 or "csrf_token" in text:
                self.last_page = text
            return r.status, text

    async def post(
        self, path: str, data: dict[str, str], *, csrf: bool = True, follow: bool = False
    ) -> tuple[int, str, str]:
        """(status, body, Location); the CSRF token is added unless csrf=False."""
        form = {**data, "csrf_token": self.csrf} if csrf else dict(data)
        async with self.http.post(self.base + path, data=form, allow_redirects=follow) as r:
            text = await r.text()
            if "csrf_token" in text:
                self.last_page = text
            return r.status, text, r.headers.get("Location", "")

    async def sign_in(self, who: str, password: str = demo.DEMO_PASSWORD) -> tuple[int, str, str]:
        await self.get("/login")
        email = EMAILS.get(who, who)
        return await self.post("/login", {"email": email, "password": password})


# Fixtures: import them into a test module to use them.


@pytest.fixture
async def team(live: Live) -> dict[str, int]:
    """The demo team and families; ids by email and by family reference."""
    return await seed_demo(live.service)


@pytest.fixture
async def client(live: Live) -> AsyncIterator[ConsoleClient]:
    opened = ConsoleClient.open(live.base)
    yield opened
    await opened.close()


@pytest.fixture
async def second_client(live: Live) -> AsyncIterator[ConsoleClient]:
    opened = ConsoleClient.open(live.base)
    yield opened
    await opened.close()


async def text_from(service: Service, number: str, body: str) -> None:
    """A parent's text arrives (as through the SMS webhook) and is processed."""
    message = InboundMessage(
        channel=ChannelName.SMS,
        external_id=f"E2E{uuid.uuid4().hex}",
        sender=number,
        body=body,
        received_at=service.now(),
    )
    await pipeline.receive(service, message)
    await pipeline.process_pending(service)


def rows(live: Live, sql: str, *params: object) -> list[tuple]:
    """Straight from the SQLite file, as an auditor would look."""
    with sqlite3.connect(live.service.settings.database) as conn:
        return conn.execute(sql, params).fetchall()
