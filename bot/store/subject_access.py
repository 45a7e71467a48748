"""Everything Cradle holds about one parent or one family (UK GDPR article 15)."""

from __future__ import annotations

import json
from typing import Any

from bot.store.db import Database


def _rows(rows: list) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


async def gather(
    db: Database, *, family_id: int | None = None, parent_id: int | None = None
) -> dict[str, Any] | None:
    """The rows about a family (every parent in it) or about one parent; None if unknown.

    A parent's export holds their own texts, appointments they were expected at, their
    family's letters and escalations raised by their messages, never another parent's words.
    """
    if parent_id is not None:
        parent = await db.fetch_one("SELECT * FROM parents WHERE id = ?", [parent_id])
        if parent is None:
            return None
        family_id = parent["family_id"]
        parents = [dict(parent)]
    else:
        parents = _rows(
            await db.fetch_all("SELECT * FROM parents WHERE family_id = ?", [family_id])
        )
    family = await db.fetch_one("SELECT * FROM families WHERE id = ?", [family_id])
    if family is None:
        return None
    ids = [p["id"] for p in parents]
    numbers = [p["mobile"] for p in parents if p["mobile"]]
    whole_family = parent_id is None
    marks, nmarks = _marks(len(ids)), _marks(len(numbers))

    # Texts from them: matched to them, or from their number when it matched nobody.
    inbound = _rows(
        await db.fetch_all(
            f"SELECT * FROM inbound WHERE parent_id IN ({marks})"
            + (f" OR (parent_id IS NULL AND sender IN ({nmarks}))" if numbers else "")
            + (" OR family_id = ?" if whole_family else "")
            + " ORDER BY received_at, id",
            [*ids, *numbers, *([family_id] if whole_family else [])],
        )
    )
    outbound = _rows(
        await db.fetch_all(
            f"SELECT * FROM outbox WHERE staff_id IS NULL AND (parent_id IN ({marks})"
            + (f" OR (parent_id IS NULL AND family_id IS NULL AND recipient IN ({nmarks}))"
               if numbers else "")
            + (" OR family_id = ?" if whole_family else "")
            + ") ORDER BY created_at, id",
            [*ids, *numbers, *([family_id] if whole_family else [])],
        )
    )  # fmt: skip
    appointment_links = _rows(
        await db.fetch_all(f"SELECT * FROM appointment_parents WHERE parent_id IN ({marks})", ids)
    )
    appointment_ids = sorted({a["appointment_id"] for a in appointment_links})
    if whole_family:
        appointments = _rows(
            await db.fetch_all(
                "SELECT * FROM appointments WHERE family_id = ? ORDER BY starts_at", [family_id]
            )
        )
    else:
        appointments = _rows(
            await db.fetch_all(
                f"SELECT * FROM appointments WHERE id IN ({_marks(len(appointment_ids))})"
                " ORDER BY starts_at",
                appointment_ids,
            )
        )
    letters = _rows(
        await db.fetch_all("SELECT * FROM letters WHERE family_id = ? ORDER BY id", [family_id])
    )
    escalation_where = "family_id = ?" if whole_family else f"parent_id IN ({marks})"
    escalations = _rows(
        await db.fetch_all(
            f"SELECT * FROM escalations WHERE {escalation_where} ORDER BY id",
            [family_id] if whole_family else ids,
        )
    )
    for escalation in escalations:
        notices = await db.fetch_all(
            "SELECT n.step, n.channel, n.at, s.name AS told"
            " FROM escalation_notices n LEFT JOIN staff s ON s.id = n.staff_id"
            " WHERE n.escalation_id = ? ORDER BY n.id",
            [escalation["id"]],
        )
        escalation["reasons"] = json.loads(escalation["reasons"] or "[]")
        escalation["notices"] = _rows(notices)
    queue_where = "family_id = ?" if whole_family else f"parent_id IN ({marks})"
    queue_items = _rows(
        await db.fetch_all(
            f"SELECT * FROM queue_items WHERE {queue_where} ORDER BY id",
            [family_id] if whole_family else ids,
        )
    )
    letter_ids = [letter["id"] for letter in letters]
    escalation_ids = [e["id"] for e in escalations]
    record_views = _rows(
        await db.fetch_all(
            "SELECT a.at, a.actor, s.name AS staff_name, a.action, a.subject_type,"
            " a.subject_id, a.detail FROM audit a LEFT JOIN staff s"
            " ON a.actor = 'staff:' || s.id"
            f" WHERE (a.subject_type = 'family' AND a.subject_id = ?)"
            f" OR (a.subject_type = 'parent' AND a.subject_id IN ({marks}))"
            f" OR (a.subject_type = 'letter' AND a.subject_id IN ({_marks(len(letter_ids))}))"
            " OR (a.subject_type = 'escalation'"
            f"     AND a.subject_id IN ({_marks(len(escalation_ids))}))"
            " ORDER BY a.id",
            [family_id, *ids, *letter_ids, *escalation_ids],
        )
    )
    for entry in record_views:
        entry["detail"] = json.loads(entry["detail"] or "{}")
    family_dict = dict(family)
    if not whole_family:  # the other parents' names are not this parent's data
        family_dict.pop("mother_name", None)
    return {
        "subject": {"kind": "family" if whole_family else "parent",
                    "id": family_id if whole_family else parent_id},
        "family": family_dict,
        "parents": parents,
        "texts_from_them": inbound,
        "texts_to_them": outbound,
        "appointments": appointments,
        "appointment_answers": appointment_links,
        "letters": letters,
        "escalations": escalations,
        "queue_items": queue_items,
        "record_history": record_views,
    }  # fmt: skip
