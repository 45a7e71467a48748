"""What to do with one inbound message: pure, from plain data and the current time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.contact import why_not_contactable
from bot.core.keywords import carrier_keyword
from bot.core.model import ChannelName, Family, InboundMessage, Intent, Parent, QueueKind, Risk


@dataclass(frozen=True)
class Triaged:
    risk: Risk
    intent: Intent
    reasons: tuple[str, ...] = ()
    baby_unwell: bool = False  # every risk found is the baby's health: 999 / NHS 111 for the baby
    unread_only: bool = False  # a person must read it (language), though no risk was found in it


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


@dataclass(frozen=True)
class Reply:
    """A message to the parent who wrote, by template name."""

    message: str
    urgent: bool = False
    dedupe_key: str | None = None


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


Action = AddToQueue | Reply | Escalate | SetOptOut | AppointmentReply


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

    if single is None or family is None:
        reason = "unknown number" if not ctx.candidates else "number shared by several parents"
        actions.append(
            AddToQueue(QueueKind.MESSAGE, "unassigned", None, f"{_summary(ctx)}: {reason}")
        )
        return InboundDecision(None, None, out_of_hours, actions)

    keyword = carrier_keyword(ctx.message.body) if ctx.message.channel is ChannelName.SMS else None
    # The carrier has already acted on these words: mirror it, so we never text an opted-out parent.
    if keyword == "opt_out" or (ctx.triage.intent is Intent.STOP and keyword is None):
        actions.append(SetOptOut(True))
        actions.append(_to_practitioner(ctx, QueueKind.OPT_OUT, "asked to stop receiving texts"))
        return InboundDecision(single, family, out_of_hours, actions)
    if keyword == "opt_in" and single.opted_out:
        actions.append(SetOptOut(False))
        actions.append(_to_practitioner(ctx, QueueKind.MESSAGE, "texts turned back on"))
        if not single.do_not_contact:
            actions.append(Reply("opt_in_confirmation"))
        return InboundDecision(single, family, out_of_hours, actions)

    contactable = why_not_contactable(single) is None
    if risk is Risk.EMERGENCY or (risk is Risk.CONCERN and ctx.safety_reply_at_concern):
        # A message nobody could read yet gets a person, not crisis numbers it may not need.
        if contactable and not ctx.triage.unread_only:
            message = "safety_reply_baby" if ctx.triage.baby_unwell else "safety_reply"
            actions.append(Reply(message, urgent=True))
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
    else:
        actions.append(_to_practitioner(ctx, QueueKind.MESSAGE, _summary(ctx)))
    return InboundDecision(single, family, out_of_hours, actions)


def _to_practitioner(ctx: InboundContext, kind: QueueKind, summary: str) -> AddToQueue:
    if ctx.practitioner_id is None:
        return AddToQueue(kind, "unassigned", None, f"{summary} (family has no practitioner)")
    return AddToQueue(kind, "practitioner", ctx.practitioner_id, summary)
