"""Looking at a database file without changing it (for `cradle doctor`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def read_only_check(path: Path) -> tuple[str, set[int]]:
    """(quick_check's answer, the migration versions applied); raises sqlite3.Error."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        return check, applied
    finally:
        conn.close()
