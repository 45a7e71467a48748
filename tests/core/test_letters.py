"""Appointment letters: to the parents who will attend, copied to others, never naming a
parent who must not be contacted; and the draft letter to the referrer."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.appointments import Appointment, AppointmentKind, Place
from bot.core.letters import appointment_letters, joined, refer_back_letter
from bot.core.model import Family, Parent, Referrer
from bot.core.policy import load_policies
from bot.core.templates import load_catalogue, load_defaults
from bot.core.wording import Wording

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def wording() -> Wording:
    team = load_policies(ROOT / "policies").team
    return Wording(
        load_defaults(ROOT / "messages"),
        load_catalogue(ROOT / "messages"),
        {"team_name": team.name, "team_phone": team.phone},
    )


CHLOE = Parent(1, "Chloe Martin", address="12 Hill Street, Bristol, BS1 4AB", wants_letters=True)
DAN = Parent(2, "Dan Martin", address="12 Hill Street, Bristol, BS1 4AB")
RYAN = Parent(
    3,
    "Ryan Cole",
    address="4 Quay Road, Bristol",
    do_not_contact=True,
    do_not_contact_reason="safeguarding",
)
NAN = Parent(4, "Maureen Martin", relationship="grandmother", address="9 Elm Close, Bath")


def family(*parents: Parent) -> Family:
    return Family(
        id=5,
        reference="PIR-1001",
        mother_name="Chloe Martin",
        due_date=date(2027, 1, 15),
        referrer=Referrer("Priya Nair", "Midwife", "City Maternity"),
        parents=list(parents),
    )


def appointment(expected: tuple[int, ...]) -> Appointment:
    return Appointment(
        id=10,
        family_id=5,
        practitioner_id=3,
        kind=AppointmentKind.FIRST,
        starts_at=datetime(2026, 12, 3, 14, 0, tzinfo=LONDON),
        duration=timedelta(hours=1),
        place=Place.CLINIC,
        address="Rosebank Children's Centre, 4 Mill Lane",
        expected=expected,
    )


def letters(wording: Wording, fam: Family, expected: tuple[int, ...], copy: bool = True):  # noqa: ANN201
    return appointment_letters(
        appointment(expected),
        fam,
        "Amira Shah",
        copy_referrer=copy,
        wording=wording,
        tz=LONDON,
        today=TODAY,
    )


def test_one_letter_to_the_household_that_asked_for_letters(wording: Wording) -> None:
    [letter] = letters(wording, family(CHLOE, DAN, NAN), (1, 2))
    assert letter.addressed_to == "Chloe Martin, Dan Martin"
    assert letter.parent_ids == (1, 2)
    body = letter.body
    assert body.startswith("24 November 2026")
    assert "Chloe Martin\nDan Martin\n12 Hill Street\nBristol\nBS1 4AB" in body
    assert "Dear Chloe and Dan," in body
    assert "Thursday 3 December at 2pm" in body
    assert "Rosebank Children's Centre, 4 Mill Lane" in body
    assert "Amira" in body and "Shah" not in body
    # Copied to the absent grandmother and to the referrer.
    assert "Copies to: Maureen Martin; Priya Nair (Midwife, City Maternity)" in body


def test_easy_read_wording_for_a_parent_who_needs_literacy_support(wording: Wording) -> None:
    [letter] = letters(wording, family(CHLOE), (1,))
    assert "We would like to see you." in letter.body


def test_no_letter_when_nobody_attending_asked_for_one(wording: Wording) -> None:
    assert letters(wording, family(CHLOE, DAN), (2,)) == []


def test_no_referrer_copy_when_the_policy_says_not(wording: Wording) -> None:
    [letter] = letters(wording, family(CHLOE), (1,), copy=False)
    assert "Copies to" not in letter.body and "Priya" not in letter.body


def test_a_do_not_contact_parent_is_never_named_nor_sent_a_letter(wording: Wording) -> None:
    ryan_wants_letters = replace(RYAN, wants_letters=True)
    for expected in [(1,), (1, 3)]:  # absent, or even listed as expected
        found = letters(wording, family(CHLOE, ryan_wants_letters), expected)
        assert [letter.parent_ids for letter in found] == [(1,)]
        for letter in found:
            assert "Ryan" not in letter.body and "Cole" not in letter.body
            assert "Quay Road" not in letter.body and "Ryan" not in letter.addressed_to


def test_the_letter_is_in_the_parents_language(wording: Wording) -> None:
    welsh = replace(CHLOE, language="cy")
    [letter] = letters(wording, family(welsh, replace(DAN, name="Iwan Martin")), (1, 2))
    assert letter.locale == "cy"
    assert "Chloe ac Iwan" in letter.body
    assert "24 Tachwedd 2026" in letter.body


@pytest.mark.parametrize(
    ("names", "locale", "expected"),
    [
        (["Chloe"], "en_GB", "Chloe"),
        (["Chloe", "Dan"], "en_GB", "Chloe and Dan"),
        (["Chloe", "Dan"], "cy", "Chloe a Dan"),
        (["Chloe", "Iwan"], "cy", "Chloe ac Iwan"),
        (["Ola", "Jan"], "pl", "Ola i Jan"),
        (["Ayesha", "Imran", "Sara"], "en_GB", "Ayesha, Imran and Sara"),
    ],
)
def test_names_are_joined_as_the_language_joins_them(
    names: list[str], locale: str, expected: str
) -> None:
    assert joined(names, locale) == expected


def test_the_draft_letter_to_the_referrer(wording: Wording) -> None:
    letter = refer_back_letter(
        family(CHLOE, RYAN), "Amira Shah", wording=wording, today=TODAY, contact_attempts="by text"
    )
    assert letter is not None and letter.kind == "refer_back"
    assert letter.addressed_to == "Priya Nair (Midwife, City Maternity)"
    assert "Dear Priya Nair," in letter.body
    assert "Our reference: PIR-1001" in letter.body
    assert "Chloe Martin and Baby of Chloe Martin" in letter.body
    assert "Ryan" not in letter.body
    assert "Copies to" not in letter.body
    assert "tried to get in touch by text." in letter.body


def test_no_draft_letter_for_a_family_with_no_referrer(wording: Wording) -> None:
    self_referred = replace(family(CHLOE), referrer=Referrer(), self_referral=True)
    assert (
        refer_back_letter(
            self_referred, "Amira Shah", wording=wording, today=TODAY, contact_attempts="by text"
        )
        is None
    )
