"""Who may open a family today: access follows the day's duty, not history.

A clinician may open a family that is allocated to them, that they cover today, or that has
an escalation they were told about while that escalation is still open; the duty clinician
and the clinical lead may also open any family with an open escalation (the duty view lists
them all). Nothing else: when cover ends or the escalation closes, so does the access. The
administrator never reads a family's messages. Used by the console and the API alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.model import Role

DUTY_ROLES = frozenset({Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD})
CLINICAL_ROLES = frozenset({Role.PRACTITIONER, Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD})


@dataclass(frozen=True)
class Duty:
    """One member of staff's duty at one moment."""

    staff_id: int
    role: Role
    cover: Mapping[int, int] = field(default_factory=dict)  # away -> covering them now
    told_open_escalations: frozenset[int] = frozenset()  # family ids, escalation not closed
    open_escalations: frozenset[int] = frozenset()  # family ids with any escalation not closed


def holder(practitioner_id: int, cover: Mapping[int, int]) -> int:
    """Who holds a practitioner's families now: themselves, or whoever covers them."""
    seen: set[int] = set()
    current = practitioner_id
    while current in cover and current not in seen:
        seen.add(current)
        current = cover[current]
    return current


def may_open_family(duty: Duty, family_id: int | None, practitioner_id: int | None) -> bool:
    if duty.role not in CLINICAL_ROLES:
        return False
    if practitioner_id is not None and (
        practitioner_id == duty.staff_id or holder(practitioner_id, duty.cover) == duty.staff_id
    ):
        return True
    if family_id is None:
        return False
    if family_id in duty.told_open_escalations:
        return True
    return duty.role in DUTY_ROLES and family_id in duty.open_escalations


def may_see_queue(duty: Duty, *, practitioner_id: int | None, audience: str) -> bool:
    """A practitioner's queue: its owner, or whoever holds it today. The administrator's and
    the unassigned queues: the administrator (who sorts them out)."""
    if practitioner_id is not None:
        return duty.role in CLINICAL_ROLES and holder(practitioner_id, duty.cover) == duty.staff_id
    return duty.role is Role.ADMINISTRATOR and audience in ("administrator", "unassigned")
