"""Every read of personal data is in the audit log, and the log can be searched and paged."""

from __future__ import annotations

from tests.conftest import Live
from tests.e2e.console_client import EMAILS, ConsoleClient, rows, text_from


def audited(live: Live, action: str) -> list[tuple]:
    return rows(
        live,
        "SELECT actor, subject_type, subject_id FROM audit WHERE action = ? ORDER BY id",
        action,
    )


async def test_reading_a_family_through_the_api_is_audited(
    live: Live, team: dict[str, int]
) -> None:
    family = team["PIR-0001"]
    status, _ = await live.api("GET", f"/api/v1/families/{family}")
    assert status == 200
    assert audited(live, "family_viewed") == [("api:configured-token", "family", family)]
    await live.api("GET", f"/api/v1/queue?practitioner_id={team[EMAILS['practitioner']]}")
    await live.api("GET", "/api/v1/escalations?status=open")
    assert audited(live, "queue_viewed") and audited(live, "escalations_viewed")


async def test_opening_the_queue_and_family_pages_in_the_console_is_audited(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    amira = team[EMAILS["practitioner"]]
    await client.sign_in("practitioner")
    await client.get("/queue")
    await client.get(f"/families/{team['PIR-0001']}")
    assert audited(live, "queue_viewed") == [(f"staff:{amira}", "staff", amira)]
    assert audited(live, "family_messages_viewed") == [
        (f"staff:{amira}", "family", team["PIR-0001"])
    ]
    await client.post("/logout", {})
    await client.sign_in("administrator")
    await client.get(f"/admin/families/{team['PIR-0002']}")
    sam = team[EMAILS["administrator"]]
    assert audited(live, "family_viewed") == [(f"staff:{sam}", "family", team["PIR-0002"])]


async def test_the_audit_page_names_people_and_families_searches_and_pages(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await text_from(live.service, "+447700900201", "See you then")
    await second_client.sign_in("practitioner")
    for _ in range(60):
        await second_client.get(f"/families/{team['PIR-0001']}")
    await client.sign_in("administrator")
    _, page = await client.get("/admin/audit?q=PIR-0001")
    assert "Amira Shah (practitioner)" in page and "family PIR-0001" in page
    assert "Older" in page and "Newer" not in page
    _, older = await client.get("/admin/audit?q=PIR-0001&page=2")
    assert "Newer" in older and "family PIR-0001" in older
    _, nobody = await client.get("/admin/audit?q=Tom+Evans")
    assert "family messages viewed" not in nobody
    _, huge = await client.get("/admin/audit?page=99999999999999999999999")
    assert "Audit log" in huge
