"""The phone simulator's forms over real HTTP: CSRF-checked like the console's, and the
demo's time travel and Telegram buttons only where they belong."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot import demo
from bot.clock import Clock, parse_instant
from bot.runtime import dispatcher, pipeline
from bot.runtime.service import Service
from bot.server import start_site
from bot.store import escalations, threads
from tests.conftest import OPEN_TIME, Live, free_port, make_settings
from tests.e2e.console_client import seed_demo

CHLOE = "+447700900101"
LEAH = "+447700900201"
RISK = "I'm scared I might hurt the baby"


@pytest.fixture
async def demo_live(tmp_path: Path) -> AsyncIterator[Live]:
    """The service as `cradle demo` configures it (simulated Telegram, time travel)."""
    port = free_port()
    settings = replace(make_settings(tmp_path, port), demo=True)
    service = await Service.create(settings, Clock(parse_instant(OPEN_TIME)))
    runner = await start_site(service, "127.0.0.1", port)
    await seed_demo(service)
    await dispatcher.dispatch_once(service)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Live(service, f"http://127.0.0.1:{port}", http)
    await runner.cleanup()
    await service.close()


async def token(live: Live) -> str:
    async with live.http.get(live.base + "/simulator") as r:
        found = re.search(r'name="csrf_token" value="([^"]+)"', await r.text())
    assert found
    return found.group(1)


async def post(live: Live, path: str, form: dict[str, str]) -> int:
    async with live.http.post(live.base + path, data=form, allow_redirects=False) as r:
        return r.status


async def texts_from(live: Live, number: str) -> list[str]:
    return [
        t.body
        for t in await threads.thread(live.service.db, [("sms", number)])
        if t.direction == "out"
    ]


async def test_a_text_sent_from_the_simulator_without_its_csrf_token_is_refused(
    live: Live,
) -> None:
    await token(live)  # a session exists: only the token is missing or wrong
    assert await post(live, "/simulator/send", {"number": CHLOE, "body": "YES"}) == 403
    wrong = {"number": CHLOE, "body": "YES", "csrf_token": "forged"}
    assert await post(live, "/simulator/send", wrong) == 403
    await pipeline.process_pending(live.service)
    assert await texts_from(live, CHLOE) == []

    assert await live.simulator_send(CHLOE, "YES") == 303
    assert await texts_from(live, CHLOE) == ["YES"]


async def test_time_travel_is_for_the_demo_only_and_needs_the_token(
    live: Live, demo_live: Live
) -> None:
    assert await post(live, "/simulator/time-travel", {"csrf_token": await token(live)}) == 404
    before = demo_live.service.now()
    assert await post(demo_live, "/simulator/time-travel", {}) == 403
    assert demo_live.service.now() == before
    assert (
        await post(demo_live, "/simulator/time-travel", {"csrf_token": await token(demo_live)})
        == 303
    )
    assert demo_live.service.now() == parse_instant("2026-11-25T10:00:00Z")  # Wednesday, 10:00


async def test_the_telegram_acknowledge_button_needs_the_token_and_acts_as_the_chat(
    demo_live: Live,
) -> None:
    assert await demo_live.simulator_send(LEAH, RISK) == 303
    await pipeline.process_pending(demo_live.service)
    await dispatcher.dispatch_once(demo_live.service)
    form = {"chat": str(demo.DUTY_TELEGRAM_CHAT), "escalation": "1"}
    assert await post(demo_live, "/simulator/telegram/acknowledge", form) == 403
    row = await escalations.get(demo_live.service.db, 1)
    assert row is not None and row.status == "open"

    not_staff = {**form, "chat": "12345", "csrf_token": await token(demo_live)}
    assert await post(demo_live, "/simulator/telegram/acknowledge", not_staff) == 303
    row = await escalations.get(demo_live.service.db, 1)
    assert row is not None and row.status == "open"

    pressed = {**form, "phone": "x\r\nSet-Cookie: a=b", "csrf_token": await token(demo_live)}
    async with demo_live.http.post(
        demo_live.base + "/simulator/telegram/acknowledge", data=pressed, allow_redirects=False
    ) as r:
        assert r.status == 303
        assert r.headers["Location"] == "/simulator"  # nothing of the form reaches a header
    row = await escalations.get(demo_live.service.db, 1)
    assert row is not None and row.status == "acknowledged"
    assert row.acknowledged_by == (await grace_id(demo_live))


async def grace_id(live: Live) -> int:
    from bot.store import staff

    found = await staff.by_email(live.service.db, "grace@demo.cradle")
    assert found is not None and found[0].id is not None
    return found[0].id
