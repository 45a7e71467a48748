"""A practitioner's day in the console over real HTTP: My families, My diary, tasks, and the
family page with its appointments, letters, tasks and professionals."""

from __future__ import annotations

from bot.runtime import scheduler
from tests.builders import family_json, parent_json
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from

CHLOE = "+447700900101"


async def book(live: Live, family_id: int, starts_at: str = "2026-11-26T14:00") -> int:
    status, booked = await live.api(
        "POST",
        f"/api/v1/families/{family_id}/appointments",
        json={"starts_at": starts_at, "place": "clinic", "address": "Rosebank Children's Centre"},
    )
    assert status == 201, booked
    return booked["id"]


async def test_my_families_searches_filters_and_counts_unread(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")  # Amira holds PIR-0001 and PIR-0002
    await text_from(live.service, CHLOE, "Hello, thanks for the text")
    await book(live, team["PIR-0002"])

    _, page = await client.get("/my/families")
    assert "PIR-0001" in page and "PIR-0002" in page and "PIR-0003" not in page
    assert "1 unread" in page
    _, found = await client.get("/my/families?q=leah")
    assert "PIR-0002" in found and "PIR-0001" not in found
    _, this_week = await client.get("/my/families?only=this_week")
    assert "PIR-0002" in this_week and "PIR-0001" not in this_week
    _, waiting = await client.get("/my/families?only=waiting")
    assert "PIR-0002" in waiting and "PIR-0001" not in waiting  # Chloe has answered
    _, escalated = await client.get("/my/families?only=escalation")
    assert "No families to show" in escalated


async def test_my_diary_shows_appointments_by_day_with_place_and_parents(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await book(live, team["PIR-0001"])
    await book(live, team["PIR-0003"], "2026-11-27T10:00")  # Tom's family
    await client.sign_in("practitioner")
    _, page = await client.get("/my/diary")
    assert "Thursday 26 November 2026" in page
    assert "2pm" in page and "Rosebank Children" in page
    assert "Chloe Martin, Dan Martin" in page
    assert "PIR-0003" not in page


async def test_a_call_task_is_logged_from_the_task_list_and_counts_as_a_contact_attempt(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("other_practitioner")  # Tom holds PIR-0003: Kasia prefers calls
    _, page = await client.get("/tasks")
    assert "Phone the parent: Kasia Nowak" in page and "PIR-0003" in page
    [(task_id,)] = rows(live, "SELECT id FROM tasks WHERE kind = 'call_parent'")

    await client.sign_in("practitioner")  # not Amira's task: she may not close it
    await client.get("/tasks")
    status, _, _ = await client.post(
        f"/tasks/{task_id}/done", {"outcome": "Spoke to Kasia", "call_made": "yes"}
    )
    assert status == 404

    await client.sign_in("other_practitioner")
    await client.get("/tasks")
    status, _, where = await client.post(
        f"/tasks/{task_id}/done",
        {"outcome": "Spoke to Kasia; first visit agreed", "call_made": "yes", "next": "/tasks"},
    )
    assert status == 303 and where == "/tasks"
    _, page = await client.get("/tasks")
    assert "Kasia Nowak" not in page and "No tasks waiting" in page
    _, family = await client.get(f"/families/{team['PIR-0003']}")
    assert "Spoke to Kasia; first visit agreed" in family and "Contact attempt" in family


async def test_the_family_page_records_professionals_and_writes_letters_after_an_appointment(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0002"]  # Leah, and Ryan who is not to be contacted
    appointment = await book(live, family)
    await client.sign_in("practitioner")
    _, page = await client.get(f"/families/{family}")
    for heading in ("Tasks", "Appointments", "Letters", "Professionals"):
        assert f">{heading}</h2>" in page
    assert "Thursday 26 November 2026 at 2pm" in page
    status, _, _ = await client.post(
        f"/families/{family}/professionals",
        {
            "pro_kind": "gp",
            "pro_name": "Dr Asha Patel",
            "pro_organisation": "Hill Surgery",
            "pro_address": "1 Surgery Lane, Bristol",
            "pro_consent_to_share": "yes",
        },
    )
    assert status == 303
    [(gp_id, consent_by)] = rows(live, "SELECT id, consent_recorded_by FROM professionals")
    assert consent_by.startswith("staff:")

    live.at("2026-11-26T15:30:00Z")
    status, body = await live.api(
        "POST", f"/api/v1/appointments/{appointment}/outcome", json={"outcome": "attended"}
    )
    assert status == 200, body
    await client.sign_in("practitioner")  # two days later: a new session
    await client.get(f"/families/{family}")
    status, _, _ = await client.post(
        f"/families/{family}/appointments/{appointment}/letters",
        {"summary": "We played with Ava and talked about sleep.", "professional": str(gp_id)},
    )
    assert status == 303
    letters = rows(
        live, "SELECT addressed_to, body FROM letters WHERE kind = 'after_appointment' ORDER BY id"
    )
    assert [to for to, _ in letters] == ["Leah Jones", "Dr Asha Patel (GP practice, Hill Surgery)"]
    assert all("Ryan" not in body for _, body in letters)
    _, page = await client.get(f"/families/{family}")
    assert "to Leah Jones (after appointment), waiting to be posted" in page


async def test_a_family_with_nobody_allocated_brings_its_tasks_to_the_administrator(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    payload = family_json("PIR-0009", due_date="2026-11-20", parents=[parent_json()])
    status, family = await live.api("POST", "/api/v1/families", json=payload)
    assert status == 201
    await scheduler.tick(live.service, live.at("2026-11-24T10:05:00Z"))
    await client.sign_in("administrator")
    status, page = await client.get("/tasks")
    assert status == 200 and "Tasks for the administrator" in page
    assert "Check the due date" in page and "PIR-0009" in page
    assert "Kasia Nowak" not in page  # Tom's call, not the administrator's
    await client.sign_in("practitioner")
    _, page = await client.get("/tasks")
    assert "PIR-0009" not in page


async def test_the_administrators_families_list_searches_filters_and_pages(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    for n in range(52):
        payload = family_json(f"PIR-5{n:03d}", parents=[parent_json(f"Parent {n}", "")])
        status, _ = await live.api("POST", "/api/v1/families", json=payload)
        assert status == 201
    await client.sign_in("administrator")
    _, first = await client.get("/admin/families")
    [(total,)] = rows(live, "SELECT count(*) FROM families")
    assert f"{total} families, page 1 of 2" in first
    assert first.count('href="/admin/families/') == 50 + first.count("/admin/families/new")
    _, second = await client.get("/admin/families?page=2")
    assert "PIR-5051" in second and "PIR-0001" not in second
    _, found = await client.get("/admin/families?q=leah")
    assert "1 family." in found and "PIR-0002" in found
    tom = team["tom@demo.cradle"]
    _, toms = await client.get(f"/admin/families?practitioner={tom}")
    [(held,)] = rows(live, "SELECT count(*) FROM families WHERE practitioner_id = ?", tom)
    assert "PIR-0003" in toms and "PIR-0001" not in toms and f"{held} famil" in toms
    _, unallocated = await client.get("/admin/families?practitioner=none&status=open")
    assert "52 families" in unallocated and "PIR-0003" not in unallocated


async def test_an_unknown_number_in_the_unassigned_queue_is_linked_to_a_parent(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_from(live.service, "+447700900999", "Hi it's Dan, this is my new phone")
    await client.sign_in("administrator")
    _, waiting = await client.get("/admin/queue")
    assert "07700 900999" in waiting and "Link to a parent" in waiting
    [(item_id,)] = rows(live, "SELECT id FROM queue_items WHERE audience = 'unassigned'")
    [(dan,)] = rows(live, "SELECT id FROM parents WHERE name = 'Dan Martin'")
    [(ryan,)] = rows(live, "SELECT id FROM parents WHERE name = 'Ryan Cole'")
    _, form = await client.get(f"/admin/queue/items/{item_id}/link")
    assert "Dan Martin" in form and "Ryan Cole" not in form  # never to a do-not-contact parent
    status, _, _ = await client.post(f"/admin/queue/items/{item_id}/link", {"parent_id": str(ryan)})
    assert status == 409
    status, _, where = await client.post(
        f"/admin/queue/items/{item_id}/link", {"parent_id": str(dan)}
    )
    assert status == 303 and where == "/admin/queue"
    assert rows(live, "SELECT mobile FROM parents WHERE id = ?", dan) == [("+447700900999",)]
    assert rows(
        live, "SELECT audience, practitioner_id, family_id FROM queue_items WHERE id = ?", item_id
    ) == [("practitioner", team["amira@demo.cradle"], team["PIR-0001"])]
    await client.sign_in("practitioner")
    _, queue = await client.get("/queue")
    assert "PIR-0001" in queue and "Dan Martin" in queue


async def test_the_due_date_task_records_the_birth_and_the_babys_name(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0001"]  # Chloe's baby is due in 40 days
    await scheduler.tick(live.service, live.at("2027-01-04T10:00:00Z"))
    await client.sign_in("practitioner")
    _, page = await client.get(f"/families/{family}")
    assert "Check the due date" in page and "Record the birth" in page
    status, _, _ = await client.post(
        f"/families/{family}/birth",
        {"baby_name": "Rosie", "birth_date-day": "2", "birth_date-month": "1",
         "birth_date-year": "2027"},
    )  # fmt: skip
    assert status == 303
    assert rows(live, "SELECT baby_name, birth_date FROM families WHERE id = ?", family) == [
        ("Rosie", "2027-01-02")
    ]
    assert rows(live, "SELECT status FROM tasks WHERE kind = 'check_due_date'") == [("done",)]
    await client.get(f"/families/{family}")
    status, _, _ = await client.post(
        f"/families/{family}/birth",
        {"birth_date-day": "31", "birth_date-month": "2", "birth_date-year": "2027"},
    )
    assert rows(live, "SELECT birth_date FROM families WHERE id = ?", family) == [("2027-01-02",)]


async def test_a_persons_token_reaches_only_the_tasks_and_network_of_families_they_hold(
    live: Live, team: dict[str, int]
) -> None:
    from bot.runtime import accounts

    tom, amira = team["tom@demo.cradle"], team["amira@demo.cradle"]
    token = await accounts.create_token(live.service, "test", "tom's phone", staff_id=tom)
    api = {"Authorization": f"Bearer {token}"}

    async def status_of(method: str, path: str, body: dict | None = None) -> int:
        async with live.http.request(method, live.base + path, headers=api, json=body) as r:
            return r.status

    assert await status_of("GET", f"/api/v1/tasks?owner_id={tom}") == 200
    assert await status_of("GET", f"/api/v1/tasks?owner_id={amira}") == 404
    assert await status_of("GET", "/api/v1/tasks?audience=administrator") == 404
    assert await status_of("GET", f"/api/v1/families/{team['PIR-0003']}/tasks") == 200
    assert await status_of("GET", f"/api/v1/families/{team['PIR-0001']}/tasks") == 404
    assert await status_of("GET", f"/api/v1/families/{team['PIR-0001']}/professionals") == 404
    gp = {"kind": "gp", "name": "Dr Patel", "consent_to_share": True}
    path = f"/api/v1/families/{team['PIR-0001']}/professionals"
    assert await status_of("POST", path, gp) == 404
    assert rows(live, "SELECT count(*) FROM professionals") == [(0,)]
    [(toms_call,)] = rows(
        live, "SELECT id FROM tasks WHERE owner_id = ? LIMIT 1", tom
    )  # his own: the call to Kasia
    assert await status_of("POST", f"/api/v1/tasks/{toms_call}/done", {"outcome": "ok"}) == 200
