"""`cradle doctor`: is this installation ready to text families? Plain words, exit 1 on an error.

Reads only: nothing is created, migrated or sent. The Twilio check is a read-only call
(the account, and the sending number's webhook), with the configured credentials.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import aiohttp

from bot.config import ConfigError, Settings, load_settings
from bot.core.policy_errors import PolicyError

OK, WARNING, ERROR = "ok", "warning", "error"
MARKS = {OK: "ok     ", WARNING: "warning", ERROR: "ERROR  "}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Findings:
    lines: list[tuple[str, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append((OK, text))

    def warn(self, text: str) -> None:
        self.lines.append((WARNING, text))

    def error(self, text: str) -> None:
        self.lines.append((ERROR, text))

    @property
    def errors(self) -> int:
        return sum(1 for level, _ in self.lines if level == ERROR)

    def report(self) -> str:
        shown = [f"{MARKS[level]}  {text}" for level, text in self.lines]
        warnings = sum(1 for level, _ in self.lines if level == WARNING)
        verdict = (
            "Cradle is ready."
            if not self.errors
            else "Cradle is not ready: fix the errors above, then run `cradle doctor` again."
        )
        return "\n".join([*shown, "", f"{self.errors} error(s), {warnings} warning(s). {verdict}"])


async def diagnose(environ: Mapping[str, str], config_file: Path | None) -> Findings:
    found = Findings()
    try:
        settings = load_settings(environ, config_file)
    except ConfigError as exc:
        found.error(f"configuration: {exc}")
        return found
    found.ok("configuration is valid")
    _policies(settings, found)
    _templates(settings, found)
    _database(settings, found)
    _permissions(settings, config_file or Path("cradle.toml"), found)
    _public_url(settings, found)
    await _twilio(settings, found)
    await _telegram(settings, found)
    _secrets(settings, environ, found)
    return found


def _policies(settings: Settings, found: Findings) -> None:
    from bot.core.policy import load_policies
    from bot.core.triage import load_triage_rules

    try:
        load_policies(settings.policies_dir)
        load_triage_rules(settings.policies_dir)
    except PolicyError as exc:
        found.error(f"policies: {exc}")
    except OSError as exc:
        found.error(f"policies: cannot read {settings.policies_dir}: {exc.strerror}")
    else:
        found.ok(f"policies in {settings.policies_dir} are valid")


def _templates(settings: Settings, found: Findings) -> None:
    from bot.core.templates import lint

    try:
        findings = lint(settings.messages_dir)
    except (PolicyError, OSError) as exc:
        found.error(f"message templates: {exc}")
        return
    errors = [f"{path}: {f.message}" for path, f in findings if f.level == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more; run `cradle templates lint`)" if errors[1:] else ""
        found.error(f"message templates: {errors[0]}{more}")
    else:
        found.ok(f"message templates in {settings.messages_dir} are valid")


def _database(settings: Settings, found: Findings) -> None:
    from bot.store.db import migration_files
    from bot.store.inspect import read_only_check

    path = settings.database
    if not path.exists():
        found.error(f"database: there is no database at {path}; run `cradle db migrate`")
        return
    try:
        check, applied = read_only_check(path)
    except sqlite3.Error as exc:
        found.error(f"database: {path} cannot be read as a Cradle database ({exc})")
        return
    if check != "ok":
        found.error(f"database: {path} failed its integrity check ({check}); restore a backup")
        return
    missing = [name for version, name, _ in migration_files() if version not in applied]
    if missing:
        found.error(
            f"database: {len(missing)} upgrade(s) not applied ({missing[0]} first);"
            " run `cradle db migrate`"
        )
    else:
        found.ok(f"database at {path} answers, passes its integrity check and is up to date")


def _permissions(settings: Settings, config: Path, found: Findings) -> None:
    db = settings.database
    loose = []
    for path in [db, *(db.with_name(db.name + s) for s in ("-wal", "-shm")), config]:
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(f"{path} ({oct(stat.S_IMODE(path.stat().st_mode))[2:]})")
    if loose:
        found.error(
            "file permissions: readable by other users: " + ", ".join(loose)
            + "; run `chmod 600` on them (Cradle tightens the database itself when it starts)"
        )  # fmt: skip
    elif db.exists():
        found.ok("file permissions: the database and its files are for the service user only")
    folder = db.parent
    if folder.exists() and stat.S_IMODE(folder.stat().st_mode) & 0o002:
        found.error(f"file permissions: {folder} can be written by anyone; `chmod o-w` it")


def _public_url(settings: Settings, found: Findings) -> None:
    url = urlparse(settings.public_url)
    local = url.hostname in LOCAL_HOSTS
    if local and (settings.twilio_enabled or settings.telegram_enabled):
        found.error(
            f"webhook URL: CRADLE_PUBLIC_URL is {settings.public_url}: Twilio and Telegram"
            " cannot reach it; set it to the address the reverse proxy serves"
        )
    elif not local and url.scheme != "https":
        found.error(
            f"webhook URL: CRADLE_PUBLIC_URL is {settings.public_url}: use https, with TLS at"
            " the reverse proxy"
        )
    elif local:
        found.warn(f"webhook URL: {settings.public_url} is this machine only (fine for a trial)")
    else:
        found.ok(f"webhook URL: {settings.public_url}")


async def _twilio(settings: Settings, found: Findings) -> None:
    if not settings.twilio_enabled:
        found.warn(
            "Twilio is not configured: texts will wait in the outbox"
            + (" (the phone simulator is on)" if settings.simulator else "")
        )
        return
    sid = settings.twilio_account_sid or ""
    secret = f"{sid}:{settings.twilio_auth_token}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(secret).decode()}
    base = settings.twilio_api_url.rstrip("/") + f"/2010-04-01/Accounts/{quote(sid)}"
    timeout = aiohttp.ClientTimeout(total=15)
    try:
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as http:
            async with http.get(base + ".json") as r:
                account = await r.json(content_type=None) if r.status == 200 else None
                status = r.status
            if status == 401:
                found.error("Twilio: the account SID and auth token were refused; check both")
                return
            if account is None:
                found.error(f"Twilio: the account could not be read (HTTP {status})")
                return
            if account.get("status") != "active":
                found.error(f"Twilio: the account is {account.get('status')}, not active")
                return
            found.ok(f'Twilio: the credentials work (account "{account.get("friendly_name")}")')
            if settings.twilio_from:
                await _twilio_number(http, base, settings, found)
    except (aiohttp.ClientError, TimeoutError) as exc:
        found.error(f"Twilio: cannot reach {settings.twilio_api_url} ({exc.__class__.__name__})")


async def _twilio_number(
    http: aiohttp.ClientSession, base: str, settings: Settings, found: Findings
) -> None:
    number = (settings.twilio_from or "").replace(" ", "")
    async with http.get(base + "/IncomingPhoneNumbers.json", params={"PhoneNumber": number}) as r:
        body = await r.json(content_type=None) if r.status == 200 else {}
    numbers = body.get("incoming_phone_numbers") or []
    if not numbers:
        found.error(f"Twilio: {number} (TWILIO_FROM) is not a number on this account")
        return
    expected = settings.public_url.rstrip("/") + "/webhooks/twilio/sms"
    actual = numbers[0].get("sms_url") or ""
    if actual != expected:
        found.error(
            f"Twilio: replies to {number} go to {actual or 'nowhere'}; set the number's"
            f" messaging webhook to {expected} (HTTP POST) in the Twilio console"
        )
    else:
        found.ok(f"Twilio: replies to {number} come to {expected}")


async def _telegram(settings: Settings, found: Findings) -> None:
    if not settings.telegram_enabled:
        return
    if not settings.telegram_webhook_secret:
        found.error(
            "Telegram: set CRADLE_TELEGRAM_WEBHOOK_SECRET (any long random text); without it"
            " the webhook refuses every update"
        )
    url = f"{settings.telegram_api_url.rstrip('/')}/bot{settings.telegram_bot_token}/getMe"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
            async with http.post(url) as r:  # getMe: read-only
                body = await r.json(content_type=None) if r.status in (200, 401, 404) else {}
    except (aiohttp.ClientError, TimeoutError) as exc:
        found.error(
            f"Telegram: cannot reach {settings.telegram_api_url} ({exc.__class__.__name__})"
        )
        return
    if not body.get("ok"):
        found.error("Telegram: the bot token was refused; check TELEGRAM_BOT_TOKEN")
        return
    username = body["result"].get("username", "")
    found.ok(
        f"Telegram: the bot @{username} answers; updates are expected at"
        f" {settings.public_url}/webhooks/telegram"
    )


def _secrets(settings: Settings, environ: Mapping[str, str], found: Findings) -> None:
    if not settings.session_secret:
        found.warn("CRADLE_SESSION_SECRET is not set: staff are signed out at each restart")
    if not environ.get("CRADLE_BACKUP_KEY"):
        found.warn("CRADLE_BACKUP_KEY is not set: backups are not encrypted")
    if settings.host not in LOCAL_HOSTS and not settings.metrics_token:
        found.warn(
            f"Cradle listens on {settings.host} without CRADLE_METRICS_TOKEN: /metrics answers"
            " only calls from this machine"
        )


def run(config_file: Path | None) -> int:
    import asyncio

    found = asyncio.run(diagnose(os.environ, config_file))
    print(found.report())
    return 1 if found.errors else 0
