"""The demo's guide tells the truth about the demo's data."""

from __future__ import annotations

from datetime import date

from bot import demo
from bot.core.model import Risk
from bot.core.triage import load_triage_rules, triage
from tests.conftest import ROOT

FAMILIES = demo.demo_families(date(2026, 11, 24))
GUIDE = " ".join(f"{who}: {why}" for who, why in demo.WHO_IS_WHO)
LINES = {who: f"{who}: {why}" for who, why in demo.WHO_IS_WHO}


def line_for(reference: str) -> str:
    return next(text for who, text in LINES.items() if reference in who)


def test_every_family_and_parent_is_introduced_by_the_name_they_were_given() -> None:
    for family in FAMILIES:
        line = line_for(family.reference)
        for parent in family.parents:
            first, last = parent.name.split(" ", 1)
            assert first in line and last in line, (parent.name, line)


def test_each_family_is_there_for_the_reason_the_guide_gives() -> None:
    do_not_contact = [(f, p) for f in FAMILIES for p in f.parents if p.do_not_contact]
    assert len(do_not_contact) == 1
    family, parent = do_not_contact[0]
    assert parent.relationship == "father" and "do not contact" in line_for(family.reference)
    assert any(
        len(f.parents) == 2 and not any(p.do_not_contact for p in f.parents) for f in FAMILIES
    )
    for family in FAMILIES:
        line = line_for(family.reference)
        needs = any(parent.needs_literacy_support for parent in family.parents)
        assert ("literacy support" in line) == needs, line
        languages = {parent.language for parent in family.parents}
        assert ("Urdu" in line) == ("ur" in languages), line
        assert ("Polish" in line) == ("pl" in languages), line
    assert any(p.language == "ur" for f in FAMILIES for p in f.parents)


def test_the_staff_named_in_the_guide_exist_with_the_roles_it_gives() -> None:
    staff = {member.name: member for member in demo.STAFF}
    assert (
        "Grace Okafor, duty clinician" in GUIDE and staff["Grace Okafor"].role == "duty_clinician"
    )
    assert "Helen Price, clinical lead" in GUIDE and staff["Helen Price"].role == "clinical_lead"
    for thing in demo.THINGS_TO_TRY:
        for email in (word.strip("().,") for word in thing.split() if "@" in word):
            assert email in {member.email for member in demo.STAFF}


def test_the_suggested_risk_message_reaches_the_duty_clinician_at_once() -> None:
    """An emergency: the duty clinician is on the first step of both chains (not a concern,
    which reaches them only after the practitioner's deadline)."""
    rules = load_triage_rules(ROOT / "policies")
    assert triage(demo.RISK_EXAMPLE, rules).risk is Risk.EMERGENCY
    assert demo.RISK_EXAMPLE in " ".join(demo.THINGS_TO_TRY)
