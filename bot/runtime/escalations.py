"""Escalations in the shell: open one, tell people, climb at deadlines, acknowledge, close."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core import escalation as core
from bot.core import hours as hours_core
from bot.core.model import ChannelName, Family, Parent, Risk
from bot.core.outbox import OutboxDraft
from bot.store import audit, escalations, outbox
from bot.store import staff as staff_store
from bot.store.escalations import cover_in_force

if TYPE_CHECKING:
    from bot.runtime.service import Service


def staff_alert_text(
    service: Service, level: Risk, escalation_id: int, deadline: datetime, family: Family | None
) -> str:
    """Alert for staff phones: no names, no message content, just where to look and by when."""
    local = deadline.astimezone(service.team_timezone()).strftime("%H:%M")
    who = f"family {family.reference}" if family else "an unmatched number"
    urgency = "URGENT" if level is Risk.EMERGENCY else "Concern"
    return (
        f"Cradle {urgency}: a message from {who} needs a response by {local}. "
        f"Open {service.settings.public_url}/escalations/{escalation_id}"
    )


async def _notify(
    service: Service,
    conn: aiosqlite.Connection,
    escalation_id: int,
    plan: core.EscalationPlan,
    recipients: list[int | str],
    family: Family | None,
    at: datetime,
) -> list[int]:
    """Record who is told at this step and queue their alerts; returns staff ids told."""
    told: list[int] = []
    on_call = service.policies.out_of_hours.on_call
    for person in recipients:
        member = None if isinstance(person, str) else await staff_store.get(service.db, person)
        for channel in plan.channels:
            address = None
            if channel is core.AlertChannel.CONSOLE:
                address = f"staff:{person}"
            elif channel is core.AlertChannel.SMS:
                address = (
                    on_call.mobile
                    if isinstance(person, str) and on_call
                    else (member.mobile if member else None)
                )
            elif channel is core.AlertChannel.TELEGRAM and member and member.telegram_chat_id:
                address = str(member.telegram_chat_id)
            if not address:
                continue
            new = await escalations.record_notice(
                conn,
                escalation_id,
                plan.step,
                None if isinstance(person, str) else person,
                address,
                channel.value,
                at,
            )
            if not new or channel is core.AlertChannel.CONSOLE:
                continue
            outbox_channel = (
                ChannelName.SMS if channel is core.AlertChannel.SMS else ChannelName.TELEGRAM
            )
            if outbox_channel not in service.transports:
                continue
            outbox_id = await outbox.enqueue(
                conn,
                OutboxDraft(
                    channel=outbox_channel,
                    recipient=address,
                    purpose="escalation",
                    body=staff_alert_text(
                        service, plan.level, escalation_id, plan.deadline, family
                    ),
                    not_before=at,
                    staff_id=None if isinstance(person, str) else person,
                    family_id=family.id if family else None,
                    urgent=True,
                    dedupe_key=f"escalation:{escalation_id}:{plan.step}:{person}:{channel.value}:{plan.notified_at.isoformat()}",
                ),
                at,
            )
            if outbox_id and outbox_channel is ChannelName.TELEGRAM:
                # Telegram hook: this alert is sent with Acknowledge and Open in console buttons.
                from bot.runtime.telegram import remember_alert

                await remember_alert(conn, outbox_id, escalation_id)
        if not isinstance(person, str):
            told.append(person)
    return told


async def _resolve(
    service: Service,
    conn: aiosqlite.Connection,
    plan: core.EscalationPlan,
    family: Family | None,
    at: datetime,
) -> tuple[core.EscalationPlan, list[int | str]]:
    staff = await staff_store.all_staff(service.db)
    cover = await cover_in_force(conn, at.astimezone(service.team_timezone()).date())
    return core.resolve_plan(
        service.policies.escalation,
        plan,
        allocated_practitioner_id=family.practitioner_id if family else None,
        staff=staff,
        cover=cover,
        on_call_available=service.policies.out_of_hours.on_call is not None,
    )


async def open_escalation(
    service: Service,
    conn: aiosqlite.Connection,
    *,
    inbound_id: int | None,
    family: Family | None,
    parent: Parent | None,
    level: Risk,
    reasons: list[str],
    at: datetime,
) -> list[int]:
    """Raise a risk message to humans at once; returns the staff ids told now."""
    in_hours = hours_core.is_open(service.policies.hours, at)
    plan = core.start_escalation(service.policies.escalation, level, at, in_hours)
    plan, recipients = await _resolve(service, conn, plan, family, at)
    escalation_id = await escalations.create(
        conn,
        inbound_id=inbound_id,
        family_id=family.id if family else None,
        parent_id=parent.id if parent else None,
        level=level,
        reasons=reasons,
        chain=plan.chain.value,
        deadline=plan.deadline,
        at=at,
    )
    if plan.step:
        await escalations.climb(conn, escalation_id, plan.step, plan.deadline)
    await audit.record(
        conn,
        at,
        "system",
        "escalation_opened",
        "escalation",
        escalation_id,
        level=level.value,
        chain=plan.chain.value,
        step=plan.step,
    )
    return await _notify(service, conn, escalation_id, plan, recipients, family, at)


async def climb_due(service: Service, at: datetime) -> int:
    """Every open escalation past its deadline goes to the next step of its chain."""
    from bot.store import families

    climbed = 0
    async with service.db.transaction() as conn:
        for row in await escalations.due(conn, at):
            family = await families.get(conn, row.family_id) if row.family_id else None
            plan = core.climb(service.policies.escalation, row.level, row.chain, row.step, at)
            plan, recipients = await _resolve(service, conn, plan, family, at)
            await escalations.climb(conn, row.id, plan.step, plan.deadline)
            await _notify(service, conn, row.id, plan, recipients, family, at)
            await audit.record(
                conn, at, "system", "escalation_climbed", "escalation", row.id, step=plan.step
            )
            climbed += 1
    if climbed:
        service.wake_outbox()
    return climbed


async def acknowledge(
    service: Service, escalation_id: int, staff_id: int, via: str = "console"
) -> bool:
    now = service.now()
    async with service.db.transaction() as conn:
        done = await escalations.acknowledge(conn, escalation_id, staff_id, now)
        if done:
            await audit.record(
                conn,
                now,
                f"staff:{staff_id}",
                "escalation_acknowledged",
                "escalation",
                escalation_id,
                via=via,
            )
    return done


async def close(service: Service, escalation_id: int, staff_id: int, action_taken: str) -> bool:
    now = service.now()
    async with service.db.transaction() as conn:
        done = await escalations.close(conn, escalation_id, staff_id, action_taken, now)
        if done:
            await audit.record(
                conn,
                now,
                f"staff:{staff_id}",
                "escalation_closed",
                "escalation",
                escalation_id,
            )
    return done


class CannotLink(ValueError):
    pass


async def link_sender(
    service: Service, escalation_id: int, parent_id: int, staff_id: int
) -> Parent:
    """The unmatched number of an escalation is this parent's: their record takes the number,
    and the escalation, the message and its queue items are theirs from now on."""
    from bot.store import families, inbound

    now = service.now()
    async with service.db.transaction() as conn:
        row = await escalations.get(service.db, escalation_id)
        parent = await families.get_parent(service.db, parent_id)
        if row is None or parent is None or parent.family_id is None:
            raise CannotLink("That parent or escalation is no longer on record")
        if row.parent_id is not None:
            raise CannotLink("This escalation is already linked to a parent")
        stored = await inbound.get(service.db, row.inbound_id) if row.inbound_id else None
        if stored is None:
            raise CannotLink("The message of this escalation is no longer on record")
        message = stored.message
        await families.set_address(conn, parent_id, message.channel.value, message.sender)
        await escalations.link_to_parent(conn, escalation_id, parent.family_id, parent_id)
        await inbound.link_to_parent(conn, stored.id, parent.family_id, parent_id)
        # Who linked which parent; never the number itself (the audit log holds no numbers).
        await audit.record(
            conn,
            now,
            f"staff:{staff_id}",
            "escalation_sender_linked",
            "escalation",
            escalation_id,
            parent_id=parent_id,
        )
    linked = await families.get_parent(service.db, parent_id)
    assert linked is not None
    return linked
