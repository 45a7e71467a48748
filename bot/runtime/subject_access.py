"""Subject access: export everything about a parent or a family, and record that it was done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.store import audit
from bot.store import subject_access as store
from bot.store.db import ts

if TYPE_CHECKING:
    from bot.runtime.service import Service


class UnknownSubject(LookupError):
    pass


async def export(
    service: Service,
    actor: str,
    *,
    family_id: int | None = None,
    parent_id: int | None = None,
) -> dict[str, Any]:
    """The export as plain JSON-ready data; the audit log records who made it and when."""
    now = service.now()
    found = await store.gather(service.db, family_id=family_id, parent_id=parent_id)
    if found is None:
        raise UnknownSubject("parent" if parent_id is not None else "family")
    subject = found["subject"]
    async with service.db.transaction() as conn:
        await audit.record(
            conn, now, actor, "subject_access_export", subject["kind"], subject["id"]
        )
    return {
        "generated_at": ts(now),
        "generated_by": actor,
        "team": service.policies.team.name,
        "about": (
            "Everything Cradle holds about this "
            + ("family" if subject["kind"] == "family" else "parent")
            + ": texts both ways, appointments, letters, escalations, queue items, and who"
            " viewed or changed the record and when. Texts whose words were removed under"
            " the retention policy show an empty body and the date it was removed."
        ),
        **found,
    }
