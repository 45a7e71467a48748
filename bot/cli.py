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
    return 0


def cmd_templates_lint(args: argparse.Namespace) -> int:
    from bot.core.templates import lint

    messages_dir = Path(os.environ.get("CRADLE_MESSAGES_DIR", "messages"))
    findings = lint(messages_dir)
    errors = 0
    for path, finding in findings:
        print(f"{path}: {finding.level}: {finding.message}")
        errors += finding.level == "error"
    print(f"{errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from bot.core.model import Role, Staff
    from bot.passwords import hash_password
    from bot.store import audit
    from bot.store import staff as staff_store
    from bot.store.db import open_database

    settings = _settings(args)
    password = os.environ.get("CRADLE_NEW_PASSWORD") or _ask_password()
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None

    async def main() -> int:
        db = await open_database(settings.database)
        try:
            if await staff_store.by_email(db, args.email):
                raise SystemExit(f"a member of staff with email {args.email} already exists")
            now = datetime.now(UTC)
            async with db.transaction() as conn:
                staff_id = await staff_store.add(
                    conn,
                    Staff(None, args.name, Role(args.role), args.email, args.mobile),
                    now,
                    password_hash,
                )
                await audit.record(
                    conn, now, "cli", "staff_added", "staff", staff_id, role=args.role
                )
            return staff_id
        finally:
            await db.close()

    staff_id = _run(main())
    print(f"added {args.name} ({args.role}) with id {staff_id}")
    return 0


def _ask_password() -> str:
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("the passwords do not match")
    return first


def cmd_token_create(args: argparse.Namespace) -> int:
    from bot.store import audit, tokens
    from bot.store.db import open_database

    settings = _settings(args)

    async def main() -> str:
        db = await open_database(settings.database)
        try:
            now = datetime.now(UTC)
            async with db.transaction() as conn:
                token = await tokens.create(conn, args.name, now)
                await audit.record(
                    conn, now, "cli", "api_token_created", "api_token", None, name=args.name
                )
            return token
        finally:
            await db.close()

    print(_run(main()))
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
    add.add_argument("--config", default=None)
    add.set_defaults(run=cmd_user_add)

    token = sub.add_parser("token").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="create an API token (printed once)")
    create.add_argument("--name", required=True)
    create.add_argument("--config", default=None)
    create.set_defaults(run=cmd_token_create)
    return top


def main(argv: list[str] | None = None) -> int:
    # Everything Cradle writes (database, backups, exports) is for the service user alone.
    os.umask(0o077)
    args = parser().parse_args(argv)
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
