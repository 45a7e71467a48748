"""`cradle db backup` and `cradle db restore`: online, consistent, checked, optionally encrypted."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import sys
from pathlib import Path

from bot.store import audit
from tests.conftest import ROOT
from tests.e2e.test_cli import run


async def cradle(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


def loaded_rows(database: Path) -> list[int]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT subject_id FROM audit WHERE action = 'load' ORDER BY id")
        return [row[0] for row in rows]


async def test_a_backup_taken_under_write_load_restores_every_committed_row(live, tmp_path):
    db = live.service.db
    committed = 0
    stop = asyncio.Event()

    async def write() -> None:
        nonlocal committed
        while not stop.is_set():
            async with db.transaction() as conn:
                await audit.record(conn, live.service.now(), "test", "load", "row", committed + 1)
            committed += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(write())
    while committed < 200:
        await asyncio.sleep(0.01)
    before = committed
    target = tmp_path / "backup.sqlite3"
    code, out = await cradle("db", "backup", str(target), env={"CRADLE_DATABASE": str(db.path)})
    after = committed
    while committed < after + 50:  # the service went on writing through the backup
        await asyncio.sleep(0.01)
    stop.set()
    await writer
    assert code == 0, out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    restored = tmp_path / "restored.sqlite3"
    result = run("db", "restore", str(target), env={"CRADLE_DATABASE": str(restored)})
    assert result.returncode == 0, result.stderr
    rows = loaded_rows(restored)
    # One snapshot: every row committed before the backup began, in order, nothing missing.
    assert before <= len(rows) <= after
    assert rows == list(range(1, len(rows) + 1))


async def test_restore_refuses_to_overwrite_the_database_of_a_running_service(live, tmp_path):
    target = tmp_path / "backup.sqlite3"
    env = {"CRADLE_DATABASE": str(live.service.db.path)}
    code, out = await cradle("db", "backup", str(target), env=env)
    assert code == 0, out
    code, out = await cradle("db", "restore", str(target), "--replace", env=env)
    assert code == 1
    assert "in use by a running Cradle" in out
    assert (await live.service.db.fetch_one("SELECT 1")) is not None


def test_an_encrypted_backup_needs_its_key_and_a_damaged_one_is_refused(tmp_path):
    database = tmp_path / "cradle.sqlite3"
    env = {"CRADLE_DATABASE": str(database)}
    assert run("db", "migrate", env=env).returncode == 0
    key = run("db", "backup-key").stdout.strip()
    sealed = tmp_path / "sealed.bin"
    result = run("db", "backup", str(sealed), env={**env, "CRADLE_BACKUP_KEY": key})
    assert result.returncode == 0, result.stderr
    assert b"SQLite format 3" not in sealed.read_bytes()
    assert b"schema_migrations" not in sealed.read_bytes()

    into = {"CRADLE_DATABASE": str(tmp_path / "new.sqlite3")}
    without = run("db", "restore", str(sealed), env=into)
    assert without.returncode == 1 and "encrypted: set CRADLE_BACKUP_KEY" in without.stderr
    other = run("db", "backup-key").stdout.strip()
    wrong = run("db", "restore", str(sealed), env={**into, "CRADLE_BACKUP_KEY": other})
    assert wrong.returncode == 1 and "cannot be decrypted" in wrong.stderr
    damaged = tmp_path / "damaged.bin"
    damaged.write_bytes(sealed.read_bytes()[:-10])
    cut = run("db", "restore", str(damaged), env={**into, "CRADLE_BACKUP_KEY": key})
    assert cut.returncode == 1
    assert not (tmp_path / "new.sqlite3").exists()

    good = run("db", "restore", str(sealed), env={**into, "CRADLE_BACKUP_KEY": key})
    assert good.returncode == 0, good.stderr
    assert stat.S_IMODE((tmp_path / "new.sqlite3").stat().st_mode) == 0o600
    # An existing database is never replaced without being asked.
    again = run("db", "restore", str(sealed), env={**into, "CRADLE_BACKUP_KEY": key})
    assert again.returncode == 1 and "--replace" in again.stderr


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = run("db", "restore", str(junk), env={"CRADLE_DATABASE": str(tmp_path / "x.sqlite3")})
    assert result.returncode == 1 and "not a Cradle backup" in result.stderr
