"""Appointments, who is expected and what they answered, their reminders, school runs,
and the family bookkeeping behind engagement and closure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import aiosqlite

from bot.core.appointments import (
    Answer,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancelledBy,
    Place,
    SchoolRun,
)
from bot.core.engagement import EngagementFacts
from bot.core.model import Parent
from bot.core.reminders import PlannedReminder
from bot.store.db import Database, ts
from bot.store.families import parent_from_row

Source = Database | aiosqlite.Connection


def _time(text: str | None) -> datetime | None:
    """A stored UTC instant; as `from_ts`, but fromisoformat is far quicker than strptime,
    which counts when the scheduler reads thousands of due reminders."""
    return datetime.fromisoformat(text) if text else None


# Appointment texts a parent's reply may be answering (see core.appointments.match_reply).
REPLY_CONTEXT_PURPOSES = (
    "appointment_confirmation",
    "appointment_reminder",
    "appointment_changed",
    "appointment_cancelled_by_team",
    "cancellation_thanks",
)


async def _all(source: Source, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
    if isinstance(source, Database):
        return await source.fetch_all(sql, params)
    async with source.execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


async def _one(source: Source, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
    rows = await _all(source, sql, params)
    return rows[0] if rows else None


def _appointment(
    row: aiosqlite.Row, expected: Sequence[int], answers: dict[int, Answer]
) -> Appointment:
    return Appointment(
        id=row["id"],
        family_id=row["family_id"],
        practitioner_id=row["practitioner_id"],
        kind=AppointmentKind(row["kind"]),
        starts_at=_time(row["starts_at"]),  # type: ignore[arg-type]
        duration=timedelta(minutes=row["duration_minutes"]),
        place=Place(row["place"]),
        address=row["address"],
        expected=tuple(expected),
        status=AppointmentStatus(row["status"]),
        cancelled_by=CancelledBy(row["cancelled_by"]) if row["cancelled_by"] else None,
        cancel_reason=row["cancel_reason"],
        version=row["version"],
        booked_at=_time(row["booked_at"]),
        changed_at=_time(row["changed_at"]),
        answers=answers,
        referrer_invited=bool(row["referrer_invited"]),
        summary=row["summary"],
        needs_review=row["needs_review_reason"] if row["needs_review_at"] else "",
    )


async def _with_parents(source: Source, rows: Sequence[aiosqlite.Row]) -> list[Appointment]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    expected: dict[int, list[int]] = {i: [] for i in ids}
    answers: dict[int, dict[int, Answer]] = {i: {} for i in ids}
    for ap in await _all(
        source,
        f"SELECT appointment_id, parent_id, answer FROM appointment_parents"
        f" WHERE appointment_id IN ({marks}) ORDER BY parent_id",
        ids,
    ):
        expected[ap["appointment_id"]].append(ap["parent_id"])
        if ap["answer"]:
            answers[ap["appointment_id"]][ap["parent_id"]] = Answer(ap["answer"])
    return [_appointment(r, expected[r["id"]], answers[r["id"]]) for r in rows]


# --- Appointments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentFields:
    """What staff choose when booking or changing an appointment."""

    practitioner_id: int | None
    kind: AppointmentKind
    starts_at: datetime
    duration: timedelta
    place: Place
    address: str
    expected: tuple[int, ...]


async def create(
    conn: aiosqlite.Connection, family_id: int, f: AppointmentFields, at: datetime
) -> int:
    cursor = await conn.execute(
        "INSERT INTO appointments (family_id, practitioner_id, kind, starts_at, duration_minutes,"
        " place, address, booked_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            family_id,
            f.practitioner_id,
            f.kind.value,
            ts(f.starts_at),
            int(f.duration.total_seconds() // 60),
            f.place.value,
            f.address,
            ts(at),
            ts(at),
        ),
    )
    appointment_id = cursor.lastrowid
    assert appointment_id is not None
    await conn.executemany(
        "INSERT INTO appointment_parents (appointment_id, parent_id) VALUES (?, ?)",
        [(appointment_id, parent_id) for parent_id in f.expected],
    )
    return appointment_id


async def change(
    conn: aiosqlite.Connection, appointment_id: int, f: AppointmentFields, at: datetime
) -> None:
    """New time, place or people: a new version, and everyone's earlier answers no longer hold."""
    await conn.execute(
        "UPDATE appointments SET practitioner_id = ?, kind = ?, starts_at = ?,"
        " duration_minutes = ?, place = ?, address = ?, version = version + 1, changed_at = ?,"
        " needs_review_at = NULL, needs_review_reason = '' WHERE id = ?",
        (
            f.practitioner_id,
            f.kind.value,
            ts(f.starts_at),
            int(f.duration.total_seconds() // 60),
            f.place.value,
            f.address,
            ts(at),
            appointment_id,
        ),
    )
    await conn.execute(
        "DELETE FROM appointment_parents WHERE appointment_id = ?", (appointment_id,)
    )
    await conn.executemany(
        "INSERT INTO appointment_parents (appointment_id, parent_id) VALUES (?, ?)",
        [(appointment_id, parent_id) for parent_id in f.expected],
    )


async def get(source: Source, appointment_id: int) -> Appointment | None:
    row = await _one(source, "SELECT * FROM appointments WHERE id = ?", [appointment_id])
    if row is None:
        return None
    return (await _with_parents(source, [row]))[0]


async def for_family(source: Source, family_id: int) -> list[Appointment]:
    rows = await _all(
        source,
        "SELECT * FROM appointments WHERE family_id = ? ORDER BY starts_at, id",
        [family_id],
    )
    return await _with_parents(source, rows)


async def upcoming_for_parent(source: Source, parent_id: int, now: datetime) -> list[Appointment]:
    """Appointments still to come that this parent is expected at, in any status."""
    rows = await _all(
        source,
        "SELECT a.* FROM appointments a JOIN appointment_parents ap ON ap.appointment_id = a.id"
        " WHERE ap.parent_id = ? AND a.starts_at > ? ORDER BY a.starts_at, a.id",
        [parent_id, ts(now)],
    )
    return await _with_parents(source, rows)


async def upcoming_booked_for_family(
    source: Source, family_id: int, now: datetime
) -> list[Appointment]:
    rows = await _all(
        source,
        "SELECT * FROM appointments WHERE family_id = ? AND status = 'booked' AND starts_at > ?"
        " ORDER BY starts_at, id",
        [family_id, ts(now)],
    )
    return await _with_parents(source, rows)


async def busy_times(
    source: Source,
    family_id: int,
    practitioner_id: int | None,
    start: datetime,
    end: datetime,
    *,
    leave_out: int | None = None,
) -> list[tuple[datetime, datetime]]:
    """Booked appointments of the family or the practitioner between two instants."""
    rows = await _all(
        source,
        "SELECT id, starts_at, duration_minutes FROM appointments WHERE status = 'booked'"
        " AND (family_id = ? OR practitioner_id = ?) AND starts_at >= ? AND starts_at < ?",
        [family_id, practitioner_id, ts(start - timedelta(days=1)), ts(end)],
    )
    busy = []
    for r in rows:
        if r["id"] == leave_out:
            continue
        begins = _time(r["starts_at"])
        assert begins is not None
        busy.append((begins, begins + timedelta(minutes=r["duration_minutes"])))
    return busy


async def last_texted_about(source: Source, family_id: int, parent_id: int) -> tuple[int, ...]:
    """The appointments the latest appointment texts that reached this parent were about.

    Several when they went in the same moment (three confirmations booked together).
    """
    marks = ",".join("?" * len(REPLY_CONTEXT_PURPOSES))
    rows = await _all(
        source,
        "WITH sent AS (SELECT appointment_id, coalesce(sent_at, created_at) AS at FROM outbox"
        " WHERE family_id = ? AND parent_id = ? AND appointment_id IS NOT NULL"
        f" AND purpose IN ({marks}) AND status IN ('sent', 'delivered'))"
        " SELECT DISTINCT appointment_id FROM sent WHERE at = (SELECT max(at) FROM sent)",
        [family_id, parent_id, *REPLY_CONTEXT_PURPOSES],
    )
    return tuple(r["appointment_id"] for r in rows)


async def is_booked(source: Source, appointment_id: int) -> bool:
    row = await _one(source, "SELECT status FROM appointments WHERE id = ?", [appointment_id])
    return row is not None and row["status"] == "booked"


async def family_status(source: Source, family_id: int) -> str | None:
    row = await _one(source, "SELECT status FROM families WHERE id = ?", [family_id])
    return row["status"] if row else None


async def record_answer(
    conn: aiosqlite.Connection,
    appointment_id: int,
    parent_id: int,
    answer: Answer,
    inbound_id: int | None,
    at: datetime,
) -> None:
    await conn.execute(
        "UPDATE appointment_parents SET answer = ?, answered_at = ?, inbound_id = ?"
        " WHERE appointment_id = ? AND parent_id = ?",
        (answer.value, ts(at), inbound_id, appointment_id, parent_id),
    )


async def cancel(
    conn: aiosqlite.Connection, appointment_id: int, by: CancelledBy, reason: str, at: datetime
) -> bool:
    """Call off a booked appointment; False when it was not booked."""
    cursor = await conn.execute(
        "UPDATE appointments SET status = 'cancelled', cancelled_by = ?, cancel_reason = ?,"
        " cancelled_at = ?, needs_review_at = NULL, needs_review_reason = ''"
        " WHERE id = ? AND status = 'booked'",
        (by.value, reason, ts(at), appointment_id),
    )
    return cursor.rowcount == 1


async def mark_needs_review(
    conn: aiosqlite.Connection, appointment_id: int, reason: str, at: datetime
) -> None:
    """The appointment stands, but the administrator must decide about it."""
    await conn.execute(
        "UPDATE appointments SET needs_review_at = ?, needs_review_reason = ? WHERE id = ?",
        (ts(at), reason, appointment_id),
    )


async def clear_needs_review(conn: aiosqlite.Connection, appointment_id: int) -> bool:
    cursor = await conn.execute(
        "UPDATE appointments SET needs_review_at = NULL, needs_review_reason = ''"
        " WHERE id = ? AND needs_review_at IS NOT NULL",
        (appointment_id,),
    )
    return cursor.rowcount == 1


async def set_outcome(
    conn: aiosqlite.Connection, appointment_id: int, status: AppointmentStatus, at: datetime
) -> bool:
    cursor = await conn.execute(
        "UPDATE appointments SET status = ?, outcome_at = ?"
        " WHERE id = ? AND status IN ('booked', 'attended', 'did_not_attend')",
        (status.value, ts(at), appointment_id),
    )
    return cursor.rowcount == 1


# --- Reminders --------------------------------------------------------------------------------


async def schedule_reminders(
    conn: aiosqlite.Connection,
    appointment_id: int,
    version: int,
    planned: Sequence[PlannedReminder],
) -> None:
    await conn.executemany(
        "INSERT INTO reminders (appointment_id, version, offset_days, due_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (appointment_id, version, offset_days) DO NOTHING",
        [(appointment_id, version, r.offset_days, ts(r.due_at)) for r in planned],
    )


async def withdraw_reminders(conn: aiosqlite.Connection, appointment_id: int, at: datetime) -> int:
    """Pending reminders of an appointment will not be sent (it was cancelled or changed)."""
    cursor = await conn.execute(
        "UPDATE reminders SET status = 'withdrawn', done_at = ?"
        " WHERE appointment_id = ? AND status = 'pending'",
        (ts(at), appointment_id),
    )
    return cursor.rowcount


@dataclass(frozen=True)
class ReminderRow:
    id: int
    version: int
    offset_days: int
    due_at: datetime
    status: str
    done_at: datetime | None


async def reminders_for(source: Source, appointment_id: int) -> list[ReminderRow]:
    rows = await _all(
        source,
        "SELECT * FROM reminders WHERE appointment_id = ? ORDER BY version, due_at",
        [appointment_id],
    )
    return [
        ReminderRow(
            r["id"],
            r["version"],
            r["offset_days"],
            _time(r["due_at"]),  # type: ignore[arg-type]
            r["status"],
            _time(r["done_at"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class DueReminder:
    """A pending reminder that has fallen due, with everything needed to write its texts."""

    id: int
    offset_days: int
    version: int  # of the appointment when the reminder was planned
    due_at: datetime
    appointment: Appointment
    family_status: str
    practitioner_name: str
    parents: tuple[Parent, ...]  # the parents expected at the appointment


# The parent's columns come first: a row's name lookup finds the first column of that name.
DUE_REMINDERS_SQL = (
    "SELECT p.*, r.id AS r_id, r.offset_days AS r_offset_days, r.version AS r_version,"
    " r.due_at AS r_due_at, a.id AS a_id, a.family_id AS a_family_id,"
    " a.practitioner_id AS a_practitioner_id, a.kind AS a_kind, a.starts_at AS a_starts_at,"
    " a.duration_minutes AS a_duration_minutes, a.place AS a_place, a.address AS a_address,"
    " a.status AS a_status, a.version AS a_version, a.booked_at AS a_booked_at,"
    " a.changed_at AS a_changed_at, f.status AS family_status, s.name AS practitioner_name,"
    " ap.answer AS ap_answer"
    " FROM (SELECT id, appointment_id, offset_days, version, due_at FROM reminders"
    "       WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?) r"
    " JOIN appointments a ON a.id = r.appointment_id"
    " JOIN families f ON f.id = a.family_id"
    " LEFT JOIN staff s ON s.id = a.practitioner_id"
    " JOIN appointment_parents ap ON ap.appointment_id = a.id"
    " JOIN parents p ON p.id = ap.parent_id"
)


async def due_reminders(conn: aiosqlite.Connection, at: datetime, limit: int) -> list[DueReminder]:
    """Pending reminders due at `at`, oldest first, up to `limit` of them, in one query."""
    async with conn.execute(DUE_REMINDERS_SQL, (ts(at), limit)) as cur:
        rows = await cur.fetchall()
    grouped: dict[int, list[aiosqlite.Row]] = {}
    for row in rows:
        grouped.setdefault(row["r_id"], []).append(row)
    due = []
    for reminder_id, group in grouped.items():
        first = group[0]
        parents = tuple(sorted((parent_from_row(r) for r in group), key=lambda p: p.id or 0))
        appointment = Appointment(
            id=first["a_id"],
            family_id=first["a_family_id"],
            practitioner_id=first["a_practitioner_id"],
            kind=AppointmentKind(first["a_kind"]),
            starts_at=_time(first["a_starts_at"]),  # type: ignore[arg-type]
            duration=timedelta(minutes=first["a_duration_minutes"]),
            place=Place(first["a_place"]),
            address=first["a_address"],
            expected=tuple(p.id for p in parents if p.id is not None),
            status=AppointmentStatus(first["a_status"]),
            version=first["a_version"],
            booked_at=_time(first["a_booked_at"]),
            changed_at=_time(first["a_changed_at"]),
            answers={r["id"]: Answer(r["ap_answer"]) for r in group if r["ap_answer"]},
        )
        due.append(
            DueReminder(
                id=reminder_id,
                offset_days=first["r_offset_days"],
                version=first["r_version"],
                due_at=_time(first["r_due_at"]),  # type: ignore[arg-type]
                appointment=appointment,
                family_status=first["family_status"],
                practitioner_name=first["practitioner_name"] or "",
                parents=parents,
            )
        )
    return due


async def mark_reminders(
    conn: aiosqlite.Connection, ids: Sequence[int], status: str, at: datetime
) -> None:
    await conn.executemany(
        "UPDATE reminders SET status = ?, done_at = ? WHERE id = ? AND status = 'pending'",
        [(status, ts(at), reminder_id) for reminder_id in ids],
    )


# --- Families: school runs, engagement, referral back, closure ---------------------------------


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


async def school_run(source: Source, family_id: int) -> SchoolRun:
    row = await _one(
        source, "SELECT school_drop_off, school_pick_up FROM families WHERE id = ?", [family_id]
    )
    if row is None:
        return SchoolRun()
    return SchoolRun(_clock(row["school_drop_off"]), _clock(row["school_pick_up"]))


async def set_school_run(conn: aiosqlite.Connection, family_id: int, run: SchoolRun) -> None:
    await conn.execute(
        "UPDATE families SET school_drop_off = ?, school_pick_up = ? WHERE id = ?",
        (
            run.drop_off.strftime("%H:%M") if run.drop_off else None,
            run.pick_up.strftime("%H:%M") if run.pick_up else None,
            family_id,
        ),
    )


async def withdraw_family_texts(
    conn: aiosqlite.Connection, family_id: int, at: datetime, reason: str
) -> int:
    """Texts to the family's parents still waiting to go will not be sent."""
    cursor = await conn.execute(
        "UPDATE outbox SET status = 'withdrawn', final_at = ?, error = ?"
        " WHERE family_id = ? AND status = 'queued' AND parent_id IS NOT NULL",
        (ts(at), reason, family_id),
    )
    return cursor.rowcount


async def engagement_candidates(
    source: Source, at: datetime, earliest_follow_up: timedelta, family_id: int | None = None
) -> list[EngagementFacts]:
    """Open families contacted at least `earliest_follow_up` ago from whom nobody has replied."""
    only = " AND f.id = ?" if family_id is not None else ""
    rows = await _all(
        source,
        "SELECT f.id, f.status, f.first_contact_at, f.engaged_at,"
        " EXISTS (SELECT 1 FROM appointments a WHERE a.family_id = f.id"
        "         AND a.status = 'booked' AND a.starts_at > ?) AS upcoming,"
        " EXISTS (SELECT 1 FROM appointments a WHERE a.family_id = f.id"
        "         AND a.status = 'booked' AND a.starts_at <= ?) AS unrecorded"
        " FROM families f WHERE f.status = 'open' AND f.engaged_at IS NULL"
        " AND f.first_contact_at IS NOT NULL AND f.first_contact_at <= ?" + only,
        [
            ts(at),
            ts(at),
            ts(at - earliest_follow_up),
            *([family_id] if family_id is not None else []),
        ],
    )
    return [
        EngagementFacts(
            family_id=r["id"],
            status=r["status"],
            first_contact_at=_time(r["first_contact_at"]),
            engaged_at=_time(r["engaged_at"]),
            has_upcoming_appointment=bool(r["upcoming"]),
            has_booked_without_outcome=bool(r["unrecorded"]),
        )
        for r in rows
    ]


async def set_referred_back(conn: aiosqlite.Connection, family_id: int, at: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE families SET status = 'referred_back', referred_back_at = ?"
        " WHERE id = ? AND status = 'open'",
        (ts(at), family_id),
    )
    return cursor.rowcount == 1


async def close_family(
    conn: aiosqlite.Connection, family_id: int, at: datetime, *, follow_up: bool
) -> bool:
    """Close a family's work; False when it was closed already."""
    cursor = await conn.execute(
        "UPDATE families SET status = 'closed', closed_at = ?, follow_up_after_closure = ?"
        " WHERE id = ? AND status != 'closed'",
        (ts(at), int(follow_up), family_id),
    )
    return cursor.rowcount == 1


async def closed_between(
    source: Source, start: datetime, end: datetime
) -> list[tuple[int, datetime]]:
    """(family id, closed at) for families closed in [start, end) who may be followed up."""
    rows = await _all(
        source,
        "SELECT id, closed_at FROM families WHERE status = 'closed' AND closed_at >= ?"
        " AND closed_at < ? AND follow_up_after_closure = 1 ORDER BY closed_at, id",
        [ts(start), ts(end)],
    )
    return [(r["id"], _time(r["closed_at"])) for r in rows]  # type: ignore[misc]


async def family_dates(source: Source, family_id: int) -> dict[str, datetime | None]:
    row = await _one(
        source,
        "SELECT first_contact_at, engaged_at, closed_at, referred_back_at FROM families"
        " WHERE id = ?",
        [family_id],
    )
    if row is None:
        return {}
    return {key: _time(row[key]) for key in row.keys()}


async def set_summary(conn: aiosqlite.Connection, appointment_id: int, summary: str) -> None:
    await conn.execute(
        "UPDATE appointments SET summary = ? WHERE id = ?", (summary, appointment_id)
    )


async def mark_referrer_invited(conn: aiosqlite.Connection, appointment_id: int) -> bool:
    cursor = await conn.execute(
        "UPDATE appointments SET referrer_invited = 1 WHERE id = ? AND referrer_invited = 0",
        (appointment_id,),
    )
    return cursor.rowcount == 1
