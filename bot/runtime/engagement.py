"""Engagement in the shell: follow-ups, referral back at the time limit, closure and the
follow-up about six months after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

import aiosqlite

from bot.core import questionnaire
from bot.core.engagement import (
    AskOutcome,
    FollowUp,
    ReferBack,
    baby_words,
    engagement_due,
    follow_up_key,
    refer_back_summary,
    six_month_due,
    six_month_key,
    six_month_window,
)
from bot.core.first_contact import first_name
from bot.core.letters import refer_back_letter, referrer_copy
from bot.core.model import Family, QueueKind
from bot.core.tasks import contact_attempt_words, follow_up_call_tasks, record_outcome_task
from bot.runtime.families import Conflict, NotFound
from bot.runtime.pipeline import queue_for_practitioner, send_to_parent
from bot.store import appointments as store
from bot.store import audit, families
from bot.store import letters as letter_store
from bot.store import questionnaire as questionnaire_store
from bot.store import staff as staff_store
from bot.store import tasks as task_store
from bot.store.escalations import cover_in_force

if TYPE_CHECKING:
    from bot.runtime.service import Service

FOLLOW_UP = "engagement_follow_up"
SIX_MONTH = "six_month_follow_up"


async def _practitioner_name(service: Service, family: Family) -> str:
    member = await staff_store.get(service.db, family.practitioner_id or 0)
    return member.name if member else ""


async def _text_parents(
    service: Service,
    conn: aiosqlite.Connection,
    family: Family,
    message: str,
    key: Callable[[int], str],  # parent id -> dedupe key
    at: datetime,
    extra: dict[str, str] | None = None,
) -> int:
    practitioner = first_name(await _practitioner_name(service, family))
    sent = 0
    for parent in family.parents:
        assert parent.id is not None
        if parent.calls_instead_of_texts:
            continue  # phoned instead: a call task, never an automated text
        values = {"practitioner_name": practitioner, **(extra or {})}
        if message in (SIX_MONTH, questionnaire.REMINDER):
            values["baby_name"] = baby_words(family.baby_name, parent.language)
        outbox_id = await send_to_parent(
            service,
            conn,
            parent,
            message,
            values,
            at,
            dedupe_key=key(parent.id),
            family_id=family.id,
            on_behalf_of=family.practitioner_id,
        )
        sent += outbox_id is not None
    return sent


def _today(service: Service, at: datetime) -> date:
    return at.astimezone(service.team_timezone()).date()


async def _holder(
    service: Service, conn: aiosqlite.Connection, family: Family, at: datetime
) -> int | None:
    """The family's practitioner, or their cover today."""
    holder = family.practitioner_id
    if holder is not None:
        cover = await cover_in_force(conn, _today(service, at))
        holder = cover.get(holder, holder)
    return holder


async def run_engagement(service: Service, at: datetime) -> int:
    """Follow-ups due at `at` to families nobody has heard from, and referrals back at the limit.

    Returns the texts queued plus the families referred back. Idempotent: follow-ups carry
    stable dedupe keys, and a family is referred back once (its status changes).
    """
    policy = service.policies.engagement
    send_at = service.policies.reminders.send_at
    earliest = timedelta(days=min((*policy.follow_up_days, policy.time_limit_days)))
    done = 0
    for facts in await store.engagement_candidates(service.db, at, earliest):
        due = engagement_due(facts, policy, service.policies.hours, send_at, at)
        if due is None:
            continue
        async with service.db.transaction() as conn:
            fresh = await store.engagement_candidates(conn, at, earliest, facts.family_id)
            if (
                not fresh
                or engagement_due(fresh[0], policy, service.policies.hours, send_at, at) != due
            ):
                continue  # a parent replied, or someone acted, since the first look
            family = await families.get(conn, facts.family_id)
            assert family is not None and family.id is not None
            if isinstance(due, FollowUp):
                key = partial(follow_up_key, family.id, due.day)
                done += await _text_parents(service, conn, family, FOLLOW_UP, key, at)
                owner = await _holder(service, conn, family, at)
                for task in follow_up_call_tasks(family, owner, due.day, _today(service, at)):
                    await task_store.add(conn, task, at)
            elif isinstance(due, ReferBack):
                done += await _refer_back(service, conn, family, at)
            elif isinstance(due, AskOutcome):
                owner = await _holder(service, conn, family, at)
                limit_key = due.limit_passed_at.date().isoformat()
                task = record_outcome_task(family.id, owner, limit_key, _today(service, at))
                done += (await task_store.add(conn, task, at)) is not None
    return done


async def _refer_back(
    service: Service, conn: aiosqlite.Connection, family: Family, at: datetime
) -> int:
    """The time limit passed: the practitioner refers the family back; nothing more goes out."""
    assert family.id is not None
    if not await store.set_referred_back(conn, family.id, at):
        return 0
    await store.withdraw_family_texts(conn, family.id, at, "family referred back")
    practitioner = await _practitioner_name(service, family)
    tried = await task_store.contact_attempts(conn, family.id)
    draft = refer_back_letter(
        family,
        practitioner or service.policies.team.sender_name,
        wording=service.wording,
        today=_today(service, at),
        contact_attempts=contact_attempt_words(
            texted=tried.texted, phoned=tried.phoned, wrote=tried.wrote, locale="en_GB"
        ),
    )
    letter_id = (
        await letter_store.add(conn, draft, at, status="draft") if draft is not None else None
    )
    days = service.policies.engagement.time_limit_days
    summary = (
        refer_back_summary(referrer_copy(family), days)
        if draft is not None
        else f"No reply within {days} days of first contact. The family referred themselves:"
        " decide who to tell (health visitor, GP). Nothing more is sent automatically."
    )
    holder = await _holder(service, conn, family, at)
    await queue_for_practitioner(
        conn, holder, QueueKind.REFER_BACK, family_id=family.id, summary=summary, at=at
    )
    await audit.record(
        conn, at, "scheduler", "family_referred_back", "family", family.id, letter_id=letter_id
    )
    return 1


async def run_six_month_follow_ups(service: Service, at: datetime) -> int:
    """The follow-up about six months after the work closed, if the policy asks for it."""
    policy = service.policies.engagement
    if not policy.six_month_follow_up:
        return 0
    send_at = service.policies.reminders.send_at
    start, end = six_month_window(policy, at)
    queued = 0
    for family_id, closed_at in await store.closed_between(service.db, start, end):
        if not six_month_due(closed_at, policy, service.policies.hours, send_at, at):
            continue
        async with service.db.transaction() as conn:
            family = await families.get(conn, family_id)
            if family is None or family.status != "closed":
                continue
            key = partial(six_month_key, family_id)
            queued += await _text_parents(service, conn, family, SIX_MONTH, key, at)
    return queued + await _six_month_reminders(service, at)


async def _six_month_reminders(service: Service, at: datetime) -> int:
    """The first question unanswered for a week: asked once more, then never again."""
    queued = 0
    for family_id, parent_id in await questionnaire_store.reminders_due(service.db, at):
        async with service.db.transaction() as conn:
            family = await families.get(conn, family_id)
            if family is None or family.status != "closed":
                continue
            one = replace(family, parents=[p for p in family.parents if p.id == parent_id])
            key = partial(questionnaire.key, family_id, message=questionnaire.REMINDER)
            queued += await _text_parents(service, conn, one, questionnaire.REMINDER, key, at)
    return queued


async def close_family(
    service: Service, family_id: int, actor: str, *, follow_up: bool = True
) -> None:
    """Close a family's work; texts still waiting are withdrawn.

    Refused while an appointment is still booked: the family must hear about it first.
    """
    now = service.now()
    family = await families.get(service.db, family_id)
    if family is None:
        raise NotFound("id")
    if family.status == "closed":
        raise Conflict("the family's work is already closed", "id")
    upcoming = await store.upcoming_booked_for_family(service.db, family_id, now)
    if upcoming:
        raise Conflict(
            f"{len(upcoming)} appointment(s) still booked: cancel them first", "appointments"
        )
    async with service.db.transaction() as conn:
        if not await store.close_family(conn, family_id, now, follow_up=follow_up):
            raise Conflict("the family's work is already closed", "id")
        withdrawn = await store.withdraw_family_texts(conn, family_id, now, "family closed")
        await audit.record(
            conn, now, actor, "family_closed", "family", family_id,
            withdrawn=withdrawn, follow_up=follow_up,
        )  # fmt: skip
