"""The outbox worker: claim due rows with a lease, re-check they are still wanted, send, record."""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.channels.base import Transport
from bot.core import hours as hours_core
from bot.core import rate
from bot.core.contact import why_not_contactable
from bot.core.model import OutboundText, OutboxStatus, SendResult
from bot.core.outbox import retry_delay, should_give_up
from bot.runtime.failures import on_permanent_failure
from bot.runtime.network import on_first_contact
from bot.store import audit, families, outbox
from bot.store.outbox import OutboxRow

if TYPE_CHECKING:
    from bot.runtime.service import Service

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # longer than any send may take (Twilio's times out at 30 s)
IDLE_POLL_SECONDS = 5.0
MAX_PARALLEL_SENDS = 8  # texts in flight at once, across every channel

# One token bucket per transport (a transport is one sender), for transports that set
# `send_rate` (texts a second). Kept beside the transport so it lives exactly as long.
_buckets: weakref.WeakKeyDictionary[Transport, rate.TokenBucket] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Pass:
    handled: int
    wait: float | None  # seconds until a rate-limited sender may send again, if one is waiting


async def run(service: Service, ready: asyncio.Event) -> None:
    while True:
        try:
            result = await dispatch_pass(service)
        except Exception:
            log.exception("outbox pass failed")
            result = Pass(0, None)
        if result.handled:
            continue
        timeout = IDLE_POLL_SECONDS if result.wait is None else min(result.wait, IDLE_POLL_SECONDS)
        try:
            await asyncio.wait_for(ready.wait(), timeout=max(timeout, 0.01))
        except TimeoutError:
            pass
        ready.clear()


async def dispatch_once(service: Service, limit: int = 50) -> int:
    """One pass: returns how many rows were handled (sent, retried later, failed or withdrawn)."""
    return (await dispatch_pass(service, limit)).handled


def _allowance(transport: Transport, now: datetime, limit: int) -> tuple[int, float | None]:
    """How many texts this sender may send now, and if none, how long until one."""
    per_second = getattr(transport, "send_rate", None)
    if not per_second:
        return limit, None
    bucket = _buckets.get(transport)
    if bucket is None or bucket.rate != per_second:
        bucket = _buckets[transport] = rate.full_bucket(per_second, now)
    allowed = min(limit, rate.available(bucket, now))
    if allowed:
        return allowed, None
    return 0, rate.wait_for(bucket, now).total_seconds()


def _spend(transport: Transport, now: datetime) -> None:
    bucket = _buckets.get(transport)
    if bucket is not None:
        _buckets[transport] = rate.take(bucket, now)


async def dispatch_pass(service: Service, limit: int = 50) -> Pass:
    """Claim what each sender may send now, then send it, several texts in flight at once."""
    now = service.now()
    claimed: list[OutboxRow] = []
    waits: list[float] = []
    for channel, transport in service.transports.items():
        allowed, wait = _allowance(transport, now, limit)
        if wait is not None:
            waits.append(wait)
        if allowed:
            claimed += await outbox.claim_due(
                service.db, now, LEASE, allowed, channels=(channel.value,)
            )
    gate = asyncio.Semaphore(MAX_PARALLEL_SENDS)

    async def one(row: OutboxRow) -> None:
        async with gate:
            await _handle(service, row, now)

    results = await asyncio.gather(*(one(row) for row in claimed), return_exceptions=True)
    for row, result in zip(claimed, results, strict=True):
        if isinstance(result, BaseException):  # the lease runs out and the row is tried again
            log.error("outbox row %s: %r", row.id, result)
    return Pass(len(claimed), min(waits) if waits else None)


async def _why_unwanted(service: Service, row: OutboxRow) -> str | None:
    """Checked again at send time: things change between queueing and sending."""
    if row.parent_id is not None:
        parent = await families.get_parent(service.db, row.parent_id)
        if parent is None:
            return "parent no longer on record"
        reason = why_not_contactable(parent)
        if reason:
            return reason
    # Per number: a text to a phone someone else reads is withdrawn whoever it was meant for
    # (a reply to an unknown sender, a parent sharing the number).
    if row.staff_id is None and await families.number_unsafe_to_text(
        service.db, row.channel.value, row.recipient
    ):
        return "not safe to text this number"
    if row.appointment_id is not None:
        from bot.runtime.appointments import appointment_still_wanted

        reason = await appointment_still_wanted(service, row)
        if reason:
            return reason
    return None


async def _handle(service: Service, row: OutboxRow, claimed_at: datetime) -> None:
    now = service.now()
    reason = await _why_unwanted(service, row)
    if reason is not None:
        async with service.db.transaction() as conn:
            await outbox.mark_final(conn, row.id, OutboxStatus.WITHDRAWN, now, error=reason)
            await audit.record(
                conn, now, "system", "outbox_withdrawn", "outbox", row.id, reason=reason
            )
        return
    if not row.urgent and not hours_core.in_sending_hours(service.policies.hours, now):
        later = hours_core.next_sending_time(service.policies.hours, now)
        async with service.db.transaction() as conn:
            await outbox.defer(conn, row.id, later, "waiting for sending hours")
        return
    transport = service.transports[row.channel]
    _spend(transport, claimed_at)
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
            status = OutboxStatus.DELIVERED if result.delivered else OutboxStatus.SENT
            await outbox.mark_sent(conn, row.id, now, result.provider_id, status)
            if row.purpose == "first_contact" and row.family_id:
                if await families.mark_first_contact(conn, row.family_id, now):
                    await on_first_contact(service, conn, row.family_id, now)
            return
        attempts = row.attempts + 1
        if result.temporary and not should_give_up(attempts):
            wait = retry_delay(attempts)
            if result.retry_after:
                wait = max(wait, timedelta(seconds=result.retry_after))
            retry_at = _whole_second_after(now + wait)
            await outbox.mark_retry(conn, row.id, retry_at, result.error_code, result.error or "")
            return
        await outbox.mark_final(
            conn, row.id, OutboxStatus.FAILED, now, result.error_code, result.error
        )
        await audit.record(
            conn,
            now,
            "system",
            "outbox_failed",
            "outbox",
            row.id,
            code=result.error_code,
            attempts=attempts,
            temporary=result.temporary,
        )
        await on_permanent_failure(service, conn, row, result, now)


def _whole_second_after(at: datetime) -> datetime:
    """Times are stored to the second: round up, so a retry never comes before its wait."""
    whole = at.replace(microsecond=0)
    return whole if whole == at else whole + timedelta(seconds=1)


async def record_delivery(
    service: Service, provider_id: str, status: OutboxStatus, error_code: str | None = None
) -> bool:
    """A delivery receipt from a provider; False when no text has that provider id.

    A final state never moves back; a text that turns out undelivered is put before staff
    once, however often the receipt is repeated.
    """
    now = service.now()
    async with service.db.transaction() as conn:
        update = await outbox.update_delivery(conn, provider_id, status, now, error_code)
        if update is None:
            log.info("delivery receipt for an unknown message %s: ignored", provider_id)
            return False
        if update.changed and status in (OutboxStatus.UNDELIVERED, OutboxStatus.FAILED):
            await audit.record(
                conn,
                now,
                "system",
                "outbox_undelivered",
                "outbox",
                update.row.id,
                code=error_code,
                status=status.value,
            )
            result = SendResult(
                ok=False, error_code=error_code, error=f"the network reported it {status.value}"
            )
            await on_permanent_failure(service, conn, update.row, result, now)
    return True
