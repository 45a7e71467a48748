"""Letters: who an appointment letter is to, who gets a copy, and its words.

Letters go to the parents who will attend, copied to an absent parent and (when the policy
says so) to the referrer, in the parent's language. A parent marked do-not-contact receives
no letter, no copy, and is never named in a letter: it may be read by the other parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from babel.dates import format_date

from bot.core.appointments import Appointment, place_words
from bot.core.first_contact import first_name
from bot.core.model import Family, Parent
from bot.core.templates import FALLBACK_LOCALE, format_appointment_time

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.wording import Wording

APPOINTMENT_LETTER = "appointment_letter"
AFTER_APPOINTMENT_LETTER = "after_appointment_letter"
REFER_BACK_LETTER = "refer_back_letter"
_DATE_PATTERN = "d MMMM y"
_AND = {"en_GB": "and", "pl": "i", "ur": "اور"}
_WELSH_VOWELS = "aeiouwyâêîôûŵŷAEIOUWYÂÊÎÔÛŴŶ"
# Stands in for an empty list of copies, so the line that would show it can be left out.
_NO_COPIES = "\u2063no-copies\u2063"


@dataclass(frozen=True)
class LetterDraft:
    kind: str  # appointment | refer_back
    family_id: int
    appointment_id: int | None
    locale: str
    addressed_to: str  # the names on the envelope, for the list of letters to print
    body: str
    parent_ids: tuple[int, ...] = ()  # the parents it is addressed to
    professional_id: int | None = None  # the professional it is addressed to


def joined(names: Sequence[str], locale: str) -> str:
    """'Chloe and Dan', 'Chloe a Dan', 'Ana ac Iwan': names joined as the language joins them."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    last = names[-1]
    if locale == "cy":
        word = "ac" if last[:1] in _WELSH_VOWELS else "a"
    else:
        word = _AND.get(locale, _AND[FALLBACK_LOCALE])
    return f"{', '.join(names[:-1])} {word} {last}"


def letter_date(today: date, locale: str) -> str:
    return format_date(today, _DATE_PATTERN, locale=locale)


def _address_lines(address: str) -> list[str]:
    parts = [p.strip() for chunk in address.splitlines() for p in chunk.split(",")]
    return [p for p in parts if p]


def _render(
    wording: Wording, message: str, locale: str, values: dict[str, str], easy: bool
) -> tuple[str, str]:
    """(body, locale used); a 'Copies to' line with nobody to list is left out."""
    empty = values.get("copies", "") == ""
    if empty:
        values = {**values, "copies": _NO_COPIES}
    rendered = wording.render(message, locale=locale, values=values, easy_read=easy)
    body = rendered.body
    if empty:
        body = "\n".join(line for line in body.splitlines() if _NO_COPIES not in line).rstrip()
    return body, rendered.locale


def referrer_copy(family: Family) -> str:
    r = family.referrer
    if not r.name:
        return ""
    detail = ", ".join(part for part in (r.role, r.organisation) if part)
    return f"{r.name} ({detail})" if detail else r.name


def appointment_letters(
    appointment: Appointment,
    family: Family,
    practitioner_name: str,
    *,
    copy_referrer: bool,
    wording: Wording,
    tz: ZoneInfo,
    today: date,
) -> list[LetterDraft]:
    """A letter for each household of attending parents where someone asked for letters.

    Attending parents at one address share a letter, in the language of the parent who
    needs it and in easy-read wording.
    """
    safe = [p for p in family.parents if not p.do_not_contact and p.id is not None]
    attending = [p for p in safe if p.id in appointment.expected]
    absent = [p for p in safe if p.id not in appointment.expected]
    households: dict[str, list[Parent]] = {}
    for parent in attending:
        households.setdefault(" ".join(parent.address.lower().split()), []).append(parent)
    letters = []
    for members in households.values():
        readers = [p for p in members if p.needs_literacy_support]
        if not readers:
            continue
        locale = readers[0].language
        copies = [p.name for p in absent]
        if copy_referrer and referrer_copy(family):
            copies.append(referrer_copy(family))
        recipients = [p.name for p in members] + _address_lines(members[0].address)
        values = {
            "recipients": "\n".join(recipients),
            "parent_name": joined([first_name(p.name) for p in members], locale),
            "practitioner_name": first_name(practitioner_name),
            "appointment_time": format_appointment_time(appointment.starts_at, locale, tz),
            "place": place_words(appointment.place, appointment.address, locale),
            "family_reference": family.reference,
            "letter_date": letter_date(today, locale),
            "copies": "; ".join(copies),
        }
        body, used = _render(wording, APPOINTMENT_LETTER, locale, values, easy=True)
        letters.append(
            LetterDraft(
                kind="appointment",
                family_id=appointment.family_id,
                appointment_id=appointment.id,
                locale=used,
                addressed_to=", ".join(p.name for p in members),
                body=body,
                parent_ids=tuple(p.id for p in members if p.id is not None),
            )
        )
    return letters


def refer_back_letter(
    family: Family,
    practitioner_name: str,
    *,
    wording: Wording,
    today: date,
    contact_attempts: str,
) -> LetterDraft | None:
    """The draft letter passing a family back to its referrer; None when nobody referred them."""
    assert family.id is not None
    if not family.referrer.name:
        return None
    named = [p.name for p in family.parents if not p.do_not_contact]
    locale = FALLBACK_LOCALE  # to a professional, in the team's language
    values = {
        "referrer_name": family.referrer.name,
        "parent_name": joined(named, locale) or (family.mother_name or ""),
        "baby_name": family.baby_display_name,
        "practitioner_name": first_name(practitioner_name),
        "family_reference": family.reference,
        "letter_date": letter_date(today, locale),
        "copies": "",
        "contact_attempts": contact_attempts,
    }
    body, used = _render(wording, REFER_BACK_LETTER, locale, values, easy=False)
    return LetterDraft(
        kind="refer_back",
        family_id=family.id,
        appointment_id=None,
        locale=used,
        addressed_to=referrer_copy(family),
        body=body,
    )


def after_appointment_letters(
    appointment: Appointment,
    family: Family,
    practitioner_name: str,
    summary: str,
    *,
    copies_to: Sequence[str],
    wording: Wording,
    tz: ZoneInfo,
    today: date,
) -> list[LetterDraft]:
    """The practitioner's summary: one letter per household of parents who attended, and a
    copy for each absent parent. A parent marked do not contact gets nothing and is never
    named. `copies_to` names the professionals who receive a copy (their letters are apart).
    """
    safe = [p for p in family.parents if not p.do_not_contact and p.id is not None]
    attending = [p for p in safe if p.id in appointment.expected]
    absent = [p for p in safe if p.id not in appointment.expected]
    households: dict[str, list[Parent]] = {}
    for parent in attending:
        households.setdefault(" ".join(parent.address.lower().split()), []).append(parent)
    groups = [(members, False) for members in households.values()]
    groups += [([parent], True) for parent in absent]
    letters = []
    for members, is_copy in groups:
        locale = members[0].language
        others = [p.name for p in safe if p not in members]
        copies = [*others, *copies_to]
        values = {
            "recipients": "\n".join([p.name for p in members] + _address_lines(members[0].address)),
            "parent_name": joined([first_name(p.name) for p in members], locale),
            "practitioner_name": first_name(practitioner_name),
            "appointment_time": format_appointment_time(appointment.starts_at, locale, tz),
            "summary": summary.strip(),
            "family_reference": family.reference,
            "letter_date": letter_date(today, locale),
            "copies": "; ".join(copies),
        }
        easy = any(p.needs_literacy_support for p in members)
        body, used = _render(wording, AFTER_APPOINTMENT_LETTER, locale, values, easy=easy)
        names = ", ".join(p.name for p in members)
        letters.append(
            LetterDraft(
                kind="after_appointment",
                family_id=appointment.family_id,
                appointment_id=appointment.id,
                locale=used,
                addressed_to=f"{names} (copy)" if is_copy else names,
                body=body,
                parent_ids=tuple(p.id for p in members if p.id is not None),
            )
        )
    return letters
