"""Families and their parents."""

from __future__ import annotations

from datetime import date, datetime

import aiosqlite

from bot.core.model import ChannelName, Family, Parent, Referrer
from bot.store.db import Database, from_ts, ts


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def parent_from_row(row: aiosqlite.Row) -> Parent:
    return Parent(
        id=row["id"],
        family_id=row["family_id"],
        name=row["name"],
        relationship=row["relationship"],
        mobile=row["mobile"],
        telegram_chat_id=row["telegram_chat_id"],
        language=row["language"],
        channel=ChannelName(row["channel"]),
        wants_letters=bool(row["wants_letters"]),
        prefers_phone_call=bool(row["prefers_phone_call"]),
        calls_instead_of_texts=bool(row["calls_instead_of_texts"]),
        address=row["address"],
        consent_to_text=bool(row["consent_to_text"]),
        do_not_contact=bool(row["do_not_contact"]),
        do_not_contact_reason=row["do_not_contact_reason"],
        opted_out=bool(row["opted_out"]),
        unsafe_to_text_at=from_ts(row["unsafe_to_text_at"]),
        unsafe_to_text_by=row["unsafe_to_text_by"],
        unsafe_to_text_reason=row["unsafe_to_text_reason"],
    )


def _family(row: aiosqlite.Row, parents: list[Parent]) -> Family:
    return Family(
        id=row["id"],
        reference=row["reference"],
        baby_name=row["baby_name"],
        mother_name=row["mother_name"],
        due_date=_date(row["due_date"]),
        birth_date=_date(row["birth_date"]),
        practitioner_id=row["practitioner_id"],
        referrer=Referrer(
            row["referrer_name"],
            row["referrer_role"],
            row["referrer_organisation"],
            row["referrer_contact"],
        ),
        self_referral=bool(row["self_referral"]),
        status=row["status"],
        parents=parents,
    )


async def reference_exists(conn: aiosqlite.Connection, reference: str) -> bool:
    async with conn.execute("SELECT 1 FROM families WHERE reference = ?", (reference,)) as cur:
        return await cur.fetchone() is not None


async def create(conn: aiosqlite.Connection, family: Family, at: datetime) -> int:
    """Insert a family and its parents; returns the family id."""
    r = family.referrer
    cursor = await conn.execute(
        "INSERT INTO families (reference, baby_name, mother_name, due_date, birth_date,"
        " referrer_name, referrer_role, referrer_organisation, referrer_contact,"
        " self_referral, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            family.reference,
            family.baby_name,
            family.mother_name,
            family.due_date.isoformat() if family.due_date else None,
            family.birth_date.isoformat() if family.birth_date else None,
            r.name,
            r.role,
            r.organisation,
            r.contact,
            int(family.self_referral),
            ts(at),
        ),
    )
    family_id = cursor.lastrowid
    assert family_id is not None
    for parent in family.parents:
        await add_parent(conn, family_id, parent, at)
    return family_id


async def add_parent(conn: aiosqlite.Connection, family_id: int, p: Parent, at: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO parents (family_id, name, relationship, mobile, telegram_chat_id, language,"
        " channel, wants_letters, prefers_phone_call, address, consent_to_text, do_not_contact,"
        " do_not_contact_reason, opted_out, created_at, calls_instead_of_texts)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            family_id,
            p.name,
            p.relationship,
            p.mobile,
            p.telegram_chat_id,
            p.language,
            p.channel.value,
            int(p.wants_letters),
            int(p.prefers_phone_call),
            p.address,
            int(p.consent_to_text),
            int(p.do_not_contact),
            p.do_not_contact_reason,
            int(p.opted_out),
            ts(at),
            int(p.calls_instead_of_texts),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def allocate(
    conn: aiosqlite.Connection, family_id: int, practitioner_id: int, at: datetime
) -> None:
    await conn.execute(
        "UPDATE families SET practitioner_id = ?, allocated_at = ? WHERE id = ?",
        (practitioner_id, ts(at), family_id),
    )


async def mark_first_contact(conn: aiosqlite.Connection, family_id: int, at: datetime) -> bool:
    """True the first time: the family had not been contacted before."""
    cursor = await conn.execute(
        "UPDATE families SET first_contact_at = ? WHERE id = ? AND first_contact_at IS NULL",
        (ts(at), family_id),
    )
    return cursor.rowcount == 1


async def mark_engaged(conn: aiosqlite.Connection, family_id: int, at: datetime) -> None:
    await conn.execute(
        "UPDATE families SET engaged_at = coalesce(engaged_at, ?) WHERE id = ?",
        (ts(at), family_id),
    )


async def set_opted_out(
    conn: aiosqlite.Connection, parent_id: int, opted_out: bool, at: datetime
) -> None:
    await conn.execute(
        "UPDATE parents SET opted_out = ?, opted_out_at = ? WHERE id = ?",
        (int(opted_out), ts(at) if opted_out else None, parent_id),
    )


async def get(db: Database | aiosqlite.Connection, family_id: int) -> Family | None:
    """A family with its parents; works on the reader or inside a transaction."""
    if isinstance(db, Database):
        row = await db.fetch_one("SELECT * FROM families WHERE id = ?", [family_id])
        prows = await db.fetch_all(
            "SELECT * FROM parents WHERE family_id = ? ORDER BY id", [family_id]
        )
    else:
        async with db.execute("SELECT * FROM families WHERE id = ?", (family_id,)) as cur:
            row = await cur.fetchone()
        async with db.execute(
            "SELECT * FROM parents WHERE family_id = ? ORDER BY id", (family_id,)
        ) as cur:
            prows = list(await cur.fetchall())
    if row is None:
        return None
    return _family(row, [parent_from_row(p) for p in prows])


async def get_parent(db: Database, parent_id: int) -> Parent | None:
    row = await db.fetch_one("SELECT * FROM parents WHERE id = ?", [parent_id])
    return parent_from_row(row) if row else None


async def list_families(db: Database, practitioner_id: int | None = None) -> list[Family]:
    if practitioner_id is None:
        rows = await db.fetch_all("SELECT id FROM families ORDER BY reference")
    else:
        rows = await db.fetch_all(
            "SELECT id FROM families WHERE practitioner_id = ? ORDER BY reference",
            [practitioner_id],
        )
    families = [await get(db, r["id"]) for r in rows]
    return [f for f in families if f is not None]


async def _parents_where(conn: aiosqlite.Connection, column: str, value: object) -> list[Parent]:
    """Parents of open families first; if none, of closed ones (six-month follow-up replies)."""
    async with conn.execute(
        f"SELECT p.*, f.status = 'closed' AS closed FROM parents p"
        f" JOIN families f ON f.id = p.family_id WHERE p.{column} = ? ORDER BY closed, p.id",
        (value,),
    ) as cur:
        rows = list(await cur.fetchall())
    open_rows = [r for r in rows if not r["closed"]]
    return [parent_from_row(r) for r in (open_rows or rows)]


async def parents_by_mobile(conn: aiosqlite.Connection, mobile: str) -> list[Parent]:
    """Parents with this number (several means the number is shared: a human decides)."""
    return await _parents_where(conn, "mobile", mobile)


async def parents_by_telegram(conn: aiosqlite.Connection, chat_id: int) -> list[Parent]:
    return await _parents_where(conn, "telegram_chat_id", chat_id)


async def mark_unsafe_to_text(
    conn: aiosqlite.Connection, parent_id: int, *, by: str, reason: str, at: datetime
) -> None:
    """Nothing automated goes to this parent from now on (checked again at send time)."""
    await conn.execute(
        "UPDATE parents SET unsafe_to_text_at = coalesce(unsafe_to_text_at, ?),"
        " unsafe_to_text_by = ?, unsafe_to_text_reason = ? WHERE id = ?",
        (ts(at), by, reason, parent_id),
    )


async def clear_unsafe_to_text(conn: aiosqlite.Connection, parent_id: int) -> None:
    await conn.execute(
        "UPDATE parents SET unsafe_to_text_at = NULL, unsafe_to_text_by = '',"
        " unsafe_to_text_reason = '' WHERE id = ?",
        (parent_id,),
    )


async def number_unsafe_to_text(db: Database, channel: str, address: str) -> bool:
    """Whether any parent at this number or chat is marked not safe to text."""
    column = "telegram_chat_id" if channel == "telegram" else "mobile"
    value: object = address
    if channel == "telegram":
        try:
            value = int(address)
        except ValueError:
            return False
    row = await db.fetch_one(
        f"SELECT 1 FROM parents WHERE {column} = ? AND unsafe_to_text_at IS NOT NULL LIMIT 1",
        [value],
    )
    return row is not None


async def set_address(
    conn: aiosqlite.Connection, parent_id: int, channel: str, address: str
) -> None:
    """The number (or Telegram chat) this parent writes from, as it reached us."""
    if channel == "telegram":
        await conn.execute(
            "UPDATE parents SET telegram_chat_id = ? WHERE id = ?", (int(address), parent_id)
        )
    else:
        await conn.execute("UPDATE parents SET mobile = ? WHERE id = ?", (address, parent_id))


async def open_parents(db: Database) -> list[tuple[str, Parent]]:
    """(family reference, parent) for every parent of an open family, by reference."""
    found = await db.fetch_all(
        "SELECT p.*, f.reference FROM parents p JOIN families f ON f.id = p.family_id"
        " WHERE f.status = 'open' ORDER BY f.reference, p.id"
    )
    return [(r["reference"], parent_from_row(r)) for r in found]
