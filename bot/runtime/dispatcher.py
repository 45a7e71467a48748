"""The outbox worker: claim due rows with a lease, re-check they are still wanted, send, record."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core import hours as hours_core
from bot.core.contact import why_not_contactable
from bot.core.model import OutboundText, OutboxStatus, SendResult
from bot.core.outbox import retry_delay, should_give_up
from bot.store import audit, families, outbox
from bot.runtime.failures import on_permanent_failure
from bot.store.outbox import OutboxRow

if TYPE_CHECKING:
    from bot.runtime.service import Service

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
IDLE_POLL_SECONDS = 5.0


async def run(service: Service, ready: asyncio.Event) -> None:
    while True:
        try:
            sent = await dispatch_once(service)
        except Exception:
            log.exception("outbox pass failed")
            sent = 0
        if sent:
            continue
        try:
            await asyncio.wait_for(ready.wait(), timeout=IDLE_POLL_SECONDS)
        except TimeoutError:
            pass
        ready.clear()


async def dispatch_once(service: Service, limit: int = 50) -> int:
    """One pass: returns how many rows were handled."""
    now = service.now()
    channels = tuple(c.value for c in service.transports)
    rows = await outbox.claim_due(service.db, now, LEASE, limit, channels=channels)
    for row in rows:
        await _handle(service, row)
    return len(rows)


async def _why_unwanted(service: Service, row: OutboxRow, now: datetime) -> str | None:
    """Checked again at send time: things change between queueing and sending."""
    if row.parent_id is not None:
        parent = await families.get_parent(service.db, row.parent_id)
        if parent is None:
            return "parent no longer on record"
        reason = why_not_contactable(parent)
        if reason:
            return reason
    if row.appointment_id is not None:
        from bot.runtime.appointments import appointment_still_wanted

        reason = await appointment_still_wanted(service, row)
        if reason:
            return reason
    return None


async def _handle(service: Service, row: OutboxRow) -> None:
    now = service.now()
    reason = await _why_unwanted(service, row, now)
    if reason is not None:
        async with service.db.transaction() as conn:
            await outbox.mark_final(conn, row.id, OutboxStatus.WITHDRAWN, now, error=reason)
            await audit.record(conn, now, "system", "outbox_withdrawn", "outbox", row.id, reason=reason)
        return
    if not row.urgent and not hours_core.in_sending_hours(service.policies.hours, now):
        later = hours_core.next_sending_time(service.policies.hours, now)
        async with service.db.transaction() as conn:
            await outbox.mark_retry(conn, row.id, later, None, "waiting for sending hours")
            await conn.execute("UPDATE outbox SET attempts = attempts - 1 WHERE id = ?", (row.id,))
        return
    transport = service.transports[row.channel]
    try:
        result = await transport.send(OutboundText(row.id, row.channel, row.recipient, row.body))
    except Exception as exc:  # a transport bug must not lose the row: treat as temporary
        log.exception("transport %s raised", transport.name)
        result = SendResult(ok=False, temporary=True, error=f"{type(exc).__name__}")
    await record_result(service, row, result)


async def record_result(service: Service, row: OutboxRow, result: SendResult) -> None:
    now = service.now()
    async with service.db.transaction() as conn:
        if result.ok:
            status = OutboxStatus.DELIVERED if service.transports[row.channel].name == "simulator" else OutboxStatus.SENT
            await outbox.mark_sent(conn, row.id, now, result.provider_id, status)
            if row.purpose == "first_contact" and row.family_id:
                await families.mark_first_contact(conn, row.family_id, now)
            return
        attempts = row.attempts + 1
        if result.temporary and not should_give_up(attempts):
            wait = retry_delay(attempts)
            if result.retry_after:
                wait = max(wait, timedelta(seconds=result.retry_after))
            await outbox.mark_retry(conn, row.id, now + wait, result.error_code, result.error or "")
            return
        await outbox.mark_final(conn, row.id, OutboxStatus.FAILED, now, result.error_code, result.error)
        await audit.record(conn, now, "system", "outbox_failed", "outbox", row.id, code=result.error_code)
        await on_permanent_failure(service, conn, row, result, now)

