"""Risk and out-of-hours policies through the real service: escalations and replies."""

from __future__ import annotations

import sqlite3

from bot.core.model import ChannelName, InboundMessage
from bot.runtime import dispatcher, pipeline
from bot.runtime.scheduler import tick
from bot.store import escalations, inbound, outbox
from tests.builders import family_json, parent_json
from tests.conftest import Live

# Saturday 28 November 2026, 22:00 in London: the team is closed until Monday 09:00.
SATURDAY_NIGHT = "2026-11-28T22:00:00Z"
OPEN = "2026-11-24T10:00:00Z"


async def setup_family(live: Live) -> dict:
    ids = {}
    for name, role in [
        ("Amira Shah", "practitioner"),
        ("Grace Okafor", "duty_clinician"),
        ("Helen Price", "clinical_lead"),
    ]:
        status, body = await live.api(
            "POST",
            "/api/v1/practitioners",
            json={"name": name, "role": role, "mobile": "07700 900900"},
        )
        assert status == 201
        ids[role] = body["id"]
    status, family = await live.api(
        "POST",
        "/api/v1/families",
        json=family_json(
            parents=[parent_json("Chloe Martin", "07700 900101")],
            practitioner_id=ids["practitioner"],
        ),
    )
    assert status == 201
    await dispatcher.dispatch_once(live.service)
    return {**ids, "family": family["id"]}


async def text_in(live: Live, body: str, number: str = "07700 900101") -> None:
    assert await live.simulator_send(number, body) == 303
    await pipeline.process_pending(live.service)


async def texts_to(live: Live, number: str = "+447700900101") -> list[str]:
    await dispatcher.dispatch_once(live.service)
    rows = await outbox.for_recipient(live.service.db, "sms", number)
    return [r.body for r in rows]


async def test_an_emergency_reaches_a_human_at_once_and_the_parent_gets_crisis_numbers(
    live: Live,
) -> None:
    ids = await setup_family(live)
    await text_in(live, "i cant do this anymore, i want to end it all tonight")

    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    (escalation,) = open_["escalations"]
    assert escalation["level"] == "emergency"
    assert escalation["family_id"] == ids["family"]
    assert escalation["reasons"], "every decision says why"
    told = {n["staff_id"] for n in await escalations.notices(live.service.db, escalation["id"])}
    assert {ids["practitioner"], ids["duty_clinician"]} <= told
    last = (await texts_to(live))[-1]
    assert "999" in last and "116 123" in last and "told Amira" in last
    # Staff alerts by SMS carry no message content and no names.
    staff_alerts = await outbox.for_recipient(live.service.db, "sms", "+447700900900")
    assert staff_alerts and all(
        "end it" not in a.body and "Chloe" not in a.body for a in staff_alerts
    )


async def test_an_unacknowledged_escalation_climbs_to_the_clinical_lead(live: Live) -> None:
    ids = await setup_family(live)
    await text_in(live, "I want to kill myself")
    (escalation,) = (await live.api("GET", "/api/v1/escalations?status=open"))[1]["escalations"]

    await tick(live.service, live.at("2026-11-24T10:16:00Z"))

    told = {n["staff_id"] for n in await escalations.notices(live.service.db, escalation["id"])}
    assert ids["clinical_lead"] in told
    status, acked = await live.api(
        "POST",
        f"/api/v1/escalations/{escalation['id']}/acknowledge",
        json={"staff_id": ids["clinical_lead"]},
    )
    assert status == 200 and acked["status"] == "acknowledged"
    await tick(live.service, live.at("2026-11-24T11:30:00Z"))
    after = await escalations.notices(live.service.db, escalation["id"])
    assert all(n["at"] <= "2026-11-24T10:16:00Z" for n in after), "acknowledged: the chain stops"
    status, again = await live.api(
        "POST",
        f"/api/v1/escalations/{escalation['id']}/acknowledge",
        json={"staff_id": ids["duty_clinician"]},
    )
    assert status == 409 and again["field"] == "id"


async def test_out_of_hours_the_parent_is_told_once_when_the_team_will_read_it(live: Live) -> None:
    ids = await setup_family(live)
    live.at(SATURDAY_NIGHT)
    await text_in(live, "Is it ok to bring my mum")
    await text_in(live, "and my sister?")

    replies = [t for t in await texts_to(live) if "closed" in t]
    assert len(replies) == 1, "one auto-reply per closed period"
    assert "Monday 30 November at 9am" in replies[0]
    _, queue = await live.api("GET", f"/api/v1/queue?practitioner_id={ids['practitioner']}")
    assert [i["out_of_hours"] for i in queue["items"]] == [True, True]


async def test_risk_out_of_hours_is_escalated_too(live: Live) -> None:
    await setup_family(live)
    live.at(SATURDAY_NIGHT)
    await text_in(live, "he is hitting me right now please help")
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    assert [e["chain"] for e in open_["escalations"]] == ["out_of_hours"]
    texts = await texts_to(live)
    assert any("999" in t for t in texts)
    assert not any("closed" in t for t in texts), "the safety reply already says where to go"


async def test_an_opted_out_parent_at_risk_is_escalated_and_sent_nothing(live: Live) -> None:
    await setup_family(live)
    await text_in(live, "STOP")
    before = len(await texts_to(live))
    await text_in(live, "im going to take all my tablets")
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    assert len(open_["escalations"]) == 1
    assert len(await texts_to(live)) == before


async def test_a_reply_that_is_also_a_risk_is_both_routed_and_escalated(live: Live) -> None:
    ids = await setup_family(live)
    await text_in(
        live, "yes ill be there. things are really bad at home he shouted at the baby again"
    )
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    assert [e["level"] for e in open_["escalations"]] == ["concern"]
    _, queue = await live.api("GET", f"/api/v1/queue?practitioner_id={ids['practitioner']}")
    assert queue["items"], "the reply itself still reaches the practitioner"


async def test_in_a_burst_a_risk_message_is_handled_before_routine_replies(live: Live) -> None:
    ids = await setup_family(live)
    for n, body in enumerate(["see you then", "ok thanks", "i want to die", "is it at the clinic"]):
        await live.service.intake.store(
            InboundMessage(
                ChannelName.SMS, f"SMburst{n}", "+447700900101", body, live.service.now()
            )
        )
    await pipeline.process_pending(live.service)
    _, queue = await live.api("GET", f"/api/v1/queue?practitioner_id={ids['practitioner']}")
    first = min(queue["items"], key=lambda item: item["id"])
    stored = await inbound.get(live.service.db, first["inbound_id"])
    assert stored is not None and stored.message.body == "i want to die"


async def test_a_message_that_cannot_be_processed_goes_to_a_person_and_stalls_nothing(
    live: Live,
) -> None:
    await setup_family(live)
    with sqlite3.connect(live.service.settings.database) as conn:  # a row no code path expects
        conn.execute(
            "INSERT INTO inbound (channel, external_id, sender, body, received_at)"
            " VALUES ('fax', 'X1', '+447700900101', 'hello', '2026-11-24T09:59:00Z')"
        )
    await text_in(live, "I want to kill myself")
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    assert len(open_["escalations"]) == 1, "the message after the bad one was still triaged"
    _, unassigned = await live.api("GET", "/api/v1/queue?audience=unassigned")
    assert [i["summary"] for i in unassigned["items"]] == [
        "could not be processed automatically: please read it"
    ]


async def test_a_baby_seriously_unwell_gets_advice_for_the_baby_and_reaches_a_human(
    live: Live,
) -> None:
    await setup_family(live)
    await text_in(live, "shes 6 weeks and really floppy, wont take her bottle")

    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    (escalation,) = open_["escalations"]
    assert escalation["level"] == "emergency"
    assert escalation["reasons"][0].startswith("The baby has a warning sign of serious illness")
    last = (await texts_to(live))[-1]
    assert "your baby" in last and "999" in last and "NHS 111" in last
    assert "116 123" not in last, "the reply is about the baby, not the parent's mood"


async def test_a_message_in_a_language_the_rules_cannot_read_reaches_a_person(
    live: Live,
) -> None:
    await setup_family(live)
    await text_in(live, "Nu mai pot, nu știu ce să fac cu viața mea de acum")

    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    (escalation,) = open_["escalations"]
    assert escalation["level"] == "concern"
    assert escalation["reasons"][-1].startswith("Not checked for risk: language")
    assert not [t for t in await texts_to(live) if "116 123" in t], "a person reads it first"
