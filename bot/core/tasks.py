"""Tasks: work for a person with an owner, a due date, a family and an outcome.

Phone a parent (who prefers calls, did not attend, or has not replied), check the due date
once it has passed, ask for consent to share, send a letter, record an appointment's outcome.
Each rule here is pure: it takes plain facts and today's date and says which tasks to make.
Every task carries a stable key, so the scheduler running twice never makes one twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.core.letters import joined
from bot.core.model import Family, Parent


class TaskKind(StrEnum):
    CALL_PARENT = "call_parent"
    CHECK_DUE_DATE = "check_due_date"
    ASK_CONSENT = "ask_consent"
    SEND_LETTER = "send_letter"
    RECORD_OUTCOME = "record_outcome"


TASK_TITLES = {
    TaskKind.CALL_PARENT: "Phone the parent",
    TaskKind.CHECK_DUE_DATE: "Check the due date",
    TaskKind.ASK_CONSENT: "Ask for consent to share",
    TaskKind.SEND_LETTER: "Send a letter",
    TaskKind.RECORD_OUTCOME: "Record the appointment's outcome",
}


@dataclass(frozen=True)
class TaskDraft:
    kind: TaskKind
    family_id: int
    reason: str
    due_on: date
    owner_id: int | None  # None: the administrator's list
    parent_id: int | None = None
    dedupe_key: str | None = None


def may_phone(parent: Parent) -> bool:
    """A parent we may ring: not marked do not contact, and with a number to ring."""
    return not parent.do_not_contact and bool(parent.mobile)


def call_tasks_on_allocation(family: Family, owner_id: int, today: date) -> list[TaskDraft]:
    """A call for each parent who prefers a phone call, instead of or beside the first text."""
    assert family.id is not None
    tasks = []
    for parent in family.parents:
        if parent.prefers_phone_call and may_phone(parent) and parent.id is not None:
            why = (
                "Prefers phone calls instead of texts: no text was sent. Ring to introduce"
                " yourself and arrange a first meeting."
                if parent.calls_instead_of_texts
                else "Prefers a phone call: ring as well as the first text."
            )
            tasks.append(
                TaskDraft(
                    TaskKind.CALL_PARENT,
                    family.id,
                    why,
                    today,
                    owner_id,
                    parent.id,
                    dedupe_key=f"call:first_contact:{family.id}:{parent.id}",
                )
            )
    return tasks


def follow_up_call_tasks(
    family: Family, owner_id: int | None, day: int, today: date
) -> list[TaskDraft]:
    """At an engagement follow-up, a call for each parent who prefers one."""
    assert family.id is not None
    return [
        TaskDraft(
            TaskKind.CALL_PARENT,
            family.id,
            f"No reply {day} days after first contact: ring to follow up.",
            today,
            owner_id,
            parent.id,
            dedupe_key=f"call:follow_up:{family.id}:{day}:{parent.id}",
        )
        for parent in family.parents
        if parent.prefers_phone_call and may_phone(parent) and parent.id is not None
    ]


def did_not_attend_call_tasks(
    family: Family, appointment_id: int, expected: Sequence[int], owner_id: int | None, today: date
) -> list[TaskDraft]:
    """After a did-not-attend, a call to each parent who was expected and may be rung."""
    assert family.id is not None
    return [
        TaskDraft(
            TaskKind.CALL_PARENT,
            family.id,
            "Did not attend: ring to check all is well and offer another time.",
            today,
            owner_id,
            parent.id,
            dedupe_key=f"call:did_not_attend:{appointment_id}:{parent.id}",
        )
        for parent in family.parents
        if parent.id in expected and may_phone(parent)
    ]


def due_date_task(
    family_id: int,
    due_date: date | None,
    birth_date: date | None,
    owner_id: int | None,
    today: date,
) -> TaskDraft | None:
    """Once the expected date has passed without a birth recorded: record the birth and name."""
    if due_date is None or birth_date is not None or today <= due_date:
        return None
    return TaskDraft(
        TaskKind.CHECK_DUE_DATE,
        family_id,
        f"The baby was due on {due_date.day} {due_date:%b %Y}: record the birth and the"
        " baby's name.",
        today,
        owner_id,
        dedupe_key=f"due_date:{family_id}:{due_date.isoformat()}",
    )


def record_outcome_task(
    family_id: int, owner_id: int | None, limit_key: str, today: date
) -> TaskDraft:
    """The engagement limit passed while an appointment is booked without an outcome."""
    return TaskDraft(
        TaskKind.RECORD_OUTCOME,
        family_id,
        "The time limit for engagement has passed, but an appointment is still booked with no"
        " outcome. Record whether the family attended; the family is not referred back until"
        " then.",
        today,
        owner_id,
        dedupe_key=f"record_outcome:{family_id}:{limit_key}",
    )


# --- The ways the team tried to reach a family, for the refer-back letter ---------------------

_WAYS = {
    "en_GB": ("by {}", ("text", "phone", "letter")),
    "cy": ("drwy {}", ("neges destun", "ffôn", "llythyr")),
    "pl": ("{}", ("SMS-em", "telefonicznie", "listownie")),
    "ur": ("{} کے ذریعے", ("ٹیکسٹ", "فون", "خط")),
}


_NONE_RECORDED = "(no text, call or letter recorded: please check before sending)"


def contact_attempt_words(*, texted: bool, phoned: bool, wrote: bool, locale: str) -> str:
    """'by text and phone': only the ways actually tried, in the letter's language."""
    frame, words = _WAYS.get(locale, _WAYS["en_GB"])
    used = [word for word, tried in zip(words, (texted, phoned, wrote), strict=True) if tried]
    if not used:
        return _NONE_RECORDED  # the letter is a draft: the practitioner sees this and checks
    return frame.format(joined(used, locale))
