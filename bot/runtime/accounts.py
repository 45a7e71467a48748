"""Staff accounts over their lifetime: add, change role, reset a password, deactivate, and the
API tokens that act for them. The console and the CLI both come through here, so every
change is checked and audit-logged the same way."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from bot.core import escalation as escalation_core
from bot.core.model import Role, Staff
from bot.core.names import clean_name
from bot.passwords import hash_password, new_password_problem
from bot.runtime.service import Service
from bot.store import audit, sessions, tokens
from bot.store import console as console_store
from bot.store import staff as staff_store


class AccountError(Exception):
    """A change that cannot be made; the message says why, for the person making it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Deactivated:
    sessions_ended: int
    tokens_revoked: int
    warnings: list[str] = field(default_factory=list)


def temporary_password() -> str:
    """Four groups of random letters and digits: long, and easy to read out over the phone."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


async def _member(service: Service, staff_id: int) -> Staff:
    member = await staff_store.get(service.db, staff_id)
    if member is None:
        raise AccountError("There is no member of staff with that id", "staff_id")
    return member


async def chain_gaps(service: Service, staff: list[Staff]) -> list[str]:
    return escalation_core.chain_gaps(
        service.policies.escalation,
        staff,
        on_call_available=service.policies.out_of_hours.on_call is not None,
    )


async def add(
    service: Service,
    actor: str,
    *,
    name: str,
    email: str,
    role: Role,
    mobile: str | None = None,
    password: str | None = None,
) -> tuple[int, str | None]:
    """(the new id, a temporary password when none was given: it must be changed at sign-in)."""
    name = clean_name(name)
    email = email.strip()
    if not name:
        raise AccountError("Enter the person's name", "name")
    if "@" not in email or len(email) > 200 or any(c.isspace() for c in email):
        raise AccountError("Enter an email address like name@example.nhs.uk", "email")
    temporary = None
    if password is None:
        temporary = password = temporary_password()
    else:
        problem = new_password_problem(password, name=name, email=email)
        if problem:
            raise AccountError(problem, "password")
    password_hash = hash_password(password)
    now = service.now()
    async with service.db.transaction() as conn:
        if await staff_store.email_taken(conn, email):
            raise AccountError(f"A member of staff with email {email} already exists", "email")
        staff_id = await staff_store.add(
            conn, Staff(None, name, role, email, mobile or None), now, password_hash
        )
        if temporary is not None:
            await staff_store.set_password(conn, staff_id, password_hash, must_change=True)
        await audit.record(conn, now, actor, "staff_added", "staff", staff_id, role=role.value)
    return staff_id, temporary


async def set_role(service: Service, actor: str, staff_id: int, role: Role) -> list[str]:
    """Change someone's role; returns warnings about escalation chains left without anyone."""
    member = await _member(service, staff_id)
    if member.role is role:
        return []
    everyone = await staff_store.all_staff(service.db)
    after = [Staff(**{**vars(m), "role": role}) if m.id == staff_id else m for m in everyone]
    before_gaps = set(await chain_gaps(service, everyone))
    now = service.now()
    async with service.db.transaction() as conn:
        await staff_store.set_role(conn, staff_id, role)
        # What someone may see depends on their role: they sign in again under the new one.
        await sessions.end_all_for(conn, staff_id, now, "role_changed")
        await audit.record(
            conn,
            now,
            actor,
            "staff_role_changed",
            "staff",
            staff_id,
            previous=member.role.value,
            role=role.value,
        )
    return [w for w in await chain_gaps(service, after) if w not in before_gaps]


async def reset_password(service: Service, actor: str, staff_id: int) -> str:
    """A temporary password to give the person: it must be changed at their next sign-in.

    Their sessions end, so whoever had the old password is out at once.
    """
    member = await _member(service, staff_id)
    if not member.active:
        raise AccountError(f"{member.name}'s account is deactivated", "staff_id")
    temporary = temporary_password()
    now = service.now()
    async with service.db.transaction() as conn:
        await staff_store.set_password(conn, staff_id, hash_password(temporary), must_change=True)
        await sessions.end_all_for(conn, staff_id, now, "password_reset")
        if member.email:  # a locked-out person can sign in with the new password at once
            await sessions.clear_attempts(conn, sessions.account_key(member.email))
        await audit.record(conn, now, actor, "staff_password_reset", "staff", staff_id)
    return temporary


async def change_own_password(
    service: Service, member: Staff, new_password: str, keep_session_id: int | None
) -> None:
    """Someone chooses their own password; their other sessions end."""
    assert member.id is not None
    problem = new_password_problem(new_password, name=member.name, email=member.email or "")
    if problem:
        raise AccountError(problem, "password")
    now = service.now()
    async with service.db.transaction() as conn:
        await staff_store.set_password(
            conn, member.id, hash_password(new_password), must_change=False
        )
        for other in await sessions.open_for(service.db, member.id, now):
            if other.id != keep_session_id:
                await sessions.end(conn, other.id, now, "password_changed")
        await audit.record(
            conn, now, f"staff:{member.id}", "staff_password_changed", "staff", member.id
        )


async def deactivate(service: Service, actor: str, staff_id: int) -> Deactivated:
    """A leaver: they can no longer sign in, their sessions end at once, their API tokens are
    revoked, and escalation chains stop reaching them (chains resolve to active staff only).
    Warnings say which chains are left without anyone and which families need a new holder."""
    member = await _member(service, staff_id)
    if not member.active:
        raise AccountError(f"{member.name}'s account is already deactivated", "staff_id")
    everyone = await staff_store.all_staff(service.db)
    after = [Staff(**{**vars(m), "active": False}) if m.id == staff_id else m for m in everyone]
    if not any(m.active and m.role is Role.ADMINISTRATOR for m in after):
        raise AccountError("Cradle needs at least one active administrator", "staff_id")
    before_gaps = set(await chain_gaps(service, everyone))
    families_held = await staff_store.allocated_family_count(service.db, staff_id)
    now = service.now()
    async with service.db.transaction() as conn:
        await staff_store.set_active(conn, staff_id, False, now)
        ended = await sessions.end_all_for(conn, staff_id, now, "deactivated")
        revoked = await tokens.revoke_all_for(conn, staff_id, now)
        await audit.record(
            conn,
            now,
            actor,
            "staff_deactivated",
            "staff",
            staff_id,
            sessions_ended=ended,
            tokens_revoked=revoked,
        )
    warnings = [w for w in await chain_gaps(service, after) if w not in before_gaps]
    today = service.now().astimezone(service.team_timezone()).date()
    for cover in await console_store.covers_involving(service.db, staff_id, today):
        if cover.cover_id == staff_id:
            away = next((m.name for m in everyone if m.id == cover.practitioner_id), "a colleague")
            warnings.append(
                f"{member.name} was to cover {away} until {cover.ends_on.isoformat()}:"
                " set new cover, or their escalations skip to the next step"
            )
    if families_held:
        warnings.append(
            f"{member.name} still holds {families_held} open "
            f"famil{'y' if families_held == 1 else 'ies'}: hand them to a colleague"
        )
    return Deactivated(ended, revoked, warnings)


async def reactivate(service: Service, actor: str, staff_id: int) -> None:
    member = await _member(service, staff_id)
    if member.active:
        return
    now = service.now()
    async with service.db.transaction() as conn:
        await staff_store.set_active(conn, staff_id, True, now)
        await audit.record(conn, now, actor, "staff_reactivated", "staff", staff_id)


async def end_session(service: Service, actor: str, staff_id: int, session_id: int) -> bool:
    found = await sessions.get(service.db, session_id)
    if found is None or found.staff_id != staff_id:
        return False
    now = service.now()
    async with service.db.transaction() as conn:
        ended = await sessions.end(conn, session_id, now, "ended_by_administrator")
        if ended:
            await audit.record(
                conn, now, actor, "staff_session_ended", "staff", staff_id, session_id=session_id
            )
    return ended


async def create_token(
    service: Service,
    actor: str,
    name: str,
    *,
    staff_id: int | None = None,
    expires_at: datetime | None = None,
) -> str:
    name = clean_name(name)
    if not name:
        raise AccountError("Give the token a name that says what uses it", "name")
    now = service.now()
    if expires_at is not None and expires_at <= now:
        raise AccountError("The expiry must be in the future", "expires_at")
    if staff_id is not None and not (await _member(service, staff_id)).active:
        raise AccountError("That member of staff is deactivated", "staff_id")
    async with service.db.transaction() as conn:
        token = await tokens.create(conn, name, now, staff_id=staff_id, expires_at=expires_at)
        await audit.record(
            conn,
            now,
            actor,
            "api_token_created",
            "api_token",
            None,
            name=name,
            staff_id=staff_id,
            expires_at=expires_at.isoformat() if expires_at else None,
        )
    return token


async def revoke_token(service: Service, actor: str, token_id: int) -> bool:
    now = service.now()
    async with service.db.transaction() as conn:
        done = await tokens.revoke(conn, token_id, now)
        if done:
            await audit.record(conn, now, actor, "api_token_revoked", "api_token", token_id)
    return done


async def expire_token(service: Service, actor: str, token_id: int, at: datetime) -> bool:
    now = service.now()
    async with service.db.transaction() as conn:
        done = await tokens.set_expiry(conn, token_id, at)
        if done:
            await audit.record(
                conn,
                now,
                actor,
                "api_token_expiry_set",
                "api_token",
                token_id,
                expires_at=at.isoformat(),
            )
    return done
