"""Versions of message wording saved by administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.db import Database, from_ts, ts


@dataclass(frozen=True)
class TemplateVersion:
    id: int
    message: str
    locale: str
    variant: str
    body: str | None
    action: str
    reason: str
    author_id: int | None
    created_at: datetime


def _row(r: aiosqlite.Row) -> TemplateVersion:
    return TemplateVersion(
        r["id"],
        r["message"],
        r["locale"],
        r["variant"],
        r["body"],
        r["action"],
        r["reason"],
        r["author_id"],
        from_ts(r["created_at"]),  # type: ignore[arg-type]
    )


async def add_version(
    conn: aiosqlite.Connection,
    *,
    message: str,
    locale: str,
    variant: str,
    body: str | None,
    action: str,
    reason: str,
    author_id: int | None,
    at: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO template_versions (message, locale, variant, body, action, reason, author_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (message, locale, variant, body, action, reason, author_id, ts(at)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def history(
    db: Database, message: str, locale: str, variant: str = "standard"
) -> list[TemplateVersion]:
    rows = await db.fetch_all(
        "SELECT * FROM template_versions WHERE message = ? AND locale = ? AND variant = ?"
        " ORDER BY id DESC",
        [message, locale, variant],
    )
    return [_row(r) for r in rows]


async def get_version(db: Database, version_id: int) -> TemplateVersion | None:
    row = await db.fetch_one("SELECT * FROM template_versions WHERE id = ?", [version_id])
    return _row(row) if row else None


async def current_overrides(db: Database) -> dict[tuple[str, str, str], str]:
    """The latest saved wording for each message, locale and variant (none after a reset)."""
    rows = await db.fetch_all(
        "SELECT t.* FROM template_versions t JOIN (SELECT message, locale, variant, max(id) AS id"
        " FROM template_versions GROUP BY message, locale, variant) latest ON latest.id = t.id"
    )
    return {
        (r["message"], r["locale"], r["variant"]): r["body"]
        for r in rows
        if r["action"] != "reset" and r["body"] is not None
    }


@dataclass(frozen=True)
class Fallbacks:
    """Texts sent in English because a message had no wording in the parent's language."""

    message: str
    locale: str
    times: int
    last_at: datetime


async def fallbacks_logged(db: Database) -> list[Fallbacks]:
    """Every `translation_missing` the pipeline wrote to the audit log, by message and language."""
    rows = await db.fetch_all(
        "SELECT json_extract(detail, '$.template') AS message,"
        " json_extract(detail, '$.locale') AS locale, count(*) AS times, max(at) AS last_at"
        " FROM audit WHERE action = 'translation_missing' GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return [
        Fallbacks(r["message"], r["locale"], r["times"], from_ts(r["last_at"]))  # type: ignore[arg-type]
        for r in rows
        if r["message"] and r["locale"]
    ]


@dataclass(frozen=True)
class FamilyChoice:
    """A family to preview wording with: enough to name it in a list."""

    id: int
    reference: str
    baby_name: str | None
    mother_name: str | None


async def open_family_choices(db: Database) -> list[FamilyChoice]:
    rows = await db.fetch_all(
        "SELECT id, reference, baby_name, mother_name FROM families WHERE status != 'closed'"
        " ORDER BY reference"
    )
    return [FamilyChoice(r["id"], r["reference"], r["baby_name"], r["mother_name"]) for r in rows]
