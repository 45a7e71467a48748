"""The inbound pipeline: a stored row to triage, decision and effects, in one unit of work."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core import hours as hours_core
from bot.core import questionnaire
from bot.core.contact import route_for, why_not_contactable
from bot.core.engagement import baby_words
from bot.core.first_contact import first_name
from bot.core.inbound import (
    AddToQueue,
    AppointmentReply,
    CarrierOptOutMayMeanAppointment,
    Escalate,
    Hours,
    InboundContext,
    InboundDecision,
    MarkNotSafeToText,
    QuestionnaireAnswer,
    Reply,
    SetOptOut,
    Triaged,
    decide,
)
from bot.core.model import ChannelName, Family, InboundMessage, Intent, Parent, QueueKind, Risk
from bot.core.outbox import OutboxDraft
from bot.core.templates import format_next_opening
from bot.core.triage import triage
from bot.store import audit, families, inbound, outbox, queue
from bot.store import questionnaire as questionnaire_store
from bot.store import staff as staff_store
from bot.store.escalations import cover_in_force

if TYPE_CHECKING:
    from bot.runtime.service import Service

log = logging.getLogger(__name__)


async def receive(service: Service, message: InboundMessage) -> tuple[int, bool]:
    """Store durably (group commit), then hand to the processor. Returns (id, new)."""
    row_id, new = await service.intake.store(message)
    if new:
        service.wake_inbound()
    return row_id, new


async def run(service: Service, ready: asyncio.Event) -> None:
    while True:
        await ready.wait()
        ready.clear()
        try:
            await process_pending(service)
        except Exception:  # keep the loop alive; the rows stay unprocessed and are retried
            log.exception("processing inbound messages failed")
            await asyncio.sleep(1)
            ready.set()


_RISK_FIRST = {Risk.EMERGENCY: 0, Risk.CONCERN: 1, Risk.NONE: 2}
# Messages ranked at a time: small enough that ranking never holds up the webhooks' event loop.
BATCH = 64


def _urgency(service: Service, body: str) -> int:
    try:
        result = triage(body, service.rules)
        if result.intent is Intent.NOT_SAFE_TO_TEXT:
            return 0  # before anything else goes to that phone
        return _RISK_FIRST[result.risk]
    except Exception:  # processing will fail on it too and hand it to a person: do that first
        return 0


async def process_pending(service: Service) -> int:
    """Process every stored message, risk first; one that fails goes to a person, never stalls."""
    done = 0
    set_aside: set[int] = set()
    while pending := [
        (i, body) for i, body in await inbound.unprocessed(service.db, BATCH) if i not in set_aside
    ]:
        # In a burst, a message suggesting risk must not wait behind routine replies.
        pending.sort(key=lambda p: (_urgency(service, p[1]), p[0]))
        for inbound_id, _ in pending:
            try:
                await process_one(service, inbound_id)
                done += 1
            except Exception:
                log.exception("inbound message %s could not be processed", inbound_id)
                set_aside.add(inbound_id)
                await _hand_to_a_person(service, inbound_id)
    return done


async def _hand_to_a_person(service: Service, inbound_id: int) -> None:
    """Nothing is lost: a message the pipeline fails on goes to the unassigned queue as it is."""
    now = service.now()
    try:
        async with service.db.transaction() as conn:
            if await inbound.set_aside(conn, inbound_id, now):
                await queue.add(
                    conn,
                    kind=QueueKind.MESSAGE,
                    audience="unassigned",
                    inbound_id=inbound_id,
                    summary="could not be processed automatically: please read it",
                    at=now,
                )
                await audit.record(conn, now, "system", "inbound_set_aside", "inbound", inbound_id)
    except Exception:  # the row stays unprocessed and is tried again on the next pass
        log.exception("inbound message %s could not be set aside", inbound_id)


async def _candidates(
    conn: aiosqlite.Connection, channel: ChannelName, sender: str
) -> list[Parent]:
    if channel is ChannelName.TELEGRAM:
        try:
            return await families.parents_by_telegram(conn, int(sender))
        except ValueError:
            return []
    return await families.parents_by_mobile(conn, sender)


async def process_one(service: Service, inbound_id: int) -> InboundDecision | None:
    now = service.now()
    async with service.db.transaction() as conn:
        stored = await inbound.load(conn, inbound_id)
        if stored is None or stored.processed:
            return None
        message = stored.message
        candidates = await _candidates(conn, message.channel, message.sender)
        single = candidates[0] if len(candidates) == 1 else None
        family = await families.get(conn, single.family_id) if single and single.family_id else None
        # Triage runs on every message before anything else, whoever sent it.
        locale = single.language if single else None
        result = triage(message.body, service.rules, locale)
        at = message.received_at
        hours_policy = service.policies.hours
        is_open = hours_core.is_open(hours_policy, at)
        state = Hours(
            open=is_open,
            closed_period=None if is_open else hours_core.closed_period_key(hours_policy, at),
            next_opening=None if is_open else hours_core.next_opening(hours_policy, at),
        )
        holder = None
        if family and family.practitioner_id:
            cover = await cover_in_force(conn, now.astimezone(service.team_timezone()).date())
            holder = cover.get(family.practitioner_id, family.practitioner_id)
        question = None
        if single is not None and single.id is not None and family is not None:
            question = await _pending_question(conn, family, single.id, now)
        ctx = InboundContext(
            message=message,
            pending_question=question,
            candidates=tuple(candidates),
            family=family,
            practitioner_id=holder,
            triage=Triaged(
                result.risk,
                result.intent,
                tuple(result.reasons),
                baby_unwell=result.baby_unwell,
                unread_only=result.unread_only,
                whole_reply=result.whole_reply,
            ),
            hours=state,
            out_of_hours_auto_reply=service.policies.out_of_hours.auto_reply,
            auto_reply_once_per_closed_period=(
                service.policies.out_of_hours.auto_reply_once_per_closed_period
            ),
            safety_reply_at_concern=service.policies.out_of_hours.safety_reply_at_concern,
            opt_out_words=service.settings.opt_out_words,
        )
        decision = decide(ctx)
        await inbound.mark_processed(
            conn,
            inbound_id,
            at=now,
            parent_id=decision.parent.id if decision.parent else None,
            family_id=decision.family.id if decision.family else None,
            risk=result.risk.value,
            intent=result.intent.value,
            reasons=list(result.reasons),
            out_of_hours=decision.out_of_hours,
        )
        # Rule names and levels only: the audit log never holds message text.
        await audit.record(
            conn,
            now,
            "system",
            "triage",
            "inbound",
            inbound_id,
            risk=result.risk.value,
            intent=result.intent.value,
        )
        await apply(service, conn, inbound_id, decision, now, state, holder)
    service.wake_outbox()
    return decision


async def apply(
    service: Service,
    conn: aiosqlite.Connection,
    inbound_id: int,
    decision: InboundDecision,
    now: datetime,
    state: Hours,
    holder: int | None = None,
) -> None:
    """Carry out a decision; `holder` is whoever holds the family's queue now (or their cover)."""
    from bot.runtime import appointments, escalations

    parent, family = decision.parent, decision.family
    # Any reply from a parent counts as engagement (the time limit stops), except asking to stop.
    if parent is not None and family is not None and family.id is not None:
        if not any(isinstance(a, SetOptOut) and a.opted_out for a in decision.actions):
            await families.mark_engaged(conn, family.id, now)
    told: list[int] = []
    for action in decision.actions:
        if isinstance(action, Escalate):
            told = await escalations.open_escalation(
                service,
                conn,
                inbound_id=inbound_id,
                family=family,
                parent=parent,
                level=action.level,
                reasons=list(action.reasons),
                at=now,
            )
    for action in decision.actions:
        match action:
            case AddToQueue():
                await queue.add(
                    conn,
                    kind=action.kind,
                    audience=action.audience,
                    practitioner_id=action.practitioner_id,
                    family_id=family.id if family else None,
                    parent_id=parent.id if parent else None,
                    inbound_id=inbound_id,
                    summary=action.summary,
                    out_of_hours=decision.out_of_hours,
                    urgent=action.urgent,
                    at=now,
                )
            case MarkNotSafeToText():
                for parent_id in action.parent_ids:
                    await families.mark_unsafe_to_text(
                        conn, parent_id, by="the parent's own text", reason=action.reason, at=now
                    )
                    await audit.record(
                        conn, now, "parent", "marked_not_safe_to_text", "parent", parent_id
                    )
                # Anything already waiting in the outbox for them is withdrawn at send time.
            case CarrierOptOutMayMeanAppointment():
                assert parent is not None and family is not None
                await appointments.flag_carrier_opt_out(
                    service, conn, family, parent, action.word, inbound_id, now
                )
            case Reply() if action.to_sender:
                await send_to_sender(service, conn, inbound_id, action, now)
            case SetOptOut():
                assert parent is not None and parent.id is not None
                await families.set_opted_out(conn, parent.id, action.opted_out, now)
                await audit.record(
                    conn,
                    now,
                    "parent",
                    "opted_out" if action.opted_out else "opted_in",
                    "parent",
                    parent.id,
                )
                # A reply decided alongside (the opt-in confirmation) goes to the parent as now.
                parent = replace(parent, opted_out=action.opted_out)
            case Reply():
                assert parent is not None
                name = action.message
                values = {}
                # Say their practitioner has been told only when that is true at this moment.
                if name == "safety_reply" and holder is not None and holder in told:
                    member = await staff_store.get(service.db, holder)
                    if member is not None:
                        name = "safety_reply_told"
                        values["practitioner_name"] = first_name(member.name)
                if name == "out_of_hours_reply" and state.next_opening is not None:
                    values["next_opening"] = format_next_opening(
                        state.next_opening, parent.language, service.team_timezone()
                    )
                await send_to_parent(
                    service,
                    conn,
                    parent,
                    name,
                    values,
                    now,
                    urgent=action.urgent,
                    dedupe_key=action.dedupe_key,
                    family_id=family.id if family else None,
                )
            case AppointmentReply():
                assert parent is not None and family is not None
                await appointments.handle_reply(
                    service,
                    conn,
                    family,
                    parent,
                    action.intent,
                    inbound_id,
                    now,
                    out_of_hours=decision.out_of_hours,
                )
            case QuestionnaireAnswer():
                assert parent is not None and family is not None
                await _record_answer(service, conn, family, parent, action, inbound_id, now)
            case Escalate():
                pass


async def _pending_question(
    conn: aiosqlite.Connection, family: Family, parent_id: int, now: datetime
) -> str | None:
    assert family.id is not None
    asked = await questionnaire_store.asked_of(conn, family.id, parent_id, now)
    if not asked:
        return None
    done = await questionnaire_store.answered(conn, family.id, parent_id)
    found = questionnaire.pending(asked, done, now)
    return found.question if found else None


async def _record_answer(
    service: Service,
    conn: aiosqlite.Connection,
    family: Family,
    parent: Parent,
    action: QuestionnaireAnswer,
    inbound_id: int,
    now: datetime,
) -> None:
    """Store the answer, and thank the parent with the next question (or a last thank-you)."""
    assert family.id is not None and parent.id is not None
    if not await questionnaire_store.record(
        conn, family.id, parent.id, action.question, action.answer, inbound_id, now
    ):
        return
    await audit.record(
        conn, now, "parent", "follow_up_answered", "family", family.id, question=action.question
    )
    member = await staff_store.get(service.db, family.practitioner_id or 0)
    message = questionnaire.NEXT_MESSAGE[action.question]
    await send_to_parent(
        service,
        conn,
        parent,
        message,
        {
            "practitioner_name": first_name(member.name) if member else "",
            "baby_name": baby_words(family.baby_name, parent.language),
        },
        now,
        dedupe_key=questionnaire.key(family.id, parent.id, message),
        family_id=family.id,
        on_behalf_of=family.practitioner_id,
    )


async def send_to_parent(
    service: Service,
    conn: aiosqlite.Connection,
    parent: Parent,
    message: str,
    values: dict[str, str],
    now: datetime,
    *,
    urgent: bool = False,
    dedupe_key: str | None = None,
    family_id: int | None = None,
    appointment_id: int | None = None,
    on_behalf_of: int | None = None,
    purpose: str | None = None,
) -> int | None:
    """Render a template for one parent into the outbox; nothing for an uncontactable parent."""
    if why_not_contactable(parent) is not None:
        return None
    route = route_for(parent)
    assert route is not None
    full = {"parent_name": first_name(parent.name), **values}
    rendered = service.wording.render(
        message, locale=parent.language, values=full, easy_read=parent.needs_literacy_support
    )
    not_before = now if urgent else hours_core.next_sending_time(service.policies.hours, now)
    channel, address = route
    draft = OutboxDraft(
        channel=channel,
        recipient=address,
        purpose=purpose or message,
        body=rendered.body,
        not_before=not_before,
        parent_id=parent.id,
        family_id=family_id or parent.family_id,
        appointment_id=appointment_id,
        template=message,
        locale=rendered.locale,
        urgent=urgent,
        on_behalf_of=on_behalf_of,
        dedupe_key=dedupe_key,
        encoding=rendered.encoding,
        segments=rendered.segments,
    )
    outbox_id = await outbox.enqueue(conn, draft, now)
    if outbox_id and rendered.fell_back:
        await audit.record(
            conn,
            now,
            "system",
            "translation_missing",
            "outbox",
            outbox_id,
            template=message,
            locale=parent.language,
        )
    return outbox_id


async def send_to_sender(
    service: Service, conn: aiosqlite.Connection, inbound_id: int, action: Reply, now: datetime
) -> int | None:
    """A reply that names nobody, to the number or chat that wrote (no parent is known)."""
    stored = await inbound.load(conn, inbound_id)
    assert stored is not None
    message = stored.message
    rendered = service.wording.render(
        action.message, locale=service.wording.catalogue.fallback_locale, values={}
    )
    draft = OutboxDraft(
        channel=message.channel,
        recipient=message.sender,
        purpose=action.message,
        body=rendered.body,
        not_before=now,
        template=action.message,
        locale=rendered.locale,
        urgent=True,
        dedupe_key=f"{action.message}:inbound:{inbound_id}",
        encoding=rendered.encoding,
        segments=rendered.segments,
    )
    return await outbox.enqueue(conn, draft, now)


async def queue_for_practitioner(
    conn: aiosqlite.Connection, family_practitioner: int | None, kind: QueueKind, **fields
) -> int:
    audience = "practitioner" if family_practitioner else "unassigned"
    return await queue.add(
        conn, kind=kind, audience=audience, practitioner_id=family_practitioner, **fields
    )
