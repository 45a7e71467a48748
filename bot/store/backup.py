"""Online backups with SQLite's backup API, optional encryption, and checked restores.

A backup is taken from a consistent snapshot while the service keeps writing (WAL lets
writers go on); it is checked with `PRAGMA integrity_check` before it is kept. A restore
never replaces a database that a running Cradle holds open.
"""

from __future__ import annotations

import base64
import binascii
import os
import sqlite3
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.store.db import PRIVATE, companions, make_private, migration_files
from bot.store.lock import DatabaseLocked, database_alone

KEY_VARIABLE = "CRADLE_BACKUP_KEY"
MAGIC = b"CRADLE-BACKUP-1\n"
SQLITE_MAGIC = b"SQLite format 3\x00"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why and what to do."""


__all__ = ["BackupError", "DatabaseLocked", "backup", "restore"]


# --- keys and encryption --------------------------------------------------------------


def new_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def read_key(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupError(
            f"{KEY_VARIABLE} must be 32 random bytes in URL-safe base64 (44 characters);"
            " make one with `cradle db backup-key`"
        )
    return key


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">Q?", index, last)


def encrypt_file(plain: Path, target: Path, key: bytes) -> None:
    """AES-256-GCM in 1 MiB chunks; each chunk's number and a last-chunk flag are
    authenticated, so a reordered or cut-short file is refused on restore."""
    cipher = AESGCM(key)
    make_private(target)
    with plain.open("rb") as source, target.open("wb") as out:
        out.write(MAGIC)
        index, chunk = 0, source.read(CHUNK)
        while True:
            following = source.read(CHUNK)
            last = not following
            nonce = os.urandom(12)
            sealed = cipher.encrypt(nonce, chunk, _aad(index, last))
            out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
            if last:
                break
            index, chunk = index + 1, following
        out.flush()
        os.fsync(out.fileno())


def decrypt_file(sealed: Path, target: Path, key: bytes) -> None:
    cipher = AESGCM(key)
    make_private(target)
    with sealed.open("rb") as source, target.open("wb") as out:
        source.read(len(MAGIC))
        index, finished = 0, False
        while header := source.read(4):
            if finished or len(header) < 4:
                raise BackupError(f"{sealed} is damaged: data after its end")
            (size,) = struct.unpack(">I", header)
            nonce, body = source.read(12), source.read(size)
            if len(body) != size:
                raise BackupError(f"{sealed} is cut short")
            for last in (False, True):
                try:
                    out.write(cipher.decrypt(nonce, body, _aad(index, last)))
                except InvalidTag:
                    continue
                finished = last
                break
            else:
                raise BackupError(
                    f"{sealed} cannot be decrypted: wrong {KEY_VARIABLE}, or the file is damaged"
                )
            index += 1
        if not finished:
            raise BackupError(f"{sealed} is cut short")


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


# --- backup and restore ------------------------------------------------------------------


def backup(database: Path, target: Path, key: bytes | None) -> int:
    """Copy `database` to `target` from one consistent snapshot; returns the page count."""
    if not database.exists():
        raise BackupError(f"there is no database at {database}")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name for each backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.partial")
    _remove(staging)
    make_private(staging)
    try:
        source = sqlite3.connect(database)
        copy = sqlite3.connect(staging)
        try:
            source.execute("PRAGMA busy_timeout=5000")
            # One step (pages=-1): one read transaction, so the copy is a single snapshot.
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problem = _integrity(copy)
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if problem:
            raise BackupError(f"the backup failed its integrity check: {problem}")
        if key is None:
            os.replace(staging, target)
        else:
            encrypt_file(staging, target, key)
        target.chmod(PRIVATE)
        return pages
    finally:
        _remove(staging)


def restore(backup_file: Path, database: Path, key: bytes | None, *, replace: bool) -> int:
    """Put a checked backup in place of `database`; returns the number of tables restored."""
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}")
    with database_alone(database):
        if database.exists() and not replace:
            raise BackupError(
                f"{database} already exists; pass --replace to restore over it"
                " (it is not in use, but what it holds will be lost)"
            )
        staging = database.with_name(f".{database.name}.restoring")
        _remove(staging)
        try:
            if is_encrypted(backup_file):
                if key is None:
                    raise BackupError(f"{backup_file} is encrypted: set {KEY_VARIABLE}")
                decrypt_file(backup_file, staging, key)
            else:
                make_private(staging)
                staging.write_bytes(backup_file.read_bytes())
            tables = check_restorable(staging)
            for companion in companions(database):
                _remove(companion)
            os.replace(staging, database)
            database.chmod(PRIVATE)
            return tables
        finally:
            _remove(staging)


def check_restorable(path: Path) -> int:
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path.name} is not a Cradle backup (not an SQLite database)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problem = _integrity(conn)
        if problem:
            raise BackupError(f"the backup failed its integrity check: {problem}")
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "schema_migrations" not in names:
            raise BackupError("the backup holds no Cradle schema (no schema_migrations table)")
        newest = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
        known = max(version for version, _, _ in migration_files())
        if newest > known:
            raise BackupError(
                f"the backup comes from a newer Cradle (schema {newest}, this one knows {known})"
            )
        return len([n for n in names if not n.startswith("sqlite_")])
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection) -> str | None:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return None if rows == ["ok"] else "; ".join(rows[:5])


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
