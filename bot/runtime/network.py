"""The professional network in the shell: who surrounds a family, consent to share, and the
letters to professionals and parents that follow acceptance, first contact and appointments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.appointments import AppointmentStatus, Place, place_words
from bot.core.letters import LetterDraft, after_appointment_letters
from bot.core.model import Family
from bot.core.network import (
    Letterhead,
    Professional,
    after_appointment_professional_letter,
    invitation_letter,
    referrer_accepted_letter,
    referrer_first_contact_letter,
    self_referral_plan,
)
from bot.core.templates import format_appointment_time
from bot.runtime.families import Conflict, NotFound
from bot.store import appointments as appointment_store
from bot.store import audit, families
from bot.store import letters as letter_store
from bot.store import professionals as store
from bot.store import staff as staff_store
from bot.store import tasks as task_store

if TYPE_CHECKING:
    from bot.runtime.service import Service


def letterhead(service: Service) -> Letterhead:
    team = service.policies.team
    return Letterhead(team.name, team.address, team.phone)


def _today(service: Service, at: datetime) -> date:
    return at.astimezone(service.team_timezone()).date()


async def _practitioner_name(conn: aiosqlite.Connection, service: Service, family: Family) -> str:
    member = await staff_store.get(service.db, family.practitioner_id or 0)
    return member.name if member else service.policies.team.name


async def _add_letters(
    conn: aiosqlite.Connection, letters: Sequence[LetterDraft], at: datetime, status: str
) -> list[int]:
    return [await letter_store.add(conn, letter, at, status=status) for letter in letters]


async def on_accepted(
    service: Service, conn: aiosqlite.Connection, family: Family, practitioner_name: str
) -> None:
    """A family allocated for the first time: the referrer is told, or for a self-referral
    the health visitor and GP (with consent; otherwise a task to ask for it)."""
    assert family.id is not None
    now = service.now()
    today = _today(service, now)
    head = letterhead(service)
    if family.self_referral:
        network = await store.for_family(conn, family.id)
        letters, tasks = self_referral_plan(
            family, network, practitioner_name, family.practitioner_id, head, today
        )
        await _add_letters(conn, letters, now, "draft")
        for task in tasks:
            await task_store.add(conn, task, now)
        return
    letter = referrer_accepted_letter(family, practitioner_name, head, today)
    if letter is not None:
        await _add_letters(conn, [letter], now, "draft")


async def on_first_contact(
    service: Service, conn: aiosqlite.Connection, family_id: int, at: datetime
) -> None:
    """The family was contacted for the first time: the referrer is told."""
    family = await families.get(conn, family_id)
    if family is None:
        return
    name = await _practitioner_name(conn, service, family)
    letter = referrer_first_contact_letter(family, name, letterhead(service), _today(service, at))
    if letter is not None:
        await _add_letters(conn, [letter], at, "draft")


async def add_professional(service: Service, professional: Professional, actor: str) -> int:
    now = service.now()
    if await families.get(service.db, professional.family_id) is None:
        raise NotFound("family")
    if professional.consent_to_share:
        professional = replace(professional, consent_recorded_at=now, consent_recorded_by=actor)
    async with service.db.transaction() as conn:
        professional_id = await store.add(conn, professional, now)
        await audit.record(
            conn, now, actor, "professional_added", "family", professional.family_id,
            professional_id=professional_id, consent=professional.consent_to_share,
        )  # fmt: skip
    return professional_id


async def record_consent(service: Service, professional_id: int, consent: bool, actor: str) -> None:
    """Consent given or withdrawn, dated. For an accepted self-referral, consent given to the
    health visitor or GP drafts the letter telling them, and the task to ask is done."""
    now = service.now()
    async with service.db.transaction() as conn:
        found = await store.get(conn, professional_id)
        if found is None:
            raise NotFound("id")
        await store.set_consent(conn, professional_id, consent, actor, now)
        family = await families.get(conn, found.family_id)
        if consent and family is not None and family.self_referral and family.practitioner_id:
            name = await _practitioner_name(conn, service, family)
            given = replace(found, consent_to_share=True)
            letters, _ = self_referral_plan(
                family, [given], name, family.practitioner_id, letterhead(service),
                _today(service, now),
            )  # fmt: skip
            mine = [x for x in letters if x.professional_id == professional_id]
            if mine and not await letter_store.exists_for_professional(
                conn, professional_id, "self_referral"
            ):
                await _add_letters(conn, mine, now, "draft")
                await task_store.close_key(
                    conn, f"self_referral:consent:{found.family_id}:{professional_id}",
                    "consent given: letter drafted", actor, now,
                )  # fmt: skip
        await audit.record(
            conn, now, actor, "consent_to_share_recorded", "family", found.family_id,
            professional_id=professional_id, consent=consent,
        )  # fmt: skip


async def letters_after_appointment(
    service: Service,
    appointment_id: int,
    summary: str,
    professional_ids: Sequence[int],
    actor: str,
) -> list[int]:
    """One letter per recipient after an appointment: the parents who attended, a copy for an
    absent parent, and one for each professional ticked (who must have consent to share)."""
    now = service.now()
    summary = summary.strip()
    if not summary:
        raise Conflict("write a short summary for the letters", "summary")
    if len(summary) > 3000:
        raise Conflict("keep the summary under 3000 characters", "summary")
    appointment = await appointment_store.get(service.db, appointment_id)
    if appointment is None:
        raise NotFound("id")
    if appointment.status is not AppointmentStatus.ATTENDED:
        raise Conflict("record that the family attended before writing to them", "id")
    family = await families.get(service.db, appointment.family_id)
    assert family is not None and family.id is not None
    network = {p.id: p for p in await store.for_family(service.db, family.id)}
    chosen: list[Professional] = []
    for index, pid in enumerate(professional_ids):
        found = network.get(pid)
        if found is None:
            raise Conflict("not one of this family's professionals", f"professionals[{index}]")
        if not found.consent_to_share:
            raise Conflict(
                f"the parents have not consented to sharing with {found.display}",
                f"professionals[{index}]",
            )
        chosen.append(found)
    tz = service.team_timezone()
    today = _today(service, now)
    async with service.db.transaction() as conn:
        name = await _practitioner_name(conn, service, family)
        drafts = after_appointment_letters(
            appointment,
            family,
            name,
            summary,
            copies_to=[p.display for p in chosen],
            wording=service.wording,
            tz=tz,
            today=today,
        )
        when = format_appointment_time(appointment.starts_at, "en_GB", tz)
        drafts += [
            after_appointment_professional_letter(
                family, p, summary, when, name, letterhead(service), today, appointment_id
            )
            for p in chosen
        ]
        ids = await _add_letters(conn, drafts, now, "waiting")
        await appointment_store.set_summary(conn, appointment_id, summary)
        await audit.record(
            conn, now, actor, "letters_after_appointment", "appointment", appointment_id,
            letters=len(ids), professionals=len(chosen),
        )  # fmt: skip
    return ids


async def invite_referrer(service: Service, appointment_id: int, actor: str) -> int:
    """Invite the referrer to the family's first appointment: a letter, and a mark on it."""
    now = service.now()
    appointment = await appointment_store.get(service.db, appointment_id)
    if appointment is None:
        raise NotFound("id")
    if appointment.status is not AppointmentStatus.BOOKED or appointment.starts_at <= now:
        raise Conflict("only an appointment still to come can have guests", "id")
    family = await families.get(service.db, appointment.family_id)
    assert family is not None
    if not family.referrer.name:
        raise Conflict("the family has no referrer to invite", "referrer")
    tz = service.team_timezone()
    async with service.db.transaction() as conn:
        if not await appointment_store.mark_referrer_invited(conn, appointment_id):
            raise Conflict("the referrer is already invited", "id")
        name = await _practitioner_name(conn, service, family)
        where = place_words(Place(appointment.place), appointment.address, "en_GB")
        letter = invitation_letter(
            family,
            name,
            format_appointment_time(appointment.starts_at, "en_GB", tz),
            where,
            letterhead(service),
            _today(service, now),
            appointment_id,
        )
        assert letter is not None
        [letter_id] = await _add_letters(conn, [letter], now, "waiting")
        await audit.record(
            conn, now, actor, "referrer_invited", "appointment", appointment_id,
            letter_id=letter_id,
        )  # fmt: skip
    return letter_id
