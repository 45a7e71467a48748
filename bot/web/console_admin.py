"""The administrator's pages: overview, the administrator's and unassigned queues, delivery
failures and the audit log. Families are in console_admin_families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.core.model import Family, Role, Staff
from bot.core.names import clean_name
from bot.store import audit, families, inbound, outbox, queue
from bot.store import console as console_store
from bot.store import letters as letter_store
from bot.store.db import from_ts
from bot.store.outbox import OutboxRow
from bot.web import auth
from bot.web.console import int_or_none, signed_in_viewer, staff_by_id
from bot.web.console_queue import FamilyCache, queue_rows
from bot.web.keys import SERVICE

routes = web.RouteTableDef()


@routes.get("/admin")
@auth.page
async def overview(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    everything = await families.list_families(service.db)
    open_families = [f for f in everything if f.status == "open"]
    counts = {
        "open_families": len(open_families),
        "unallocated": sum(1 for f in open_families if f.practitioner_id is None),
        "administrator": len(await queue.open_items(service.db, audience="administrator")),
        "unassigned": len(await queue.open_items(service.db, audience="unassigned")),
        "failures": len(await outbox.failures(service.db)),
        "escalations": len(await console_store.escalations_with_status(service.db, "open")),
        "letters": len(await letter_store.listing(service.db, "waiting")),
    }
    return auth.render(request, "console/admin_overview.html", counts=counts)


@routes.get("/admin/queue")
@auth.page
async def admin_queue(request: web.Request) -> web.StreamResponse:
    """Work routed to the administrator, and messages nobody could be matched to."""
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    everyone = await staff_by_id(service)
    cache = FamilyCache(service)
    mine = await queue.open_items(service.db, audience="administrator")
    unassigned = await queue.open_items(service.db, audience="unassigned")
    senders = {}
    for item in unassigned:
        stored = await inbound.get(service.db, item.inbound_id) if item.inbound_id else None
        if stored is not None:
            senders[item.id] = stored.message.sender
    await auth.audit_read(request, "queue_viewed", "queue", None, audience="administrator")
    return auth.render(
        request,
        "console/admin_queue.html",
        mine=await queue_rows(service, mine, None, everyone, cache),
        unassigned=await queue_rows(service, unassigned, None, everyone, cache),
        senders=senders,
        tz=service.team_timezone(),
    )


@dataclass(frozen=True)
class FailureView:
    row: OutboxRow
    family: Family | None
    to: str


def _recipient(row: OutboxRow, family: Family | None, everyone: dict[int, Staff]) -> str:
    if row.parent_id is not None and family is not None:
        for parent in family.parents:
            if parent.id == row.parent_id:
                return parent.name
    if row.staff_id is not None and row.staff_id in everyone:
        return f"{everyone[row.staff_id].name} (staff alert)"
    return "On call" if row.purpose == "escalation" else "Unknown"


@routes.get("/admin/failures")
@auth.page
async def failures(request: web.Request) -> web.StreamResponse:
    """Texts that could not be delivered: who, when, why. Never what they said."""
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    everyone = await staff_by_id(service)
    cache = FamilyCache(service)
    shown = []
    for row in await outbox.failures(service.db):
        family = await cache.get(row.family_id)
        shown.append(FailureView(row, family, _recipient(row, family, everyone)))
    await auth.audit_read(request, "delivery_failures_viewed", "outbox")
    return auth.render(
        request, "console/admin_failures.html", failures=shown, tz=service.team_timezone()
    )


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


def describe_actor(actor: str, everyone: dict[int, Staff]) -> str:
    kind, _, number = actor.partition(":")
    if kind == "staff" and number.isdigit() and int(number) in everyone:
        member = everyone[int(number)]
        return f"{member.name} ({auth.role_label(member.role).lower()})"
    return actor


def describe_subject(kind: str, number: int | None, everyone: dict[int, Staff], refs: dict) -> str:
    """'family PIR-0001', 'staff Amira Shah (practitioner)', or the type and id."""
    if number is None:
        return kind.replace("_", " ")
    if kind == "family" and number in refs:
        return f"family {refs[number]}"
    if kind == "staff" and number in everyone:
        return f"staff {describe_actor(f'staff:{number}', everyone)}"
    return f"{kind.replace('_', ' ')} {number}"


AUDIT_PAGE = 50


@routes.get("/admin/audit")
@auth.page
async def audit_log(request: web.Request) -> web.StreamResponse:
    """Every entry, newest first, 50 a page; search by a person's name, a family reference or
    what was done."""
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    everyone = await staff_by_id(service)
    refs = {f.id: f.reference for f in await families.list_families(service.db)}
    subject = request.query.get("subject") or None
    query = clean_name(request.query.get("q", ""), max_length=100)
    page = int_or_none(request.query.get("page")) or 1
    page = min(max(page, 1), 100_000)
    filters: dict = {}
    if query:
        lowered = query.lower()
        people = [i for i, m in everyone.items() if lowered in m.name.lower()]
        people += [i for i, m in everyone.items() if m.email and lowered == m.email.lower()]
        filters = {
            "actors": [f"staff:{i}" for i in people] + [query if ":" in query else f"api:{query}"],
            "subjects": [("staff", i) for i in people]
            + [("family", i) for i, ref in refs.items() if ref.lower() == lowered],
            "action_like": lowered.replace(" ", "_"),
        }
    rows, older = await audit.search(
        service.db,
        subject_type=subject,
        limit=AUDIT_PAGE,
        offset=(page - 1) * AUDIT_PAGE,
        **filters,
    )
    shown = [
        AuditView(
            at=from_ts(r["at"]),  # type: ignore[arg-type]
            actor=describe_actor(r["actor"], everyone),
            action=r["action"].replace("_", " "),
            subject=describe_subject(r["subject_type"], r["subject_id"], everyone, refs),
            detail=", ".join(f"{k}: {v}" for k, v in sorted(r["detail"].items())),
        )
        for r in rows
    ]
    subjects = [
        "family",
        "parent",
        "escalation",
        "outbox",
        "inbound",
        "queue_item",
        "staff",
        "cover",
        "template",
        "api_token",
        "queue",
    ]
    return auth.render(
        request,
        "console/admin_audit.html",
        entries=shown,
        subject=subject or "",
        subjects=subjects,
        query=query,
        page=page,
        older=older,
        tz=service.team_timezone(),
    )
