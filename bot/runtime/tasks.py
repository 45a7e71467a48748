"""Tasks in the shell: the scheduler's due-date checks, and people logging what they did."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.tasks import TaskKind, due_date_task
from bot.runtime.families import Conflict, NotFound
from bot.runtime.network import on_first_contact
from bot.store import audit, families
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
