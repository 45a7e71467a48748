"""Which appointment a reply is about, what it does, who hears of it, and school runs."""

from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.appointments import (
    Answer,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancelledBy,
    Matched,
    Place,
    SchoolRun,
    Unmatched,
    decide_reply,
    match_reply,
    place_words,
    reply_key,
    school_run_clashes,
    suggest_times,
)
from bot.core.hours import is_open
from bot.core.model import Intent, QueueKind
from bot.core.policy import HoursPolicy, OneParentSaysNo, load_policies

LONDON = ZoneInfo("Europe/London")
POLICIES = Path(__file__).resolve().parents[2] / "policies"
MUM, DAD = 1, 2


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(scope="module")
def hours() -> HoursPolicy:
    return load_policies(POLICIES).hours


def appointment(id: int = 10, starts: str = "2026-12-01 10:00", **changes: object) -> Appointment:
    made = Appointment(
        id=id,
        family_id=5,
        practitioner_id=3,
        kind=AppointmentKind.SESSION,
        starts_at=london(starts),
        duration=timedelta(hours=1),
        place=Place.HOME,
        address="",
        expected=(MUM, DAD),
    )
    return replace(made, **changes)


# --- Matching a reply ----------------------------------------------------------------------


def test_a_reply_with_no_appointment_to_come_is_for_the_practitioner() -> None:
    assert match_reply([], (), LONDON) == Unmatched("no upcoming appointment")


def test_a_reply_answers_the_appointment_it_was_last_texted_about() -> None:
    soon, later = appointment(10, "2026-12-01 10:00"), appointment(11, "2026-12-08 10:00")
    assert match_reply([soon, later], (11,), LONDON) == Matched(later)


def test_without_a_text_to_go_by_a_reply_is_about_the_next_appointment() -> None:
    soon, later = appointment(10, "2026-12-01 10:00"), appointment(11, "2026-12-08 10:00")
    assert match_reply([later, soon], (), LONDON) == Matched(soon)


def test_texts_about_several_appointments_at_once_are_answered_for_the_soonest() -> None:
    soon, later = appointment(10, "2026-12-01 10:00"), appointment(11, "2026-12-08 10:00")
    assert match_reply([later, soon], (11, 10), LONDON) == Matched(soon)


def test_a_text_about_an_appointment_now_past_does_not_hold_a_later_reply() -> None:
    later = appointment(11, "2026-12-08 10:00")
    assert match_reply([later], (10,), LONDON) == Matched(later)


def test_two_appointments_on_the_same_day_make_a_bare_yes_ambiguous() -> None:
    morning, afternoon = appointment(10, "2026-12-01 10:00"), appointment(11, "2026-12-01 14:00")
    result = match_reply([morning, afternoon], (), LONDON)
    assert isinstance(result, Unmatched) and "same day" in result.reason


def test_a_reply_after_the_team_called_an_appointment_off_is_read_by_a_person() -> None:
    off = appointment(10, status=AppointmentStatus.CANCELLED, cancelled_by=CancelledBy.TEAM)
    later = appointment(11, "2026-12-08 10:00")
    assert isinstance(match_reply([off, later], (10,), LONDON), Unmatched)
    assert match_reply([off, later], (), LONDON) == Matched(later)


def test_change_after_saying_no_still_finds_the_appointment_the_family_called_off() -> None:
    off = appointment(10, status=AppointmentStatus.CANCELLED, cancelled_by=CancelledBy.FAMILY)
    assert match_reply([off], (), LONDON) == Matched(off)


# --- What a reply does ------------------------------------------------------------------------


def decide(appt: Appointment, parent: int, intent: Intent):  # noqa: ANN201
    return decide_reply(appt, parent, intent, "Chloe", "Tuesday 1 December 2026 at 10:00 GMT")


def test_yes_is_recorded_and_thanked() -> None:
    outcome = decide(appointment(), MUM, Intent.CONFIRM)
    assert outcome.answer is Answer.CONFIRM
    assert outcome.tell_parent == "reply_ack_confirmed"
    assert not outcome.cancel_by_family and outcome.notes == ()


def test_no_cancels_thanks_without_blame_and_tells_the_administrator_and_practitioner() -> None:
    outcome = decide(appointment(expected=(MUM,)), MUM, Intent.CANCEL)
    assert outcome.cancel_by_family and outcome.tell_others is None
    assert outcome.tell_parent == "cancellation_thanks"
    assert [(n.kind, n.audience) for n in outcome.notes] == [
        (QueueKind.CANCELLATION, "administrator"),
        (QueueKind.CANCELLATION, "practitioner"),
    ]
    assert "Tuesday 1 December" in outcome.notes[0].summary


def test_one_parents_no_while_the_other_is_expected_leaves_it_standing_for_review() -> None:
    outcome = decide(appointment(), MUM, Intent.CANCEL)
    assert not outcome.cancel_by_family
    assert outcome.answer is Answer.CANCEL
    assert "other parent is still expected" in outcome.needs_review
    assert [(n.kind, n.audience) for n in outcome.notes] == [
        (QueueKind.APPOINTMENT_REVIEW, "administrator")
    ]
    assert outcome.tell_parent == "change_request_ack"


def test_a_team_may_choose_that_one_parents_no_cancels_for_everyone_who_is_then_told() -> None:
    outcome = decide_reply(
        appointment(), MUM, Intent.CANCEL, "Chloe", "Tuesday", OneParentSaysNo.CANCEL
    )
    assert outcome.cancel_by_family and outcome.tell_others == "appointment_called_off"


def test_the_second_parents_no_after_a_review_calls_it_off() -> None:
    outcome = decide(appointment(answers={MUM: Answer.CANCEL}), DAD, Intent.CANCEL)
    assert outcome.cancel_by_family and outcome.tell_others is None


def test_change_asks_the_administrator_and_tells_the_parent_someone_will_be_in_touch() -> None:
    outcome = decide(appointment(), MUM, Intent.RESCHEDULE)
    assert outcome.answer is Answer.CHANGE and not outcome.cancel_by_family
    assert outcome.tell_parent == "change_request_ack"
    assert [(n.kind, n.audience) for n in outcome.notes] == [
        (QueueKind.CHANGE_REQUEST, "administrator")
    ]


@pytest.mark.parametrize(
    ("earlier", "intent"),
    [
        (Answer.CONFIRM, Intent.CANCEL),  # mum said yes, dad says no
        (Answer.CONFIRM, Intent.RESCHEDULE),  # mum said yes, dad wants to move it
        (Answer.CHANGE, Intent.CONFIRM),  # mum wants to move it, dad says yes
    ],
)
def test_parents_who_disagree_leave_the_decision_to_the_administrator(
    earlier: Answer, intent: Intent
) -> None:
    outcome = decide(appointment(answers={MUM: earlier}), DAD, intent)
    assert not outcome.cancel_by_family
    assert [(n.kind, n.audience) for n in outcome.notes] == [(QueueKind.CONFLICT, "administrator")]
    assert outcome.tell_parent == "change_request_ack"


def test_yes_after_the_other_parent_called_it_off_is_a_conflict() -> None:
    off = appointment(
        status=AppointmentStatus.CANCELLED,
        cancelled_by=CancelledBy.FAMILY,
        answers={MUM: Answer.CANCEL},
    )
    outcome = decide(off, DAD, Intent.CONFIRM)
    assert [n.kind for n in outcome.notes] == [QueueKind.CONFLICT]


def test_no_from_both_parents_is_one_cancellation_not_a_conflict() -> None:
    off = appointment(
        status=AppointmentStatus.CANCELLED,
        cancelled_by=CancelledBy.FAMILY,
        answers={MUM: Answer.CANCEL},
    )
    outcome = decide(off, DAD, Intent.CANCEL)
    assert outcome.notes == () and not outcome.cancel_by_family
    assert outcome.tell_parent == "cancellation_thanks"


def test_no_while_the_other_parent_asked_to_move_it_cancels() -> None:
    outcome = decide(appointment(answers={MUM: Answer.CHANGE}), DAD, Intent.CANCEL)
    assert outcome.cancel_by_family
    assert {n.kind for n in outcome.notes} == {QueueKind.CANCELLATION}


def test_acknowledgements_are_keyed_once_per_parent_version_and_message() -> None:
    first = reply_key(appointment(), MUM, "reply_ack_confirmed")
    assert first == reply_key(appointment(), MUM, "reply_ack_confirmed")
    assert first != reply_key(appointment(version=2), MUM, "reply_ack_confirmed")
    assert first != reply_key(appointment(), DAD, "reply_ack_confirmed")


@pytest.mark.parametrize(
    ("place", "locale", "words"),
    [
        (Place.HOME, "en_GB", "your home"),
        (Place.HOME, "cy", "eich cartref"),
        (Place.VIDEO, "pl", "rozmowa wideo"),
        (Place.PHONE, "ro", "a phone call"),  # no words for Romanian: English, as the wording
        (Place.CLINIC, "ur", "Rosebank Children's Centre"),
    ],
)
def test_where_is_written_in_the_parents_language(place: Place, locale: str, words: str) -> None:
    assert place_words(place, " Rosebank Children's Centre ", locale) == words


# --- School runs ------------------------------------------------------------------------------

RUN = SchoolRun(drop_off=time(8, 45), pick_up=time(15, 15))


@pytest.mark.parametrize(
    ("starts", "minutes", "clashes"),
    [
        ("2026-12-01 09:00", 60, ["drop-off"]),  # 15 minutes after the school gate
        ("2026-12-01 09:15", 60, []),  # half an hour after: time to get back
        ("2026-12-01 07:30", 45, []),  # ends just as the margin before drop-off starts
        ("2026-12-01 14:00", 60, ["pick-up"]),  # ends 15 minutes before pick-up
        ("2026-12-01 13:30", 45, []),
        ("2026-12-01 08:00", 8 * 60, ["drop-off", "pick-up"]),
        ("2026-11-28 09:00", 60, []),  # a Saturday: no school run
        ("2026-12-25 09:00", 60, []),  # Christmas Day
    ],
)
def test_booking_at_school_run_times_clashes(
    hours: HoursPolicy, starts: str, minutes: int, clashes: list[str]
) -> None:
    assert school_run_clashes(london(starts), timedelta(minutes=minutes), RUN, hours) == clashes


def test_no_school_run_recorded_means_no_clash(hours: HoursPolicy) -> None:
    assert (
        school_run_clashes(london("2026-12-01 09:00"), timedelta(hours=1), SchoolRun(), hours) == []
    )


def test_suggested_times_avoid_school_runs_busy_times_and_closed_hours(hours: HoursPolicy) -> None:
    busy = [(london("2026-12-01 11:00"), london("2026-12-01 12:00"))]
    after = london("2026-12-01 09:00")
    times = suggest_times(hours, RUN, timedelta(hours=1), after, busy, limit=20)
    assert times[0] == london("2026-12-01 09:30")
    for start in times:
        end = start + timedelta(hours=1)
        assert start >= after
        assert is_open(hours, start) and is_open(hours, end - timedelta(minutes=1))
        assert school_run_clashes(start, timedelta(hours=1), RUN, hours) == []
        assert not (start < busy[0][1] and busy[0][0] < end)
    assert london("2026-12-01 14:00") not in times  # pick-up
    assert london("2026-12-02 09:30") in times  # and on into the next day


def test_suggestions_skip_weekends(hours: HoursPolicy) -> None:
    times = suggest_times(hours, RUN, timedelta(hours=1), london("2026-11-28 09:00"), limit=1)
    assert times == [london("2026-11-30 09:30")]
