"""Pure rules of the caseload: answers to the follow-up questions, the ways the team tried,
tasks from the due date, and the NHS's dates and numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import questionnaire
from bot.core.dates import date_from_parts, long_moment, short_date
from bot.core.model import Intent
from bot.core.phones import shown_number
from bot.core.tasks import contact_attempt_words, due_date_task

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 6, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "expected"),
    [("4", "4"), (" 5! ", "5"), ("3 out of 5", "3"), ("five", "5"), ("2 thanks x", "2"),
     ("6", None), ("0", None), ("not sure", None), ("I'd say about 4 really", None), ("", None)],
)  # fmt: skip
def test_a_number_answer_is_read_from_short_replies_only(body: str, expected: str | None) -> None:
    assert questionnaire.read_answer(questionnaire.WELLBEING, body, Intent.OTHER) == expected


def test_a_yes_or_no_answer_follows_the_words_triage_read_in_any_language() -> None:
    assert questionnaire.read_answer(questionnaire.RECOMMEND, "TAK", Intent.CONFIRM) == "yes"
    assert questionnaire.read_answer(questionnaire.RECOMMEND, "na", Intent.CANCEL) == "no"
    assert questionnaire.read_answer(questionnaire.RECOMMEND, "maybe", Intent.OTHER) is None


def test_the_question_pending_is_the_latest_asked_not_answered_and_recent() -> None:
    asked = [("six_month_follow_up", NOW), ("six_month_question_2", NOW + timedelta(minutes=5))]
    found = questionnaire.pending(asked, {"wellbeing"}, NOW + timedelta(hours=1))
    assert found is not None and found.question == "helped"
    assert questionnaire.pending(asked, {"wellbeing", "helped"}, NOW) is None
    assert questionnaire.pending(asked, set(), NOW + timedelta(days=31)) is None
    assert questionnaire.pending([("first_contact", NOW)], set(), NOW) is None


def test_a_parent_who_does_not_answer_is_asked_once_more_then_left_alone() -> None:
    week = timedelta(days=7)
    assert not questionnaire.reminder_due(NOW, False, False, NOW + week - timedelta(minutes=1))
    assert questionnaire.reminder_due(NOW, False, False, NOW + week)
    assert not questionnaire.reminder_due(NOW, False, True, NOW + week)  # reminded already
    assert not questionnaire.reminder_due(NOW, True, False, NOW + week)  # answered


@pytest.mark.parametrize(
    ("texted", "phoned", "wrote", "locale", "expected"),
    [
        (True, False, False, "en_GB", "by text"),
        (True, True, False, "en_GB", "by text and phone"),
        (True, True, True, "en_GB", "by text, phone and letter"),
        (False, True, False, "en_GB", "by phone"),
        (True, False, True, "cy", "drwy neges destun a llythyr"),
        (True, True, False, "pl", "SMS-em i telefonicznie"),
    ],
)
def test_the_refer_back_letter_names_only_the_ways_actually_tried(
    texted: bool, phoned: bool, wrote: bool, locale: str, expected: str
) -> None:
    words = contact_attempt_words(texted=texted, phoned=phoned, wrote=wrote, locale=locale)
    assert words == expected


def test_no_attempt_recorded_is_said_plainly_for_the_practitioner_to_check() -> None:
    words = contact_attempt_words(texted=False, phoned=False, wrote=False, locale="en_GB")
    assert "please check" in words


def test_a_due_date_task_only_once_the_date_has_passed_without_a_birth() -> None:
    due = date(2026, 11, 30)
    assert due_date_task(1, due, None, 7, due) is None
    assert due_date_task(1, due, date(2026, 11, 28), 7, due + timedelta(days=1)) is None
    task = due_date_task(1, due, None, 7, due + timedelta(days=1))
    assert task is not None and task.owner_id == 7 and "30 Nov 2026" in task.reason


def test_dates_and_times_are_written_the_nhs_way() -> None:
    assert long_moment(datetime(2026, 12, 2, 15, 49, tzinfo=UTC), LONDON) == (
        "Wednesday 2 December 2026 at 3:49pm"
    )
    assert long_moment(datetime(2026, 7, 1, 11, 0, tzinfo=UTC), LONDON) == (
        "Wednesday 1 July 2026 at noon"
    )
    assert short_date(date(2026, 12, 2)) == "2 Dec 2026"


def test_uk_numbers_are_shown_as_people_write_them() -> None:
    assert shown_number("+447700900101") == "07700 900101"
    assert shown_number("+441174960123") == "0117 496 0123"
    assert shown_number(None) == ""


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("27", "3", "2026"), date(2026, 3, 27)),
        (("", "", ""), None),
        (("27", "", "2026"), "The date must include a month"),
        (("31", "2", "2026"), "The date must be a real date"),
        (("1", "2", "26"), "The year must be 4 numbers, like 2026"),
        (("x", "2", "2026"), "The date must be real numbers, like 27 3 2026"),
    ],
)
def test_an_nhs_date_input_is_read_from_its_three_fields(parts: tuple, expected: object) -> None:
    assert date_from_parts(*parts) == expected


@pytest.mark.parametrize(
    ("question", "answer", "body", "expected"),
    [
        ("wellbeing", "5", "5 thanks x", False),
        ("wellbeing", "4", "4 out of 5", False),
        ("wellbeing", "2", "2", True),  # a low score: someone reads it
        ("wellbeing", "4", "4 but the nights are hard", True),
        ("recommend", "yes", "TAK", False),
        ("recommend", "yes", "Yes definitely, you were lovely", True),
    ],
)
def test_a_low_score_or_words_beside_the_answer_reach_a_person(
    question: str, answer: str, body: str, expected: bool
) -> None:
    assert questionnaire.needs_a_person(question, answer, body) is expected
