"""The inbound decision: risk first, carrier keywords, out of hours, routing. Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.core.inbound import (
    AddToQueue,
    AppointmentReply,
    Escalate,
    Hours,
    InboundContext,
    MarkNotSafeToText,
    Reply,
    SetOptOut,
    Triaged,
    decide,
)
from bot.core.model import ChannelName, Family, InboundMessage, Intent, Parent, QueueKind, Risk

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
OPEN = Hours(open=True)
CLOSED = Hours(
    open=False, closed_period="2026-11-25T09:00", next_opening=datetime(2026, 11, 25, 9, tzinfo=UTC)
)


def parent(**extra) -> Parent:  # noqa: ANN003
    return Parent(id=7, name="Chloe Martin", mobile="+447700900101", family_id=3, **extra)


def context(
    body: str = "hello",
    *,
    parents: tuple[Parent, ...] | None = None,
    risk: Risk = Risk.NONE,
    intent: Intent = Intent.OTHER,
    hours: Hours = OPEN,
    practitioner_id: int | None = 11,
    channel: ChannelName = ChannelName.SMS,
    whole_reply: bool = False,
) -> InboundContext:
    found = (parent(),) if parents is None else parents
    family = Family(id=3, reference="PIR-3", practitioner_id=practitioner_id, parents=list(found))
    return InboundContext(
        message=InboundMessage(channel, "SM1", "+447700900101", body, AT),
        candidates=found,
        family=family if len(found) == 1 else None,
        practitioner_id=practitioner_id,
        triage=Triaged(risk, intent, ("because",), whole_reply=whole_reply),
        hours=hours,
    )


def kinds(actions) -> list[type]:  # noqa: ANN001
    return [type(a) for a in actions]


def test_a_plain_message_goes_to_the_practitioner() -> None:
    decision = decide(context())
    assert decision.actions == [AddToQueue(QueueKind.MESSAGE, "practitioner", 11, "message")]


def test_risk_is_escalated_first_even_from_an_unknown_number() -> None:
    decision = decide(context("I want to die", parents=(), risk=Risk.EMERGENCY))
    assert isinstance(decision.actions[0], Escalate)
    assert decision.actions[1] == Reply("safety_reply", urgent=True, to_sender=True)
    assert decision.actions[2].audience == "unassigned" and decision.actions[2].urgent


def test_an_unknown_number_with_no_risk_gets_no_reply() -> None:
    decision = decide(context("hi is this the clinic", parents=()))
    assert kinds(decision.actions) == [AddToQueue]


def test_a_shared_number_with_a_do_not_contact_parent_gets_no_safety_reply() -> None:
    shared = (
        parent(),
        Parent(
            id=8,
            name="Dan Martin",
            mobile="+447700900101",
            family_id=3,
            do_not_contact=True,
            do_not_contact_reason="court order",
        ),
    )
    decision = decide(context("I want to die", parents=shared, risk=Risk.EMERGENCY))
    assert kinds(decision.actions) == [Escalate, AddToQueue]


def test_a_phone_read_by_someone_else_gets_no_reply_of_any_kind_and_an_urgent_item() -> None:
    decision = decide(
        context(
            "please don't text this number, he checks my phone, I'm scared",
            risk=Risk.CONCERN,
            intent=Intent.NOT_SAFE_TO_TEXT,
            hours=CLOSED,
        )
    )
    assert kinds(decision.actions) == [Escalate, MarkNotSafeToText, AddToQueue]
    assert decision.actions[1].parent_ids == (7,)
    item = decision.actions[2]
    assert item.kind is QueueKind.SAFE_CONTACT and item.urgent and item.practitioner_id == 11
    assert not any(isinstance(a, Reply) for a in decision.actions)


def test_an_unknown_number_saying_its_phone_is_read_gets_no_safety_reply() -> None:
    decision = decide(
        context(
            "dont text this number", parents=(), risk=Risk.EMERGENCY, intent=Intent.NOT_SAFE_TO_TEXT
        )
    )
    assert kinds(decision.actions) == [Escalate, AddToQueue]
    assert decision.actions[1].kind is QueueKind.SAFE_CONTACT


def test_an_opted_out_parent_at_risk_is_escalated_but_sent_nothing() -> None:
    decision = decide(context("cant cope", parents=(parent(opted_out=True),), risk=Risk.EMERGENCY))
    assert Escalate in kinds(decision.actions)
    assert Reply not in kinds(decision.actions)


def test_emergency_gets_a_safety_reply_and_no_out_of_hours_reply() -> None:
    decision = decide(context("x", risk=Risk.EMERGENCY, hours=CLOSED))
    replies = [a.message for a in decision.actions if isinstance(a, Reply)]
    assert replies == ["safety_reply"]


def test_a_baby_seriously_unwell_gets_the_safety_reply_worded_for_the_baby() -> None:
    ctx = context("he's floppy and won't wake", risk=Risk.EMERGENCY)
    ctx = replace(ctx, triage=replace(ctx.triage, baby_unwell=True))
    decision = decide(ctx)
    assert [a.message for a in decision.actions if isinstance(a, Reply)] == ["safety_reply_baby"]
    assert any(isinstance(a, Escalate) and a.level is Risk.EMERGENCY for a in decision.actions)


def test_a_message_no_rule_could_read_reaches_a_person_without_crisis_numbers() -> None:
    ctx = context("Multumesc, ne vedem joi", risk=Risk.CONCERN)
    ctx = replace(ctx, triage=replace(ctx.triage, unread_only=True))
    decision = decide(ctx)
    assert any(isinstance(a, Escalate) and a.level is Risk.CONCERN for a in decision.actions)
    assert not [a for a in decision.actions if isinstance(a, Reply) and "safety" in a.message]
    assert any(isinstance(a, AddToQueue) for a in decision.actions)


def test_out_of_hours_reply_is_keyed_to_the_closed_period() -> None:
    decision = decide(context("hi", hours=CLOSED))
    (reply,) = [a for a in decision.actions if isinstance(a, Reply)]
    assert reply.message == "out_of_hours_reply"
    assert reply.dedupe_key == "ooh:7:2026-11-25T09:00"
    assert decision.out_of_hours


@pytest.mark.parametrize("body", ["STOP", "stop", " Cancel ", "UNSUBSCRIBE", "quit."])
def test_carrier_opt_out_words_mark_the_parent_opted_out(body: str) -> None:
    decision = decide(context(body, intent=Intent.STOP))
    assert SetOptOut(True) in decision.actions
    assert Reply not in kinds(decision.actions)
    assert any(isinstance(a, AddToQueue) and a.kind is QueueKind.OPT_OUT for a in decision.actions)


def test_start_after_opt_out_turns_texts_back_on() -> None:
    decision = decide(context("START", parents=(parent(opted_out=True),), intent=Intent.START))
    assert SetOptOut(False) in decision.actions
    assert Reply("opt_in_confirmation") in decision.actions


def test_a_do_not_contact_parent_gets_no_reply_but_their_message_is_routed() -> None:
    decision = decide(
        context("HELP", parents=(parent(do_not_contact=True),), intent=Intent.HELP, hours=CLOSED)
    )
    assert Reply not in kinds(decision.actions)
    assert AddToQueue in kinds(decision.actions)


@pytest.mark.parametrize("intent", [Intent.CONFIRM, Intent.CANCEL, Intent.RESCHEDULE])
def test_appointment_replies_go_to_the_appointment_logic(intent: Intent) -> None:
    decision = decide(context("yes", intent=intent, whole_reply=True))
    assert decision.actions == [AppointmentReply(intent)]


def test_a_yes_that_says_more_also_reaches_the_practitioner() -> None:
    decision = decide(
        context("yes see you tuesday, also can we talk about feeding", intent=Intent.CONFIRM)
    )
    assert AppointmentReply(Intent.CONFIRM) in decision.actions
    queued = [a for a in decision.actions if isinstance(a, AddToQueue)]
    assert [(a.audience, a.practitioner_id) for a in queued] == [("practitioner", 11)]


def test_a_reply_and_a_risk_are_both_acted_on() -> None:
    decision = decide(
        context("yes ill be there but things are bad", risk=Risk.CONCERN, intent=Intent.CONFIRM)
    )
    assert kinds(decision.actions)[0] is Escalate
    assert AppointmentReply(Intent.CONFIRM) in decision.actions


def test_a_family_with_no_practitioner_goes_to_the_unassigned_queue() -> None:
    decision = decide(context(practitioner_id=None))
    assert decision.actions[0].audience == "unassigned"


def test_telegram_messages_are_not_carrier_keywords() -> None:
    decision = decide(context("STOP", channel=ChannelName.TELEGRAM, intent=Intent.OTHER))
    assert SetOptOut(True) not in decision.actions
