"""Every table of the real database file, read directly: what changed, and where a value is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

Snapshot = dict[str, dict[tuple, dict]]


def table_names(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [row[0] for row in rows]


def snapshot(path: Path) -> Snapshot:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        found: Snapshot = {}
        for table in table_names(conn):
            rows = [dict(row) for row in conn.execute(f"SELECT * FROM {table}")]
            found[table] = {_key(row): row for row in rows}
        return found
    finally:
        conn.close()


def _key(row: dict) -> tuple:
    """The id where a table has one; else the first two columns (its primary key here)."""
    if "id" in row:
        return (row["id"],)
    return tuple(row.values())[:2]


def differences(before: Snapshot, after: Snapshot) -> dict[str, dict[str, int]]:
    """Per table: rows added, changed and deleted (tables with no difference left out)."""
    found = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        counts = {
            "added": len(new.keys() - old.keys()),
            "deleted": len(old.keys() - new.keys()),
            "changed": sum(1 for key in old.keys() & new.keys() if old[key] != new[key]),
        }
        if any(counts.values()):
            found[table] = {kind: n for kind, n in counts.items() if n}
    return found


def cells_containing(path: Path, needles: list[str]) -> list[str]:
    """`table.column` for every cell whose text holds any of the needles (case-insensitive)."""
    conn = sqlite3.connect(path)
    try:
        hits = []
        for table in table_names(conn):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                for (value,) in conn.execute(f"SELECT {column} FROM {table}"):
                    text = str(value).lower() if value is not None else ""
                    if any(needle.lower() in text for needle in needles):
                        hits.append(f"{table}.{column}")
        return sorted(set(hits))
    finally:
        conn.close()
