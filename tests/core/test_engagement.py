"""Follow-ups while nobody has replied, the time limit, and the follow-up after closure."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.engagement import (
    EngagementFacts,
    FollowUp,
    ReferBack,
    baby_words,
    engagement_due,
    follow_up_key,
    six_month_due,
    six_month_due_at,
    six_month_window,
)
from bot.core.hours import in_sending_hours
from bot.core.policy import Policies, load_policies

LONDON = ZoneInfo("Europe/London")
POLICIES = Path(__file__).resolve().parents[2] / "policies"


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(scope="module")
def policies() -> Policies:
    return load_policies(POLICIES)


# First contact went on Tuesday 24 November 2026 at 10:05.
CONTACTED = EngagementFacts(5, "open", london("2026-11-24 10:05"), None)


def due(policies: Policies, at: str, facts: EngagementFacts = CONTACTED):  # noqa: ANN201
    return engagement_due(
        facts, policies.engagement, policies.hours, policies.reminders.send_at, london(at)
    )


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-27 09:59", None),  # day 3, before the morning's send time
        ("2026-11-27 10:00", FollowUp(3, london("2026-11-27 10:00"))),
        ("2026-11-30 15:00", FollowUp(3, london("2026-11-27 10:00"))),
        # Day 7 is Tuesday 1 December.
        ("2026-12-01 10:00", FollowUp(7, london("2026-12-01 10:00"))),
        ("2026-12-08 10:04", FollowUp(7, london("2026-12-01 10:00"))),
        ("2026-12-08 10:05", ReferBack(london("2026-12-08 10:05"))),  # 14 days to the minute
        ("2027-01-20 10:00", ReferBack(london("2026-12-08 10:05"))),
    ],
)
def test_follow_ups_then_the_time_limit(policies: Policies, at: str, expected: object) -> None:
    assert due(policies, at) == expected


def test_a_follow_up_due_on_a_sunday_waits_for_monday(policies: Policies) -> None:
    # Contacted on Thursday 26 November: day 3 is Sunday 29th.
    facts = replace(CONTACTED, first_contact_at=london("2026-11-26 11:00"))
    assert due(policies, "2026-11-29 12:00", facts) is None
    follow_up = due(policies, "2026-11-30 10:00", facts)
    assert follow_up == FollowUp(3, london("2026-11-30 10:00"))
    assert in_sending_hours(policies.hours, follow_up.due_at)


@pytest.mark.parametrize(
    "facts",
    [
        replace(CONTACTED, engaged_at=london("2026-11-25 18:00")),  # a parent replied
        replace(CONTACTED, first_contact_at=None),  # first contact has not gone yet
        replace(CONTACTED, status="referred_back"),  # already handed back
        replace(CONTACTED, status="closed"),
        replace(CONTACTED, has_upcoming_appointment=True),  # being seen: reminders do the asking
    ],
)
def test_nothing_is_sent_or_referred_once_there_is_engagement_or_no_contact(
    policies: Policies, facts: EngagementFacts
) -> None:
    assert due(policies, "2026-12-01 10:00", facts) is None
    assert due(policies, "2027-01-20 10:00", facts) is None


def test_follow_up_keys_are_stable() -> None:
    assert follow_up_key(5, 3, 7) == follow_up_key(5, 3, 7) != follow_up_key(5, 7, 7)


def test_six_month_follow_up_after_closure(policies: Policies) -> None:
    closed = london("2026-06-15 16:00")  # a Monday
    policy = policies.engagement
    send_at = policies.reminders.send_at
    due_at = six_month_due_at(closed, policy, policies.hours, send_at)
    assert due_at == london("2026-12-14 10:00")  # 182 days later, a Monday, at ten
    hours = policies.hours
    assert not six_month_due(closed, policy, hours, send_at, london("2026-12-14 09:59"))
    assert six_month_due(closed, policy, hours, send_at, london("2026-12-14 10:00"))
    assert not six_month_due(closed, policy, hours, send_at, london("2027-03-01 10:00"))
    off = replace(policy, six_month_follow_up=False)
    assert not six_month_due(closed, off, hours, send_at, london("2026-12-14 10:00"))
    start, end = six_month_window(policy, london("2026-12-14 10:00"))
    assert start <= closed < end


@pytest.mark.parametrize(
    ("name", "locale", "words"),
    [("Oliver James", "en_GB", "Oliver"), (None, "en_GB", "your baby"), ("", "cy", "eich babi")],
)
def test_the_baby_is_named_or_called_your_baby(name: str | None, locale: str, words: str) -> None:
    assert baby_words(name, locale) == words
