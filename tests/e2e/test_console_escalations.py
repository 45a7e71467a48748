"""Escalations in the console over real HTTP: pinned in the queue, the duty view, acknowledging,
closing with the action taken, and cover while on leave."""

from __future__ import annotations

import pytest

from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from

LEAH, KASIA = "+447700900201", "+447700900301"
WORRYING = "I can't cope anymore, she won't stop crying"


def pinned(page: str) -> str:
    return (
        page.split('id="escalations"')[1].split("</section>")[0]
        if 'id="escalations"' in page
        else ""
    )


def table(page: str, table_id: str) -> str:
    return (
        page.split(f'id="{table_id}"')[1].split("</table>")[0] if f'id="{table_id}"' in page else ""
    )


async def test_an_escalation_is_pinned_above_the_queue_with_the_time_left(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await text_from(live.service, LEAH, WORRYING)  # Tuesday 10:00: a concern, in hours
    await client.sign_in("practitioner")
    _, page = await client.get("/queue")
    top = pinned(page)
    assert "PIR-0002" in top and "Leah Jones" in top and "4 hours left" in top
    assert page.index('id="escalations"') < page.index('id="messages"')
    assert "she won" in top  # the words that raised it, for the practitioner who holds the family

    live.at("2026-11-24T13:50:00Z")
    await client.sign_in("practitioner")  # away from the screen past the idle limit
    _, page = await client.get("/queue")
    assert "10 minutes left" in pinned(page)
    live.at("2026-11-24T14:05:00Z")
    _, page = await client.get("/queue")
    assert "Overdue by 5 minutes" in pinned(page)

    await second_client.sign_in("other_practitioner")
    _, page = await second_client.get("/queue")
    assert "PIR-0002" not in page
    [(escalation,)] = rows(live, "SELECT id FROM escalations")
    assert (await second_client.get(f"/escalations/{escalation}")) == (
        await second_client.get("/escalations/999999")
    )


async def test_the_duty_view_shows_every_open_escalation_and_acknowledging_moves_it_on(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_from(live.service, LEAH, WORRYING)
    await text_from(live.service, KASIA, "Nie daję rady, I can't cope")
    leah, kasia = (row[0] for row in rows(live, "SELECT id FROM escalations ORDER BY id"))
    await client.sign_in("duty_clinician")
    _, page = await client.get("/escalations")
    waiting = table(page, "open-escalations")
    assert "PIR-0002" in waiting and "PIR-0003" in waiting
    assert "Step 1 of 3, in-hours chain" in waiting
    assert "Told: Amira Shah" in waiting and "Told: Tom Evans" in waiting

    status, _, location = await client.post(
        f"/escalations/{leah}/acknowledge", {"next": "/escalations"}
    )
    assert (status, location) == (303, "/escalations")
    _, page = await client.get("/escalations")
    assert f'data-escalation-id="{leah}"' not in table(page, "open-escalations")
    assert f'data-escalation-id="{kasia}"' in table(page, "open-escalations")
    assert "PIR-0002" in page.split('id="acknowledged"')[1]
    assert rows(live, "SELECT actor FROM audit WHERE action = 'escalation_acknowledged'") == [
        (f"staff:{team['grace@demo.cradle']}",)
    ]


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({}, "Select what was done"),
        ({"action": "other", "details": "  "}, "Describe what was done"),
    ],
)
async def test_an_escalation_closes_only_with_the_action_taken(
    live: Live, team: dict[str, int], client: ConsoleClient, form: dict[str, str], problem: str
) -> None:
    await text_from(live.service, LEAH, WORRYING)
    [(escalation,)] = rows(live, "SELECT id FROM escalations")
    await client.sign_in("clinical_lead")
    await client.get(f"/escalations/{escalation}")
    status, page, _ = await client.post(f"/escalations/{escalation}/close", form)
    assert status == 422 and problem in page
    assert rows(live, "SELECT status FROM escalations") == [("open",)]

    status, _, _ = await client.post(
        f"/escalations/{escalation}/close",
        {"action": "phoned_parent", "details": "Spoke to Leah, visit booked for tomorrow"},
    )
    assert status == 303
    assert rows(live, "SELECT status, action_taken FROM escalations") == [
        ("closed", "Phoned the parent: Spoke to Leah, visit booked for tomorrow")
    ]
    _, page = await client.get("/escalations")
    assert "No escalation is waiting." in page and "Phoned the parent" in page


async def test_cover_sends_the_queue_and_new_escalations_to_the_colleague_covering(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    await client.get("/cover")
    status, _, _ = await client.post(
        "/cover",
        {
            "cover_id": str(team["tom@demo.cradle"]),
            "starts_on": "2026-11-24",
            "ends_on": "2026-11-27",
        },
    )
    assert status == 303
    await text_from(live.service, LEAH, WORRYING)

    told = rows(live, "SELECT DISTINCT staff_id FROM escalation_notices")
    assert told == [(team["tom@demo.cradle"],)]
    await second_client.sign_in("other_practitioner")
    _, page = await second_client.get("/queue")
    assert "PIR-0002" in pinned(page) and "You are covering Amira Shah" in page
    assert "covering Amira Shah" in page.split('id="messages"')[1]
    status, _ = await second_client.get(f"/families/{team['PIR-0002']}")
    assert status == 200

    _, page = await client.get("/queue")
    assert "Tom Evans is covering your families" in page and "PIR-0002" not in pinned(page)

    live.at("2026-11-30T10:00:00Z")  # the cover has ended
    await second_client.sign_in("other_practitioner")
    status, _ = await second_client.get(f"/families/{team['PIR-0001']}")
    assert status == 404


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        (
            {"cover_id": "2", "starts_on": "2026-11-26", "ends_on": "2026-11-25"},
            "on or after the first day",
        ),
        ({"cover_id": "2", "starts_on": "2026-11-20", "ends_on": "2026-11-25"}, "today or later"),
        (
            {"cover_id": "1", "starts_on": "2026-11-24", "ends_on": "2026-11-25"},
            "Select a colleague other",
        ),
        (
            {"cover_id": "5", "starts_on": "2026-11-24", "ends_on": "2026-11-25"},
            "Select who will cover",
        ),
        ({"cover_id": "2", "starts_on": "next week", "ends_on": ""}, "Enter the first day"),
    ],
)
async def test_cover_that_cannot_work_is_refused_with_the_reason(
    live: Live, team: dict[str, int], client: ConsoleClient, form: dict[str, str], problem: str
) -> None:
    await client.sign_in("practitioner")  # Amira, id 1; Sam (5) is the administrator
    await client.get("/cover")
    status, page, _ = await client.post("/cover", form)
    assert status == 422 and problem in page
    assert rows(live, "SELECT count(*) FROM cover") == [(0,)]


async def test_overlapping_cover_is_refused_until_the_first_is_cancelled(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    await client.get("/cover")
    form = {"cover_id": "2", "starts_on": "2026-11-24", "ends_on": "2026-11-27"}
    assert (await client.post("/cover", form))[0] == 303
    await client.get("/cover")
    status, page, _ = await client.post("/cover", {**form, "cover_id": "3"})
    assert status == 422 and "already has cover" in page
    [(cover,)] = rows(live, "SELECT id FROM cover")
    assert (await client.post(f"/cover/{cover}/cancel", {}))[0] == 303
    await client.get("/cover")
    assert (await client.post("/cover", {**form, "cover_id": "3"}))[0] == 303
    assert rows(live, "SELECT cover_id FROM cover") == [(3,)]
