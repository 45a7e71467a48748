"""The foundation end to end: API -> SQLite -> outbox -> simulator, and replies -> queues."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import aiohttp

from bot.clock import Clock, parse_instant
from bot.core.model import Family, Parent, Role, Staff
from bot.runtime import dispatcher, pipeline
from bot.runtime.families import allocate, create_family
from bot.runtime.service import Service
from bot.server import start_site
from bot.store import outbox, staff
from bot.store.db import open_database
from tests.builders import family_json, parent_json
from tests.conftest import OPEN_TIME, Live, free_port, make_settings


async def add_practitioner(live: Live, name: str = "Amira Shah") -> int:
    status, body = await live.api("POST", "/api/v1/practitioners", json={"name": name})
    assert status == 201, body
    return body["id"]


async def simulator_page(live: Live) -> str:
    async with live.http.get(live.base + "/simulator") as r:
        assert r.status == 200
        return await r.text()


async def send_from_phone(live: Live, number: str, body: str) -> None:
    assert await live.simulator_send(number, body) == 303
    await pipeline.process_pending(live.service)


async def test_first_contact_reaches_both_parents_but_never_a_do_not_contact_parent(
    live: Live,
) -> None:
    amira = await add_practitioner(live)
    family = family_json(
        parents=[
            parent_json("Chloe Martin", "07700 900101"),
            parent_json("Dan Martin", "07700 900102", relationship="father"),
            parent_json(
                "Ryan Cole",
                "07700 900103",
                relationship="father",
                do_not_contact=True,
                do_not_contact_reason="safeguarding",
            ),
        ],
        practitioner_id=amira,
    )
    status, created = await live.api("POST", "/api/v1/families", json=family)
    assert status == 201, created
    assert created["first_contact"]["queued"] == 2
    assert created["first_contact"]["not_sent"] == [
        {"parent_id": created["parents"][2]["id"], "reason": "marked do not contact (safeguarding)"}
    ]

    await dispatcher.dispatch_once(live.service)

    page = await simulator_page(live)
    chloe, dan, ryan = (
        page.split(f'id="+44770090010{n}"')[1].split("</section>")[0] for n in "123"
    )
    assert "Chloe" in chloe and "Amira" in chloe
    assert "Dan" in dan and "Amira" in dan
    assert 'class="bubble in"' not in ryan

    status, messages = await live.api("GET", f"/api/v1/families/{created['id']}/messages")
    assert status == 200
    out = [m for m in messages["messages"] if m["direction"] == "out"]
    assert {m["parent_id"] for m in out} == {p["id"] for p in created["parents"][:2]}
    assert all(m["status"] == "delivered" and m["segments"] >= 1 for m in out)


async def test_a_reply_lands_in_the_allocated_practitioners_queue(live: Live) -> None:
    amira = await add_practitioner(live)
    tom = await add_practitioner(live, "Tom Evans")
    await live.api("POST", "/api/v1/families", json=family_json(practitioner_id=amira))
    await dispatcher.dispatch_once(live.service)

    await send_from_phone(live, "07700 900101", "Is it ok to bring my mum")

    status, queue = await live.api("GET", f"/api/v1/queue?practitioner_id={amira}")
    assert status == 200
    assert [i["kind"] for i in queue["items"]] == ["message"]
    _, other = await live.api("GET", f"/api/v1/queue?practitioner_id={tom}")
    assert other["items"] == []


async def test_an_unknown_number_goes_to_the_unassigned_queue_never_guessed(live: Live) -> None:
    amira = await add_practitioner(live)
    await live.api("POST", "/api/v1/families", json=family_json(practitioner_id=amira))

    await send_from_phone(live, "07700 900999", "hello who is this")

    _, unassigned = await live.api("GET", "/api/v1/queue?audience=unassigned")
    assert [i["summary"] for i in unassigned["items"]] == ["message: unknown number"]
    _, mine = await live.api("GET", f"/api/v1/queue?practitioner_id={amira}")
    assert mine["items"] == []


async def test_a_number_shared_by_two_families_goes_to_the_unassigned_queue(live: Live) -> None:
    amira = await add_practitioner(live)
    shared = "07700 900555"
    await live.api(
        "POST",
        "/api/v1/families",
        json=family_json("PIR-1", [parent_json(mobile=shared)], practitioner_id=amira),
    )
    await live.api(
        "POST",
        "/api/v1/families",
        json=family_json("PIR-2", [parent_json(mobile=shared)], practitioner_id=amira),
    )

    await send_from_phone(live, shared, "see you then")

    _, unassigned = await live.api("GET", "/api/v1/queue?audience=unassigned")
    assert [i["summary"] for i in unassigned["items"]] == [
        "message: number shared by several parents"
    ]


def _count(path, table: str) -> int:  # noqa: ANN001
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


async def test_bad_api_input_gets_json_naming_the_field_and_changes_nothing(live: Live) -> None:
    amira = await add_practitioner(live)
    db_path = live.service.settings.database
    before = (_count(db_path, "families"), _count(db_path, "parents"), _count(db_path, "outbox"))
    cases = [
        (family_json(parents=[parent_json(mobile="not a number")]), "parents[0].mobile"),
        (family_json(parents=[]), "parents"),
        (family_json(parents=[parent_json(language="xx")]), "parents[0].language"),
        (
            family_json(parents=[parent_json(do_not_contact=True)]),
            "parents[0].do_not_contact_reason",
        ),
        (family_json(reference=""), "reference"),
        (family_json(due_date="next week"), "due_date"),
        (family_json(colour="blue"), "colour"),
        (family_json(practitioner_id="one"), "practitioner_id"),
        (family_json(practitioner_id=amira + 999), "practitioner_id"),
    ]
    for payload, field in cases:
        status, body = await live.api("POST", "/api/v1/families", json=payload)
        assert 400 <= status < 500, (field, status, body)
        assert body["field"] == field, body
        assert body["error"]
    async with live.http.post(
        live.base + "/api/v1/families", headers=live.auth, data=b"{not json"
    ) as r:
        assert r.status == 400 and (await r.json())["field"] == "body"
    async with live.http.post(live.base + "/api/v1/families", json=family_json()) as r:
        assert r.status == 401 and (await r.json())["field"] == "Authorization"
    after = (_count(db_path, "families"), _count(db_path, "parents"), _count(db_path, "outbox"))
    assert after == before


async def test_a_duplicate_family_reference_is_a_conflict(live: Live) -> None:
    await live.api("POST", "/api/v1/families", json=family_json("PIR-9"))
    status, body = await live.api("POST", "/api/v1/families", json=family_json("PIR-9"))
    assert status == 409 and body["field"] == "reference"


async def test_migrations_run_twice_without_harm(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "twice.sqlite3"
    db = await open_database(path)
    await db.close()
    db = await open_database(path, migrate=False)
    assert await db.migrate() == []
    tables = {
        r["name"] for r in await db.fetch_all("SELECT name FROM sqlite_master WHERE type='table'")
    }
    await db.close()
    assert {"families", "parents", "inbound", "outbox", "queue_items", "audit"} <= tables


async def test_healthz_answers_when_the_database_does(live: Live) -> None:
    async with live.http.get(live.base + "/healthz") as r:
        assert r.status == 200
        assert (await r.json())["status"] == "ok"


async def test_without_an_sms_provider_texts_wait_and_the_simulator_is_closed(tmp_path) -> None:  # noqa: ANN001

    port = free_port()
    settings = replace(make_settings(tmp_path, port), simulator=False)
    service = await Service.create(settings, Clock(parse_instant(OPEN_TIME)))
    runner = await start_site(service, "127.0.0.1", port)
    try:
        async with service.db.transaction() as conn:
            amira = await staff.add(conn, Staff(None, "Amira", Role.PRACTITIONER), service.now())
        family_id = await create_family(
            service,
            Family(
                None,
                "PIR-7",
                baby_name="Ava",
                parents=[Parent(None, "Leah", mobile="+447700900201")],
            ),
            "test",
        )
        await allocate(service, family_id, amira, "test")
        await dispatcher.dispatch_once(service)
        (row,) = await outbox.for_family(service.db, family_id)
        assert row.status.value == "queued", "never shown as delivered without a provider"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/simulator") as r:
                assert r.status == 404
    finally:
        await runner.cleanup()
        await service.close()
