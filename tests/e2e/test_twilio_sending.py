"""Texts out through the real twilio client to a loopback stand-in of Twilio's REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.core import sms
from bot.core.model import ChannelName
from bot.core.outbox import MAX_ATTEMPTS, OutboxDraft
from bot.runtime import dispatcher
from bot.runtime.service import Service
from bot.store import outbox
from bot.store.outbox import OutboxRow
from tests.builders import family_json, parent_json
from tests.stand_ins.twilio_api import TwilioLive, running_with_twilio

CHLOE = "+447700900101"


@pytest.fixture
async def cradle(tmp_path: Path) -> AsyncIterator[TwilioLive]:
    async with running_with_twilio(tmp_path) as running:
        yield running


async def welcome(cradle: TwilioLive, mobile: str = "07700 900101", ref: str = "PIR-1") -> dict:
    """A family allocated to a practitioner: their welcome text is queued at once."""
    _, amira = await cradle.live.api(
        "POST", "/api/v1/practitioners", json={"name": f"Amira Shah {ref}"}
    )
    status, family = await cradle.live.api(
        "POST",
        "/api/v1/families",
        json=family_json(ref, parents=[parent_json(mobile=mobile)], practitioner_id=amira["id"]),
    )
    assert status == 201 and family["first_contact"]["queued"] == 1, family
    return {"practitioner": amira["id"], **family}


async def texts(cradle: TwilioLive, family: dict) -> list[OutboxRow]:
    return await outbox.for_family(cradle.service.db, family["id"])


def advance(cradle: TwilioLive, to: datetime | None = None, **delta: float) -> datetime:
    clock = cradle.service.clock
    clock.set(to or clock.now() + timedelta(**delta))
    return clock.now()


async def queue_of(cradle: TwilioLive, practitioner: int) -> list[dict]:
    _, body = await cradle.live.api("GET", f"/api/v1/queue?practitioner_id={practitioner}")
    return body["items"]


async def test_a_text_is_sent_through_twilio_and_its_delivery_recorded(cradle: TwilioLive) -> None:
    family = await welcome(cradle)

    assert await dispatcher.dispatch_once(cradle.service) == 1

    (request,) = cradle.twilio.requests
    assert request.authorised and request.to == CHLOE and request.from_ == "+447700900000"
    assert request.status_callback == cradle.hooks.public_url + "/webhooks/twilio/status"
    assert request.body.startswith("Hi Chloe")
    (row,) = await texts(cradle, family)
    assert (row.status, row.provider_id) == ("sent", request.sid)
    assert row.segments == sms.segment_info(row.body).segments and row.encoding

    for status in ("sent", "delivered"):
        assert (await cradle.hooks.status(request.sid, status))[0] == 200
    (row,) = await texts(cradle, family)
    assert row.status == "delivered"


@pytest.mark.parametrize("late", ["sent", "queued", "delivered", "undelivered", "failed"])
async def test_a_late_or_repeated_receipt_never_moves_a_final_state_back(
    cradle: TwilioLive, late: str
) -> None:
    family = await welcome(cradle)
    await dispatcher.dispatch_once(cradle.service)
    (request,) = cradle.twilio.requests
    await cradle.hooks.status(request.sid, "delivered")

    assert (await cradle.hooks.status(request.sid, late))[0] == 200

    (row,) = await texts(cradle, family)
    assert row.status == "delivered"
    assert await queue_of(cradle, family["practitioner"]) == []


async def test_a_receipt_for_a_message_we_never_sent_is_accepted_and_changes_nothing(
    cradle: TwilioLive,
) -> None:
    family = await welcome(cradle)
    await dispatcher.dispatch_once(cradle.service)

    status, _ = await cradle.hooks.status("SM" + "f" * 32, "failed", "30008")

    assert status == 200
    (row,) = await texts(cradle, family)
    assert row.status == "sent"


async def test_a_receipt_with_a_bad_signature_changes_nothing(cradle: TwilioLive) -> None:
    family = await welcome(cradle)
    await dispatcher.dispatch_once(cradle.service)
    (request,) = cradle.twilio.requests
    fields = cradle.hooks.status_fields(request.sid, "delivered")
    bad = cradle.hooks.sign("/webhooks/twilio/status", {**fields, "MessageStatus": "failed"})

    status, _ = await cradle.hooks.post("/webhooks/twilio/status", fields, signature=bad)

    assert status == 403
    assert [row.status for row in await texts(cradle, family)] == ["sent"]


async def test_an_undelivered_text_is_put_before_the_practitioner_once(cradle: TwilioLive) -> None:
    family = await welcome(cradle)
    await dispatcher.dispatch_once(cradle.service)
    (request,) = cradle.twilio.requests

    for _ in range(2):  # Twilio may repeat a callback
        await cradle.hooks.status(request.sid, "undelivered", "30006")

    (row,) = await texts(cradle, family)
    assert (row.status, row.error_code) == ("undelivered", "30006")
    (item,) = await queue_of(cradle, family["practitioner"])
    assert item["kind"] == "delivery_failure" and "landline" in item["summary"]


@pytest.mark.parametrize("failure", ["500", "503", "429"])
async def test_a_temporary_failure_is_retried_later_then_sent_once(
    cradle: TwilioLive, failure: str
) -> None:
    family = await welcome(cradle)
    cradle.twilio.fail_next(failure)
    started = cradle.service.now()

    await dispatcher.dispatch_once(cradle.service)
    (row,) = await texts(cradle, family)
    assert row.status == "queued" and row.attempts == 1 and row.error_code
    assert started < row.not_before <= started + timedelta(seconds=5)
    assert await dispatcher.dispatch_once(cradle.service) == 0  # not before its time

    advance(cradle, row.not_before)
    await dispatcher.dispatch_once(cradle.service)

    assert [r.outcome for r in cradle.twilio.requests] == [failure, "created"]
    (row,) = await texts(cradle, family)
    assert (row.status, row.provider_id) == ("sent", cradle.twilio.created[0].sid)
    assert await queue_of(cradle, family["practitioner"]) == []


async def test_twilio_not_answering_in_time_is_retried(tmp_path: Path) -> None:
    async with running_with_twilio(tmp_path, send_timeout=0.2) as cradle:
        family = await welcome(cradle)
        cradle.twilio.fail_next("timeout")

        await dispatcher.dispatch_once(cradle.service)
        (row,) = await texts(cradle, family)
        assert (row.status, row.error_code) == ("queued", "timeout")

        advance(cradle, row.not_before)
        await dispatcher.dispatch_once(cradle.service)
        (row,) = await texts(cradle, family)
        assert row.status == "sent"


async def test_backoff_grows_with_each_try_then_staff_see_a_technical_failure(
    cradle: TwilioLive,
) -> None:
    family = await welcome(cradle)
    cradle.twilio.fail_next("500", times=MAX_ATTEMPTS)
    waits = []

    for _ in range(MAX_ATTEMPTS):
        before = cradle.service.now()
        await dispatcher.dispatch_once(cradle.service)
        (row,) = await texts(cradle, family)
        if row.status != "queued":
            break
        waits.append((row.not_before - before).total_seconds())
        advance(cradle, row.not_before)

    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(cradle.twilio.requests) == MAX_ATTEMPTS and cradle.twilio.created == []
    # Capped exponential backoff with jitter: each wait within [half, all] of 5 s x 2^n,
    # rounded up to the second the store keeps.
    for n, wait in enumerate(waits):
        ceiling = min(5 * 2**n, 30 * 60)
        assert ceiling / 2 <= wait <= ceiling + 1
    (item,) = await queue_of(cradle, family["practitioner"])
    assert item["kind"] == "delivery_failure"
    assert f"after {MAX_ATTEMPTS} tries" in item["summary"]
    advance(cradle, hours=6)
    assert await dispatcher.dispatch_once(cradle.service) == 0


async def test_a_parent_who_replied_stop_at_the_carrier_is_marked_and_never_retried(
    cradle: TwilioLive,
) -> None:
    family = await welcome(cradle)
    cradle.twilio.fail_for(CHLOE, "21610")

    await dispatcher.dispatch_once(cradle.service)

    (row,) = await texts(cradle, family)
    assert (row.status, row.error_code) == ("failed", "21610")
    _, stored = await cradle.live.api("GET", f"/api/v1/families/{family['id']}")
    assert stored["parents"][0]["opted_out"] is True
    (item,) = await queue_of(cradle, family["practitioner"])
    assert item["kind"] == "delivery_failure"
    assert "text START" in item["summary"] and "phone" in item["summary"]
    advance(cradle, days=1)
    assert await dispatcher.dispatch_once(cradle.service) == 0
    assert len(cradle.twilio.requests) == 1


@pytest.mark.parametrize(("code", "words"), [("21211", "not a valid"), ("21614", "not a mobile")])
async def test_a_number_twilio_cannot_text_is_a_permanent_failure_staff_see(
    cradle: TwilioLive, code: str, words: str
) -> None:
    family = await welcome(cradle)
    cradle.twilio.fail_next(code)

    await dispatcher.dispatch_once(cradle.service)
    advance(cradle, days=1)
    await dispatcher.dispatch_once(cradle.service)

    assert len(cradle.twilio.requests) == 1
    (row,) = await texts(cradle, family)
    assert (row.status, row.error_code) == ("failed", code)
    (item,) = await queue_of(cradle, family["practitioner"])
    assert item["kind"] == "delivery_failure" and words in item["summary"]
    _, stored = await cradle.live.api("GET", f"/api/v1/families/{family['id']}")
    assert stored["parents"][0]["opted_out"] is False


async def test_the_send_rate_per_sender_is_kept(tmp_path: Path) -> None:
    async with running_with_twilio(tmp_path, CRADLE_TWILIO_SEND_RATE=2) as cradle:
        for n in range(5):
            await welcome(cradle, f"07700 90020{n}", f"PIR-{n}")
        start, sent_by = cradle.service.now(), []
        for seconds in (0, 0, 0.25, 0.25, 0.5, 1.0, 1.5):
            advance(cradle, to=start + timedelta(seconds=seconds))
            await dispatcher.dispatch_once(cradle.service)
            sent_by.append(len(cradle.twilio.requests))
        # Two at once (a second's worth), then one every half second.
        assert sent_by == [2, 2, 2, 2, 3, 4, 5]


async def test_a_worker_killed_between_claim_and_send_leaves_the_text_to_the_next(
    cradle: TwilioLive,
) -> None:
    family = await welcome(cradle)
    now = cradle.service.now()
    (claimed,) = await outbox.claim_due(cradle.service.db, now, dispatcher.LEASE)
    # ... and the worker dies here. A new one starts on the same database.
    restarted = await Service.create(cradle.service.settings, Clock(now))
    try:
        assert await dispatcher.dispatch_once(restarted) == 0  # still leased: never twice
        assert cradle.twilio.requests == []

        restarted.clock.set(now + dispatcher.LEASE + timedelta(seconds=1))
        assert await dispatcher.dispatch_once(restarted) == 1
        assert await dispatcher.dispatch_once(restarted) == 0
    finally:
        await restarted.close()
    assert [r.to for r in cradle.twilio.created] == [CHLOE]
    (row,) = await texts(cradle, family)
    assert (row.id, row.status) == (claimed.id, "sent")


async def test_every_text_has_its_segments_counted_even_when_the_caller_did_not(
    cradle: TwilioLive,
) -> None:
    now = cradle.service.now()
    bodies = ["Cradle alert: family PIR-1 needs a call by 14:00", "Diolch! Wela i chi’n fuan 🙂"]
    async with cradle.service.db.transaction() as conn:
        ids = [
            await outbox.enqueue(
                conn,
                OutboxDraft(ChannelName.SMS, "+447700900301", "escalation", body, now),
                now,
            )
            for body in bodies
        ]
    rows = [await outbox.get(cradle.service.db, i) for i in ids]
    assert [(r.encoding, r.segments) for r in rows] == [("GSM-7", 1), ("UCS-2", 1)]
