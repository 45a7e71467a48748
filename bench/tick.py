"""Reminders over a million appointments: the real `cradle tick` against a bare indexed query.

Seeds a SQLite file (in a temporary folder) with families, parents and 1,000,000 appointments
spread over working days, their reminders planned by the real core (`plan_reminders`), those
already past marked done. Then, in the same run and on the same file:

- the bare query: one indexed SELECT returning the reminder texts due at the instant (the
  reminder, the parent who may be texted, the appointment) on a plain sqlite3 connection;
- `cradle tick`: the real scheduler pass (`scheduler.tick`) in the real service, which finds
  the same rows, writes every text in the parent's language and queues it in the outbox.

It checks that both found the same (appointment, parent) pairs, and that a second pass at the
same instant queues nothing.

    python -m bench.tick [--appointments 1000000] [--years 4] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

from bot.clock import Clock
from bot.config import load_settings
from bot.core.policy import load_policies
from bot.core.reminders import plan_reminders
from bot.core.templates import format_appointment_time
from bot.store.db import open_database, ts

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
AT = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)  # a Tuesday, when the day's reminders fall due
SLOTS = (9, 10, 11, 12, 13, 14, 15, 16)  # appointment start hours, team time
FAMILIES_PER_APPOINTMENTS = 10  # one family for every ten appointments
PRACTITIONERS = 200
AIM_RATIO, AIM_SECONDS = 3.0, 1.0

# The same rows the reminder job finds: due, pending, about a standing appointment of an open
# family, one row per expected parent who may be texted.
BARE_QUERY = """
SELECT r.id, r.appointment_id, r.offset_days, a.starts_at, a.place, a.address,
       p.id, p.name, p.mobile, p.language, p.wants_letters, p.prefers_phone_call, s.name
FROM reminders r INDEXED BY reminders_due
JOIN appointments a ON a.id = r.appointment_id
JOIN families f ON f.id = a.family_id
JOIN appointment_parents ap ON ap.appointment_id = a.id
JOIN parents p ON p.id = ap.parent_id
LEFT JOIN staff s ON s.id = a.practitioner_id
WHERE r.status = 'pending' AND r.due_at <= :at AND r.version = a.version
  AND a.status = 'booked' AND a.starts_at > :at AND f.status = 'open'
  AND p.do_not_contact = 0 AND p.opted_out = 0 AND p.consent_to_text = 1
  AND p.mobile IS NOT NULL
"""


def working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def slot_table(years: float) -> list[tuple[int, str, str | None, str | None, str]]:
    """(slot, starts_at, two-day due, one-day due, status) for every working-day slot.

    Reminders are planned by the real core, as booking plans them.
    """
    policies = load_policies(ROOT / "policies")
    span = timedelta(days=round(365 * years))
    first, last = (AT - span * 3 / 4).date(), (AT + span / 4).date()
    rows = []
    for day in working_days(first, last):
        for hour in SLOTS:
            starts = datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
            planned = {
                r.offset_days: ts(r.due_at)
                for r in plan_reminders(
                    starts, starts - timedelta(days=30), policies.reminders, policies.hours
                )
            }
            status = "booked" if starts > AT else "attended"
            rows.append((len(rows), ts(starts), planned.get(2), planned.get(1), status))
    return rows


def seed(path: Path, appointments: int, years: float) -> dict[str, int]:
    """Fill the database in bulk: the rows are made by SQLite itself from a small slot table."""
    slots = slot_table(years)
    families = max(1, appointments // FAMILIES_PER_APPOINTMENTS)
    now = ts(AT - timedelta(days=400))
    today = ts(datetime.combine(AT.date(), datetime.min.time(), tzinfo=LONDON))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # seeding only: the file is thrown away on failure
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE slots (k INTEGER PRIMARY KEY, starts_at, due2, due1, status)")
    conn.executemany("INSERT INTO slots VALUES (?, ?, ?, ?, ?)", slots)
    count = len(slots)
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO staff (id, name, role, email, created_at)"
        " SELECT i, 'Practitioner ' || i, 'practitioner', 'p' || i || '@example.org', ? FROM n",
        (PRACTITIONERS, now),
    )
    # Every family has been contacted and engaged; one in twenty is closed.
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO families (id, reference, mother_name, due_date, practitioner_id, status,"
        " first_contact_at, engaged_at, closed_at, created_at)"
        " SELECT i, 'B-' || i, 'Mother ' || i, '2026-01-01', 1 + i % ?,"
        " CASE WHEN i % 20 = 0 THEN 'closed' ELSE 'open' END, ?, ?,"
        " CASE WHEN i % 20 = 0 THEN ? END, ? FROM n",
        (families, PRACTITIONERS, now, now, now, now),
    )
    # A mother in every family, a second parent in every other one; a few may not be texted.
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO parents (family_id, name, relationship, mobile, language, wants_letters,"
        " do_not_contact, opted_out, created_at)"
        " SELECT i, 'Mother ' || i, 'mother', printf('+447700%06d', i % 1000000),"
        " CASE i % 10 WHEN 7 THEN 'cy' WHEN 8 THEN 'pl' WHEN 9 THEN 'ur' ELSE 'en_GB' END,"
        " i % 13 = 0, 0, i % 97 = 0, ? FROM n",
        (families, now),
    )
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 2 FROM n WHERE i + 2 <= ?)"
        " INSERT INTO parents (family_id, name, relationship, mobile, do_not_contact,"
        " do_not_contact_reason, created_at)"
        " SELECT i, 'Father ' || i, 'father', printf('+447701%06d', i % 1000000),"
        " i % 50 = 0, CASE WHEN i % 50 = 0 THEN 'safeguarding' ELSE '' END, ? FROM n",
        (families, now),
    )
    # Appointment i is at slot i mod (slots), for family i mod (families).
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)"
        " INSERT INTO appointments (id, family_id, practitioner_id, kind, starts_at,"
        " duration_minutes, place, address, status, booked_at, changed_at)"
        " SELECT i + 1, 1 + i % ?, 1 + (i % ?) % ?, 'session', s.starts_at, 60,"
        " CASE i % 3 WHEN 0 THEN 'home' WHEN 1 THEN 'clinic' ELSE 'video' END,"
        " CASE i % 3 WHEN 1 THEN 'Rosebank Children''s Centre' ELSE '' END,"
        " s.status, ?, ? FROM n JOIN slots s ON s.k = i % ?",
        (appointments, families, families, PRACTITIONERS, now, now, count),
    )
    conn.execute(
        "INSERT INTO appointment_parents (appointment_id, parent_id)"
        " SELECT a.id, p.id FROM appointments a JOIN parents p ON p.family_id = a.family_id"
    )
    for offset, column in ((2, "due2"), (1, "due1")):
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)"
            " INSERT INTO reminders (appointment_id, version, offset_days, due_at, status, done_at)"
            f" SELECT i + 1, 1, ?, s.{column},"
            f" CASE WHEN s.{column} < ? THEN 'queued' ELSE 'pending' END,"
            f" CASE WHEN s.{column} < ? THEN s.{column} END"
            f" FROM n JOIN slots s ON s.k = i % ? WHERE s.{column} IS NOT NULL",
            (appointments, offset, today, today, count),
        )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    counted = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("families", "parents", "appointments", "appointment_parents", "reminders")
    }
    counted["pending"] = conn.execute(
        "SELECT count(*) FROM reminders WHERE status = 'pending'"
    ).fetchone()[0]
    conn.execute("PRAGMA journal_mode=WAL")  # as the service runs it
    conn.close()
    return counted


def bare(path: Path) -> tuple[float, list[tuple]]:
    """The bare query on a fresh connection: (seconds, rows)."""
    conn = sqlite3.connect(path)
    try:
        started = time.perf_counter()
        rows = conn.execute(BARE_QUERY, {"at": ts(AT)}).fetchall()
        return time.perf_counter() - started, rows
    finally:
        conn.close()


@dataclass
class TickRun:
    warm_up: float  # seconds: the first pass of a fresh process, at an instant with nothing due
    finding: float  # seconds: the tick's own query for the due reminders, on its own
    first: float
    second: float
    counts: dict[str, int]
    again: dict[str, int]
    queued: set[tuple[int, int]]


async def _finding(path: Path) -> float:
    """The reminder job's own query and grouping (store.due_reminders), read only."""
    from bot.runtime.appointments import REMINDER_BATCH
    from bot.store.appointments import due_reminders

    conn = await aiosqlite.connect(path)
    conn.row_factory = aiosqlite.Row
    try:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            await due_reminders(conn, AT, REMINDER_BATCH)
            best = min(best, time.perf_counter() - started)
        return best
    finally:
        await conn.close()


async def cradle_tick(path: Path) -> TickRun:
    """The real scheduler pass in the real service, twice at the same instant.

    The service is warmed first as a running one is (locale data, bank holidays, the
    wording loaded): a pass at a minute before, when nothing is due, and one text written in
    each language. A fresh `cradle tick` process pays that once, reported as the warm-up.
    """
    from bot.runtime import scheduler
    from bot.runtime.service import Service

    settings = load_settings(
        {
            "CRADLE_DATABASE": str(path),
            "CRADLE_POLICIES_DIR": str(ROOT / "policies"),
            "CRADLE_MESSAGES_DIR": str(ROOT / "messages"),
        }
    )
    service = await Service.create(settings, Clock(AT.astimezone(UTC)))
    try:
        started = time.perf_counter()
        await scheduler.tick(service, AT - timedelta(minutes=1))
        for locale in service.wording.catalogue.locales:
            format_appointment_time(AT, locale, service.team_timezone())
            service.wording.render(
                "appointment_reminder",
                locale=locale,
                values=service.wording.catalogue.sample_values("appointment_reminder", locale),
            )
        warm_up = time.perf_counter() - started
        finding = await _finding(path)
        started = time.perf_counter()
        first = await scheduler.tick(service, AT)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = await scheduler.tick(service, AT)
        second_seconds = time.perf_counter() - started
        queued = {
            (r["appointment_id"], r["parent_id"])
            for r in await service.db.fetch_all(
                "SELECT appointment_id, parent_id FROM outbox WHERE purpose = ?",
                ["appointment_reminder"],
            )
        }
    finally:
        await service.close()
    return TickRun(
        warm_up, finding, first_seconds, second_seconds, first.counts, second.counts, queued
    )


async def _schema(path: Path) -> None:
    db = await open_database(path)
    await db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tick", description=__doc__)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=4.0, help="span the appointments cover")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cradle-bench-tick-"))
    path = folder / "tick.sqlite3"
    try:
        asyncio.run(_schema(path))
        started = time.perf_counter()
        counted = seed(path, args.appointments, args.years)
        seeded = time.perf_counter() - started
        bare_runs = [bare(path) for _ in range(3)]
        bare_seconds = min(seconds for seconds, _ in bare_runs)
        rows = bare_runs[0][1]
        run = asyncio.run(cradle_tick(path))
        same = {(row[1], row[6]) for row in rows} == run.queued
        reminders = len({row[0] for row in rows})
        ratio = run.first / bare_seconds if bare_seconds else float("inf")
        print(
            f"cradle tick over {counted['appointments']:,} appointments"
            f" ({counted['appointment_parents']:,} expected parents,"
            f" {counted['reminders']:,} reminders of which {counted['pending']:,} pending),"
            f" seeded in {seeded:.1f} s; SQLite WAL"
        )
        print(f"due at {AT.isoformat()}: {reminders:,} reminders, {len(rows):,} texts")
        texts = run.counts.get("reminders", 0)
        lines = [
            ("bare indexed query", bare_seconds, f"{len(rows):>7,} rows"),
            ("tick: finding them", run.finding, "        the job's own query and grouping"),
            ("cradle tick", run.first, f"{texts:>7,} texts written and queued in the outbox"),
            ("cradle tick again", run.second, f"{run.again.get('reminders', 0):>7,} (idempotent)"),
            ("first pass warm-up", run.warm_up, "        once per process: locale data, holidays"),
        ]
        for name, seconds, what in lines:
            print(f"{name:<20}{seconds * 1000:>9.1f} ms  {what}")
        print(f"same rows: {'yes' if same else 'NO'}")
        print(f"ratio finding / bare: {run.finding / bare_seconds:.2f}")
        verdict = "met" if ratio <= AIM_RATIO and run.first < AIM_SECONDS else "not met"
        print(
            f"ratio tick / bare: {ratio:.2f}, {texts / run.first:,.0f} texts/s"
            f" (aim: within {AIM_RATIO:.0f}x and under {AIM_SECONDS:.0f} s: {verdict})"
        )
        if args.keep:
            print(f"database kept at {path}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
