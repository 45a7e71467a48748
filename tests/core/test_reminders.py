"""When reminders are due, which go at an instant, and the texts they become."""

from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancelledBy,
    Place,
)
from bot.core.hours import in_sending_hours
from bot.core.model import Parent
from bot.core.policy import Policies, load_policies
from bot.core.reminders import (
    PendingReminder,
    choose_due,
    plan_reminders,
    reminder_instant,
    reminder_key,
    reminder_texts,
    reminders_due,
    worth_sending,
)
from bot.core.templates import load_catalogue, load_defaults
from bot.core.wording import Wording

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(scope="module")
def policies() -> Policies:
    return load_policies(ROOT / "policies")


def planned(policies: Policies, starts: str, booked: str = "2026-11-01 09:00") -> list:
    return [
        (r.offset_days, r.due_at)
        for r in plan_reminders(london(starts), london(booked), policies.reminders, policies.hours)
    ]


def test_two_days_and_one_day_before_at_ten(policies: Policies) -> None:
    assert planned(policies, "2026-12-03 14:00") == [  # a Thursday
        (2, london("2026-12-01 10:00")),
        (1, london("2026-12-02 10:00")),
    ]


def test_a_reminder_that_would_fall_on_a_sunday_goes_on_the_saturday(policies: Policies) -> None:
    # Tuesday's appointment: two days before is Sunday, when nothing non-urgent is sent.
    assert planned(policies, "2026-12-01 10:00") == [
        (2, london("2026-11-28 10:00")),
        (1, london("2026-11-30 10:00")),
    ]


def test_reminders_landing_on_the_same_day_are_one(policies: Policies) -> None:
    # Monday's appointment: the one-day reminder moves back from Sunday onto Saturday's.
    assert planned(policies, "2026-11-30 10:00") == [(2, london("2026-11-28 10:00"))]


@pytest.mark.parametrize(
    ("send_at", "expected"),
    [
        (time(6, 0), "2026-12-02 08:00"),  # before sending hours: when they open
        (time(22, 30), "2026-12-02 19:59"),  # after: their last minute
        (time(10, 0), "2026-12-02 10:00"),
    ],
)
def test_the_send_time_is_moved_into_sending_hours(
    policies: Policies, send_at: time, expected: str
) -> None:
    policy = replace(policies.reminders, send_at=send_at)
    at = reminder_instant(london("2026-12-03 14:00"), 1, policy, policies.hours)
    assert at == london(expected)
    assert in_sending_hours(policies.hours, at)


def test_a_same_day_reminder_after_the_appointment_is_not_planned(policies: Policies) -> None:
    policy = replace(policies.reminders, offsets_days=(0,))
    assert reminder_instant(london("2026-12-03 09:30"), 0, policy, policies.hours) is None
    assert reminder_instant(london("2026-12-03 14:00"), 0, policy, policies.hours) == london(
        "2026-12-03 10:00"
    )


def test_only_reminders_after_the_booking_are_planned(policies: Policies) -> None:
    # Booked on Tuesday at 10:00 for Thursday: the two-day reminder would be now.
    assert planned(policies, "2026-12-03 14:00", booked="2026-12-01 10:00") == [
        (1, london("2026-12-02 10:00"))
    ]
    assert planned(policies, "2026-12-03 14:00", booked="2026-12-02 12:00") == []


def test_british_summer_time_is_respected(policies: Policies) -> None:
    # 10:00 in London in June is 09:00 UTC.
    [(_, two_days), _] = planned(policies, "2026-06-18 14:00", booked="2026-06-01 09:00")
    assert two_days.utcoffset() == timedelta(hours=1)
    assert two_days == datetime.fromisoformat("2026-06-16T09:00:00+00:00")


def pending(id: int, appointment: int, offset: int, due: str) -> PendingReminder:
    return PendingReminder(id, appointment, offset, london(due))


def test_only_reminders_due_by_the_instant_are_chosen() -> None:
    rows = [pending(1, 10, 2, "2026-12-01 10:00"), pending(2, 11, 1, "2026-12-01 10:01")]
    send, skip = choose_due(rows, london("2026-12-01 10:00"))
    assert [r.id for r in send] == [1] and skip == []


def test_when_several_fell_due_while_stopped_only_the_latest_is_sent() -> None:
    rows = [pending(1, 10, 2, "2026-12-01 10:00"), pending(2, 10, 1, "2026-12-02 10:00")]
    send, skip = choose_due(rows, london("2026-12-02 11:00"))
    assert [r.id for r in send] == [2] and [r.id for r in skip] == [1]


def appointment(**changes: object) -> Appointment:
    made = Appointment(
        id=10,
        family_id=5,
        practitioner_id=3,
        kind=AppointmentKind.SESSION,
        starts_at=london("2026-12-03 14:00"),
        duration=timedelta(hours=1),
        place=Place.CLINIC,
        address="Rosebank Children's Centre",
        expected=(1, 2),
        booked_at=london("2026-11-01 09:00"),
        changed_at=london("2026-11-01 09:00"),
    )
    return replace(made, **changes)


def test_the_due_reminder_of_each_standing_appointment(policies: Policies) -> None:
    standing = appointment()
    off = appointment(id=11, status=AppointmentStatus.CANCELLED, cancelled_by=CancelledBy.TEAM)
    due = reminders_due(
        [standing, off], policies.reminders, policies.hours, london("2026-12-02 10:00")
    )
    assert [(a.id, r.offset_days) for a, r in due] == [(10, 1)]
    assert (
        reminders_due([standing], policies.reminders, policies.hours, london("2026-12-01 09:59"))
        == []
    )


@pytest.mark.parametrize(
    ("due", "at", "worth"),
    [
        ("2026-12-02 10:00", "2026-12-02 10:00", True),
        ("2026-12-01 10:00", "2026-12-02 05:59", True),  # late, but within the day
        ("2026-12-01 10:00", "2026-12-02 06:00", False),  # twenty hours late: left out
        ("2026-12-03 10:00", "2026-12-03 13:01", False),  # less than an hour before the start
    ],
)
def test_a_late_reminder_is_sent_only_while_it_still_helps(
    policies: Policies, due: str, at: str, worth: bool
) -> None:
    assert worth_sending(appointment(), london(due), policies.hours, london(at)) is worth


def test_dedupe_keys_are_stable_and_distinct() -> None:
    assert reminder_key(10, 1, 2, 7) == reminder_key(10, 1, 2, 7) == "reminder:10:1:2:7"
    keys = {reminder_key(10, v, o, p) for v in (1, 2) for o in (1, 2) for p in (7, 8)}
    assert len(keys) == 8


def test_reminder_texts_go_to_expected_contactable_parents_and_ask_yes_no_change(
    policies: Policies,
) -> None:
    wording = Wording(
        load_defaults(ROOT / "messages"),
        load_catalogue(ROOT / "messages"),
        {"team_name": policies.team.name, "team_phone": policies.team.phone},
    )
    parents = [
        Parent(1, "Chloe Martin", mobile="+447700900101"),
        Parent(2, "Ryan Cole", mobile="+447700900102", do_not_contact=True),
        Parent(3, "Nan Martin", mobile="+447700900103"),  # not expected at this one
        Parent(4, "Dan Martin", mobile="+447700900104", language="cy"),
    ]
    texts = reminder_texts(
        appointment(expected=(1, 2, 4)),
        1,
        parents,
        "Amira Shah",
        wording,
        policies.hours,
        london("2026-12-02 10:00"),
    )
    assert [d.parent_id for d in texts.drafts] == [1, 4]
    assert texts.not_sent == [(2, "marked do not contact")]
    chloe, dan = texts.drafts
    assert "Chloe" in chloe.body and "Amira" in chloe.body and "Shah" not in chloe.body
    assert "Thursday 3 December at 2pm" in chloe.body and "Rosebank" in chloe.body
    assert "YES" in chloe.body and "CHANGE" in chloe.body
    assert "CANCEL" not in chloe.body.upper() and "STOP" not in chloe.body.upper()
    assert "IE" in dan.body and dan.locale == "cy"
    assert chloe.dedupe_key == "reminder:10:1:1:1" and chloe.appointment_id == 10
