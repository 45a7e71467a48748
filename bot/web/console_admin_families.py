"""The administrator's family pages: create with any number of parents, edit contacts, consent,
do-not-contact, languages and literacy needs, allocate a practitioner, close. No message content."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from aiohttp import web

from bot.core.contact import why_not_contactable
from bot.core.model import Family, Parent, Role
from bot.runtime import engagement
from bot.runtime.families import AllocationResult, Conflict, NotFound, allocate, create_family
from bot.store import appointments as appointment_store
from bot.store import audit, families
from bot.store import console as console_store
from bot.store import letters as letter_store
from bot.web import auth
from bot.web.console import (
    clinical_colleagues,
    int_or_none,
    language_options,
    signed_in_viewer,
    staff_by_id,
)
from bot.web.console_admin_appointments import family_appointments
from bot.web.errors import ApiError
from bot.web.keys import SERVICE
from bot.web.validation import family_from, parent_from

routes = web.RouteTableDef()

MAX_PARENTS = 8
PARENT_TEXT = (
    "name",
    "relationship",
    "mobile",
    "language",
    "channel",
    "address",
    "do_not_contact_reason",
)
PARENT_FLAGS = ("wants_letters", "prefers_phone_call", "consent_to_text", "do_not_contact")
FAMILY_TEXT = ("reference", "baby_name", "mother_name", "due_date", "birth_date")
REFERRER_TEXT = ("name", "role", "organisation", "contact")
# Stands in for the parents while the family's own fields are checked on their own.
_ANY_PARENT = [{"name": "placeholder"}]


def form_field(api_field: str, prefix_of: Mapping[int, str]) -> str:
    """The form's id for a field the API validation names: parents[1].mobile -> p1-mobile."""
    match = re.fullmatch(r"parents\[(\d+)\]\.(\w+)", api_field)
    if match:
        return prefix_of.get(int(match[1]), "") + match[2]
    return api_field.replace("referrer.", "referrer_")


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def parent_data(form: Mapping[str, str], prefix: str) -> dict:
    """A parent as the API's JSON, from form fields named `{prefix}{field}`."""
    data: dict = {key: form.get(prefix + key, "") for key in PARENT_TEXT}
    for key in PARENT_FLAGS:
        data[key] = form.get(prefix + key) == "yes"
    telegram = form.get(prefix + "telegram_chat_id", "").strip()
    if telegram:
        data["telegram_chat_id"] = (
            int(telegram) if re.fullmatch(r"-?\d{1,15}", telegram) else telegram
        )
    return data


def parent_is_blank(form: Mapping[str, str], prefix: str) -> bool:
    return not any(
        form.get(prefix + key, "").strip() for key in ("name", "mobile", "telegram_chat_id")
    )


def family_data(form: Mapping[str, str]) -> dict:
    data: dict = {key: form.get(key, "") or None for key in FAMILY_TEXT}
    data = {k: v for k, v in data.items() if v is not None}
    data["referrer"] = {key: form.get(f"referrer_{key}", "") for key in REFERRER_TEXT}
    data["self_referral"] = form.get("self_referral") == "yes"
    return data


def check_parent(
    data: dict, index: int, prefix_of: Mapping[int, str]
) -> tuple[Parent | None, dict[str, str]]:
    try:
        return parent_from(data, index), {}
    except ApiError as exc:
        return None, {form_field(exc.field or "", prefix_of): sentence(exc.message)}


def check_family(data: dict) -> tuple[Family | None, dict[str, str]]:
    """The family's own fields (parents are checked one by one, apart)."""
    try:
        family, _ = family_from({**data, "parents": _ANY_PARENT})
        return replace(family, parents=[]), {}
    except ApiError as exc:
        return None, {form_field(exc.field or "", {}): sentence(exc.message)}


def parent_form(parent: Parent, prefix: str = "") -> dict[str, str]:
    """A stored parent as form values."""
    values = {
        prefix + key: str(getattr(parent, key) or "") for key in PARENT_TEXT if key != "channel"
    }
    values[prefix + "channel"] = parent.channel.value
    values[prefix + "telegram_chat_id"] = str(parent.telegram_chat_id or "")
    for key in PARENT_FLAGS:
        values[prefix + key] = "yes" if getattr(parent, key) else ""
    return values


def family_form(family: Family) -> dict[str, str]:
    values = {key: str(getattr(family, key) or "") for key in FAMILY_TEXT}
    for key in REFERRER_TEXT:
        values[f"referrer_{key}"] = getattr(family.referrer, key)
    values["self_referral"] = "yes" if family.self_referral else ""
    return values


def allocation_message(name: str, result: AllocationResult) -> str:
    message = f"Allocated to {name}. First contact queued for {len(result.queued)} "
    message += "parent." if len(result.queued) == 1 else "parents."
    for parent, reason in result.skipped:
        message += f" Not sent to {parent.name}: {reason}."
    return message


async def _family_or_404(request: web.Request) -> Family:
    family = await families.get(request.app[SERVICE].db, int(request.match_info["id"]))
    if family is None:
        auth.not_found(request)
    return family


def _actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


# --- Listing and one family ---------------------------------------------------------------


@routes.get("/admin/families")
@auth.page
async def family_list(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    await auth.audit_read(request, "families_listed", "family")
    service = request.app[SERVICE]
    return auth.render(
        request,
        "console/admin_families.html",
        families=await families.list_families(service.db),
        everyone=await staff_by_id(service),
    )


@routes.get("/admin/families/{id:\\d+}")
@auth.page
async def family_detail(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    await auth.audit_read(request, "family_viewed", "family", family.id)
    return await _detail_page(request, family)


async def _detail_page(
    request: web.Request, family: Family, *, errors: dict[str, str] | None = None, status: int = 200
) -> web.Response:
    service = request.app[SERVICE]
    everyone = await staff_by_id(service)
    assert family.id is not None
    return auth.render(
        request,
        "console/admin_family.html",
        status=status,
        family=family,
        parents=[(p, why_not_contactable(p)) for p in family.parents],
        practitioner=everyone.get(family.practitioner_id or -1),
        clinicians=clinical_colleagues(everyone, None),
        languages=dict(language_options()),
        appointments=await family_appointments(service, family),
        school_run=await appointment_store.school_run(service.db, family.id),
        letters=await letter_store.for_family(service.db, family.id),
        errors=errors or {},
        tz=service.team_timezone(),
    )


# --- Creating a family --------------------------------------------------------------------


async def _new_page(
    request: web.Request,
    form: Mapping[str, str],
    count: int,
    errors: dict[str, str],
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    return auth.render(
        request,
        "console/admin_family_new.html",
        status=status,
        form=form,
        count=count,
        errors=errors,
        languages=language_options(),
        clinicians=clinical_colleagues(await staff_by_id(service), None),
    )


@routes.get("/admin/families/new")
@auth.page
async def new_family_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    defaults = {"p0-consent_to_text": "yes", "p1-consent_to_text": "yes"}
    return await _new_page(request, defaults, 2, {})


@routes.post("/admin/families/new")
@auth.page
async def create(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    count = min(max(int_or_none(form.get("parent_count")) or 1, 1), MAX_PARENTS)
    if form.get("add_parent"):
        form[f"p{count}-consent_to_text"] = "yes"
        return await _new_page(request, form, min(count + 1, MAX_PARENTS), {})
    family, errors = check_family(family_data(form))
    parents: list[Parent] = []
    prefixes = [f"p{i}-" for i in range(count) if not parent_is_blank(form, f"p{i}-")]
    for index, prefix in enumerate(prefixes):
        parent, problems = check_parent(parent_data(form, prefix), index, {index: prefix})
        errors.update(problems)
        if parent is not None:
            parents.append(parent)
    if not prefixes:
        errors["p0-name"] = "Enter at least one parent or carer"
    practitioner_id = int_or_none(form.get("practitioner_id"))
    clinicians = {m.id: m for m in clinical_colleagues(await staff_by_id(service), None)}
    if form.get("practitioner_id") and practitioner_id not in clinicians:
        errors["practitioner_id"] = "Select a practitioner from the list"
    if errors or family is None:
        return await _new_page(request, form, count, errors, status=422)
    actor = _actor(viewer.id)
    try:
        family_id = await create_family(service, replace(family, parents=parents), actor)
    except Conflict as exc:
        return await _new_page(request, form, count, {exc.field: sentence(str(exc))}, status=422)
    message = f"Family {family.reference} added."
    if practitioner_id is not None:
        result = await allocate(service, family_id, practitioner_id, actor)
        message += " " + allocation_message(clinicians[practitioner_id].name, result)
    auth.flash(request, message)
    return auth.redirect(f"/admin/families/{family_id}")


# --- Changing a family ----------------------------------------------------------------------


@routes.get("/admin/families/{id:\\d+}/edit")
@auth.page
async def edit_family_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    await auth.audit_read(request, "family_viewed", "family", family.id, form="edit")
    return auth.render(
        request,
        "console/admin_family_edit.html",
        family=family,
        form=family_form(family),
        errors={},
    )


@routes.post("/admin/families/{id:\\d+}/edit")
@auth.page
async def edit_family(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    form["reference"] = family.reference  # the reference is how other systems know the family
    changed, errors = check_family(family_data(form))
    if errors or changed is None:
        return auth.render(
            request,
            "console/admin_family_edit.html",
            status=422,
            family=family,
            form=form,
            errors=errors,
        )
    now = service.now()
    async with service.db.transaction() as conn:
        await console_store.update_family(conn, replace(changed, id=family.id))
        await audit.record(conn, now, _actor(viewer.id), "family_updated", "family", family.id)
    auth.flash(request, "The family's details are saved.")
    return auth.redirect(f"/admin/families/{family.id}")


@routes.post("/admin/families/{id:\\d+}/allocate")
@auth.page
async def allocate_family(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    service = request.app[SERVICE]
    form = await request.post()
    clinicians = {m.id: m for m in clinical_colleagues(await staff_by_id(service), None)}
    practitioner_id = int_or_none(form.get("practitioner_id"))
    if practitioner_id not in clinicians or family.status == "closed":
        problem = (
            "A closed family cannot be allocated"
            if family.status == "closed"
            else "Select a practitioner from the list"
        )
        return await _detail_page(request, family, errors={"practitioner_id": problem}, status=422)
    assert family.id is not None and practitioner_id is not None
    try:
        result = await allocate(service, family.id, practitioner_id, _actor(viewer.id))
    except (NotFound, Conflict):
        return await _detail_page(
            request,
            family,
            errors={"practitioner_id": "Select a practitioner from the list"},
            status=422,
        )
    auth.flash(request, allocation_message(clinicians[practitioner_id].name, result))
    return auth.redirect(f"/admin/families/{family.id}")


@routes.post("/admin/families/{id:\\d+}/close")
@auth.page
async def close_family(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    service = request.app[SERVICE]
    form = await request.post()
    if form.get("confirm") != "yes":
        return await _detail_page(
            request,
            family,
            status=422,
            errors={"confirm": "Tick the box to confirm the work with this family has ended"},
        )
    try:
        await engagement.close_family(
            service, family.id or 0, _actor(viewer.id), follow_up=form.get("follow_up") == "yes"
        )
    except (Conflict, NotFound) as exc:
        return await _detail_page(
            request, family, status=422, errors={"confirm": sentence(str(exc))}
        )
    auth.flash(request, f"{family.reference} is closed. Texts waiting to go to it were withdrawn.")
    return auth.redirect(f"/admin/families/{family.id}")


# --- Parents ------------------------------------------------------------------------------


def _parent_page(
    request: web.Request,
    family: Family,
    parent: Parent | None,
    form: Mapping[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> web.Response:
    return auth.render(
        request,
        "console/admin_parent.html",
        status=status,
        family=family,
        parent=parent,
        form=form,
        errors=errors,
        languages=language_options(),
    )


def _parent_or_404(request: web.Request, family: Family) -> Parent:
    parent_id = int(request.match_info["parent_id"])
    parent = next((p for p in family.parents if p.id == parent_id), None)
    if parent is None:
        auth.not_found(request)
    return parent


@routes.get("/admin/families/{id:\\d+}/parents/new")
@auth.page
async def new_parent_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    return _parent_page(request, family, None, {"consent_to_text": "yes"}, {})


@routes.post("/admin/families/{id:\\d+}/parents/new")
@auth.page
async def add_parent(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    parent, errors = check_parent(parent_data(form, ""), 0, {0: ""})
    if parent is None:
        return _parent_page(request, family, None, form, errors, status=422)
    now = service.now()
    async with service.db.transaction() as conn:
        parent_id = await families.add_parent(conn, family.id or 0, parent, now)
        await audit.record(
            conn, now, _actor(viewer.id), "parent_added", "parent", parent_id, family_id=family.id
        )
    note = ""
    if family.practitioner_id is not None:
        note = " To send them first contact, allocate the family again to the same practitioner."
    auth.flash(request, f"{parent.name} is added.{note}")
    return auth.redirect(f"/admin/families/{family.id}")


@routes.get("/admin/families/{id:\\d+}/parents/{parent_id:\\d+}")
@auth.page
async def edit_parent_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    parent = _parent_or_404(request, family)
    await auth.audit_read(request, "parent_viewed", "parent", parent.id, family_id=family.id)
    return _parent_page(request, family, parent, parent_form(parent), {})


@routes.post("/admin/families/{id:\\d+}/parents/{parent_id:\\d+}")
@auth.page
async def edit_parent(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    parent = _parent_or_404(request, family)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    changed, errors = check_parent(parent_data(form, ""), 0, {0: ""})
    if changed is None:
        return _parent_page(request, family, parent, form, errors, status=422)
    changed = replace(changed, id=parent.id, family_id=family.id, opted_out=parent.opted_out)
    fields = sorted(
        key
        for key in (*PARENT_TEXT, *PARENT_FLAGS, "telegram_chat_id")
        if getattr(changed, key) != getattr(parent, key)
    )
    now = service.now()
    async with service.db.transaction() as conn:
        await console_store.update_parent(conn, changed)
        # Field names only: the audit log never holds phone numbers.
        await audit.record(
            conn,
            now,
            _actor(viewer.id),
            "parent_updated",
            "parent",
            parent.id,
            family_id=family.id,
            fields=fields,
        )
        if changed.do_not_contact and not parent.do_not_contact:
            await audit.record(
                conn, now, _actor(viewer.id), "parent_marked_do_not_contact", "parent", parent.id
            )
    auth.flash(request, f"{changed.name}'s details are saved.")
    return auth.redirect(f"/admin/families/{family.id}")
