"""Erasing a parent: refused under an open escalation; recorded in the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store import audit
from bot.store import erasure as store

if TYPE_CHECKING:
    from bot.runtime.service import Service


class ErasureRefused(Exception):
    """Why this parent cannot be erased now, in words for the administrator."""


async def erase_parent(service: Service, parent_id: int, actor: str, reason: str) -> dict[str, int]:
    reason = " ".join(reason.split())
    if not reason:
        raise ErasureRefused("Give the reason for erasing, for example the parent's request")
    now = service.now()
    async with service.db.transaction() as conn:
        state = await store.parent_state(conn, parent_id)
        if state is None:
            raise LookupError("parent")
        family_id, erased_at = state
        if erased_at:
            raise ErasureRefused("This parent has already been erased")
        if await store.open_escalations(conn, family_id):
            raise ErasureRefused(
                "An escalation about this family is still open: close it before erasing"
            )
        if await store.unprocessed_messages(conn, parent_id):
            # Risk triage comes first for every message: their words must be read before
            # they can go.
            raise ErasureRefused(
                "A message from this parent is still being processed: try again in a minute"
            )
        counts = await store.erase_parent(conn, parent_id, now)
        await audit.record(
            conn, now, actor, "parent_erased", "parent", parent_id,
            family_id=family_id, reason=reason, **counts,
        )  # fmt: skip
    service.wake_outbox()
    return counts
