"""Administrators' changes to message wording: save a version, go back to one, reset to default.

Every change adds a row to template_versions (rows are never changed) and an audit entry that
names the message, never its words. The service's wording is reloaded straight after, so the
next text sent uses the change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core import templates
from bot.core.templates import EASY_READ, STANDARD, Finding
from bot.store import audit
from bot.store import templates as store
from bot.store.templates import TemplateVersion

if TYPE_CHECKING:
    from bot.runtime.service import Service

VARIANTS = (STANDARD, EASY_READ)
EDIT, ROLLBACK, RESET = "edit", "rollback", "reset"
MAX_BODY_CHARS = 10_000  # a long letter is about 3,000
MAX_REASON_CHARS = 500
_LOCALE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")


class UnknownTemplate(LookupError):
    """No such message, variant, language or version."""


@dataclass(frozen=True)
class Outcome:
    """What came of a change: the new version's id, or None when it was refused."""

    version_id: int | None
    findings: tuple[Finding, ...] = ()

    @property
    def saved(self) -> bool:
        return self.version_id is not None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]


def normalise(body: str) -> str:
    """Browsers send CRLF; files end without a newline. Store what a phone would show."""
    return body.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def check_key(service: Service, message: str, locale: str, variant: str) -> None:
    """UnknownTemplate unless this is a message of the catalogue, a variant and a language code."""
    if message not in service.wording.catalogue.messages:
        raise UnknownTemplate(f"there is no message called {message!r}")
    if variant not in VARIANTS:
        raise UnknownTemplate(f"the variant must be {' or '.join(VARIANTS)}, got {variant!r}")
    if not _LOCALE.fullmatch(locale):
        raise UnknownTemplate(f"{locale!r} is not a language code like en_GB or cy")


def findings_for(service: Service, message: str, locale: str, body: str) -> list[Finding]:
    """The catalogue's checks with the team's own limits: errors refuse a save, warnings do not."""
    catalogue = service.wording.catalogue
    reminders = service.policies.reminders
    found = templates.validate(
        message,
        locale,
        body,
        catalogue,
        max_segments=reminders.max_segments,
        reading_age_target=reminders.reading_age,
        jargon=catalogue.jargon_for(locale),
        revealing=service.policies.revealing.for_locale(locale),
    )
    if len(body) > MAX_BODY_CHARS:
        found.insert(0, Finding("error", f"is longer than {MAX_BODY_CHARS:,} characters"))
    return found


def wording_in_use(service: Service, message: str, locale: str, variant: str) -> str | None:
    """The wording of this variant in force now (saved or default), None when it has none."""
    return service.wording.texts.get((message, locale, variant))


def default_wording(service: Service, message: str, locale: str, variant: str) -> str | None:
    return service.default_wording.texts.get((message, locale, variant))


async def latest(
    service: Service, message: str, locale: str, variant: str
) -> TemplateVersion | None:
    found = await store.history(service.db, message, locale, variant)
    return found[0] if found else None


def version_numbers(history: Sequence[TemplateVersion]) -> dict[int, int]:
    """Version id -> its number for this message and language, counting from 1."""
    return {
        version.id: number for number, version in enumerate(sorted(history, key=lambda v: v.id), 1)
    }


def _stale(seen: int | None, newest: TemplateVersion | None) -> Finding | None:
    """Refuse a change made on a page that is out of date: it would undo someone else's."""
    if seen is None or (newest.id if newest else 0) == seen:
        return None
    return Finding(
        "error",
        "was changed by someone else after you opened this page: copy your text, "
        "reload the page and make your change again",
    )


async def _write(
    service: Service,
    staff_id: int,
    *,
    message: str,
    locale: str,
    variant: str,
    body: str | None,
    action: str,
    reason: str,
    audit_action: str,
    **detail: object,
) -> int:
    now = service.now()
    async with service.db.transaction() as conn:
        version_id = await store.add_version(
            conn,
            message=message,
            locale=locale,
            variant=variant,
            body=body,
            action=action,
            reason=reason[:MAX_REASON_CHARS],
            author_id=staff_id,
            at=now,
        )
        await audit.record(
            conn,
            now,
            f"staff:{staff_id}",
            audit_action,
            "template",
            version_id,
            message=message,
            locale=locale,
            variant=variant,
            **detail,
        )
    await service.reload_wording()
    return version_id


async def save_version(
    service: Service,
    staff_id: int,
    message: str,
    locale: str,
    variant: str,
    body: str,
    reason: str,
    *,
    based_on: int | None = None,
) -> Outcome:
    """Save new wording over the default after checking it; errors refuse the save.

    `based_on` is the newest version id the editor saw (0 for none): a save from a page that
    someone else's change has overtaken is refused rather than silently undoing theirs.
    """
    check_key(service, message, locale, variant)
    body = normalise(body)
    findings = findings_for(service, message, locale, body)
    stale = _stale(based_on, await latest(service, message, locale, variant))
    if stale:
        findings.insert(0, stale)
    if body == wording_in_use(service, message, locale, variant):
        findings.insert(0, Finding("error", "is the wording in use already: nothing to save"))
    if any(f.level == "error" for f in findings):
        return Outcome(None, tuple(findings))
    version_id = await _write(
        service,
        staff_id,
        message=message,
        locale=locale,
        variant=variant,
        body=body,
        action=EDIT,
        reason=reason.strip(),
        audit_action="template_edited",
        warnings=sum(1 for f in findings if f.level == "warning"),
    )
    return Outcome(version_id, tuple(findings))


async def rollback_to(
    service: Service,
    staff_id: int,
    version_id: int,
    reason: str = "",
    *,
    based_on: int | None = None,
) -> Outcome:
    """Put an earlier version's wording back in force, as a new version; checked like a save."""
    version = await store.get_version(service.db, version_id)
    if version is None:
        raise UnknownTemplate(f"there is no version {version_id}")
    key = (version.message, version.locale, version.variant)
    check_key(service, *key)
    history = await store.history(service.db, *key)
    number = version_numbers(history)[version.id]
    why = reason.strip() or f"Went back to version {number}"
    if version.body is None:  # that version was a reset: going back to it is a reset
        return await reset_to_default(service, staff_id, *key, why, based_on=based_on)
    findings = findings_for(service, version.message, version.locale, version.body)
    stale = _stale(based_on, history[0])
    if stale:
        findings.insert(0, stale)
    if version.body == wording_in_use(service, *key):
        findings.insert(0, Finding("error", f"version {number} is the wording in use already"))
    if any(f.level == "error" for f in findings):
        return Outcome(None, tuple(findings))
    new_id = await _write(
        service,
        staff_id,
        message=version.message,
        locale=version.locale,
        variant=version.variant,
        body=version.body,
        action=ROLLBACK,
        reason=why,
        audit_action="template_rolled_back",
        restored_version=version.id,
    )
    return Outcome(new_id, tuple(findings))


async def reset_to_default(
    service: Service,
    staff_id: int,
    message: str,
    locale: str,
    variant: str,
    reason: str = "",
    *,
    based_on: int | None = None,
) -> Outcome:
    """Back to the wording in messages/ (or, with none there, to the English or standard one)."""
    check_key(service, message, locale, variant)
    newest = await latest(service, message, locale, variant)
    findings: list[Finding] = []
    stale = _stale(based_on, newest)
    if stale:
        findings.append(stale)
    if newest is None or newest.action == RESET:
        findings.append(Finding("error", "is the default wording already: nothing to reset"))
    if findings:
        return Outcome(None, tuple(findings))
    version_id = await _write(
        service,
        staff_id,
        message=message,
        locale=locale,
        variant=variant,
        body=None,
        action=RESET,
        reason=reason.strip() or "Back to the default wording",
        audit_action="template_reset",
    )
    return Outcome(version_id, ())
