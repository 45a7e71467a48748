"""What staff are told when a text cannot be delivered."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.model import QueueKind, SendResult
from bot.store import audit, families, queue
from bot.store.outbox import OutboxRow

if TYPE_CHECKING:
    from bot.runtime.service import Service

# Provider codes that mean the parent has blocked texts at the carrier (Twilio 21610).
CARRIER_OPT_OUT_CODES = frozenset({"21610"})

# What the practitioner is asked to do, by provider error code (Twilio's, in a plain table).
STAFF_SUMMARIES = {
    "21610": (
        "texts are blocked by the parent's phone network (they replied STOP):"
        " ask them to text START, or phone them"
    ),
    "21211": "the mobile number on record is not a valid number: check it with the family",
    "21614": "the number on record is not a mobile: phone them, or ask for a mobile number",
    "30003": "the parent's phone was switched off or out of signal: the text did not arrive",
    "30005": "the mobile number is unknown to the network: check it with the family",
    "30006": "the number on record is a landline: phone them, or ask for a mobile number",
}


def staff_summary(row: OutboxRow, result: SendResult) -> str:
    """One line for the queue: what failed, and what to do about it."""
    if result.error_code in STAFF_SUMMARIES:
        return STAFF_SUMMARIES[result.error_code]
    what = f"a {row.purpose.replace('_', ' ')} text"
    code = f" (error {result.error_code})" if result.error_code else ""
    if result.temporary:
        return f"{what} could not be sent after {row.attempts + 1} tries: a technical problem{code}"
    return f"{what} could not be delivered{code}"


async def on_permanent_failure(
    service: Service, conn: aiosqlite.Connection, row: OutboxRow, result: SendResult, now: datetime
) -> None:
    """Nothing more will be tried for this row: act on what the failure says, and tell staff."""
    if result.error_code == "telegram_blocked":  # blocked the bot: the same text goes by SMS
        from bot.runtime.telegram import fall_back_to_sms

        if await fall_back_to_sms(service, conn, row, now):
            return
    family = await families.get(conn, row.family_id) if row.family_id else None
    practitioner = family.practitioner_id if family else None
    if result.error_code in CARRIER_OPT_OUT_CODES and row.parent_id is not None:
        # Mirror the carrier, so nothing more is queued for a parent who cannot receive it.
        await families.set_opted_out(conn, row.parent_id, True, now)
        await audit.record(
            conn,
            now,
            "system",
            "opted_out_at_carrier",
            "parent",
            row.parent_id,
            code=result.error_code,
        )
    await queue.add(
        conn,
        kind=QueueKind.DELIVERY_FAILURE,
        audience="practitioner" if practitioner else "administrator",
        practitioner_id=practitioner,
        family_id=row.family_id,
        parent_id=row.parent_id,
        summary=staff_summary(row, result),
        at=now,
    )
