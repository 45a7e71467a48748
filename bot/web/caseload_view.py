"""What a family's page shows beside the conversation: appointments, tasks, letters and the
professionals around the family."""

from __future__ import annotations

from typing import Any

from bot.core.network import KIND_TITLES
from bot.core.tasks import TASK_TITLES
from bot.runtime.service import Service
from bot.store import appointments as appointment_store
from bot.store import letters as letter_store
from bot.store import professionals as professional_store
from bot.store import tasks as task_store


async def caseload_context(service: Service, family_id: int) -> dict[str, Any]:
    """What the family's page shows beside the conversation."""
    return {
        "appointments": await appointment_store.for_family(service.db, family_id),
        "family_letters": await letter_store.for_family(service.db, family_id),
        "family_tasks": await task_store.for_family(service.db, family_id),
        "professionals": await professional_store.for_family(service.db, family_id),
        "task_titles": TASK_TITLES,
        "professional_kinds": [(k.value, t) for k, t in KIND_TITLES.items()],
        "now": service.now(),
    }
