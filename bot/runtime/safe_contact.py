"""Marking a parent's phone not safe to text (read by someone else), and clearing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.model import Parent
from bot.store import audit, families

if TYPE_CHECKING:
    from bot.runtime.service import Service

MAX_REASON = 500


class ParentNotFound(LookupError):
    pass


async def mark_not_safe(
    service: Service, parent_id: int, *, by: str, actor: str, reason: str
) -> Parent:
    """From now on nothing automated goes to this parent; waiting texts are withdrawn at send."""
    now = service.now()
    async with service.db.transaction() as conn:
        if await families.get_parent(service.db, parent_id) is None:
            raise ParentNotFound(parent_id)
        await families.mark_unsafe_to_text(conn, parent_id, by=by, reason=reason, at=now)
        await audit.record(conn, now, actor, "marked_not_safe_to_text", "parent", parent_id)
    parent = await families.get_parent(service.db, parent_id)
    assert parent is not None
    return parent


async def mark_safe_again(service: Service, parent_id: int, *, actor: str) -> Parent:
    now = service.now()
    async with service.db.transaction() as conn:
        if await families.get_parent(service.db, parent_id) is None:
            raise ParentNotFound(parent_id)
        await families.clear_unsafe_to_text(conn, parent_id)
        await audit.record(conn, now, actor, "marked_safe_to_text_again", "parent", parent_id)
    parent = await families.get_parent(service.db, parent_id)
    assert parent is not None
    return parent
