"""The shape of the code: a pure core, SQL only in the store, migrations in order."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.runtime.scheduler import JOBS
from bot.store.db import migration_files

BOT = Path(__file__).resolve().parent.parent / "bot"
IMPURE = ("aiohttp", "aiogram", "twilio", "aiosqlite", "sqlite3", "jinja2")
# Our SQL is written in upper case, which keeps "Select a practitioner from the list" out.
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_core_does_no_io() -> None:
    for path in (BOT / "core").glob("*.py"):
        assert not imported_modules(path) & set(IMPURE), f"{path.name} imports an adapter"


def test_sql_lives_only_in_the_store() -> None:
    for path in BOT.rglob("*.py"):
        if "store" in path.relative_to(BOT).parts:
            continue
        strings = [
            node.value
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
        offending = [s for s in strings if SQL.search(s)]
        assert not offending, f"{path.relative_to(BOT)} holds SQL: {offending[0][:60]!r}"


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [version for version, _, _ in migration_files()]
    assert versions == list(range(1, len(versions) + 1))


def test_every_scheduled_job_can_be_called() -> None:
    names = [name for name, _ in JOBS]
    assert len(names) == len(set(names))
    assert all(callable(job) for _, job in JOBS)
