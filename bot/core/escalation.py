"""Who is told about a risky message, by when they must acknowledge, and climbing the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.core.model import Risk, Role, Staff

if TYPE_CHECKING:
    from bot.core.policy import EscalationPolicy

ON_CALL = "on_call"


class EscalationRole(StrEnum):
    ALLOCATED_PRACTITIONER = "allocated_practitioner"
    DUTY_CLINICIAN = "duty_clinician"
    CLINICAL_LEAD = "clinical_lead"
    ADMINISTRATOR = "administrator"
    ON_CALL = "on_call"


class AlertChannel(StrEnum):
    CONSOLE = "console"
    SMS = "sms"
    TELEGRAM = "telegram"


class ChainName(StrEnum):
    IN_HOURS = "in_hours"
    OUT_OF_HOURS = "out_of_hours"


@dataclass(frozen=True)
class EscalationStep:
    notify: tuple[EscalationRole, ...]
    channels: tuple[AlertChannel, ...]
    acknowledge_within: timedelta


@dataclass(frozen=True)
class EscalationPlan:
    """One step of an escalation: whom to tell now, how, and when it climbs if unacknowledged."""

    level: Risk
    chain: ChainName
    step: int  # 0-based index into the chain
    roles: tuple[EscalationRole, ...]
    channels: tuple[AlertChannel, ...]
    notified_at: datetime
    deadline: datetime
    last_step: bool  # past its deadline it repeats this step rather than climbing further


_STAFF_ROLE = {
    EscalationRole.DUTY_CLINICIAN: Role.DUTY_CLINICIAN,
    EscalationRole.CLINICAL_LEAD: Role.CLINICAL_LEAD,
    EscalationRole.ADMINISTRATOR: Role.ADMINISTRATOR,
}


def _plan(
    policy: EscalationPolicy, level: Risk, chain: ChainName, step: int, at: datetime
) -> EscalationPlan:
    _require_aware(at)
    steps = policy.chain(level, chain)
    current = steps[step]
    return EscalationPlan(
        level=level,
        chain=chain,
        step=step,
        roles=current.notify,
        channels=current.channels,
        notified_at=at,
        deadline=at + current.acknowledge_within,
        last_step=step == len(steps) - 1,
    )


def start_escalation(
    policy: EscalationPolicy, level: Risk, at: datetime, in_hours: bool
) -> EscalationPlan:
    """The first step of the in-hours or out-of-hours chain for this level of risk."""
    chain = ChainName.IN_HOURS if in_hours else ChainName.OUT_OF_HOURS
    return _plan(policy, _risky(level), chain, 0, at)


def climb(
    policy: EscalationPolicy, level: Risk, chain: str, step: int, at: datetime
) -> EscalationPlan:
    """The plan once step `step` passed its deadline unacknowledged; `at` is when it climbs.

    At the top of the chain it stays on the last step with a fresh deadline, so the
    last people are reminded at that step's interval until someone acknowledges.
    A step beyond the chain (the policy was shortened meanwhile) counts as the last.
    """
    if step < 0:
        raise ValueError(f"step must be 0 or more, got {step}")
    level, name = _risky(level), ChainName(chain)
    last = len(policy.chain(level, name)) - 1
    return _plan(policy, level, name, min(step + 1, last), at)


def resolve_recipients(
    roles: tuple[EscalationRole, ...] | list[EscalationRole],
    *,
    allocated_practitioner_id: int | None,
    staff: list[Staff],
    cover: dict[int, int],
    on_call_available: bool,
) -> list[int | str]:
    """Staff ids for these roles in order (the on-call service as "on_call"), without repeats.

    Inactive staff are skipped; someone on leave (a key of `cover`) is replaced by
    whoever covers them. Empty when no role resolves to anyone: see `resolve_plan`.
    """
    by_id = {member.id: member for member in staff if member.id is not None}
    found: list[int | str] = []
    for role in map(EscalationRole, roles):
        if role is EscalationRole.ON_CALL:
            candidates: list[int | str] = [ON_CALL] if on_call_available else []
        elif role is EscalationRole.ALLOCATED_PRACTITIONER:
            candidates = (
                [allocated_practitioner_id] if allocated_practitioner_id is not None else []
            )
        else:
            wanted = _STAFF_ROLE[role]
            candidates = [m.id for m in staff if m.role == wanted and m.id is not None]
        for candidate in candidates:
            person = candidate if isinstance(candidate, str) else _present(candidate, by_id, cover)
            if person is not None and person not in found:
                found.append(person)
    return found


def resolve_plan(
    policy: EscalationPolicy,
    plan: EscalationPlan,
    *,
    allocated_practitioner_id: int | None,
    staff: list[Staff],
    cover: dict[int, int],
    on_call_available: bool,
) -> tuple[EscalationPlan, list[int | str]]:
    """The plan actually in force and its recipients: never nobody while anyone is active.

    When a step's roles resolve to nobody it falls through to the next step, then
    wraps to the first; if the whole chain is empty, every member of staff at work is
    told, and failing that every active one, on leave or not. Only a team with no
    active staff at all gets an empty list.
    """
    resolve = {
        "allocated_practitioner_id": allocated_practitioner_id,
        "staff": staff,
        "cover": cover,
        "on_call_available": on_call_available,
    }
    recipients = resolve_recipients(plan.roles, **resolve)
    if recipients:
        return plan, recipients
    count = len(policy.chain(plan.level, plan.chain))
    for offset in range(1, count):
        step = (min(plan.step, count - 1) + offset) % count
        candidate = _plan(policy, plan.level, plan.chain, step, plan.notified_at)
        recipients = resolve_recipients(candidate.roles, **resolve)
        if recipients:
            return candidate, recipients
    by_id = {member.id: member for member in staff if member.id is not None}
    active = [member_id for member_id, member in by_id.items() if member.active]
    at_work: list[int | str] = []
    for member_id in active:
        person = _present(member_id, by_id, cover)
        if person is not None and person not in at_work:
            at_work.append(person)
    # Telling someone on leave is better than telling nobody.
    return plan, at_work or list(active)


def _present(staff_id: int, by_id: dict[int | None, Staff], cover: dict[int, int]) -> int | None:
    """The active person standing in for `staff_id` now: themselves, or their cover."""
    seen = set()
    while staff_id in cover and staff_id not in seen:
        seen.add(staff_id)
        staff_id = cover[staff_id]
    if staff_id in seen:  # cover goes round in a circle: nobody is actually in
        return None
    member = by_id.get(staff_id)
    return staff_id if member is not None and member.active else None


def _risky(level: Risk) -> Risk:
    level = Risk(level)
    if level is Risk.NONE:
        raise ValueError("only concern and emergency are escalated")
    return level


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {at!r}")


def chain_gaps(
    policy: EscalationPolicy, staff: list[Staff], *, on_call_available: bool
) -> list[str]:
    """What the team cannot staff in its escalation chains, in words for an administrator.

    A role named in a chain that no active member of staff holds is skipped when the chain
    runs (`resolve_plan`); a chain none of whose steps reaches anyone beyond the family's own
    practitioner falls back to everyone at work. Both are worth fixing before risk arrives.
    """
    held = {member.role for member in staff if member.active}
    warnings: list[str] = []
    missing: dict[EscalationRole, list[str]] = {}
    for level in (Risk.EMERGENCY, Risk.CONCERN):
        for name in ChainName:
            reaches_someone = False
            for number, step in enumerate(policy.chain(level, name), start=1):
                for role in step.notify:
                    if role is EscalationRole.ON_CALL:
                        reaches_someone |= on_call_available
                    elif role in _STAFF_ROLE:
                        if _STAFF_ROLE[role] in held:
                            reaches_someone = True
                        else:
                            where = f"{level.value} {name.value.replace('_', '-')} step {number}"
                            missing.setdefault(role, []).append(where)
            if not reaches_someone:
                warnings.append(
                    f"The {level.value} {name.value.replace('_', '-')} chain reaches nobody but"
                    " the family's own practitioner: add staff to its roles"
                )
    for role, places in missing.items():
        label = role.value.replace("_", " ")
        warnings.insert(0, f"Nobody active is a {label}: escalations skip {', '.join(places)}")
    return warnings
