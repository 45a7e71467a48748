"""The `cradle` command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock, parse_instant
from bot.config import ConfigError, Settings, load_settings
from bot.core.policy_errors import PolicyError

if TYPE_CHECKING:
    from bot.core.triage_rules import TriageRules


def _run(coroutine):  # noqa: ANN001, ANN202
    # asyncio costs 50 ms to import: only the commands that need it pay for it.
    import asyncio

    return asyncio.run(coroutine)


def _settings(args: argparse.Namespace, **overrides: object) -> Settings:
    config = Path(args.config) if getattr(args, "config", None) else None
    return load_settings(os.environ, config, **overrides)


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise SystemExit(
            f"--at must be an ISO-8601 instant like 2026-11-23T09:00:00Z, got {text!r}"
        ) from None


async def _service(settings: Settings, clock: Clock | None = None):  # noqa: ANN202
    from bot.runtime.service import Service

    return await Service.create(settings, clock)


def cmd_demo(args: argparse.Namespace) -> int:
    import shutil

    from bot.config import demo_environment

    folder = Path(tempfile.mkdtemp(prefix="cradle-demo-"))
    environ, ignored = demo_environment(os.environ)
    overrides: dict[str, object] = {"database": folder / "demo.sqlite3", "demo": True}
    if args.port:
        overrides["port"] = args.port
    try:
        # Never cradle.toml: a team's real Twilio or Telegram settings must not reach the demo.
        settings = load_settings(environ, read_file=False, **overrides)
        if "CRADLE_PUBLIC_URL" not in environ:
            from dataclasses import replace

            settings = replace(settings, public_url=f"http://{settings.host}:{settings.port}")
        _run(_run_demo(settings, ignored))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"The demo database ({folder}) has been deleted.", flush=True)
    return 0


async def _run_demo(settings: Settings, ignored: list[str]) -> None:
    from bot import demo
    from bot.passwords import hash_password
    from bot.server import serve_forever

    service = await _service(settings)
    service.policies = demo.demo_policies(service.policies)
    ids = await demo.seed(service, hash_password(demo.DEMO_PASSWORD))
    await demo.book_first_appointment(service, ids["PIR-0001"])
    base = f"http://{settings.host}:{settings.port}"

    def ready() -> None:
        print(demo_guide(base, settings, ignored), flush=True)

    await serve_forever(service, settings.host, settings.port, ready)


def demo_guide(base: str, settings: Settings, ignored: list[str]) -> str:
    from bot import demo

    lines = [
        f"Cradle demo is running on {base}",
        "",
        "It never sends real texts: everything goes to the phone simulator. It does not read",
        "cradle.toml or any TWILIO_* or TELEGRAM_* setting"
        + (f" (ignored here: {', '.join(ignored)})." if ignored else "."),
        f"Its database is thrown away when you stop it ({settings.database}).",
        "",
        f"  Phone simulator:  {base}/simulator   (no sign-in; every phone, live)",
        f"  Console:          {base}/login",
        "",
        "Who is who:",
    ]
    for who, why in demo.WHO_IS_WHO:
        lines.append(f"  - {who}: {why}")
    lines += ["", f"Sign-ins (password: {demo.DEMO_PASSWORD}):"]
    for member in demo.STAFF:
        lines.append(f"  {member.email:<22} {member.name}, {member.role.value.replace('_', ' ')}")
    lines += ["", "Things to try:"]
    for number, thing in enumerate(demo.THINGS_TO_TRY, 1):
        lines.append(f"  {number}. {thing}")
    lines += [
        "",
        "Texts go at any hour in the demo, so you can try it in the evening; the team's",
        "opening hours are as in policies/, so a message sent after hours gets the",
        "out-of-hours reply.",
        "Press Ctrl+C to stop.",
    ]
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.server import serve_forever

    settings = _settings(args)

    async def main() -> None:
        service = await _service(settings)
        for warning in await _reachability(service.policies, settings):
            print(f"warning: {warning}", file=sys.stderr, flush=True)
        polling = None
        if settings.telegram_enabled:  # aiogram is loaded only when Telegram is configured
            from bot.runtime.telegram import start_channel

            try:
                polling = await start_channel(service, polling=args.polling)
            except BaseException:
                await service.close()
                raise

        def ready() -> None:
            print(f"Cradle is listening on http://{settings.host}:{settings.port}", flush=True)

        try:
            await serve_forever(service, settings.host, settings.port, ready)
        finally:
            if polling is not None:
                polling.cancel()

    _run(main())
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.store.db import open_database

    settings = _settings(args)

    async def main() -> list[str]:
        db = await open_database(settings.database, migrate=False)
        try:
            return await db.migrate()
        finally:
            await db.close()

    applied = _run(main())
    print(f"applied: {', '.join(applied)}" if applied else "the database is up to date")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.store import backup

    settings = _settings(args)
    try:
        key = backup.read_key(os.environ.get(backup.KEY_VARIABLE))
        pages = backup.backup(settings.database, Path(args.path), key)
    except backup.BackupError as exc:
        raise SystemExit(f"cradle: {exc}") from None
    sealed = f"encrypted with {backup.KEY_VARIABLE}" if key else "not encrypted"
    print(f"backed up {settings.database} to {args.path} ({pages} pages, checked, {sealed})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from bot.store import backup

    settings = _settings(args)
    try:
        key = backup.read_key(os.environ.get(backup.KEY_VARIABLE))
        tables = backup.restore(Path(args.path), settings.database, key, replace=args.replace)
    except (backup.BackupError, backup.DatabaseLocked) as exc:
        raise SystemExit(f"cradle: {exc}") from None
    print(f"restored {settings.database} from {args.path} ({tables} tables, integrity checked)")
    print("next: `cradle db migrate`, then start the service")
    return 0


def cmd_backup_key(args: argparse.Namespace) -> int:
    from bot.store.backup import KEY_VARIABLE, new_key

    print(new_key())
    print(f"keep it apart from the backups; set {KEY_VARIABLE} to it", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.runtime.subject_access import UnknownSubject, export

    settings = _settings(args)

    async def main() -> tuple[dict, str]:
        from bot.web.console_governance import printable

        service = await _service(settings)
        try:
            data = await export(
                service, f"cli:{args.by}", family_id=args.family, parent_id=args.parent
            )
            return data, printable(data, service.team_timezone())
        finally:
            await service.close()

    try:
        data, page = _run(main())
    except UnknownSubject as unknown:
        raise SystemExit(f"cradle: there is no {unknown} with that id") from None
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if args.html:
        Path(args.html).write_text(page, encoding="utf-8")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from bot.core.erasure import confirmation_matches
    from bot.runtime.erasure import ErasureRefused, erase_parent
    from bot.store import erasure as erasure_store

    settings = _settings(args)

    async def main() -> dict[str, int]:
        service = await _service(settings)
        try:
            parent = await erasure_store.parent(service.db, args.parent)
            if parent is None:
                raise SystemExit(f"cradle: there is no parent with id {args.parent}")
            typed = (
                args.confirm
                if args.confirm is not None
                else input(f"Type {parent['name']} to confirm erasing them: ")
            )
            if not confirmation_matches(typed, parent["name"]):
                raise SystemExit("cradle: the name typed does not match; nothing was erased")
            try:
                return await erase_parent(service, args.parent, f"cli:{args.by}", args.reason)
            except ErasureRefused as refused:
                raise SystemExit(f"cradle: {refused}") from None
        finally:
            await service.close()

    counts = _run(main())
    print(json.dumps({"erased_parent": args.parent, **counts}))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run

    return run(Path(args.config) if args.config else None)


def cmd_tick(args: argparse.Namespace) -> int:
    from bot.runtime.scheduler import tick

    at = _instant(args.at) or datetime.now(UTC)
    settings = _settings(args)

    async def main() -> dict[str, int]:
        service = await _service(settings, Clock(at))
        try:
            report = await tick(service, at)
            return report.counts
        finally:
            await service.close()

    counts = _run(main())
    print(json.dumps({"at": at.isoformat(), **counts}))
    return 0


def cmd_triage(args: argparse.Namespace) -> int:
    # Only the pure triage module: this command must start fast (no aiogram, no aiohttp).
    from bot.core.triage import load_triage_rules, triage

    policies = Path(os.environ.get("CRADLE_POLICIES_DIR", "policies"))
    rules = load_triage_rules(policies)
    if args.action == "eval":
        return _triage_eval(args.file, rules)
    if args.action is not None:
        print(
            f"cradle triage: unknown action {args.action!r}; write `cradle triage eval FILE`",
            file=sys.stderr,
        )
        return 2
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
            locale = item.get("locale")
            if locale is not None and not isinstance(locale, str):
                raise ValueError('"locale" must be a string')
            out = triage(item["text"], rules, locale).to_json()
        except (json.JSONDecodeError, ValueError) as exc:
            out = {"error": str(exc)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _triage_eval(file: str | None, rules: TriageRules) -> int:
    from bot.core.triage import triage
    from bot.core.triage_eval import Outcome, evaluate, read_labelled, report

    if not file:
        print("cradle triage eval: name a labelled JSON-lines file", file=sys.stderr)
        return 2
    path = Path(file)
    try:
        rows = read_labelled(path.read_text(encoding="utf-8").splitlines(), str(path))
    except (OSError, ValueError) as exc:
        print(f"cradle triage eval: {exc}", file=sys.stderr)
        return 2

    def run(text: str, locale: str | None) -> Outcome:
        result = triage(text, rules, locale)
        return Outcome(result.risk, result.intent, result.reasons)

    print(report(rows, evaluate(rows, run), str(path)))
    return 0


def cmd_policy_check(args: argparse.Namespace) -> int:
    from bot.core.policy import load_policies, policy_check_report
    from bot.core.triage import load_triage_rules

    policies_dir = Path(os.environ.get("CRADLE_POLICIES_DIR", "policies"))
    at = _instant(args.at) or datetime.now(UTC)
    policies = load_policies(policies_dir)
    load_triage_rules(policies_dir)
    print(f"policies in {policies_dir} are valid")
    print(policy_check_report(policies, at))
    for warning in _staffing_warnings(args, policies):
        print(f"warning: {warning}")
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"warning: staff not checked: {exc}")
        return 0
    for warning in _run(_reachability(policies, settings)):
        print(f"warning: {warning}")
    return 0


def _staffing_warnings(args: argparse.Namespace, policies) -> list[str]:  # noqa: ANN001
    """Escalation roles nobody active holds, when there is a database to ask."""
    from bot.core.escalation import chain_gaps
    from bot.store import staff as staff_store
    from bot.store.db import open_database

    settings = _settings(args)
    if not Path(settings.database).exists():
        return []

    async def main() -> list[str]:
        db = await open_database(settings.database, migrate=False)
        try:
            staff = await staff_store.all_staff(db)
        finally:
            await db.close()
        return chain_gaps(
            policies.escalation, staff, on_call_available=policies.out_of_hours.on_call is not None
        )

    try:
        return _run(main())
    except Exception as exc:  # a database from another version: the policies are still valid
        return [f"could not read staff from {settings.database}: {exc}"]


async def _reachability(policies, settings: Settings) -> list[str]:  # noqa: ANN001
    """Every escalation can reach a phone: warnings, with the staff when there is a database."""
    from bot.core.phones import can_receive_texts
    from bot.core.reachability import reachability_warnings
    from bot.store import staff as staff_store
    from bot.store.db import open_database

    staff = None
    if Path(settings.database).is_file():
        db = await open_database(settings.database, migrate=False)
        try:
            staff = await staff_store.all_staff(db)
        finally:
            await db.close()
    found = reachability_warnings(policies, staff, can_receive_texts, settings.telegram_enabled)
    if staff is None:
        found.append(f"staff not checked: no database at {settings.database}")
    return found


def cmd_templates_lint(args: argparse.Namespace) -> int:
    from bot.core.discretion import load_revealing_words
    from bot.core.policy_errors import PolicyError
    from bot.core.templates import lint

    messages_dir = Path(os.environ.get("CRADLE_MESSAGES_DIR", "messages"))
    policies_dir = Path(os.environ.get("CRADLE_POLICIES_DIR", "policies"))
    try:
        revealing = load_revealing_words(policies_dir)
    except PolicyError as exc:
        print(f"{exc}")
        return 1
    findings = lint(messages_dir, revealing=revealing)
    errors = 0
    for path, finding in findings:
        print(f"{path}: {finding.level}: {finding.message}")
        errors += finding.level == "error"
    print(f"{errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0


def _with_service(args: argparse.Namespace, work):  # noqa: ANN001, ANN202
    """Run `work(service)` against the configured database; AccountError exits with its words."""
    from bot.runtime.accounts import AccountError

    settings = _settings(args)

    async def main():  # noqa: ANN202
        service = await _service(settings)
        try:
            return await work(service)
        finally:
            await service.close()

    try:
        return _run(main())
    except AccountError as exc:
        raise SystemExit(f"cradle: {exc}") from None


async def _staff_id(service, who: str) -> int:  # noqa: ANN001
    """A member of staff by email or id."""
    from bot.store import staff as staff_store

    if who.isdigit():
        member = await staff_store.get(service.db, int(who))
    else:
        found = await staff_store.by_email(service.db, who)
        member = found[0] if found else None
    if member is None or member.id is None:
        raise SystemExit(f"cradle: no member of staff {who!r}")
    return member.id


def cmd_user_add(args: argparse.Namespace) -> int:
    from bot.core.model import Role
    from bot.passwords import new_password_problem
    from bot.runtime import accounts

    password = os.environ.get("CRADLE_NEW_PASSWORD")
    if password is None and not args.temporary_password:
        password = _ask_password()
    if password is not None:
        problem = new_password_problem(password, name=args.name, email=args.email)
        if problem:
            raise SystemExit(f"cradle: {problem}")

    async def work(service):  # noqa: ANN001, ANN202
        return await accounts.add(
            service,
            "cli",
            name=args.name,
            email=args.email,
            role=Role(args.role),
            mobile=args.mobile,
            password=password,
        )

    staff_id, temporary = _with_service(args, work)
    print(f"added {args.name} ({args.role}) with id {staff_id}")
    if temporary:
        print(f"temporary password (to be changed at first sign-in): {temporary}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from bot.store import sessions
    from bot.store import staff as staff_store

    async def work(service):  # noqa: ANN001, ANN202
        lines = []
        now = service.now()
        for m in await staff_store.all_staff(service.db):
            assert m.id is not None
            open_sessions = len(await sessions.open_for(service.db, m.id, now))
            state = "active" if m.active else "deactivated"
            lines.append(
                f"{m.id}\t{m.name}\t{m.email or ''}\t{m.role.value}\t{state}"
                f"\t{open_sessions} session(s)"
            )
        return lines

    print("id\tname\temail\trole\tstate\tsessions")
    for line in _with_service(args, work):
        print(line)
    return 0


def cmd_user_deactivate(args: argparse.Namespace) -> int:
    from bot.runtime import accounts

    async def work(service):  # noqa: ANN001, ANN202
        return await accounts.deactivate(service, "cli", await _staff_id(service, args.who))

    result = _with_service(args, work)
    print(
        f"deactivated {args.who}: {result.sessions_ended} session(s) ended,"
        f" {result.tokens_revoked} API token(s) revoked"
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    from bot.runtime import accounts

    async def work(service):  # noqa: ANN001, ANN202
        return await accounts.reset_password(service, "cli", await _staff_id(service, args.who))

    temporary = _with_service(args, work)
    print(f"temporary password for {args.who} (to be changed at next sign-in): {temporary}")
    return 0


def cmd_user_set_role(args: argparse.Namespace) -> int:
    from bot.core.model import Role
    from bot.runtime import accounts

    async def work(service):  # noqa: ANN001, ANN202
        staff_id = await _staff_id(service, args.who)
        return await accounts.set_role(service, "cli", staff_id, Role(args.role))

    for warning in _with_service(args, work):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.who} is now {args.role}")
    return 0


def _ask_password() -> str:
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("the passwords do not match")
    return first


def cmd_token_create(args: argparse.Namespace) -> int:
    from bot.runtime import accounts

    expires = _instant(args.expires) if args.expires else None

    async def work(service):  # noqa: ANN001, ANN202
        staff_id = await _staff_id(service, args.staff) if args.staff else None
        return await accounts.create_token(
            service, "cli", args.name, staff_id=staff_id, expires_at=expires
        )

    print(_with_service(args, work))
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from bot.store import tokens

    def when(at: datetime | None) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else "-"

    async def work(service):  # noqa: ANN001, ANN202
        now = service.now()
        return [
            f"{t.id}\t{t.name}\t{t.staff_id or '-'}\t{when(t.created_at)}\t{when(t.expires_at)}"
            f"\t{when(t.last_used_at)}\t"
            + ("revoked" if t.revoked_at else "expired" if not t.usable(now) else "usable")
            for t in await tokens.listing(service.db)
        ]

    print("id\tname\tstaff\tcreated\texpires\tlast used\tstate")
    for line in _with_service(args, work):
        print(line)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from bot.runtime import accounts

    async def work(service):  # noqa: ANN001, ANN202
        return await accounts.revoke_token(service, "cli", args.id)

    if not _with_service(args, work):
        raise SystemExit(f"cradle: no usable API token with id {args.id}")
    print(f"revoked API token {args.id}")
    return 0


def cmd_token_expire(args: argparse.Namespace) -> int:
    from bot.runtime import accounts

    at = _instant(args.at) or datetime.now(UTC)

    async def work(service):  # noqa: ANN001, ANN202
        return await accounts.expire_token(service, "cli", args.id, at)

    if not _with_service(args, work):
        raise SystemExit(f"cradle: no usable API token with id {args.id}")
    print(f"API token {args.id} expires at {at.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    return 0


def parser() -> argparse.ArgumentParser:
    from bot.core.model import Role

    top = argparse.ArgumentParser(
        prog="cradle", description="Cradle: texts for parent-infant teams"
    )
    top.add_argument("--verbose", action="store_true", help="log more")
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="run the whole service with demo data and the phone simulator"
    )
    demo.add_argument("--port", type=int, default=None)
    demo.set_defaults(run=cmd_demo)

    serve = sub.add_parser("serve", help="run the service")
    serve.add_argument("--config", default=None)
    serve.add_argument(
        "--polling",
        action="store_true",
        help="development: fetch Telegram updates instead of registering the webhook",
    )
    serve.set_defaults(run=cmd_serve)

    db = sub.add_parser("db", help="database commands").add_subparsers(
        dest="db_command", required=True
    )
    migrate = db.add_parser("migrate", help="create or upgrade the schema (idempotent)")
    migrate.add_argument("--config", default=None)
    migrate.set_defaults(run=cmd_migrate)
    backup = db.add_parser(
        "backup", help="online backup to PATH (encrypted when CRADLE_BACKUP_KEY is set)"
    )
    backup.add_argument("path")
    backup.add_argument("--config", default=None)
    backup.set_defaults(run=cmd_backup)
    restore = db.add_parser(
        "restore", help="check a backup and put it in place (never over a database in use)"
    )
    restore.add_argument("path")
    restore.add_argument(
        "--replace", action="store_true", help="restore over an existing database not in use"
    )
    restore.add_argument("--config", default=None)
    restore.set_defaults(run=cmd_restore)
    backup_key = db.add_parser("backup-key", help="print a new random key for CRADLE_BACKUP_KEY")
    backup_key.set_defaults(run=cmd_backup_key)

    tick = sub.add_parser("tick", help="one scheduler pass as if the time were --at")
    tick.add_argument("--at", default=None)
    tick.add_argument("--config", default=None)
    tick.set_defaults(run=cmd_tick)

    export = sub.add_parser(
        "export", help="subject access: everything about a parent or a family, as JSON"
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--parent", type=int)
    which.add_argument("--family", type=int)
    export.add_argument("--output", help="write the JSON here (default: standard output)")
    export.add_argument("--html", help="also write a page to print here")
    export.add_argument("--by", default=os.environ.get("USER", "unknown"), help="who asked")
    export.add_argument("--config", default=None)
    export.set_defaults(run=cmd_export)

    erase = sub.add_parser("erase", help="erase a parent's personal data (asks to confirm)")
    erase.add_argument("--parent", type=int, required=True)
    erase.add_argument("--reason", required=True)
    erase.add_argument("--confirm", help="the parent's name, instead of typing it when asked")
    erase.add_argument("--by", default=os.environ.get("USER", "unknown"), help="who erases")
    erase.add_argument("--config", default=None)
    erase.set_defaults(run=cmd_erase)

    doctor = sub.add_parser(
        "doctor", help="check configuration, policies, templates, database, permissions, Twilio"
    )
    doctor.add_argument("--config", default=None)
    doctor.set_defaults(run=cmd_doctor)

    triage = sub.add_parser(
        "triage", help="JSON lines in, risk and intent out; `eval FILE` measures labelled messages"
    )
    triage.add_argument("action", nargs="?", default=None, help="eval")
    triage.add_argument("file", nargs="?", default=None, help="labelled JSON lines")
    triage.set_defaults(run=cmd_triage)

    policy = sub.add_parser("policy").add_subparsers(dest="policy_command", required=True)
    check = policy.add_parser("check", help="validate policies/ and say whether the team is open")
    check.add_argument("--at", default=None)
    check.set_defaults(run=cmd_policy_check)

    templates = sub.add_parser("templates").add_subparsers(dest="templates_command", required=True)
    lint = templates.add_parser("lint", help="validate messages/")
    lint.set_defaults(run=cmd_templates_lint)

    user = sub.add_parser("user").add_subparsers(dest="user_command", required=True)
    add = user.add_parser(
        "add", help="add a member of staff (password from CRADLE_NEW_PASSWORD or prompt)"
    )
    add.add_argument("--name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--mobile", default=None)
    add.add_argument(
        "--temporary-password",
        action="store_true",
        help="make a temporary password (printed once) to be changed at first sign-in",
    )
    add.set_defaults(run=cmd_user_add)
    listing = user.add_parser("list", help="every member of staff, their role and state")
    listing.set_defaults(run=cmd_user_list)
    deactivate = user.add_parser(
        "deactivate", help="a leaver: sessions end, API tokens revoked, chains skip them"
    )
    deactivate.add_argument("who", help="email or id")
    deactivate.set_defaults(run=cmd_user_deactivate)
    reset = user.add_parser(
        "reset-password", help="a temporary password, to be changed at next sign-in"
    )
    reset.add_argument("who", help="email or id")
    reset.set_defaults(run=cmd_user_reset_password)
    set_role = user.add_parser("set-role", help="change someone's role")
    set_role.add_argument("who", help="email or id")
    set_role.add_argument("role", choices=[r.value for r in Role])
    set_role.set_defaults(run=cmd_user_set_role)
    for command in (add, listing, deactivate, reset, set_role):
        command.add_argument("--config", default=None)

    token = sub.add_parser("token").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="create an API token (printed once)")
    create.add_argument("--name", required=True)
    create.add_argument("--staff", default=None, help="email or id of the person it acts for")
    create.add_argument("--expires", default=None, help="ISO-8601 instant it stops working")
    create.set_defaults(run=cmd_token_create)
    tokens_list = token.add_parser("list", help="every API token (never the token itself)")
    tokens_list.set_defaults(run=cmd_token_list)
    revoke = token.add_parser("revoke", help="stop a token working now")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=cmd_token_revoke)
    expire = token.add_parser("expire", help="stop a token working at --at (default now)")
    expire.add_argument("id", type=int)
    expire.add_argument("--at", default=None)
    expire.set_defaults(run=cmd_token_expire)
    for command in (create, tokens_list, revoke, expire):
        command.add_argument("--config", default=None)
    return top


def main(argv: list[str] | None = None) -> int:
    # Everything Cradle writes (database, backups, exports) is for the service user alone.
    os.umask(0o077)
    args = parser().parse_args(argv)
    from bot import log_redaction

    log_redaction.install()  # before any handler: no secret or parent's words in any log line
    from bot.log_format import configure

    configure(logging.DEBUG if args.verbose else logging.INFO, os.environ.get("CRADLE_LOG_FORMAT"))
    try:
        return args.run(args)
    except (ConfigError, PolicyError) as exc:
        print(f"cradle: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
