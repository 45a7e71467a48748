"""Tasks in the shell: the scheduler's due-date checks, and people logging what they did."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.model import Parent
from bot.core.tasks import TaskKind, due_date_task
from bot.runtime.families import Conflict, NotFound
from bot.runtime.network import on_first_contact
from bot.store import audit, caseload, families
from bot.store import tasks as store

if TYPE_CHECKING:
    from bot.runtime.service import Service


async def run_due_dates(service: Service, at: datetime) -> int:
    """A task to record the birth for each open family whose expected date has passed."""
    today = at.astimezone(service.team_timezone()).date()
    made = 0
    for family_id, due, practitioner_id in await store.births_overdue(service.db, today):
        task = due_date_task(family_id, due, None, practitioner_id, today)
        if task is None:
            continue
        async with service.db.transaction() as conn:
            task_id = await store.add(conn, task, at)
            if task_id is not None:
                made += 1
                await audit.record(conn, at, "scheduler", "task_created", "task", task_id)
    return made


async def complete_task(
    service: Service, task_id: int, outcome: str, actor: str, *, call_made: bool = False
) -> store.Task:
    """Log a task's outcome. A call logged (answered or not) counts as a contact attempt."""
    now = service.now()
    outcome = outcome.strip()
    if not outcome:
        raise Conflict("say what happened", "outcome")
    async with service.db.transaction() as conn:
        task = await store.get(conn, task_id)
        if task is None:
            raise NotFound("id")
        counts = call_made and task.kind is TaskKind.CALL_PARENT
        if not await store.complete(
            conn, task_id, outcome, counts_as_attempt=counts, by=actor, at=now
        ):
            raise Conflict("the task is already done", "id")
        if counts and await families.mark_first_contact(conn, task.family_id, now):
            await on_first_contact(service, conn, task.family_id, now)  # rung, never texted
        await audit.record(conn, now, actor, "task_done", "task", task_id, contact_attempt=counts)
    done = await store.get(service.db, task_id)
    assert done is not None
    return done


async def link_unmatched_number(
    service: Service, item_id: int, parent_id: int, actor: str
) -> Parent:
    """A message from a number Cradle could not match: the administrator says whose it is.

    The parent's record takes the number, the message becomes theirs, and the waiting item
    moves to their family's practitioner (or whoever covers them today).
    """
    from bot.store import families as family_store
    from bot.store import inbound, queue
    from bot.store.escalations import cover_in_force

    now = service.now()
    item = await queue.get(service.db, item_id)
    parent = await family_store.get_parent(service.db, parent_id)
    if item is None or item.inbound_id is None or item.family_id is not None:
        raise NotFound("id")
    if parent is None or parent.family_id is None:
        raise Conflict("choose a parent on record", "parent_id")
    if parent.do_not_contact:
        raise Conflict("that parent is marked do not contact: ask their practitioner", "parent_id")
    stored = await inbound.get(service.db, item.inbound_id)
    if stored is None:
        raise NotFound("id")
    family = await family_store.get(service.db, parent.family_id)
    assert family is not None
    async with service.db.transaction() as conn:
        holder = family.practitioner_id
        if holder is not None:
            cover = await cover_in_force(conn, now.astimezone(service.team_timezone()).date())
            holder = cover.get(holder, holder)
        await caseload.link_unmatched(
            conn,
            stored.id,
            parent.family_id,
            parent_id,
            stored.message.channel.value,
            stored.message.sender,
        )
        await caseload.move_item(conn, item.id, parent.family_id, parent_id, holder)
        # Who linked which parent; never the number itself (the audit log holds no numbers).
        await audit.record(
            conn, now, actor, "unmatched_number_linked", "parent", parent_id, queue_item=item.id
        )
    linked = await family_store.get_parent(service.db, parent_id)
    assert linked is not None
    return linked
