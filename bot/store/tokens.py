"""API tokens: only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import aiosqlite

from bot.store.db import Database, ts


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(conn: aiosqlite.Connection, name: str, at: datetime) -> str:
    token = "crd_" + secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)",
        (name, _hash(token), ts(at)),
    )
    return token


async def name_for(db: Database, token: str) -> str | None:
    row = await db.fetch_one(
        "SELECT name FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", [_hash(token)]
    )
    return row["name"] if row else None
