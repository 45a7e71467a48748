"""Creating families and allocating them, with first contact."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core import hours as hours_core
from bot.core.first_contact import plan_first_contact
from bot.core.model import Family, Parent, Role
from bot.core.tasks import call_tasks_on_allocation
from bot.store import audit, families, outbox
from bot.store import staff as staff_store
from bot.store import tasks as task_store

if TYPE_CHECKING:
    from bot.runtime.service import Service


class NotFound(Exception):
    pass


class Conflict(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AllocationResult:
    queued: list[int]  # outbox ids
    skipped: list[tuple[Parent, str]]


async def create_family(service: Service, family: Family, actor: str) -> int:
    now = service.now()
    async with service.db.transaction() as conn:
        if await families.reference_exists(conn, family.reference):
            raise Conflict(
                f"a family with reference {family.reference!r} already exists", "reference"
            )
        family_id = await families.create(conn, family, now)
        await audit.record(
            conn, now, actor, "family_created", "family", family_id, parents=len(family.parents)
        )
    return family_id


async def allocate(
    service: Service, family_id: int, practitioner_id: int, actor: str
) -> AllocationResult:
    """Allocate a practitioner and queue first contact to every parent who may be texted."""
    now = service.now()
    practitioner = await staff_store.get(service.db, practitioner_id)
    if practitioner is None or not practitioner.active:
        raise NotFound("practitioner_id")
    if practitioner.role not in (Role.PRACTITIONER, Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD):
        raise Conflict("only clinical staff can hold a family", "practitioner_id")
    send_at = hours_core.next_sending_time(service.policies.hours, now)
    async with service.db.transaction() as conn:
        family = await families.get(conn, family_id)
        if family is None:
            raise NotFound("family")
        await families.allocate(conn, family_id, practitioner_id, now)
        plan = plan_first_contact(family, practitioner, service.wording, send_at)
        queued = []
        languages = {p.id: p.language for p in family.parents}
        for draft in plan.drafts:
            outbox_id = await outbox.enqueue(conn, draft, now)
            if outbox_id:
                queued.append(outbox_id)
                if draft.locale != languages.get(draft.parent_id):
                    # Sent in English for want of a translation: flagged to the administrator.
                    await audit.record(
                        conn,
                        now,
                        "system",
                        "translation_missing",
                        "outbox",
                        outbox_id,
                        template=draft.template,
                        locale=languages.get(draft.parent_id),
                    )
        today = now.astimezone(service.team_timezone()).date()
        if family.practitioner_id is None:  # accepted now, not handed from a colleague
            for task in call_tasks_on_allocation(family, practitioner_id, today):
                await task_store.add(conn, task, now)
            from bot.runtime.network import on_accepted

            await on_accepted(
                service, conn, replace(family, practitioner_id=practitioner_id), practitioner.name
            )
        await audit.record(
            conn,
            now,
            actor,
            "family_allocated",
            "family",
            family_id,
            practitioner_id=practitioner_id,
            first_contacts=len(queued),
            skipped=len(plan.skipped),
        )
    service.wake_outbox()
    return AllocationResult(queued, plan.skipped)
