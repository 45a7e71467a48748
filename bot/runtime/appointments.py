"""Appointment replies and appointment-bound texts (the appointment loop grows here)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.model import Family, Intent, Parent, QueueKind
from bot.store import queue
from bot.store.outbox import OutboxRow

if TYPE_CHECKING:
    from bot.runtime.service import Service


async def handle_reply(
    service: Service, conn: aiosqlite.Connection, family: Family, parent: Parent, intent: Intent,
    inbound_id: int, now: datetime, *, out_of_hours: bool,
) -> None:
    """A reply that reads as confirm, cancel or change: with no appointment, a human decides."""
    practitioner = family.practitioner_id
    await queue.add(
        conn, kind=QueueKind.MESSAGE, audience="practitioner" if practitioner else "unassigned",
        practitioner_id=practitioner, family_id=family.id, parent_id=parent.id,
        inbound_id=inbound_id, summary=f"reads as {intent.value}; no upcoming appointment",
        out_of_hours=out_of_hours, at=now,
    )


async def appointment_still_wanted(service: Service, row: OutboxRow) -> str | None:
    """The reason an appointment text is no longer wanted, or None."""
    return None
