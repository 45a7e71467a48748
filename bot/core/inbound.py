"""What to do with one inbound message: pure, from plain data and the current time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.contact import why_not_contactable
from bot.core.keywords import OPT_OUT, carrier_keyword, carrier_word
from bot.core.model import ChannelName, Family, InboundMessage, Intent, Parent, QueueKind, Risk
from bot.core.questionnaire import needs_a_person, read_answer


@dataclass(frozen=True)
class Triaged:
    risk: Risk
    intent: Intent
    reasons: tuple[str, ...] = ()
    baby_unwell: bool = False  # every risk found is the baby's health: 999 / NHS 111 for the baby
    unread_only: bool = False  # a person must read it (language), though no risk was found in it
    whole_reply: bool = False  # only a reply word: the appointment logic alone may handle it


@dataclass(frozen=True)
class Hours:
    """The team's state at the moment the message arrived."""

    open: bool
    closed_period: str | None = None  # identifies this closed period, for one auto-reply per period
    next_opening: datetime | None = None


@dataclass(frozen=True)
class AddToQueue:
    kind: QueueKind
    audience: str  # practitioner | administrator | unassigned
    practitioner_id: int | None
    summary: str
    urgent: bool = False


@dataclass(frozen=True)
class Reply:
    """A message to the parent who wrote, by template name.

    `to_sender`: to the number that wrote, with no parent known (an unknown or shared number).
    """

    message: str
    urgent: bool = False
    dedupe_key: str | None = None
    to_sender: bool = False


@dataclass(frozen=True)
class MarkNotSafeToText:
    """Every parent at the sender's number: nothing automated goes to them from now on."""

    parent_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class Escalate:
    level: Risk
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SetOptOut:
    opted_out: bool


@dataclass(frozen=True)
class AppointmentReply:
    """Hand the reply to the appointment logic (confirm, cancel, change)."""

    intent: Intent


@dataclass(frozen=True)
class QuestionnaireAnswer:
    """An answer to a question of the follow-up after closure: stored, and thanked."""

    question: str
    answer: str


@dataclass(frozen=True)
class CarrierOptOutMayMeanAppointment:
    """A single carrier opt-out word that reads like an answer to an appointment (CANCEL):
    the administrator is asked to phone, naming the appointment it may have meant."""

    word: str


Action = (
    AddToQueue
    | Reply
    | Escalate
    | SetOptOut
    | AppointmentReply
    | MarkNotSafeToText
    | CarrierOptOutMayMeanAppointment
    | QuestionnaireAnswer
)

# Opt-out words a parent may send meaning an appointment, not every text.
AMBIGUOUS_OPT_OUT_WORDS = frozenset({"CANCEL"})


@dataclass(frozen=True)
class InboundContext:
    message: InboundMessage
    candidates: tuple[Parent, ...]  # parents whose number or chat matches the sender
    family: Family | None  # set when exactly one parent matched
    practitioner_id: int | None  # who holds the family's queue now (allocated, or covering)
    triage: Triaged
    hours: Hours
    out_of_hours_auto_reply: bool = True
    auto_reply_once_per_closed_period: bool = True
    safety_reply_at_concern: bool = True
    opt_out_words: frozenset[str] = OPT_OUT  # the provider's words in force (Advanced Opt-Out)
    pending_question: str | None = None  # a follow-up question this parent was asked


@dataclass(frozen=True)
class InboundDecision:
    parent: Parent | None
    family: Family | None
    out_of_hours: bool
    actions: list[Action] = field(default_factory=list)


def _summary(ctx: InboundContext) -> str:
    if ctx.message.media_kind:
        return ctx.message.media_kind
    if ctx.message.media:
        return f"{len(ctx.message.media)} attachment(s)"
    return "message"


def decide(ctx: InboundContext) -> InboundDecision:
    """Risk first, then carrier keywords, then out-of-hours handling, then routing."""
    single = ctx.candidates[0] if len(ctx.candidates) == 1 else None
    family = ctx.family if single else None
    out_of_hours = not ctx.hours.open
    actions: list[Action] = []
    risk = ctx.triage.risk

    # Safety first: escalate whoever wrote, matched or not, opted out or not.
    if risk is not Risk.NONE:
        actions.append(Escalate(risk, ctx.triage.reasons))

    if ctx.triage.intent is Intent.NOT_SAFE_TO_TEXT:
        # Someone else reads this phone: no reply of any kind, not even the safety text.
        return InboundDecision(single, family, out_of_hours, actions + _not_safe_to_text(ctx))

    if single is None or family is None:
        reason = "unknown number" if not ctx.candidates else "number shared by several parents"
        # The safety reply names nobody, so it is safe to send to a number we cannot match,
        # unless a parent at that number must not be texted.
        if _wants_safety_reply(ctx) and all(why_not_contactable(p) is None for p in ctx.candidates):
            actions.append(Reply(_safety_message(ctx), urgent=True, to_sender=True))
        actions.append(
            AddToQueue(
                QueueKind.MESSAGE,
                "unassigned",
                None,
                f"{_summary(ctx)}: {reason}",
                urgent=risk is not Risk.NONE,
            )
        )
        return InboundDecision(None, None, out_of_hours, actions)

    sms = ctx.message.channel is ChannelName.SMS
    keyword = carrier_keyword(ctx.message.body, ctx.opt_out_words) if sms else None
    # The carrier has already acted on these words: mirror it, so we never text an opted-out parent.
    if keyword == "opt_out" or (ctx.triage.intent is Intent.STOP and keyword is None):
        actions.append(SetOptOut(True))
        actions.append(_to_practitioner(ctx, QueueKind.OPT_OUT, "asked to stop receiving texts"))
        word = carrier_word(ctx.message.body)
        if keyword == "opt_out" and word in AMBIGUOUS_OPT_OUT_WORDS:
            actions.append(CarrierOptOutMayMeanAppointment(word))
        return InboundDecision(single, family, out_of_hours, actions)
    if keyword == "opt_in" and single.opted_out:
        actions.append(SetOptOut(False))
        actions.append(_to_practitioner(ctx, QueueKind.MESSAGE, "texts turned back on"))
        if not single.do_not_contact:
            actions.append(Reply("opt_in_confirmation"))
        return InboundDecision(single, family, out_of_hours, actions)

    if risk is Risk.NONE and ctx.pending_question is not None:
        answer = read_answer(ctx.pending_question, ctx.message.body, ctx.triage.intent)
        if answer is not None:
            actions.append(QuestionnaireAnswer(ctx.pending_question, answer))
            if needs_a_person(ctx.pending_question, answer, ctx.message.body):
                summary = f"six-month follow-up answer {answer}: please read"
                actions.append(_to_practitioner(ctx, QueueKind.MESSAGE, summary))
            return InboundDecision(single, family, out_of_hours, actions)

    contactable = why_not_contactable(single) is None
    if _wants_safety_reply(ctx):
        if contactable:
            actions.append(Reply(_safety_message(ctx), urgent=True))
    if keyword == "help" or ctx.triage.intent is Intent.HELP:
        if contactable:
            actions.append(Reply("help_reply", urgent=True))
    if (
        out_of_hours
        and contactable
        and ctx.out_of_hours_auto_reply
        and risk is not Risk.EMERGENCY  # the safety reply already says where to go now
    ):
        # The same key is stored once: at most one auto-reply per parent per closed period.
        once = ctx.auto_reply_once_per_closed_period
        key = f"ooh:{single.id}:{ctx.hours.closed_period}" if once else None
        actions.append(Reply("out_of_hours_reply", urgent=True, dedupe_key=key))

    if ctx.triage.intent in (Intent.CONFIRM, Intent.CANCEL, Intent.RESCHEDULE):
        actions.append(AppointmentReply(ctx.triage.intent))
        # "Yes see you Tuesday, also I'm struggling": the appointment logic takes the YES, and
        # the rest must still reach a person, so every reply that says more is queued too.
        if ctx.triage.intent is Intent.CONFIRM and not ctx.triage.whole_reply:
            actions.append(_to_practitioner(ctx, QueueKind.MESSAGE, _summary(ctx)))
    else:
        actions.append(_to_practitioner(ctx, QueueKind.MESSAGE, _summary(ctx)))
    return InboundDecision(single, family, out_of_hours, actions)


def _wants_safety_reply(ctx: InboundContext) -> bool:
    risk = ctx.triage.risk
    if ctx.triage.unread_only:
        # A message nobody could read yet gets a person, not crisis numbers it may not need.
        return False
    return risk is Risk.EMERGENCY or (risk is Risk.CONCERN and ctx.safety_reply_at_concern)


def _safety_message(ctx: InboundContext) -> str:
    """Crisis numbers, or advice for the baby when every risk found is the baby's health."""
    return "safety_reply_baby" if ctx.triage.baby_unwell else "safety_reply"


def _not_safe_to_text(ctx: InboundContext) -> list[Action]:
    """Mark every parent at this number, and ask a person to agree a safe way to keep in touch."""
    ids = tuple(p.id for p in ctx.candidates if p.id is not None)
    summary = "says this phone is not safe to text: agree a safe way to keep in touch"
    actions: list[Action] = []
    if ids:
        actions.append(MarkNotSafeToText(ids, "the parent's own text: phone read by someone else"))
    if ctx.family is not None and len(ctx.candidates) == 1:
        actions.append(_to_practitioner(ctx, QueueKind.SAFE_CONTACT, summary, urgent=True))
    else:
        actions.append(AddToQueue(QueueKind.SAFE_CONTACT, "unassigned", None, summary, urgent=True))
    return actions


def _to_practitioner(
    ctx: InboundContext, kind: QueueKind, summary: str, *, urgent: bool = False
) -> AddToQueue:
    if ctx.practitioner_id is None:
        return AddToQueue(
            kind, "unassigned", None, f"{summary} (family has no practitioner)", urgent=urgent
        )
    return AddToQueue(kind, "practitioner", ctx.practitioner_id, summary, urgent=urgent)
