from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.escalation import (
    ON_CALL,
    AlertChannel,
    ChainName,
    EscalationRole,
    climb,
    resolve_plan,
    resolve_recipients,
    start_escalation,
)
from bot.core.model import Risk, Role, Staff
from bot.core.policy import EscalationPolicy, load_policies

POLICIES = Path(__file__).resolve().parents[2] / "policies"
AT = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/London"))

ALLOCATED = EscalationRole.ALLOCATED_PRACTITIONER
DUTY = EscalationRole.DUTY_CLINICIAN
LEAD = EscalationRole.CLINICAL_LEAD


def staff_member(id_: int, role: Role, *, active: bool = True) -> Staff:
    return Staff(id=id_, name=f"Staff {id_}", role=role, active=active)


TEAM = [
    staff_member(1, Role.PRACTITIONER),
    staff_member(2, Role.PRACTITIONER),
    staff_member(3, Role.DUTY_CLINICIAN),
    staff_member(4, Role.CLINICAL_LEAD),
    staff_member(5, Role.ADMINISTRATOR),
    staff_member(6, Role.DUTY_CLINICIAN, active=False),  # has left the team
]


@pytest.fixture(scope="module")
def policy() -> EscalationPolicy:
    return load_policies(POLICIES).escalation


def test_an_emergency_in_hours_tells_the_practitioner_and_duty_clinician_at_once(policy):
    plan = start_escalation(policy, Risk.EMERGENCY, AT, in_hours=True)
    assert (plan.chain, plan.step) == (ChainName.IN_HOURS, 0)
    assert plan.roles == (ALLOCATED, DUTY)
    assert AlertChannel.SMS in plan.channels
    assert plan.deadline == AT + timedelta(minutes=15)


@pytest.mark.parametrize("level", [Risk.EMERGENCY, Risk.CONCERN])
def test_out_of_hours_uses_the_out_of_hours_chain(policy, level):
    plan = start_escalation(policy, level, AT, in_hours=False)
    assert plan.chain == "out_of_hours"
    assert plan.roles == (EscalationRole.ON_CALL, DUTY)
    assert plan.deadline - AT <= timedelta(hours=1)


def test_an_unacknowledged_concern_climbs_at_each_deadline_then_repeats_the_last_step(policy):
    plan = start_escalation(policy, Risk.CONCERN, AT, in_hours=True)
    seen = [(plan.step, plan.roles, plan.deadline - AT)]
    for _ in range(3):
        plan = climb(policy, plan.level, plan.chain, plan.step, plan.deadline)
        seen.append((plan.step, plan.roles, plan.deadline - AT))
    assert seen == [
        (0, (ALLOCATED,), timedelta(hours=4)),
        (1, (DUTY,), timedelta(hours=5)),
        (2, (LEAD,), timedelta(hours=6)),
        (2, (LEAD,), timedelta(hours=7)),  # the top: the lead again, an hour later
    ]
    assert plan.last_step


def test_climbing_late_gives_the_next_person_their_full_time(policy):
    late = AT + timedelta(minutes=40)
    plan = climb(policy, Risk.EMERGENCY, "in_hours", 0, late)
    assert plan.roles == (LEAD,)
    assert plan.notified_at == late
    assert plan.deadline == late + timedelta(minutes=15)


def test_a_message_without_risk_is_not_escalated(policy):
    with pytest.raises(ValueError):
        start_escalation(policy, Risk.NONE, AT, in_hours=True)


def recipients(roles, allocated=1, staff=TEAM, cover=None, on_call=False):
    return resolve_recipients(
        roles,
        allocated_practitioner_id=allocated,
        staff=staff,
        cover=cover or {},
        on_call_available=on_call,
    )


@pytest.mark.parametrize(
    ("roles", "kwargs", "expected"),
    [
        ((ALLOCATED, DUTY), {}, [1, 3]),  # the inactive duty clinician is not told
        ((ALLOCATED, DUTY), {"cover": {1: 2}}, [2, 3]),  # practitioner 1 on leave, 2 covers
        ((ALLOCATED, DUTY), {"cover": {1: 2, 2: 5}}, [5, 3]),  # the cover is away too
        ((ALLOCATED, DUTY), {"cover": {1: 2, 2: 1}}, [3]),  # both away: nobody is in
        ((ALLOCATED, DUTY), {"allocated": 3}, [3]),  # told once, though named twice
        ((ALLOCATED,), {"allocated": None}, []),  # an unallocated family
        ((DUTY, LEAD), {"cover": {3: 4}}, [4]),
        ((EscalationRole.ON_CALL, DUTY), {"on_call": True}, [ON_CALL, 3]),
        ((EscalationRole.ON_CALL, DUTY), {"on_call": False}, [3]),
        ((EscalationRole.ADMINISTRATOR,), {}, [5]),
    ],
)
def test_resolve_recipients(roles, kwargs, expected):
    assert recipients(roles, **kwargs) == expected


def resolve(policy, plan, staff, *, cover=None, on_call=False, allocated=1):
    return resolve_plan(
        policy,
        plan,
        allocated_practitioner_id=allocated,
        staff=staff,
        cover=cover or {},
        on_call_available=on_call,
    )


def test_a_step_with_nobody_available_falls_through_to_the_next(policy):
    """Out of hours with no on-call named and no duty clinician: the clinical lead is told."""
    plan = start_escalation(policy, Risk.EMERGENCY, AT, in_hours=False)
    team = [m for m in TEAM if m.role is not Role.DUTY_CLINICIAN]
    in_force, told = resolve(policy, plan, team)
    assert told == [4]
    assert in_force.step == 1 and in_force.roles == (LEAD,)
    assert in_force.deadline == AT + timedelta(minutes=15)


def test_an_absent_clinical_lead_at_the_top_goes_back_to_the_start_of_the_chain(policy):
    top = climb(policy, Risk.CONCERN, "in_hours", 5, AT)
    assert top.last_step
    team = [m for m in TEAM if m.role is not Role.CLINICAL_LEAD]
    in_force, told = resolve(policy, top, team, cover={1: 2})
    assert (in_force.step, told) == (0, [2])


def test_when_the_whole_chain_is_absent_every_colleague_at_work_is_told(policy):
    plan = start_escalation(policy, Risk.CONCERN, AT, in_hours=True)
    only_admin = [staff_member(5, Role.ADMINISTRATOR), staff_member(7, Role.PRACTITIONER)]
    _, told = resolve(policy, plan, only_admin, allocated=None)
    assert told == [5, 7]
    _, told = resolve(policy, plan, only_admin, allocated=None, cover={7: 5})
    assert told == [5]


def test_when_everyone_is_on_leave_they_are_told_rather_than_nobody(policy):
    plan = start_escalation(policy, Risk.EMERGENCY, AT, in_hours=False)
    on_leave = [staff_member(2, Role.PRACTITIONER), staff_member(4, Role.CLINICAL_LEAD)]
    _, told = resolve(policy, plan, on_leave, cover={2: 4, 4: 2})
    assert told == [2, 4]


ACTIVE = [m for m in TEAM if m.active]


@pytest.mark.parametrize("level", [Risk.EMERGENCY, Risk.CONCERN])
@pytest.mark.parametrize("in_hours", [True, False])
def test_an_escalation_never_resolves_to_nobody_while_anyone_is_active(policy, level, in_hours):
    """Every step, every mix of absent staff, on leave or not, on call or not."""
    plan = start_escalation(policy, level, AT, in_hours=in_hours)
    steps = [plan]
    while not steps[-1].last_step:
        steps.append(climb(policy, level, plan.chain, steps[-1].step, AT))
    for size in range(1, len(ACTIVE) + 1):
        for present in combinations(ACTIVE, size):
            ids = [m.id for m in present]
            for cover in ({}, {1: 2}, {ids[0]: 99}, {i: 99 for i in ids}):
                for on_call in (True, False):
                    for step in steps:
                        in_force, told = resolve(
                            policy, step, list(present), cover=cover, on_call=on_call
                        )
                        assert told, (level, in_hours, step.step, ids, cover, on_call)
                        assert in_force.deadline > AT
