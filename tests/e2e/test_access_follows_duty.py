"""Access follows today's duty: cover and escalations open a family only while they last,
in the console and through the API alike."""

from __future__ import annotations

import pytest

from bot.core.access import Duty, may_open_family
from bot.core.model import Role
from bot.runtime import accounts
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from

LEAH = "+447700900201"  # a parent of PIR-0002, Amira's family
WORRYING = "I can't cope anymore, she won't stop crying"
AMIRA, TOM, GRACE, SAM = 1, 2, 3, 5


@pytest.mark.parametrize(
    ("duty", "allowed"),
    [
        (Duty(AMIRA, Role.PRACTITIONER), True),  # allocated to her
        (Duty(TOM, Role.PRACTITIONER), False),
        (Duty(TOM, Role.PRACTITIONER, cover={AMIRA: TOM}), True),  # covering her now
        (Duty(TOM, Role.PRACTITIONER, told_open_escalations=frozenset({10})), True),
        (Duty(TOM, Role.PRACTITIONER, open_escalations=frozenset({10})), False),  # not told
        (Duty(GRACE, Role.DUTY_CLINICIAN, open_escalations=frozenset({10})), True),
        (Duty(GRACE, Role.DUTY_CLINICIAN), False),
        (Duty(SAM, Role.ADMINISTRATOR, told_open_escalations=frozenset({10})), False),
    ],
)
def test_who_may_open_a_family_now(duty: Duty, allowed: bool) -> None:
    assert may_open_family(duty, 10, AMIRA) is allowed


async def test_cover_then_an_open_escalation_open_a_family_and_closing_it_ends_that(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    family = team["PIR-0002"]
    await client.sign_in("practitioner")
    await client.get("/cover")
    await client.post(
        "/cover", {"cover_id": str(TOM), "starts_on": "2026-11-24", "ends_on": "2026-11-25"}
    )
    await text_from(live.service, LEAH, WORRYING)  # Tom, covering, is told
    [(escalation,)] = rows(live, "SELECT id FROM escalations")
    token = await accounts.create_token(live.service, "test", "tom's phone", staff_id=TOM)
    api = {"Authorization": f"Bearer {token}"}

    async def tom_sees() -> tuple[int, int, int]:
        await second_client.sign_in("other_practitioner")
        console, _ = await second_client.get(f"/families/{family}")
        async with live.http.get(f"{live.base}/api/v1/families/{family}", headers=api) as r:
            details = r.status
        async with live.http.get(
            f"{live.base}/api/v1/families/{family}/messages", headers=api
        ) as r:
            messages = r.status
        return console, details, messages

    assert await tom_sees() == (200, 200, 200)  # covering, and told
    live.at("2026-11-26T10:00:00Z")  # cover has ended; the escalation he was told of is open
    assert await tom_sees() == (200, 200, 200)
    assert (await second_client.get(f"/escalations/{escalation}"))[0] == 200
    await client.sign_in("clinical_lead")
    await client.get(f"/escalations/{escalation}")
    status, _, _ = await client.post(
        f"/escalations/{escalation}/close",
        {"action": "phoned_parent", "details": "Spoke to Leah, visit booked"},
    )
    assert status == 303
    console, details, messages = await tom_sees()
    assert (console, details, messages) == (404, 404, 404)
    status, _, _ = await second_client.post(
        f"/families/{family}/reply", {"parent_id": "2", "body": "Hello Leah"}
    )
    assert status == 404  # nor can he text the parent
    assert (await second_client.get(f"/escalations/{escalation}"))[0] == 404
    _, missing = await second_client.get("/families/999999")
    assert "Page not found" in missing


async def test_the_team_systems_token_still_reads_any_family(
    live: Live, team: dict[str, int]
) -> None:
    status, body = await live.api("GET", f"/api/v1/families/{team['PIR-0001']}")
    assert status == 200 and body["reference"] == "PIR-0001"


async def test_a_persons_token_reads_only_the_queues_they_hold_today(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    token = await accounts.create_token(live.service, "test", "tom's phone", staff_id=TOM)
    api = {"Authorization": f"Bearer {token}"}

    async def queue_of(practitioner: int) -> int:
        url = f"{live.base}/api/v1/queue?practitioner_id={practitioner}"
        async with live.http.get(url, headers=api) as r:
            return r.status

    assert (await queue_of(TOM), await queue_of(AMIRA)) == (200, 404)
    async with live.http.get(f"{live.base}/api/v1/queue?audience=unassigned", headers=api) as r:
        assert r.status == 404
    await client.sign_in("practitioner")
    await client.get("/cover")
    await client.post(
        "/cover", {"cover_id": str(TOM), "starts_on": "2026-11-24", "ends_on": "2026-11-25"}
    )
    assert await queue_of(AMIRA) == 200  # covering her today
    live.at("2026-11-26T10:00:00Z")
    assert await queue_of(AMIRA) == 404
