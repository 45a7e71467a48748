"""The administrator's delivery dashboard, with texts through the Twilio stand-in."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime import dispatcher
from tests.e2e.console_client import ConsoleClient, seed_demo, text_from
from tests.stand_ins.twilio_api import TwilioLive, running_with_twilio

CHLOE, DAN, LEAH, KASIA = "+447700900101", "+447700900102", "+447700900201", "+447700900301"
EMERGENCY = "i cant do this anymore, i want to end it all tonight"


@pytest.fixture
async def cradle(tmp_path: Path) -> AsyncIterator[TwilioLive]:
    async with running_with_twilio(tmp_path) as running:
        yield running


def figures(page: str, period: str) -> dict[str, int]:
    section = page.split(f'class="nhsuk-summary-list delivery-{period}"')[1].split("</dl>")[0]
    return {k: int(v) for k, v in re.findall(r'data-figure="(\w+)">(\d+)', section)}


async def test_the_dashboard_counts_texts_failures_and_acknowledgements(cradle: TwilioLive):
    team = await seed_demo(cradle.service)
    cradle.twilio.fail_for(DAN, "21614")  # not a mobile: every text to Dan fails
    await dispatcher.dispatch_once(cradle.service)
    (to_chloe,) = [r for r in cradle.twilio.created if r.to == CHLOE]
    assert (await cradle.hooks.status(to_chloe.sid, "delivered"))[0] == 200
    status, _ = await cradle.live.api(
        "POST", f"/api/v1/families/{team['PIR-0001']}/appointments",
        json={"starts_at": "2026-12-03T14:00", "place": "home"},
    )  # fmt: skip
    assert status == 201
    await dispatcher.dispatch_once(cradle.service)
    await text_from(cradle.service, LEAH, EMERGENCY)
    await text_from(cradle.service, KASIA, EMERGENCY)
    _, open_ = await cradle.live.api("GET", "/api/v1/escalations?status=open")
    first = min(e["id"] for e in open_["escalations"])
    status, _ = await cradle.live.api(
        "POST", f"/api/v1/escalations/{first}/acknowledge",
        json={"staff_id": team["grace@demo.cradle"]},
    )  # fmt: skip
    assert status == 200

    admin = ConsoleClient.open(cradle.live.base)
    try:
        await admin.sign_in("administrator")
        status, page = await admin.get("/admin/delivery")
    finally:
        await admin.close()
    assert status == 200

    with sqlite3.connect(cradle.service.settings.database) as conn:
        made = conn.execute(
            "SELECT count(*) FROM outbox WHERE staff_id IS NULL AND status != 'withdrawn'"
        ).fetchone()[0]
    today = figures(page, "today")
    assert today == {"sent": made, "delivered": 1, "failed": 2, "waiting": made - 3}
    assert figures(page, "this-week") == today
    reasons = page.split("Why texts failed this week</h2>")[1].split("</table>")[0]
    assert "Not a mobile number" in reasons and ">2<" in reasons
    failing = page.split("Parents whose texts keep failing</h2>")[1].split("</table>")[0]
    assert "Dan Martin" in failing and "PIR-0001" in failing and "Chloe" not in failing
    row = page.split('data-period="today"')[1].split("</tr>")[0]
    cells = re.findall(r"numeric\">([^<]+)<", row)
    assert cells == ["2", "1", "0", "1", "100%"]  # raised, in time, late, open, share


async def test_only_administrators_see_the_dashboard(cradle: TwilioLive):
    await seed_demo(cradle.service)
    practitioner = ConsoleClient.open(cradle.live.base)
    try:
        await practitioner.sign_in("practitioner")
        status, _ = await practitioner.get("/admin/delivery")
    finally:
        await practitioner.close()
    assert status == 404
