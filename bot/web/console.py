"""The staff console: its start page, and who may see what (shared by every console area).

The areas are console_queue (a practitioner's queue and cover), console_family (a family's
conversation), console_escalations (the duty view), and the administrator's console_admin,
console_admin_families and console_admin_appointments. Sign-in, sessions and CSRF are in auth.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from aiohttp import web
from babel import Locale

from bot.core import access
from bot.core.model import Family, Role, Staff
from bot.runtime.service import Service
from bot.store import console as console_store
from bot.store import staff as staff_store
from bot.store.escalations import EscalationRow, cover_in_force
from bot.web import auth
from bot.web.errors import LARGEST_ID
from bot.web.keys import SERVICE
from bot.web.validation import LANGUAGES

routes = web.RouteTableDef()

DUTY_ROLES = (Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD)


@dataclass(frozen=True)
class Viewer:
    """A signed-in member of staff on one day, with what decides what they may see."""

    staff: Staff
    today: date
    cover: Mapping[int, int] = field(default_factory=dict)  # away -> covering them today
    notified_families: frozenset[int] = frozenset()  # open escalations they were told about
    escalated_families: frozenset[int] = frozenset()  # any open escalation, for the duty roles

    @property
    def id(self) -> int:
        assert self.staff.id is not None
        return self.staff.id

    @property
    def on_duty_rota(self) -> bool:
        return self.staff.role in DUTY_ROLES

    def holder(self, practitioner_id: int) -> int:
        """Who holds this practitioner's families today: themselves, or whoever covers them."""
        return access.holder(practitioner_id, self.cover)

    @property
    def duty(self) -> access.Duty:
        return access.Duty(
            staff_id=self.id,
            role=self.staff.role,
            cover=self.cover,
            told_open_escalations=self.notified_families,
            open_escalations=self.escalated_families,
        )

    def holds(self, practitioner_id: int | None) -> bool:
        return practitioner_id is not None and self.holder(practitioner_id) == self.id

    def practitioners_held(self, staff_ids: Iterable[int]) -> list[int]:
        """The practitioners (this person included) whose queues this person has today."""
        return [member for member in staff_ids if self.holds(member)]

    def may_open_family(self, family: Family) -> bool:
        """Allocated to them, covered by them today, or an open escalation of it came to them."""
        return access.may_open_family(self.duty, family.id, family.practitioner_id)

    def may_see_escalation(self, row: EscalationRow, family: Family | None, notified: bool) -> bool:
        # Being told of an escalation opens it while it is open; after that, only by duty.
        if self.on_duty_rota or (notified and row.status != "closed"):
            return True
        if self.staff.role is Role.ADMINISTRATOR or family is None:
            return False
        return family.practitioner_id == self.id or self.holds(family.practitioner_id)

    def may_read_escalation_message(self, family: Family | None) -> bool:
        """The administrator is told an escalation exists, never what the parent wrote."""
        if self.staff.role is Role.ADMINISTRATOR:
            return False
        return family is None or self.may_open_family(family) or self.on_duty_rota


def team_today(service: Service) -> date:
    return service.now().astimezone(service.team_timezone()).date()


async def viewer_for(service: Service, staff: Staff) -> Viewer:
    assert staff.id is not None
    today = team_today(service)
    escalated = (
        await console_store.family_ids_with_escalations(service.db)
        if staff.role in DUTY_ROLES
        else set()
    )
    return Viewer(
        staff=staff,
        today=today,
        cover=await cover_in_force(service.db, today),
        notified_families=frozenset(await console_store.notified_family_ids(service.db, staff.id)),
        escalated_families=frozenset(escalated),
    )


async def signed_in_viewer(request: web.Request, *roles: Role) -> Viewer:
    """The viewer for a page open to these roles (sign-in first; anyone else gets the 404)."""
    staff = await auth.require_roles(request, *roles)
    return await viewer_for(request.app[SERVICE], staff)


async def staff_by_id(service: Service) -> dict[int, Staff]:
    return {m.id: m for m in await staff_store.all_staff(service.db) if m.id is not None}


def clinical_colleagues(everyone: Mapping[int, Staff], besides: int | None) -> list[Staff]:
    """Active staff who can hold families, by name, leaving out one person."""
    return sorted(
        (m for m in everyone.values() if m.active and m.role in auth.CLINICAL and m.id != besides),
        key=lambda m: m.name,
    )


def time_left(deadline: datetime, now: datetime) -> str:
    """'14 minutes left', '2 hours 5 minutes left' or 'overdue by 3 minutes'."""
    seconds = int((deadline - now).total_seconds())
    minutes = (abs(seconds) + 59) // 60
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    span = " ".join(parts)
    return f"{span} left" if seconds >= 0 else f"overdue by {span}"


@functools.cache
def language_options() -> list[tuple[str, str]]:
    """Each language texts can be sent in, named in English and in itself."""
    options = []
    for code in sorted(LANGUAGES):
        locale = Locale.parse(code)
        english, own = locale.get_display_name("en_GB"), locale.get_display_name(code)
        label = english if english == own else f"{english} ({own})"
        options.append((code, label))
    return sorted(options, key=lambda option: (option[0] != "en_GB", option[1]))


def int_or_none(raw: object) -> int | None:
    """A whole number a database row could hold, else None."""
    text = str(raw).strip()
    if len(text) > 20:
        return None
    try:
        value = int(text)
    except (TypeError, ValueError):
        return None
    return value if abs(value) <= LARGEST_ID else None


@routes.get("/")
@auth.page
async def index(request: web.Request) -> web.StreamResponse:
    member = await auth.current_staff(request)
    if member is not None:
        return auth.redirect(auth.HOME[member.role])
    service = request.app[SERVICE]
    demo_logins = []
    if service.settings.demo:
        from bot import demo

        demo_logins = [(m.email, auth.role_label(m.role)) for m in demo.STAFF]
        password = demo.DEMO_PASSWORD
    else:
        password = ""
    return auth.render(
        request,
        "index.html",
        demo=service.settings.demo,
        demo_logins=demo_logins,
        demo_password=password,
    )
