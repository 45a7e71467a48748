"""At rest: the database and its companions are readable by the service user only."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from bot.store import audit
from bot.store.db import open_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_its_wal_and_shared_memory_are_mode_600(tmp_path):
    old = os.umask(0o022)  # what a careless service manager would leave
    try:
        db = await open_database(tmp_path / "cradle.sqlite3")
        try:
            async with db.transaction() as conn:
                await audit.record(conn, datetime.now(UTC), "test", "write")
            files = [tmp_path / "cradle.sqlite3", tmp_path / "cradle.sqlite3-wal"]
            files.append(tmp_path / "cradle.sqlite3-shm")
            assert [mode(path) for path in files] == [0o600, 0o600, 0o600]
        finally:
            await db.close()
    finally:
        os.umask(old)


async def test_an_existing_database_readable_by_everyone_is_tightened_at_open(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = await open_database(path)
    await db.close()
    path.chmod(0o644)
    db = await open_database(path)
    try:
        assert mode(path) == 0o600
    finally:
        await db.close()
