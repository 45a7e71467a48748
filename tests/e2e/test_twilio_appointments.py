"""Appointment texts through Twilio: a reminder for a cancelled appointment is never sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.runtime import dispatcher, scheduler
from bot.store import outbox
from tests.builders import family_json, parent_json
from tests.stand_ins.twilio_api import TwilioLive, running_with_twilio

CHLOE = "+447700900101"
THURSDAY = "2026-12-03T14:00"  # booked on Tuesday 24 November, the frozen "now"
TWO_DAYS_BEFORE = "2026-12-01T10:00:00Z"


@pytest.fixture
async def cradle(tmp_path: Path) -> AsyncIterator[TwilioLive]:
    async with running_with_twilio(tmp_path) as running:
        yield running


async def booked_with_reminder_queued(cradle: TwilioLive) -> tuple[dict, dict]:
    """Chloe's family, an appointment on Thursday, and its two-day reminder in the outbox."""
    _, amira = await cradle.live.api("POST", "/api/v1/practitioners", json={"name": "Amira Shah"})
    _, family = await cradle.live.api(
        "POST",
        "/api/v1/families",
        json=family_json(parents=[parent_json(mobile="07700 900101")], practitioner_id=amira["id"]),
    )
    status, booked = await cradle.live.api(
        "POST",
        f"/api/v1/families/{family['id']}/appointments",
        json={"starts_at": THURSDAY, "place": "home"},
    )
    assert status == 201, booked
    await dispatcher.dispatch_once(cradle.service)  # the welcome and the confirmation
    at = cradle.live.at(TWO_DAYS_BEFORE)
    assert (await scheduler.tick(cradle.service, at)).counts["reminders"] == 1
    return family, booked


async def reminders(cradle: TwilioLive, family: dict) -> list[outbox.OutboxRow]:
    rows = await outbox.for_family(cradle.service.db, family["id"])
    return [row for row in rows if row.purpose == "appointment_reminder"]


async def cancel(cradle: TwilioLive, booked: dict) -> None:
    status, body = await cradle.live.api(
        "POST",
        f"/api/v1/appointments/{booked['id']}/cancel",
        json={"reason": "Practitioner unwell"},
    )
    assert status == 200, body


async def test_a_queued_reminder_for_a_cancelled_appointment_is_not_sent(
    cradle: TwilioLive,
) -> None:
    family, booked = await booked_with_reminder_queued(cradle)
    sent_before = len(cradle.twilio.created)
    (reminder,) = await reminders(cradle, family)

    await cancel(cradle, booked)
    await dispatcher.dispatch_once(cradle.service)

    assert reminder.body not in [r.body for r in cradle.twilio.requests]
    assert len(cradle.twilio.created) == sent_before + 1  # the team's cancellation notice only
    (reminder,) = await reminders(cradle, family)
    assert reminder.status == "withdrawn"


async def test_a_reminder_in_flight_when_the_appointment_is_cancelled_is_checked_again(
    cradle: TwilioLive,
) -> None:
    """A worker claimed the reminder and died; the appointment was cancelled meanwhile."""
    family, booked = await booked_with_reminder_queued(cradle)
    now = cradle.service.now()
    claimed = await outbox.claim_due(cradle.service.db, now, dispatcher.LEASE)
    assert [row.purpose for row in claimed] == ["appointment_reminder"]
    await cancel(cradle, booked)
    await dispatcher.dispatch_once(
        cradle.service
    )  # the cancellation notice; the reminder is leased

    cradle.live.at((now + dispatcher.LEASE + timedelta(seconds=1)).isoformat())
    await dispatcher.dispatch_once(cradle.service)

    (reminder,) = await reminders(cradle, family)
    assert reminder.status == "withdrawn" and "cancelled" in (reminder.error or "")
    assert reminder.body not in [r.body for r in cradle.twilio.requests]
