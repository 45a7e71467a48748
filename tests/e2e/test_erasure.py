"""Erasing a parent: no trace of their number or words anywhere; the fact it happened kept."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core.model import ChannelName, InboundMessage
from bot.runtime import escalations as escalation_runtime
from bot.runtime import pipeline
from bot.runtime.erasure import ErasureRefused, erase_parent
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient
from tests.e2e.history import add_practitioner, family_with_history, text_in
from tests.e2e.tables import cells_containing, differences, snapshot

RHIANNON = ("Rhiannon Blake", "07700 900501", "Could we make it after lunch on Friday")
RISK = "i cant do this anymore, i want to end it all tonight"


def one(live: Live, sql: str, *params: object) -> tuple:
    with sqlite3.connect(live.service.settings.database) as conn:
        return conn.execute(sql, params).fetchone()


async def test_erasing_a_parent_leaves_no_trace_of_their_number_or_words(
    live: Live, team: dict, client: ConsoleClient
) -> None:
    amira = await add_practitioner(live)
    blakes = await family_with_history(live, amira, "PIR-5001", *RHIANNON, risk=RISK)
    # A message from her number before she was known, and an appointment still to come
    # (its confirmation waiting in the outbox, its reminders planned).
    status, booked = await live.api(
        "POST", f"/api/v1/families/{blakes.family}/appointments",
        json={"starts_at": "2026-12-03T14:00", "place": "home"},
    )  # fmt: skip
    assert status == 201, booked
    assert one(live, "SELECT count(*) FROM outbox WHERE parent_id = ? AND status = 'queued'",
               blakes.parent)[0] >= 1  # fmt: skip
    assert one(live, "SELECT count(*) FROM reminders WHERE status = 'pending'")[0] >= 1

    await client.sign_in("administrator")
    # Under an open escalation the family cannot be erased.
    status, page = await client.get(f"/admin/parents/{blakes.parent}/erase")
    assert status == 200 and "still open" in page
    (escalation_id,) = one(live, "SELECT id FROM escalations WHERE family_id = ?", blakes.family)
    status, page, _ = await client.post(
        f"/admin/parents/{blakes.parent}/erase",
        {"reason": "asked by phone", "confirm_name": RHIANNON[0]},
    )
    assert status == 422 and "still open" in page
    assert one(live, "SELECT erased_at FROM parents WHERE id = ?", blakes.parent) == (None,)

    closed = await escalation_runtime.close(
        live.service, escalation_id, amira, "Phoned her; safety plan agreed"
    )
    assert closed
    status, page = await client.get(f"/admin/parents/{blakes.parent}/erase")
    assert status == 200 and "cannot be undone" in page
    number = RHIANNON[1].replace(" ", "")  # 07700900501
    needles = [number, number[1:], RHIANNON[0], "Rhiannon", RHIANNON[2], "end it all", RISK]
    found = cells_containing(live.service.db.path, needles)
    assert {"inbound.body", "inbound.sender", "outbox.recipient", "parents.mobile"} <= set(found)
    assert {"letters.body", "escalations.reasons", "families.mother_name"} <= set(found)
    # The confirmation step: the wrong name (or no reason) erases nothing.
    before = snapshot(live.service.db.path)
    status, page, _ = await client.post(
        f"/admin/parents/{blakes.parent}/erase", {"reason": "", "confirm_name": "Rhiannon"}
    )
    assert status == 422 and "Type the parent&#39;s name" in page and "Give the reason" in page
    assert differences(before, snapshot(live.service.db.path)) == {}

    status, _, location = await client.post(
        f"/admin/parents/{blakes.parent}/erase",
        {"reason": "Parent asked on the phone on 24 November", "confirm_name": "rhiannon  blake"},
    )
    assert status == 303 and location == f"/admin/families/{blakes.family}/records"

    assert cells_containing(live.service.db.path, needles) == []
    # Nothing waits to be sent to her; reminders only she would get are cancelled.
    assert one(live, "SELECT count(*) FROM outbox WHERE parent_id = ? AND status = 'queued'",
               blakes.parent) == (0,)  # fmt: skip
    assert one(live, "SELECT count(*) FROM reminders WHERE status = 'pending'") == (0,)
    # The facts stay: texts were received, the escalation and its level, who erased and why.
    assert one(live, "SELECT count(*) FROM inbound WHERE parent_id = ?", blakes.parent) == (2,)
    assert one(live, "SELECT level, action_taken FROM escalations WHERE id = ?", escalation_id) == (
        "emergency", "Phoned her; safety plan agreed",
    )  # fmt: skip
    actor, detail = one(
        live, "SELECT actor, detail FROM audit WHERE action = 'parent_erased' AND subject_id = ?",
        blakes.parent,
    )  # fmt: skip
    assert actor == f"staff:{team['sam@demo.cradle']}"
    assert "Parent asked on the phone" in detail
    # Another family's data is untouched.
    assert one(live, "SELECT name FROM parents WHERE mobile = '+447700900101'") == ("Chloe Martin",)
    # And a text from her old number later is a stranger's: it matches no one.
    await text_in(live, RHIANNON[1], "hello again")
    assert one(live, "SELECT parent_id FROM inbound WHERE body = 'hello again'") == (None,)


async def test_a_parent_is_not_erased_before_their_latest_message_is_triaged(live: Live) -> None:
    amira = await add_practitioner(live)
    blakes = await family_with_history(live, amira, "PIR-5001", *RHIANNON)
    message = InboundMessage(
        ChannelName.SMS, "SMwaiting", blakes.mobile, "please ring me", live.service.now()
    )
    await pipeline.receive(live.service, message)  # stored, not yet triaged
    with pytest.raises(ErasureRefused, match="still being processed"):
        await erase_parent(live.service, blakes.parent, "staff:1", "asked in person")
    await pipeline.process_pending(live.service)
    counts = await erase_parent(live.service, blakes.parent, "staff:1", "asked in person")
    assert counts["texts_from_them"] == 2
    with pytest.raises(ErasureRefused, match="already been erased"):
        await erase_parent(live.service, blakes.parent, "staff:1", "asked in person")
