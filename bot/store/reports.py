"""The counts behind the activity report, between two instants."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.questionnaire import HELPED, RECOMMEND, WELLBEING
from bot.core.reports import ActivityReport, engaged_within_limit
from bot.store import questionnaire
from bot.store.db import Database, from_ts, ts


async def _count(db: Database, sql: str, params: list) -> int:
    row = await db.fetch_one(sql, params)
    return int(row[0]) if row else 0


async def activity(
    db: Database,
    first_day: date,
    last_day: date,
    start: datetime,
    end: datetime,
    limit_days: int,
) -> ActivityReport:
    span = [ts(start), ts(end)]
    contacted = await db.fetch_all(
        "SELECT first_contact_at, engaged_at FROM families"
        " WHERE first_contact_at >= ? AND first_contact_at < ?",
        span,
    )
    answers = await questionnaire.answer_counts(db, start, end)
    follow_up = {
        f"{q}_{a}": answers.get(f"{q}_{a}", 0)
        for q, choices in (
            (WELLBEING, "12345"),
            (HELPED, "12345"),
            (RECOMMEND, ("yes", "no")),
        )
        for a in choices
    }
    pairs = [(from_ts(r["first_contact_at"]), from_ts(r["engaged_at"])) for r in contacted]
    return ActivityReport(
        first_day=first_day,
        last_day=last_day,
        first_contacts_sent=len(pairs),
        engaged_within_limit=engaged_within_limit(pairs, limit_days),  # type: ignore[arg-type]
        appointments_booked=await _count(
            db, "SELECT count(*) FROM appointments WHERE booked_at >= ? AND booked_at < ?", span
        ),
        appointments_confirmed=await _count(
            db,
            "SELECT count(*) FROM appointments a WHERE a.booked_at >= ? AND a.booked_at < ?"
            " AND EXISTS (SELECT 1 FROM appointment_parents ap"
            "             WHERE ap.appointment_id = a.id AND ap.answer = 'confirm')",
            span,
        ),
        appointments_attended=await _count(
            db,
            "SELECT count(*) FROM appointments WHERE status = 'attended'"
            " AND starts_at >= ? AND starts_at < ?",
            span,
        ),
        cancelled_by_family=await _count(
            db,
            "SELECT count(*) FROM appointments WHERE cancelled_by = 'family'"
            " AND cancelled_at >= ? AND cancelled_at < ?",
            span,
        ),
        cancelled_by_team=await _count(
            db,
            "SELECT count(*) FROM appointments WHERE cancelled_by = 'team'"
            " AND cancelled_at >= ? AND cancelled_at < ?",
            span,
        ),
        reminders_sent=await _count(
            db,
            "SELECT count(*) FROM outbox WHERE purpose = 'appointment_reminder'"
            " AND status IN ('sent', 'delivered') AND sent_at >= ? AND sent_at < ?",
            span,
        ),
        referred_back=await _count(
            db,
            "SELECT count(*) FROM families WHERE referred_back_at >= ? AND referred_back_at < ?",
            span,
        ),
        follow_up_families_answered=answers["families"],
        **follow_up,
    )
