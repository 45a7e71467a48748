"""The console's own rules, on plain data: who may open what, time left, replies, cover."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.model import Family, Role, Staff
from bot.store.console import Cover
from bot.web.console import Viewer, time_left
from bot.web.console_family import reply_problems
from bot.web.console_queue import cover_problems

AMIRA = Staff(1, "Amira Shah", Role.PRACTITIONER)
TOM = Staff(2, "Tom Evans", Role.PRACTITIONER)
GRACE = Staff(3, "Grace Okafor", Role.DUTY_CLINICIAN)
SAM = Staff(5, "Sam Patel", Role.ADMINISTRATOR)
TODAY = date(2026, 11, 24)


def family(practitioner_id: int | None, family_id: int = 10) -> Family:
    return Family(family_id, f"PIR-{family_id}", baby_name="Ava", practitioner_id=practitioner_id)


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (Viewer(AMIRA, TODAY), True),  # allocated to her
        (Viewer(TOM, TODAY), False),  # a colleague's
        (Viewer(TOM, TODAY, cover={1: 2}), True),  # he covers her today
        (Viewer(TOM, TODAY, cover={1: 3, 3: 2}), True),  # he covers the one covering her
        (Viewer(TOM, TODAY, notified_families=frozenset({10})), True),  # told of its escalation
        (Viewer(GRACE, TODAY), False),  # duty clinician, no escalation for it
        (Viewer(GRACE, TODAY, escalated_families=frozenset({10})), True),
        (Viewer(SAM, TODAY, notified_families=frozenset({10})), False),  # never the messages
    ],
)
def test_who_may_open_a_familys_conversation(viewer: Viewer, allowed: bool) -> None:
    assert viewer.may_open_family(family(practitioner_id=1)) is allowed


def test_a_practitioner_on_leave_hands_their_queue_to_whoever_covers_them() -> None:
    amira_away = Viewer(AMIRA, TODAY, cover={1: 2})
    tom_covering = Viewer(TOM, TODAY, cover={1: 2})
    assert amira_away.practitioners_held([1, 2, 3]) == []
    assert tom_covering.practitioners_held([1, 2, 3]) == [1, 2]
    assert Viewer(TOM, TODAY, cover={1: 2, 2: 1}).practitioners_held([1, 2]) == [2]  # a circle


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (240, "4 hours left"),
        (14.2, "15 minutes left"),
        (61, "1 hour 1 minute left"),
        (0, "0 minutes left"),
        (-3, "overdue by 3 minutes"),
        (-125, "overdue by 2 hours 5 minutes"),
    ],
)
def test_time_left_to_acknowledge_is_said_in_words(minutes: float, words: str) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert time_left(now + timedelta(minutes=minutes), now) == words


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("See you on Thursday at 10.", None),
        ("Croeso! Welcome 😊", None),  # UCS-2 is fine while it fits
        ("", "Enter the text to send"),
        ("a" * 470, "SMS segments long"),
        ("😊" * 210, "makes every segment shorter"),
        ("Reply STOP to stop getting these texts", "stops all texts"),
        ("Text CANCEL if you can't come", "stops all texts"),
        ("We need to cancel Thursday, sorry. Can you do Friday?", None),
        ("Hello\u202eevil", "U+202E"),
        ("Hello\u200bthere", "U+200B"),
        ("👨\u200d👩\u200d👧 see you soon", None),  # a joiner inside an emoji is harmless
    ],
)
def test_a_reply_typed_by_staff_is_checked_like_a_template(text: str, problem: str | None) -> None:
    problems = reply_problems(text, max_segments=3)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def cover(away: int, by: int, first: int, last: int) -> Cover:
    return Cover(1, away, by, date(2026, 12, first), date(2026, 12, last))


@pytest.mark.parametrize(
    ("existing", "starts", "ends", "field"),
    [
        ([], date(2026, 12, 1), date(2026, 12, 5), None),
        ([cover(1, 3, 4, 8)], date(2026, 12, 1), date(2026, 12, 5), "starts_on"),  # overlaps hers
        ([cover(1, 3, 6, 8)], date(2026, 12, 1), date(2026, 12, 5), None),  # after it
        (
            [cover(2, 1, 5, 9)],
            date(2026, 12, 1),
            date(2026, 12, 5),
            "cover_id",
        ),  # Tom away, Amira covers
        ([], date(2026, 12, 5), date(2026, 12, 1), "ends_on"),
        ([], date(2026, 11, 1), date(2026, 12, 1), "starts_on"),
        ([], date(2026, 12, 1), date(2027, 12, 5), "ends_on"),  # more than a year
    ],
)
def test_cover_that_could_not_work_is_refused(
    existing: list[Cover], starts: date, ends: date, field: str | None
) -> None:
    errors = cover_problems(
        away=AMIRA, cover=TOM, starts=starts, ends=ends, today=TODAY, existing=existing
    )
    assert list(errors) == ([field] if field else [])
