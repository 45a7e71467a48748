"""A phone read by someone else: from the parent's own text, the API or the console, nothing
automated goes to it again (no acknowledgement, no safety text), and a person is asked to agree
a safe way to keep in touch. Risk triage still runs first and still escalates."""

from __future__ import annotations

from bot.runtime import dispatcher
from bot.store import outbox
from tests.builders import family_json, parent_json
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows
from tests.e2e.test_risk_and_hours import setup_family, text_in, texts_to

CHLOE = "+447700900101"


async def test_a_monitored_phone_gets_no_reply_of_any_kind_and_an_urgent_item(live: Live) -> None:
    ids = await setup_family(live)
    before = await texts_to(live, CHLOE)

    await text_in(live, "please don't text this number anymore, he checks my phone")

    assert await texts_to(live, CHLOE) == before, "no acknowledgement, no safety text"
    _, queue = await live.api("GET", f"/api/v1/queue?practitioner_id={ids['practitioner']}")
    (item,) = [i for i in queue["items"] if i["kind"] == "safe_contact"]
    assert item["urgent"] is True
    assert "safe way to keep in touch" in item["summary"]
    _, family = await live.api("GET", f"/api/v1/families/{ids['family']}")
    marked = family["parents"][0]["not_safe_to_text"]
    assert marked["by"] == "the parent's own text" and marked["at"] == "2026-11-24T10:00:00Z"
    # Risk triage still ran first: "checks my phone" is a concern and is escalated.
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    assert [e["level"] for e in open_["escalations"]] == ["concern"]


async def test_an_emergency_from_a_phone_marked_not_safe_is_escalated_but_not_answered(
    live: Live,
) -> None:
    ids = await setup_family(live)
    status, _ = await live.api(
        "POST",
        f"/api/v1/parents/{await _parent_id(live, ids['family'])}/not-safe-to-text",
        json={"reason": "partner reads her texts", "by": "Amira Shah"},
    )
    assert status == 200
    before = await texts_to(live, CHLOE)

    await text_in(live, "I want to kill myself")

    assert await texts_to(live, CHLOE) == before
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    assert [e["level"] for e in open_["escalations"]] == ["emergency"]


async def test_a_text_waiting_in_the_outbox_is_withdrawn_when_the_phone_becomes_unsafe(
    live: Live,
) -> None:
    """Checked again at send time: the first contact queued before marking never goes."""
    status, family = await live.api(
        "POST", "/api/v1/families", json=family_json(parents=[parent_json()])
    )
    _, member = await live.api(
        "POST", "/api/v1/practitioners", json={"name": "Amira Shah", "role": "practitioner"}
    )
    await live.api(
        "POST", f"/api/v1/families/{family['id']}/allocate", json={"practitioner_id": member["id"]}
    )
    queued = await outbox.for_recipient(live.service.db, "sms", CHLOE)
    assert [r.status.value for r in queued] == ["queued"]
    parent_id = family["parents"][0]["id"]
    await live.api(
        "POST", f"/api/v1/parents/{parent_id}/not-safe-to-text", json={"reason": "shared phone"}
    )

    await dispatcher.dispatch_once(live.service)

    (row,) = await outbox.for_recipient(live.service.db, "sms", CHLOE)
    assert row.status.value == "withdrawn" and "not safe to text" in (row.error or "")
    assert rows(live, "SELECT count(*) FROM outbox WHERE status = 'sent'") == [(0,)]


async def test_marking_needs_a_reason_and_an_existing_parent(live: Live) -> None:
    ids = await setup_family(live)
    parent_id = await _parent_id(live, ids["family"])
    status, body = await live.api("POST", f"/api/v1/parents/{parent_id}/not-safe-to-text", json={})
    assert status == 422 and body["field"] == "reason"
    status, body = await live.api(
        "POST", "/api/v1/parents/9999/not-safe-to-text", json={"reason": "x"}
    )
    assert status == 404 and body["field"] == "id"
    await live.api("POST", f"/api/v1/parents/{parent_id}/not-safe-to-text", json={"reason": "x"})
    status, body = await live.api("DELETE", f"/api/v1/parents/{parent_id}/not-safe-to-text")
    assert status == 200 and body["not_safe_to_text"] is None


async def test_the_practitioner_marks_and_clears_it_in_the_console(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family_id = team["PIR-0001"]
    (parent_id,) = rows(live, "SELECT min(id) FROM parents WHERE family_id = ?", family_id)[0]
    await client.sign_in("practitioner")
    status, page = await client.get(f"/families/{family_id}")
    assert status == 200 and "Not safe to text" in page

    status, page, _ = await client.post(
        f"/families/{family_id}/parents/{parent_id}/not-safe-to-text",
        {"reason": "ex-partner has the phone"},
        follow=True,
    )
    assert status == 200
    assert "Marked by Amira" in page and "ex-partner has the phone" in page
    assert rows(live, "SELECT unsafe_to_text_by FROM parents WHERE id = ?", parent_id)[0][0]

    status, page, _ = await client.post(
        f"/families/{family_id}/parents/{parent_id}/safe-to-text", {}, follow=True
    )
    assert status == 200 and "may be texted again" in page
    assert rows(live, "SELECT unsafe_to_text_at FROM parents WHERE id = ?", parent_id) == [(None,)]


async def _parent_id(live: Live, family_id: int) -> int:
    _, family = await live.api("GET", f"/api/v1/families/{family_id}")
    return family["parents"][0]["id"]
