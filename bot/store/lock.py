"""A lock file that says "a Cradle process has this database open"."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE = 0o600


class DatabaseLocked(Exception):
    """The database is in use (or being restored); the message says what to do."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def share(database: Path) -> int:
    """Held (shared) by every process with the database open; a restore needs it alone.
    Returns the descriptor to close when the database is closed.

    A lock file of its own, not the database: SQLite's POSIX locks would be dropped by
    closing another descriptor of the database file in the same process.
    """
    fd = _open_lock(database)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseLocked(
            f"{database} is being restored from a backup; start Cradle when that is done"
        ) from None
    return fd


@contextmanager
def database_alone(database: Path) -> Iterator[None]:
    fd = _open_lock(database)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseLocked(
                f"{database} is in use by a running Cradle: stop the service"
                " (and any `cradle tick`) before restoring over it"
            ) from None
        yield
    finally:
        os.close(fd)


def _open_lock(database: Path) -> int:
    database.parent.mkdir(parents=True, exist_ok=True)
    return os.open(lock_path(database), os.O_CREAT | os.O_RDWR, PRIVATE)
