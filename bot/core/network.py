"""The professionals around a family, and the letters and tasks that keep them informed.

A family's GP practice, health visitor, midwife, social worker, referrer and others. Sharing
with a professional needs the parents' consent, recorded with its date and who recorded it;
without it the team asks first (a task) and writes nothing. Letters to professionals are in
the team's language, and name only the parents who may be contacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.core.letters import LetterDraft, joined, letter_date
from bot.core.model import Family
from bot.core.tasks import TaskDraft, TaskKind


class ProfessionalKind(StrEnum):
    GP = "gp"
    HEALTH_VISITOR = "health_visitor"
    MIDWIFE = "midwife"
    SOCIAL_WORKER = "social_worker"
    REFERRER = "referrer"
    OTHER = "other"


KIND_TITLES = {
    ProfessionalKind.GP: "GP practice",
    ProfessionalKind.HEALTH_VISITOR: "Health visitor",
    ProfessionalKind.MIDWIFE: "Midwife",
    ProfessionalKind.SOCIAL_WORKER: "Social worker",
    ProfessionalKind.REFERRER: "Referrer",
    ProfessionalKind.OTHER: "Other",
}


@dataclass(frozen=True)
class Professional:
    id: int | None
    family_id: int
    kind: ProfessionalKind
    name: str = ""
    role: str = ""
    organisation: str = ""
    address: str = ""
    phone: str = ""
    secure_email: str = ""
    consent_to_share: bool = False
    consent_recorded_at: datetime | None = None
    consent_recorded_by: str | None = None

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    @property
    def display(self) -> str:
        """'Dr Asha Patel (GP practice, Hill Surgery)'."""
        detail = ", ".join(p for p in (self.role or self.title, self.organisation) if p)
        who = self.name or self.organisation or self.title
        return f"{who} ({detail})" if detail and detail != who else who


@dataclass(frozen=True)
class Letterhead:
    """The team's name, return address and phone, from policies/hours.toml [team]."""

    team_name: str
    address: str
    phone: str


def address_lines(address: str) -> list[str]:
    parts = [p.strip() for chunk in address.splitlines() for p in chunk.split(",")]
    return [p for p in parts if p]


def _safe_parent_names(family: Family) -> str:
    """The parents who may be contacted: a parent marked do not contact is never named."""
    return joined([p.name for p in family.parents if not p.do_not_contact], "en_GB")


def _letter(
    family: Family,
    kind: str,
    to: Professional,
    paragraphs: Sequence[str],
    signed_by: str,
    head: Letterhead,
    today: date,
    appointment_id: int | None = None,
) -> LetterDraft:
    assert family.id is not None
    block = [to.name or to.title, *([to.organisation] if to.organisation else [])]
    body = "\n\n".join(
        [
            letter_date(today, "en_GB"),
            "\n".join([*block, *address_lines(to.address)]),
            f"Our reference: {family.reference}",
            f"Dear {to.name or to.title},",
            *paragraphs,
            "Best wishes,",
            f"{signed_by}\n{head.team_name}\n{head.phone}",
        ]
    )
    return LetterDraft(
        kind=kind,
        family_id=family.id,
        appointment_id=appointment_id,
        locale="en_GB",
        addressed_to=to.display,
        body=body,
        professional_id=to.id,
    )


def _who(family: Family) -> str:
    parents = _safe_parent_names(family)
    baby = family.baby_display_name
    return f"{parents} and {baby}" if parents else baby


def self_referral_plan(
    family: Family,
    network: Sequence[Professional],
    practitioner_name: str,
    owner_id: int | None,
    head: Letterhead,
    today: date,
) -> tuple[list[LetterDraft], list[TaskDraft]]:
    """A self-referral accepted: draft letters to the health visitor and GP who may be told,
    a task to check and send them, and a task to ask consent for each who may not."""
    assert family.id is not None
    letters: list[LetterDraft] = []
    tasks: list[TaskDraft] = []
    for kind in (ProfessionalKind.HEALTH_VISITOR, ProfessionalKind.GP):
        known = [p for p in network if p.kind is kind]
        title = KIND_TITLES[kind].lower()
        if not known:
            tasks.append(
                TaskDraft(
                    TaskKind.ASK_CONSENT,
                    family.id,
                    f"Self-referral: no {title} recorded. Ask the parents who it is and whether"
                    " we may tell them we are working with the family.",
                    today,
                    owner_id,
                    dedupe_key=f"self_referral:consent:{family.id}:{kind.value}",
                )
            )
            continue
        for professional in known:
            if not professional.consent_to_share:
                tasks.append(
                    TaskDraft(
                        TaskKind.ASK_CONSENT,
                        family.id,
                        f"Self-referral: ask the parents' consent to tell {professional.display}"
                        " that we are working with them. No letter until they agree.",
                        today,
                        owner_id,
                        dedupe_key=f"self_referral:consent:{family.id}:{professional.id}",
                    )
                )
                continue
            letters.append(
                _letter(
                    family,
                    "self_referral",
                    professional,
                    [
                        f"Re: {_who(family)}",
                        f"The family referred themselves to {head.team_name}, with their"
                        " consent for us to let you know. We have accepted the referral, and"
                        f" {practitioner_name} will be working with them.",
                        f"If you would like to talk to us, please call {head.phone}.",
                    ],
                    practitioner_name,
                    head,
                    today,
                )
            )
    if letters:
        tasks.append(
            TaskDraft(
                TaskKind.SEND_LETTER,
                family.id,
                "Self-referral: check and send the draft letters to "
                + joined([letter.addressed_to for letter in letters], "en_GB")
                + ".",
                today,
                owner_id,
                dedupe_key=f"self_referral:letters:{family.id}",
            )
        )
    return letters, tasks


def referrer_as_professional(family: Family) -> Professional | None:
    r = family.referrer
    if not r.name:
        return None
    assert family.id is not None
    return Professional(
        None,
        family.id,
        ProfessionalKind.REFERRER,
        name=r.name,
        role=r.role,
        organisation=r.organisation,
        address=r.contact if "@" not in r.contact else "",
    )


def referrer_accepted_letter(
    family: Family, practitioner_name: str, head: Letterhead, today: date
) -> LetterDraft | None:
    """Told when the family is accepted (allocated to a practitioner)."""
    to = referrer_as_professional(family)
    if to is None or family.self_referral:
        return None
    return _letter(
        family,
        "referrer_update",
        to,
        [
            f"Re: {_who(family)}",
            f"Thank you for your referral. We have accepted it, and {practitioner_name} will"
            " be working with the family. We are getting in touch with them now.",
            "We will let you know when we have made contact.",
        ],
        practitioner_name,
        head,
        today,
    )


def referrer_first_contact_letter(
    family: Family, practitioner_name: str, head: Letterhead, today: date
) -> LetterDraft | None:
    """Told when the family has first been contacted (a first text went)."""
    to = referrer_as_professional(family)
    if to is None or family.self_referral:
        return None
    return _letter(
        family,
        "referrer_update",
        to,
        [
            f"Re: {_who(family)}",
            f"We have now been in touch with the family to arrange a first meeting with"
            f" {practitioner_name}.",
        ],
        practitioner_name,
        head,
        today,
    )


def invitation_letter(
    family: Family,
    practitioner_name: str,
    when: str,
    where: str,
    head: Letterhead,
    today: date,
    appointment_id: int,
) -> LetterDraft | None:
    """The referrer invited to the family's first appointment."""
    to = referrer_as_professional(family)
    if to is None:
        return None
    return _letter(
        family,
        "invitation",
        to,
        [
            f"Re: {_who(family)}",
            f"You would be welcome to join the family's appointment with {practitioner_name}.",
            f"When: {when}\nWhere: {where}",
            f"Please call {head.phone} to let us know if you can come.",
        ],
        practitioner_name,
        head,
        today,
        appointment_id,
    )


def after_appointment_professional_letter(
    family: Family,
    to: Professional,
    summary: str,
    when: str,
    practitioner_name: str,
    head: Letterhead,
    today: date,
    appointment_id: int,
) -> LetterDraft:
    """A copy of the appointment summary for a professional the practitioner ticked."""
    return _letter(
        family,
        "after_appointment",
        to,
        [
            f"Re: {_who(family)}",
            f"{practitioner_name} met the family on {when}. With the parents' consent, here is"
            " a short summary:",
            summary.strip(),
        ],
        practitioner_name,
        head,
        today,
        appointment_id,
    )
