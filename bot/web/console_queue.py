"""The practitioner's queue (/queue), marking work handled, and cover while on leave (/cover)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiohttp import web

from bot.core.model import Family, Role, Staff
from bot.runtime.service import Service
from bot.store import audit, families, inbound, queue
from bot.store import console as console_store
from bot.store.escalations import EscalationRow, add_cover
from bot.store.queue import QueueItem
from bot.web import auth
from bot.web.console import (
    Viewer,
    clinical_colleagues,
    int_or_none,
    signed_in_viewer,
    staff_by_id,
    time_left,
    viewer_for,
)
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

MAX_COVER_DAYS = 366
COVER_FOR_OTHERS = (Role.CLINICAL_LEAD, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    family: Family | None
    parent_name: str
    body: str | None
    channel: str | None
    covering_for: str | None  # the colleague whose queue this came from, when covering


@dataclass(frozen=True)
class PinnedEscalation:
    row: EscalationRow
    family: Family | None
    parent_name: str
    body: str | None
    time_left: str
    overdue: bool


class FamilyCache:
    """Families read once per page."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._found: dict[int, Family | None] = {}

    async def get(self, family_id: int | None) -> Family | None:
        if family_id is None:
            return None
        if family_id not in self._found:
            self._found[family_id] = await families.get(self._service.db, family_id)
        return self._found[family_id]


def parent_name(family: Family | None, parent_id: int | None) -> str:
    if family is not None:
        for parent in family.parents:
            if parent.id == parent_id:
                return parent.name
    return "Unknown sender"


async def queue_rows(
    service: Service,
    items: list[QueueItem],
    viewer: Viewer | None,
    everyone: dict[int, Staff],
    cache: FamilyCache,
) -> list[QueueRow]:
    rows = []
    for item in items:
        family = await cache.get(item.family_id)
        stored = await inbound.get(service.db, item.inbound_id) if item.inbound_id else None
        covering_for = None
        owner = family.practitioner_id if family else item.practitioner_id
        if viewer and owner is not None and owner != viewer.id:
            other = everyone.get(owner)
            covering_for = other.name if other else None
        rows.append(
            QueueRow(
                item=item,
                family=family,
                parent_name=parent_name(family, item.parent_id),
                body=stored.message.body if stored else None,
                channel=stored.message.channel.value if stored else None,
                covering_for=covering_for,
            )
        )
    return rows


async def pinned_escalations(
    service: Service, viewer: Viewer, cache: FamilyCache, now: datetime
) -> list[PinnedEscalation]:
    """Open escalations this person was told about, or for families they hold today."""
    pinned = []
    for row in await console_store.escalations_with_status(service.db, "open"):
        family = await cache.get(row.family_id)
        notified = await console_store.was_notified(service.db, viewer.id, row.id)
        holds = family is not None and viewer.holds(family.practitioner_id)
        if not (notified or holds):
            continue
        stored = await inbound.get(service.db, row.inbound_id) if row.inbound_id else None
        readable = viewer.may_read_escalation_message(family)
        pinned.append(
            PinnedEscalation(
                row=row,
                family=family,
                parent_name=parent_name(family, row.parent_id),
                body=stored.message.body if stored and readable else None,
                time_left=time_left(row.deadline, now),
                overdue=row.deadline < now,
            )
        )
    return pinned


@routes.get("/queue")
@auth.page
async def practitioner_queue(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    service = request.app[SERVICE]
    now = service.now()
    everyone = await staff_by_id(service)
    items: list[QueueItem] = []
    for practitioner_id in viewer.practitioners_held(everyone):
        items += await queue.open_items(
            service.db, audience="practitioner", practitioner_id=practitioner_id
        )
    items.sort(key=lambda i: (not i.out_of_hours, i.created_at, i.id))
    cache = FamilyCache(service)
    covers = await console_store.covers_involving(service.db, viewer.id, viewer.today)
    away = next(
        (c for c in covers if c.practitioner_id == viewer.id and c.starts_on <= viewer.today),
        None,
    )
    covering = [c for c in covers if c.cover_id == viewer.id and c.starts_on <= viewer.today]
    await auth.audit_read(request, "queue_viewed", "staff", viewer.id, items=len(items))
    return auth.render(
        request,
        "console/queue.html",
        rows=await queue_rows(service, items, viewer, everyone, cache),
        pinned=await pinned_escalations(service, viewer, cache, now),
        away=away,
        covering=covering,
        everyone=everyone,
        tz=service.team_timezone(),
    )


async def may_handle(service: Service, staff: Staff, item: QueueItem) -> bool:
    if staff.role is Role.ADMINISTRATOR:
        return item.audience in ("administrator", "unassigned")
    viewer = await viewer_for(service, staff)
    if item.practitioner_id is not None and viewer.holds(item.practitioner_id):
        return True
    family = await families.get(service.db, item.family_id) if item.family_id else None
    return family is not None and viewer.may_open_family(family)


@routes.post("/queue/items/{id:\\d+}/handled")
@auth.page
async def mark_handled(request: web.Request) -> web.StreamResponse:
    staff = await auth.require_staff(request)
    service = request.app[SERVICE]
    item = await queue.get(service.db, int(request.match_info["id"]))
    if item is None or not await may_handle(service, staff, item):
        auth.not_found(request)
    now = service.now()
    async with service.db.transaction() as conn:
        if await queue.mark_handled(conn, item.id, staff.id, now):
            await audit.record(
                conn, now, f"staff:{staff.id}", "queue_item_handled", "queue_item", item.id
            )
    auth.flash(request, "Marked as handled.")
    form = await request.post()
    return auth.redirect(auth.safe_next(str(form.get("next", "")), staff))


# --- Cover ------------------------------------------------------------------------------


def parse_day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return None


def cover_problems(
    *,
    away: Staff | None,
    cover: Staff | None,
    starts: date | None,
    ends: date | None,
    today: date,
    existing: list[console_store.Cover],
) -> dict[str, str]:
    """What is wrong with a request for cover, by form field (empty when it can be saved)."""
    errors: dict[str, str] = {}
    if away is None:
        errors["away_id"] = "Select who will be away"
    if cover is None:
        errors["cover_id"] = "Select who will cover"
    elif away is not None and cover.id == away.id:
        errors["cover_id"] = "Select a colleague other than the person who will be away"
    if starts is None:
        errors["starts_on"] = "Enter the first day of leave, like 2026-12-21"
    elif starts < today:
        errors["starts_on"] = "The first day of leave must be today or later"
    if ends is None:
        errors["ends_on"] = "Enter the last day of leave, like 2026-12-24"
    elif starts is not None and ends < starts:
        errors["ends_on"] = "The last day of leave must be on or after the first day"
    elif starts is not None and (ends - starts).days >= MAX_COVER_DAYS:
        errors["ends_on"] = "Cover can be set for up to a year at a time"
    if errors or away is None or cover is None or starts is None or ends is None:
        return errors
    for other in existing:
        overlaps = other.starts_on <= ends and starts <= other.ends_on
        if not overlaps:
            continue
        if other.practitioner_id == away.id:
            errors["starts_on"] = (
                f"{away.name} already has cover from {other.starts_on:%d %B %Y} "
                f"to {other.ends_on:%d %B %Y}: cancel it first"
            )
        elif other.practitioner_id == cover.id and other.cover_id == away.id:
            errors["cover_id"] = f"{cover.name} is away then, covered by {away.name}"
    return errors


async def cover_page(
    request: web.Request,
    viewer: Viewer,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    everyone = await staff_by_id(service)
    sets_for_others = viewer.staff.role in COVER_FOR_OTHERS
    if sets_for_others:
        shown = await console_store.covers_from(service.db, viewer.today)
    else:
        shown = await console_store.covers_involving(service.db, viewer.id, viewer.today)
    return auth.render(
        request,
        "console/cover.html",
        status=status,
        covers=shown,
        everyone=everyone,
        colleagues=clinical_colleagues(everyone, None if sets_for_others else viewer.id),
        sets_for_others=sets_for_others,
        errors=errors or {},
        form=form or {},
        today=viewer.today,
    )


@routes.get("/cover")
@auth.page
async def cover_form(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    return await cover_page(request, viewer)


@routes.post("/cover")
@auth.page
async def set_cover(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    data = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    everyone = await staff_by_id(service)
    clinical = {m.id: m for m in clinical_colleagues(everyone, None)}
    if viewer.staff.role in COVER_FOR_OTHERS:
        away = clinical.get(int_or_none(data.get("away_id")) or -1)
    else:
        away = viewer.staff
    cover = clinical.get(int_or_none(data.get("cover_id")) or -1)
    starts, ends = parse_day(data.get("starts_on", "")), parse_day(data.get("ends_on", ""))
    existing = await console_store.covers_from(service.db, viewer.today - timedelta(days=1))
    errors = cover_problems(
        away=away, cover=cover, starts=starts, ends=ends, today=viewer.today, existing=existing
    )
    if errors:
        return await cover_page(request, viewer, errors=errors, form=data, status=422)
    assert away and away.id and cover and cover.id and starts and ends
    now = service.now()
    async with service.db.transaction() as conn:
        cover_id = await add_cover(conn, away.id, cover.id, starts, ends, now)
        await audit.record(
            conn,
            now,
            f"staff:{viewer.id}",
            "cover_set",
            "cover",
            cover_id,
            practitioner_id=away.id,
            cover_id=cover.id,
            starts_on=starts.isoformat(),
            ends_on=ends.isoformat(),
        )
    auth.flash(
        request,
        f"{cover.name} will cover {away.name} from {starts:%d %B} to {ends:%d %B %Y}.",
    )
    return auth.redirect("/cover")


@routes.post("/cover/{id:\\d+}/cancel")
@auth.page
async def cancel_cover(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    found = await console_store.get_cover(service.db, int(request.match_info["id"]))
    allowed = found is not None and (
        viewer.staff.role in COVER_FOR_OTHERS or viewer.id in (found.practitioner_id,)
    )
    if found is None or not allowed:
        auth.not_found(request)
    now = service.now()
    async with service.db.transaction() as conn:
        if await console_store.cancel_cover(conn, found.id):
            await audit.record(
                conn, now, f"staff:{viewer.id}", "cover_cancelled", "cover", found.id
            )
    auth.flash(request, "The cover has been cancelled.")
    return auth.redirect("/cover")
