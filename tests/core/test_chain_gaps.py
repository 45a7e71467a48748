"""Warnings for escalation chains the team cannot staff, after a leaver or a role change."""

from __future__ import annotations

from pathlib import Path

from bot.core.escalation import chain_gaps
from bot.core.model import Role, Staff
from bot.core.policy import load_policies

POLICY = load_policies(Path(__file__).resolve().parents[2] / "policies").escalation
TEAM = [
    Staff(1, "Amira", Role.PRACTITIONER),
    Staff(3, "Grace", Role.DUTY_CLINICIAN),
    Staff(4, "Helen", Role.CLINICAL_LEAD),
]


def test_a_fully_staffed_team_has_no_gaps() -> None:
    assert chain_gaps(POLICY, TEAM, on_call_available=True) == []


def test_without_a_clinical_lead_every_step_naming_them_is_listed() -> None:
    team = [*TEAM[:2], Staff(4, "Helen", Role.CLINICAL_LEAD, active=False)]
    gaps = chain_gaps(POLICY, team, on_call_available=True)
    assert len(gaps) == 1
    assert gaps[0].startswith("Nobody active is a clinical lead: escalations skip emergency")


def test_a_chain_that_reaches_nobody_beyond_the_practitioner_is_called_out() -> None:
    gaps = chain_gaps(POLICY, TEAM[:1], on_call_available=False)
    assert any("reaches nobody but the family's own practitioner" in g for g in gaps)
    assert any(g.startswith("Nobody active is a duty clinician") for g in gaps)
