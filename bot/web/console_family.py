"""A family's conversation (/families/{id}): both parents, both channels, every text and its
delivery status; replying through the outbox; handing the family to a colleague."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.core.contact import route_for, why_not_contactable
from bot.core.model import Family, Parent
from bot.core.outbox import OutboxDraft
from bot.core.sms import GSM_7, encoding_of, segment_info
from bot.core.templates import opt_out_reply_requests
from bot.runtime.service import Service
from bot.store import audit, families, inbound, outbox
from bot.store import console as console_store
from bot.web import auth
from bot.web.console import (
    Viewer,
    clinical_colleagues,
    int_or_none,
    language_options,
    signed_in_viewer,
    staff_by_id,
    time_left,
)
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

MAX_REPLY_CHARACTERS = 1000
# Joiners inside emoji sequences are harmless; every other invisible character is refused.
_ALLOWED_INVISIBLE = {"\n", "\u200c", "\u200d"}

PURPOSES = {
    "first_contact": "First contact",
    "practitioner_reply": "Reply",
    "out_of_hours_reply": "Out-of-hours reply",
    "safety_reply": "Safety reply",
    "safety_reply_told": "Safety reply",
    "safety_reply_baby": "Safety reply (baby)",
    "help_reply": "Help reply",
    "opt_out_confirmation": "Opt-out confirmation",
    "opt_in_confirmation": "Opt-in confirmation",
}


def reply_problems(text: str, max_segments: int) -> list[str]:
    """Why a reply typed by staff cannot be sent as it is (empty when it can)."""
    text = text.strip()
    if not text:
        return ["Enter the text to send"]
    if len(text) > MAX_REPLY_CHARACTERS:
        return [f"The text must be {MAX_REPLY_CHARACTERS} characters or fewer"]
    problems = []
    hidden = sorted(
        {c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in _ALLOWED_INVISIBLE}
    )
    for char in hidden:
        name = unicodedata.name(char, "control character").lower()
        problems.append(f"Remove the invisible character U+{ord(char):04X} ({name})")
    if "\ufffd" in text:
        problems.append("Remove the unreadable character \ufffd (the text was damaged on the way)")
    info = segment_info(text)
    if info.segments > max_segments:
        why = ""
        if info.encoding != GSM_7:
            first = next(c for c in text if encoding_of(c) != GSM_7)
            why = f"; the character {first!r} makes every segment shorter"
        problems.append(
            f"The text is {info.segments} SMS segments long{why}: shorten it to "
            f"{max_segments} or fewer"
        )
    for sentence in opt_out_reply_requests(text):
        problems.append(
            f"Do not ask for a reply that stops all texts (\u201c{sentence}\u201d): "
            "ask for YES or NO, or ask them to call the team"
        )
    return problems


@dataclass(frozen=True)
class TimelineEntry:
    direction: str  # "in" from a parent, "out" to a parent
    at: datetime
    parent_name: str
    channel: str
    body: str
    status: str = ""
    error: str | None = None
    purpose: str = ""
    author: str | None = None
    risk: str | None = None
    out_of_hours: bool = False
    media_kind: str | None = None
    segments: int | None = None


async def timeline(service: Service, family: Family) -> list[TimelineEntry]:
    assert family.id is not None
    names = {p.id: p.name for p in family.parents}
    everyone = await staff_by_id(service)
    authors = await console_store.reply_authors(service.db, family.id)
    entries = [
        TimelineEntry(
            direction="in",
            at=m.message.received_at,
            parent_name=names.get(m.parent_id, "Unknown sender"),
            channel=m.message.channel.value,
            body=m.message.body,
            risk=m.risk,
            out_of_hours=m.out_of_hours,
            media_kind=m.message.media_kind,
        )
        for m in await inbound.for_family(service.db, family.id)
    ]
    for o in await outbox.for_family(service.db, family.id):
        if o.parent_id is None:  # alerts to staff about this family are not part of it
            continue
        author = everyone.get(authors.get(o.id, -1))
        entries.append(
            TimelineEntry(
                direction="out",
                at=o.created_at,
                parent_name=names.get(o.parent_id, "a parent"),
                channel=o.channel.value,
                body=o.body,
                status=o.status.value,
                error=o.error,
                purpose=PURPOSES.get(o.purpose, o.purpose.replace("_", " ").capitalize()),
                author=author.name if author else None,
                segments=o.segments,
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries


async def visible_family(request: web.Request, viewer: Viewer) -> Family:
    """The family in the URL if this person may open it, else the one 404."""
    family = await families.get(request.app[SERVICE].db, int(request.match_info["id"]))
    if family is None or not viewer.may_open_family(family):
        auth.not_found(request)
    return family


async def family_page(
    request: web.Request,
    viewer: Viewer,
    family: Family,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    assert family.id is not None
    now = service.now()
    everyone = await staff_by_id(service)
    holder_id = viewer.holder(family.practitioner_id) if family.practitioner_id else None
    escalations = [
        (row, time_left(row.deadline, now))
        for row in await console_store.escalations_for_family(service.db, family.id)
        if row.status != "closed"
    ]
    parents = [(p, why_not_contactable(p), route_for(p)) for p in family.parents]
    entries = await timeline(service, family)
    async with service.db.transaction() as conn:
        await audit.record(
            conn, now, f"staff:{viewer.id}", "family_messages_viewed", "family", family.id
        )
    return auth.render(
        request,
        "console/family.html",
        status=status,
        family=family,
        practitioner=everyone.get(family.practitioner_id or -1),
        holder=everyone.get(holder_id or -1) if holder_id != family.practitioner_id else None,
        parents=parents,
        entries=entries,
        waiting=await console_store.open_items_for_family(service.db, family.id),
        escalations=escalations,
        colleagues=clinical_colleagues(everyone, family.practitioner_id),
        may_hand_over=viewer.holds(family.practitioner_id) or viewer.on_duty_rota,
        max_segments=service.policies.reminders.max_segments,
        errors=errors or {},
        form=form or {},
        nonce=secrets.token_urlsafe(16),
        languages=dict(language_options()),
        tz=service.team_timezone(),
    )


@routes.get("/families/{id:\\d+}")
@auth.page
async def conversation(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    return await family_page(request, viewer, family)


def _reply_errors(
    service: Service, family: Family, parent: Parent | None, body: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if family.status == "closed":
        errors["parent_id"] = "This family is closed: texts are no longer sent"
    elif parent is None:
        errors["parent_id"] = "Select who to send the text to"
    else:
        reason = why_not_contactable(parent)
        route = route_for(parent)
        if reason is not None:
            errors["parent_id"] = f"Texts cannot go to {parent.name}: {reason}"
        elif route is not None and route[0] not in service.transports:
            errors["parent_id"] = (
                f"{parent.name} is reached by {route[0].value}, which is not set up here"
            )
    problems = reply_problems(body, service.policies.reminders.max_segments)
    if problems:
        errors["body"] = "; ".join(problems)
    return errors


@routes.post("/families/{id:\\d+}/reply")
@auth.page
async def reply(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    body = form.get("body", "").strip()
    parent_id = int_or_none(form.get("parent_id"))
    parent = next((p for p in family.parents if p.id == parent_id), None)
    errors = _reply_errors(service, family, parent, body)
    if errors:
        return await family_page(request, viewer, family, errors=errors, form=form, status=422)
    assert parent is not None and family.id is not None
    route = route_for(parent)
    assert route is not None
    channel, address = route
    now = service.now()
    info = segment_info(body)
    nonce = form.get("nonce") or secrets.token_urlsafe(16)
    draft = OutboxDraft(
        channel=channel,
        recipient=address,
        purpose="practitioner_reply",
        body=body,
        not_before=now,
        parent_id=parent.id,
        family_id=family.id,
        urgent=True,
        on_behalf_of=viewer.id,
        dedupe_key=f"reply:{viewer.id}:{nonce}",
        encoding=info.encoding,
        segments=info.segments,
    )
    async with service.db.transaction() as conn:
        outbox_id = await outbox.enqueue(conn, draft, now)
        if outbox_id is not None:
            await audit.record(
                conn,
                now,
                f"staff:{viewer.id}",
                "reply_queued",
                "outbox",
                outbox_id,
                family_id=family.id,
                parent_id=parent.id,
                segments=info.segments,
            )
            if form.get("handled") == "yes":
                await console_store.mark_family_handled(conn, family.id, viewer.id, now)
    service.wake_outbox()
    auth.flash(request, f"Your text to {parent.name} is on its way.")
    return auth.redirect(f"/families/{family.id}#conversation")


@routes.post("/families/{id:\\d+}/handover")
@auth.page
async def hand_over(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    service = request.app[SERVICE]
    if not (viewer.holds(family.practitioner_id) or viewer.on_duty_rota):
        auth.not_found(request)
    everyone = await staff_by_id(service)
    form = await request.post()
    colleague = {m.id: m for m in clinical_colleagues(everyone, family.practitioner_id)}.get(
        int_or_none(form.get("practitioner_id")) or -1
    )
    if colleague is None or colleague.id is None:
        return await family_page(
            request,
            viewer,
            family,
            status=422,
            errors={"practitioner_id": "Select the colleague who will hold this family"},
        )
    assert family.id is not None
    now = service.now()
    async with service.db.transaction() as conn:
        moved = await console_store.hand_over(conn, family.id, colleague.id, now)
        await audit.record(
            conn,
            now,
            f"staff:{viewer.id}",
            "family_handed_over",
            "family",
            family.id,
            from_practitioner_id=family.practitioner_id,
            to_practitioner_id=colleague.id,
            queue_items=moved,
        )
    auth.flash(request, f"{family.reference} is now with {colleague.name}.")
    return auth.redirect("/queue")
