"""Connections, transactions and migrations for the SQLite file."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.lock import share

log = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def ts(at: datetime) -> str:
    """A UTC instant as stored text (sorts as it compares)."""
    return at.astimezone(UTC).strftime(TIME_FORMAT)


def from_ts(text: str | None) -> datetime | None:
    # fromisoformat reads the trailing Z (Python 3.11) and is much faster than strptime.
    return datetime.fromisoformat(text) if text else None


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, in order."""
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a message acknowledged to Twilio survives power loss too; group commit pays for it.
    await conn.execute("PRAGMA synchronous=FULL")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA busy_timeout=5000")


PRIVATE = 0o600  # the service user only: messages about parents' mental health are in here


def make_private(path: Path) -> None:
    """Create `path` readable by its owner only, or tighten an existing file to that.

    An existing file is never opened here: closing any descriptor of a database file drops
    SQLite's POSIX locks held on it elsewhere in this process.
    """
    if path.exists():
        path.chmod(PRIVATE)
        return
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE))


def companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


class Database:
    """One writer connection (units of work serialised by a lock) and one reader connection.

    SQLite allows one writer at a time; a second writer only queues behind the lock
    (measured: two writer processes push p99 to about a second), so every write goes
    through `transaction()` here.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._in_use: int | None = None

    async def open(self) -> Database:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        make_private(self.path)
        self._in_use = share(self.path)
        self._writer = await aiosqlite.connect(self.path, isolation_level=None)
        await _configure(self._writer)
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        await _configure(self._reader)
        # SQLite gives the WAL and shared-memory files the database's mode; an older file's
        # companions may predate that, so they are tightened too.
        for companion in companions(self.path):
            if companion.exists():
                companion.chmod(PRIVATE)
        return self

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None
        if self._in_use is not None:
            os.close(self._in_use)
            self._in_use = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write unit of work (BEGIN IMMEDIATE: read-then-write never meets 'locked')."""
        assert self._writer is not None, "database is not open"
        async with self._lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        assert self._reader is not None, "database is not open"
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        assert self._reader is not None, "database is not open"
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def migrate(self) -> list[str]:
        """Apply bundled migrations not yet applied; returns the names applied. Idempotent."""
        assert self._writer is not None, "database is not open"
        applied: list[str] = []
        async with self._lock:
            await self._writer.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self._writer.execute("SELECT version FROM schema_migrations") as cur:
                done = {row[0] for row in await cur.fetchall()}
            for version, name, sql in migration_files():
                if version in done:
                    continue
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(sql):
                        await self._writer.execute(statement)
                    await self._writer.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        (version, name, ts(datetime.now(UTC))),
                    )
                except BaseException:
                    await self._writer.execute("ROLLBACK")
                    raise
                await self._writer.execute("COMMIT")
                applied.append(name)
                log.info("applied migration %s", name)
        return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into whole statements (triggers and quoted semicolons included)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"migration ends with an incomplete statement: {buffer.strip()[:80]!r}")
    return statements


async def open_database(path: Path, *, migrate: bool = True) -> Database:
    db = await Database(path).open()
    if migrate:
        try:
            await db.migrate()
        except BaseException:
            await db.close()
            raise
    return db
