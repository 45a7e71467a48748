"""The administrator's pages over real HTTP: families with any number of parents, contacts,
do-not-contact, allocation, closing, failures, and never the words parents wrote."""

from __future__ import annotations

import json

from bot.core.model import OutboxStatus
from bot.store import outbox
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from


def new_family(**extra: str) -> dict[str, str]:
    form = {
        "parent_count": "3",
        "reference": "PIR-0100",
        "mother_name": "Maya Green",
        "due_date": "2027-02-01",
        "referrer_name": "Jo Bright",
        "referrer_role": "Health visitor",
        "p0-name": "Maya Green",
        "p0-relationship": "mother",
        "p0-mobile": "07700 900401",
        "p0-language": "en_GB",
        "p0-channel": "sms",
        "p0-consent_to_text": "yes",
        "p1-name": "Sam Green",
        "p1-relationship": "partner",
        "p1-mobile": "07700 900402",
        "p1-language": "cy",
        "p1-channel": "sms",
        "p1-consent_to_text": "yes",
        "p1-wants_letters": "yes",
        "p1-address": "1 High Street, Riverside",
        "p2-name": "Lee Stone",
        "p2-relationship": "father",
        "p2-mobile": "07700 900403",
        "p2-language": "en_GB",
        "p2-channel": "sms",
        "p2-consent_to_text": "yes",
        "p2-do_not_contact": "yes",
        "p2-do_not_contact_reason": "safeguarding",
    }
    return {**form, **extra}


async def test_an_administrator_adds_a_family_of_three_and_first_contact_goes_to_two(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get("/admin/families/new")
    status, page, _ = await client.post(
        "/admin/families/new", {"parent_count": "2", "add_parent": "yes"}
    )
    assert status == 200 and "Parent or carer 3" in page

    form = new_family(practitioner_id=str(team["amira@demo.cradle"]))
    status, _, location = await client.post("/admin/families/new", form)
    assert status == 303
    _, page = await client.get(location)
    assert "First contact queued for 2 parents" in page
    assert "Not sent to Lee Stone: marked do not contact (safeguarding)" in page
    family_id = int(location.rsplit("/", 1)[1])
    parents = rows(
        live,
        "SELECT name, language, wants_letters, do_not_contact FROM parents WHERE family_id = ?"
        " ORDER BY id",
        family_id,
    )
    assert parents == [
        ("Maya Green", "en_GB", 0, 0),
        ("Sam Green", "cy", 1, 0),
        ("Lee Stone", "en_GB", 0, 1),
    ]
    first = rows(
        live,
        "SELECT recipient FROM outbox WHERE family_id = ? AND purpose = 'first_contact'",
        family_id,
    )
    assert sorted(first) == [("+447700900401",), ("+447700900402",)]


async def test_the_family_form_names_every_problem_and_stores_nothing(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get("/admin/families/new")
    before = rows(live, "SELECT count(*) FROM families")
    form = new_family(reference="", **{"p0-mobile": "not a number", "p2-do_not_contact_reason": ""})
    status, page, _ = await client.post("/admin/families/new", form)
    assert status == 422
    summary = page.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    for field in ("#reference", "#p0-mobile", "#p2-do_not_contact_reason"):
        assert f'href="{field}"' in summary
    assert 'value="Sam Green"' in page  # what was typed is kept
    assert rows(live, "SELECT count(*) FROM families") == before

    status, page, _ = await client.post("/admin/families/new", new_family(reference="PIR-0001"))
    assert status == 422 and "already exists" in page


async def test_marking_a_parent_do_not_contact_stops_texts_and_logs_no_number(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0001"]
    await client.sign_in("administrator")
    _, page = await client.get(f"/admin/families/{family}/parents/2")
    assert 'value="+447700900102"' in page
    form = {
        "name": "Dan Martin",
        "relationship": "father",
        "mobile": "07700 900112",
        "language": "en_GB",
        "channel": "sms",
        "consent_to_text": "yes",
        "do_not_contact": "yes",
        "do_not_contact_reason": "",
    }
    status, page, _ = await client.post(f"/admin/families/{family}/parents/2", form)
    assert status == 422 and "give a reason" in page.lower()
    form["do_not_contact_reason"] = "domestic abuse: agreed with social worker"
    status, _, location = await client.post(f"/admin/families/{family}/parents/2", form)
    assert (status, location) == (303, f"/admin/families/{family}")

    assert rows(live, "SELECT mobile, do_not_contact FROM parents WHERE id = 2") == [
        ("+447700900112", 1)
    ]
    logged = rows(
        live, "SELECT action, detail FROM audit WHERE subject_type = 'parent' AND subject_id = 2"
    )
    logged = [(action, detail) for action, detail in logged if action != "parent_viewed"]
    assert [action for action, _ in logged] == ["parent_updated", "parent_marked_do_not_contact"]
    assert json.loads(logged[0][1])["fields"] == [
        "do_not_contact",
        "do_not_contact_reason",
        "mobile",
    ]
    assert "900112" not in json.dumps(logged)

    await client.post("/logout", {})
    await client.sign_in("practitioner")
    await client.get(f"/families/{family}")
    status, page, _ = await client.post(
        f"/families/{family}/reply", {"parent_id": "2", "body": "Hello Dan"}
    )
    assert status == 422 and "marked do not contact (domestic abuse" in page


async def test_closing_a_family_withdraws_the_texts_still_waiting(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get("/admin/families/new")
    _, _, location = await client.post(
        "/admin/families/new", new_family(practitioner_id=str(team["amira@demo.cradle"]))
    )
    family_id = int(location.rsplit("/", 1)[1])
    await client.get(location)
    status, page, _ = await client.post(f"/admin/families/{family_id}/close", {})
    assert status == 422 and "Tick the box" in page
    status, _, _ = await client.post(f"/admin/families/{family_id}/close", {"confirm": "yes"})
    assert status == 303
    assert rows(live, "SELECT status FROM families WHERE id = ?", family_id) == [("closed",)]
    assert set(rows(live, "SELECT status FROM outbox WHERE family_id = ?", family_id)) == {
        ("withdrawn",)
    }


async def test_the_administrator_never_sees_what_a_parent_wrote_to_their_practitioner(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_from(live.service, "+447700900101", "Words only Amira should read")
    await text_from(live.service, "+447700900999", "Who is this? From an unknown phone")
    async with live.service.db.transaction() as conn:
        await outbox.mark_final(
            conn, 1, OutboxStatus.FAILED, live.service.now(), code="30006", error="unreachable"
        )
    family = team["PIR-0001"]
    await client.sign_in("administrator")
    pages = {}
    for path in (
        "/admin",
        "/admin/families",
        f"/admin/families/{family}",
        "/admin/queue",
        "/admin/failures",
        "/admin/audit",
        f"/admin/families/{family}/parents/1",
    ):
        status, pages[path] = await client.get(path)
        assert status == 200, path
        assert "Words only Amira should read" not in pages[path], path
        assert "Hi Chloe" not in pages[path], path  # nor what the team sent
    assert "Who is this? From an unknown phone" in pages["/admin/queue"]  # unassigned: theirs
    assert "+447700900999" in pages["/admin/queue"]
    assert "Chloe Martin" in pages["/admin/failures"] and "30006" in pages["/admin/failures"]
    status, _ = await client.get(f"/families/{family}")
    assert status == 404


async def test_the_audit_log_shows_who_did_what_by_name(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    _, page = await client.get("/admin/audit?subject=staff")
    assert "Sam Patel (administrator)" in page and "signed in" in page
    assert "family allocated" not in page
