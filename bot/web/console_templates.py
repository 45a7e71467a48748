"""The administrator's wording editor: every message by language, edit with a preview of the
phone or the page, history with differences, going back to a version, reset to the default.

Only administrators may see or change wording: anyone else signed in gets 403.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from babel import Locale, UnknownLocaleError

from bot.core import hours as hours_core
from bot.core.appointments import place_words
from bot.core.engagement import baby_words
from bot.core.first_contact import first_name
from bot.core.letters import letter_date, referrer_copy
from bot.core.model import Family, Role, Staff
from bot.core.sms import GSM_7, SegmentInfo, encoding_of, segment_info
from bot.core.templates import (
    EASY_READ,
    FALLBACK_LOCALE,
    STANDARD,
    Finding,
    MessageSpec,
    TemplateError,
    format_appointment_time,
    format_next_opening,
    placeholders_in,
    render,
)
from bot.runtime import templates as wording_changes
from bot.runtime.service import Service
from bot.store import appointments as appointment_store
from bot.store import families as family_store
from bot.store import staff as staff_store
from bot.store import templates as store
from bot.store.templates import TemplateVersion
from bot.web import auth
from bot.web.console import int_or_none, language_options, staff_by_id
from bot.web.keys import SERVICE
from bot.web.validation import LANGUAGES

routes = web.RouteTableDef()

VARIANT_LABELS = {STANDARD: "Standard wording", EASY_READ: "Easy read"}
ACTION_LABELS = {"edit": "Edited", "rollback": "Went back", "reset": "Reset to the default"}
DEFAULT = "default"  # stands for the wording in messages/ where a version id would go


# --- Who may come in ----------------------------------------------------------------------


async def administrator(request: web.Request) -> Staff:
    """The signed-in administrator; a visitor signs in first, anyone else gets 403."""
    member = await auth.require_staff(request)
    if member.role is not Role.ADMINISTRATOR:
        refusal = auth.render(
            request,
            "error.html",
            status=403,
            heading="Only administrators can change the wording of messages",
            message="Ask your team's administrator if a message needs different words.",
        )
        raise web.HTTPForbidden(text=refusal.text, content_type="text/html")
    assert member.id is not None
    return member


# --- Languages and messages ---------------------------------------------------------------


def language_label(code: str) -> str:
    labels = dict(language_options())
    if code in labels:
        return labels[code]
    try:
        return Locale.parse(code).get_display_name("en_GB") or code
    except (ValueError, UnknownLocaleError):
        return code


def message_title(name: str) -> str:
    return name.replace("_", " ").capitalize()


async def editable_locales(service: Service) -> list[str]:
    """The catalogue's languages, then any other a parent may read or was sent English in."""
    catalogue = service.wording.catalogue
    others = set(LANGUAGES)
    others |= {f.locale for f in await store.fallbacks_logged(service.db)}
    others |= {key[1] for key in service.wording.texts}
    extra = sorted(code for code in others if code not in catalogue.locales)
    return [*catalogue.locales, *extra]


async def _key_or_404(request: web.Request, variant: str | None = None) -> tuple[str, str, str]:
    service = request.app[SERVICE]
    message = request.match_info["message"]
    locale = request.match_info["locale"]
    chosen = variant if variant is not None else request.query.get("variant", STANDARD)
    if chosen not in wording_changes.VARIANTS or locale not in await editable_locales(service):
        auth.not_found(request)
    try:
        wording_changes.check_key(service, message, locale, chosen)
    except wording_changes.UnknownTemplate:
        auth.not_found(request)
    return message, locale, chosen


# --- The list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    locale: str
    status: str  # edited | default | missing
    easy: str | None  # edited | default | None (no easy-read wording)
    sent_in_english: int  # texts sent in English for want of wording in this language


@dataclass(frozen=True)
class Row:
    spec: MessageSpec
    cells: list[Cell]


def _status(service: Service, key: tuple[str, str, str]) -> str | None:
    if key not in service.wording.texts:
        return None
    if service.wording.texts[key] != service.default_wording.texts.get(key):
        return "edited"
    return "default"


@routes.get("/admin/templates")
@auth.page
async def template_list(request: web.Request) -> web.StreamResponse:
    await administrator(request)
    service = request.app[SERVICE]
    catalogue = service.wording.catalogue
    locales = await editable_locales(service)
    logged = {(f.message, f.locale): f for f in await store.fallbacks_logged(service.db)}
    flags = [
        f
        for f in logged.values()
        if f.message in catalogue.messages
        and (f.message, f.locale, STANDARD) not in service.wording.texts
    ]
    rows = []
    for name, spec in catalogue.messages.items():
        cells = []
        for locale in locales:
            status = _status(service, (name, locale, STANDARD)) or "missing"
            found = logged.get((name, locale))
            cells.append(
                Cell(
                    locale,
                    status,
                    _status(service, (name, locale, EASY_READ)),
                    found.times if found and status == "missing" else 0,
                )
            )
        rows.append(Row(spec, cells))
    return auth.render(
        request,
        "admin_templates.html",
        rows=rows,
        locales=locales,
        flags=flags,
        language_label=language_label,
        message_title=message_title,
        tz=service.team_timezone(),
    )


# --- Previews -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """A wording filled in, as a phone shows a text or as a letter reads on the page."""

    heading: str
    kind: str  # sms | letter
    text: str | None  # None when the wording cannot be filled in
    problem: str | None = None
    info: SegmentInfo | None = None
    ucs2_because: str | None = None
    samples_used: tuple[str, ...] = ()  # placeholders the family could not fill
    note: str = ""


def fill(body: str, values: Mapping[str, str]) -> str:
    """The wording with each placeholder's value; one with no value shows as written, {name}."""
    used = placeholders_in(body)
    return render(body, {name: values.get(name, "{" + name + "}") for name in used}, used)


def preview(
    spec: MessageSpec,
    body: str,
    values: Mapping[str, str],
    heading: str,
    *,
    samples_used: Sequence[str] = (),
    note: str = "",
) -> Preview:
    if not body.strip():
        return Preview(heading, spec.kind, None, "There is nothing to preview yet.")
    try:
        text = fill(body, values)
    except TemplateError:
        return Preview(heading, spec.kind, None, "Correct the placeholders to see the preview.")
    if not spec.is_sms:
        return Preview(heading, spec.kind, text, note=note, samples_used=tuple(samples_used))
    info = segment_info(text)
    because = None
    if info.encoding != GSM_7:
        because = next((char for char in text if encoding_of(char) != GSM_7), None)
    return Preview(
        heading,
        spec.kind,
        text,
        info=info,
        ucs2_because=because,
        samples_used=tuple(samples_used),
        note=note,
    )


def _address_lines(address: str) -> list[str]:
    return [
        part.strip() for line in address.splitlines() for part in line.split(",") if part.strip()
    ]


async def family_values(service: Service, family: Family, locale: str) -> dict[str, str]:
    """What this family's texts would say, written in the language being edited."""
    assert family.id is not None
    now = service.now()
    tz = service.team_timezone()
    values = dict(service.wording.team_values)
    values["family_reference"] = family.reference
    values["baby_name"] = baby_words(family.baby_name, locale)
    values["letter_date"] = letter_date(now.astimezone(tz).date(), locale)
    values["next_opening"] = format_next_opening(
        hours_core.next_opening(service.policies.hours, now), locale, tz
    )
    if family.referrer.name:
        values["referrer_name"] = family.referrer.name
    if family.practitioner_id is not None:
        practitioner = await staff_store.get(service.db, family.practitioner_id)
        if practitioner is not None:
            values["practitioner_name"] = first_name(practitioner.name)
    reachable = [p for p in family.parents if not p.do_not_contact]
    if reachable:
        parent = reachable[0]
        values["parent_name"] = first_name(parent.name)
        values["recipients"] = "\n".join([parent.name, *_address_lines(parent.address)])
        copies = [p.name for p in reachable[1:]]
        if referrer_copy(family):
            copies.append(referrer_copy(family))
        values["copies"] = "; ".join(copies)
    upcoming = await appointment_store.upcoming_booked_for_family(service.db, family.id, now)
    if upcoming:
        values["appointment_time"] = format_appointment_time(upcoming[0].starts_at, locale, tz)
        values["place"] = place_words(upcoming[0].place, upcoming[0].address, locale)
    return {name: value for name, value in values.items() if value}


def family_label(choice: store.FamilyChoice) -> str:
    baby = choice.baby_name or (f"Baby of {choice.mother_name}" if choice.mother_name else "")
    return f"{choice.reference}: {baby}" if baby else choice.reference


async def previews(
    service: Service, message: str, locale: str, body: str, family_id: int | None
) -> list[Preview]:
    """With sample values always, and with a real family's details when one is chosen."""
    catalogue = service.wording.catalogue
    spec = catalogue.spec(message)
    samples = catalogue.sample_values(message, locale)
    shown = [preview(spec, body, samples, "With sample details")]
    family = await family_store.get(service.db, family_id) if family_id else None
    if family is not None and family.status != "closed":
        real = await family_values(service, family, locale)
        used = placeholders_or_nothing(body)
        missing = sorted(name for name in spec.placeholders & used if name not in real)
        note = ""
        if "parent_name" in missing:
            note = "No parent in this family may be contacted."
        shown.append(
            preview(
                spec,
                body,
                {**samples, **real},
                f"For {family.reference}",
                samples_used=missing,
                note=note,
            )
        )
    return shown


def placeholders_or_nothing(body: str) -> set[str]:
    try:
        return placeholders_in(body)
    except TemplateError:
        return set()


# --- The edit page ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    version: TemplateVersion
    number: int
    author: str
    action: str
    in_use: bool
    before: int | str  # the version (or "default") it replaced, to compare with


def describe_finding(finding: Finding) -> str:
    """A finding as a sentence: findings are written as if following 'the wording'."""
    text = finding.message
    if text.startswith(("is ", "must ", "uses ", "asks ", "was ", "has ")):
        return f"This wording {text}"
    return text[:1].upper() + text[1:]


@dataclass
class Draft:
    body: str
    reason: str = ""
    family_id: int | None = None
    based_on: int | None = None  # the newest version id when the page was first opened
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)
    warnings: list[str] = field(default_factory=list)


def history_rows(
    history: Sequence[TemplateVersion], everyone: Mapping[int, Staff]
) -> list[HistoryRow]:
    numbers = wording_changes.version_numbers(history)
    oldest_first = sorted(history, key=lambda v: v.id)
    rows = []
    for index, version in enumerate(oldest_first):
        author = everyone[version.author_id].name if version.author_id in everyone else "Unknown"
        action = ACTION_LABELS.get(version.action, version.action)
        before: int | str = oldest_first[index - 1].id if index else DEFAULT
        if index and oldest_first[index - 1].body is None:
            before = DEFAULT
        rows.append(
            HistoryRow(
                version,
                numbers[version.id],
                author,
                action,
                in_use=index == len(oldest_first) - 1 and version.body is not None,
                before=before,
            )
        )
    return list(reversed(rows))


async def edit_page(
    request: web.Request,
    key: tuple[str, str, str],
    draft: Draft | None = None,
    *,
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    message, locale, variant = key
    catalogue = service.wording.catalogue
    spec = catalogue.spec(message)
    in_use = wording_changes.wording_in_use(service, *key)
    default = wording_changes.default_wording(service, *key)
    history = await store.history(service.db, *key)
    newest = history[0] if history else None
    edited = newest is not None and newest.action != "reset"
    stand_in = None  # the wording parents get instead, when this language or variant has none
    if in_use is None:
        stand_in_locale = locale
        if variant == EASY_READ and (message, locale, STANDARD) in service.wording.texts:
            stand_in = service.wording.texts[(message, locale, STANDARD)]
        else:
            stand_in_locale = FALLBACK_LOCALE
            stand_in = service.wording.texts.get((message, FALLBACK_LOCALE, STANDARD))
        stand_in_label = language_label(stand_in_locale)
    else:
        stand_in_label = ""
    if draft is None:
        body = in_use if in_use is not None else (stand_in or "")
        draft = Draft(body=body, family_id=int_or_none(request.query.get("family")))
        if in_use is not None:
            findings = wording_changes.findings_for(service, message, locale, in_use)
            draft.warnings = [describe_finding(f) for f in findings]
    if draft.based_on is None:
        draft.based_on = newest.id if newest else 0
    everyone = await staff_by_id(service)
    rows = history_rows(history, everyone)
    choices = await store.open_family_choices(service.db)
    compare_options = [(DEFAULT, "The default wording")] + [
        (str(row.version.id), f"Version {row.number}")
        for row in rows
        if row.version.body is not None
    ]
    return auth.render(
        request,
        "admin_templates_edit.html",
        status=status,
        spec=spec,
        message=message,
        title=message_title(message),
        locale=locale,
        language=language_label(locale),
        variant=variant,
        variant_labels=VARIANT_LABELS,
        variants_present={
            v: (message, locale, v) in service.wording.texts for v in wording_changes.VARIANTS
        },
        in_use=in_use,
        default=default,
        edited=edited,
        newest=newest,
        newest_author=everyone[newest.author_id].name
        if newest and newest.author_id in everyone
        else "",
        stand_in=stand_in,
        stand_in_label=stand_in_label,
        draft=draft,
        body_errors=[text for field_id, text in draft.errors if field_id == "body"],
        reason_error=" ".join(text for field_id, text in draft.errors if field_id == "reason"),
        placeholders=[catalogue.placeholders[name] for name in sorted(spec.placeholders)],
        required=spec.required,
        previews=await previews(service, message, locale, draft.body, draft.family_id),
        families=[(str(c.id), family_label(c)) for c in choices],
        history=rows,
        compare_options=compare_options,
        max_segments=service.policies.reminders.max_segments,
        tz=service.team_timezone(),
    )


def _edit_url(message: str, locale: str, variant: str) -> str:
    suffix = "" if variant == STANDARD else f"?variant={variant}"
    return f"/admin/templates/{message}/{locale}{suffix}"


@routes.get("/admin/templates/{message}/{locale}")
@auth.page
async def edit(request: web.Request) -> web.StreamResponse:
    await administrator(request)
    return await edit_page(request, await _key_or_404(request))


def _draft_from(form: Mapping[str, Any]) -> Draft:
    return Draft(
        body=wording_changes.normalise(str(form.get("body", ""))),
        reason=str(form.get("reason", "")).strip(),
        family_id=int_or_none(form.get("family")),
        based_on=int_or_none(form.get("based_on")),
    )


def _findings_into(draft: Draft, findings: Sequence[Finding]) -> None:
    for finding in findings:
        if finding.level == "error":
            draft.errors.append(("body", describe_finding(finding)))
        else:
            draft.warnings.append(describe_finding(finding))


@routes.post("/admin/templates/{message}/{locale}")
@auth.page
async def save(request: web.Request) -> web.StreamResponse:
    """Preview the draft (nothing saved), or save it as a new version."""
    member = await administrator(request)
    service = request.app[SERVICE]
    form = await request.post()
    key = await _key_or_404(request, str(form.get("variant", STANDARD)))
    draft = _draft_from(form)
    if form.get("action") != "save":
        _findings_into(draft, wording_changes.findings_for(service, key[0], key[1], draft.body))
        return await edit_page(request, key, draft)
    if not draft.reason:
        draft.errors.append(("reason", "Say why you are changing the wording"))
    outcome = wording_changes.Outcome(None)
    if not draft.errors:
        assert member.id is not None
        outcome = await wording_changes.save_version(
            service,
            member.id,
            *key,
            draft.body,
            draft.reason,
            based_on=draft.based_on,
        )
    else:
        _findings_into(draft, wording_changes.findings_for(service, key[0], key[1], draft.body))
    if not outcome.saved:
        _findings_into(draft, outcome.findings)
        return await edit_page(request, key, draft, status=422)
    warned = f" with {len(outcome.warnings)} warning{'s' if len(outcome.warnings) != 1 else ''}"
    auth.flash(
        request,
        f"Saved{warned if outcome.warnings else ''}. The next {message_title(key[0]).lower()}"
        f" in {language_label(key[1])} uses the new wording.",
    )
    return auth.redirect(_edit_url(*key))


@routes.post("/admin/templates/preview")
@auth.page
async def live_preview(request: web.Request) -> web.StreamResponse:
    """The preview part of the edit page for a draft, for the page's script to swap in."""
    await administrator(request)
    service = request.app[SERVICE]
    form = await request.post()
    message, locale = str(form.get("message", "")), str(form.get("locale", ""))
    variant = str(form.get("variant", STANDARD))
    try:
        wording_changes.check_key(service, message, locale, variant)
    except wording_changes.UnknownTemplate:
        auth.not_found(request)
    draft = _draft_from(form)
    _findings_into(draft, wording_changes.findings_for(service, message, locale, draft.body))
    return auth.render(
        request,
        "admin_templates_preview.html",
        draft=draft,
        previews=await previews(service, message, locale, draft.body, draft.family_id),
        live=True,
    )


# --- Going back ---------------------------------------------------------------------------


@routes.post("/admin/templates/{message}/{locale}/reset")
@auth.page
async def reset(request: web.Request) -> web.StreamResponse:
    member = await administrator(request)
    service = request.app[SERVICE]
    form = await request.post()
    key = await _key_or_404(request, str(form.get("variant", STANDARD)))
    assert member.id is not None
    outcome = await wording_changes.reset_to_default(
        service,
        member.id,
        *key,
        str(form.get("reason", "")),
        based_on=int_or_none(form.get("based_on")),
    )
    if outcome.saved:
        auth.flash(request, "Reset. Parents get the default wording again from the next text.")
    else:
        auth.flash(request, " ".join(describe_finding(f) for f in outcome.errors))
    return auth.redirect(_edit_url(*key))


@routes.post("/admin/templates/{message}/{locale}/rollback")
@auth.page
async def rollback(request: web.Request) -> web.StreamResponse:
    member = await administrator(request)
    service = request.app[SERVICE]
    form = await request.post()
    key = await _key_or_404(request, str(form.get("variant", STANDARD)))
    version_id = int_or_none(form.get("version"))
    version = await store.get_version(service.db, version_id) if version_id else None
    if version is None or (version.message, version.locale, version.variant) != key:
        auth.not_found(request)
    assert member.id is not None
    outcome = await wording_changes.rollback_to(
        service,
        member.id,
        version.id,
        str(form.get("reason", "")),
        based_on=int_or_none(form.get("based_on")),
    )
    if outcome.saved:
        auth.flash(request, "Done. Parents get that wording again from the next text.")
        return auth.redirect(_edit_url(*key))
    return await diff_page(request, key, "", str(version.id), outcome.findings)


# --- Differences --------------------------------------------------------------------------

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Change:
    kind: str  # same | added | removed
    text: str


def word_diff(before: str, after: str) -> list[Change]:
    """The words removed and added between two wordings, in reading order."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes.append(Change("same", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            changes.append(Change("removed", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            changes.append(Change("added", "".join(new[j1:j2])))
    return changes


@dataclass(frozen=True)
class Side:
    choice: str  # a version id, or "default"
    label: str
    body: str | None


async def _side(
    service: Service, key: tuple[str, str, str], choice: str, numbers: Mapping[int, int]
) -> Side | None:
    if choice == DEFAULT:
        return Side(DEFAULT, "the default wording", wording_changes.default_wording(service, *key))
    version_id = int_or_none(choice)
    version = await store.get_version(service.db, version_id) if version_id else None
    if version is None or (version.message, version.locale, version.variant) != key:
        return None
    if version.body is None:
        return Side(DEFAULT, "the default wording", wording_changes.default_wording(service, *key))
    return Side(str(version.id), f"version {numbers[version.id]}", version.body)


async def diff_page(
    request: web.Request,
    key: tuple[str, str, str],
    before_choice: str,
    after_choice: str,
    findings: Sequence[Finding] = (),
) -> web.Response:
    service = request.app[SERVICE]
    history = await store.history(service.db, *key)
    numbers = wording_changes.version_numbers(history)
    newest = history[0] if history else None
    in_use_choice = str(newest.id) if newest and newest.body is not None else DEFAULT
    before = await _side(service, key, before_choice or in_use_choice, numbers)
    after = await _side(service, key, after_choice or in_use_choice, numbers)
    if before is None or after is None:
        auth.not_found(request)
    changes = word_diff(before.body or "", after.body or "")
    everyone = await staff_by_id(service)
    rows = history_rows(history, everyone)
    return auth.render(
        request,
        "admin_templates_diff.html",
        status=422 if findings else 200,
        message=key[0],
        title=message_title(key[0]),
        locale=key[1],
        language=language_label(key[1]),
        variant=key[2],
        variant_label=VARIANT_LABELS[key[2]],
        before=before,
        after=after,
        changes=changes,
        added=sum(1 for c in changes if c.kind == "added"),
        removed=sum(1 for c in changes if c.kind == "removed"),
        can_restore=after.choice != in_use_choice and after.choice != DEFAULT,
        in_use_choice=in_use_choice,
        based_on=newest.id if newest else 0,
        errors=[describe_finding(f) for f in findings if f.level == "error"],
        compare_options=[(DEFAULT, "The default wording")]
        + [(str(r.version.id), f"Version {r.number}") for r in rows if r.version.body is not None],
        edit_url=_edit_url(*key),
    )


@routes.get("/admin/templates/{message}/{locale}/diff")
@auth.page
async def diff(request: web.Request) -> web.StreamResponse:
    await administrator(request)
    key = await _key_or_404(request)
    return await diff_page(request, key, request.query.get("from", ""), request.query.get("to", ""))
