"""A risk message from a number Cradle cannot match: the sender gets the safety reply (no
names), and the duty clinician sees the number to ring, the words, and can link the number
to a family from the escalation itself. Closing never pretends a parent was phoned."""

from __future__ import annotations

from bot.runtime import dispatcher, pipeline
from bot.store import outbox
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows

STRANGER = "+447700900555"


async def text_in(live: Live, number: str, body: str) -> None:
    assert await live.simulator_send(number, body) == 303
    await pipeline.process_pending(live.service)


async def test_an_unknown_number_in_danger_gets_the_safety_reply_and_its_number_is_shown(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_in(live, "07700 900555", "I want to end my life tonight")
    await dispatcher.dispatch_once(live.service)

    (reply,) = await outbox.for_recipient(live.service.db, "sms", STRANGER)
    assert "999" in reply.body and "116 123" in reply.body
    assert "Amira" not in reply.body and "told" not in reply.body, "names nobody"
    assert reply.status.value in ("sent", "delivered")

    [(escalation,)] = rows(live, "SELECT id FROM escalations")
    await client.sign_in("duty_clinician")
    status, page = await client.get(f"/escalations/{escalation}")
    assert status == 200
    assert f'href="tel:{STRANGER}"' in page and STRANGER in page
    assert "I want to end my life tonight" in page
    assert "Phoned the parent" not in page, "no parent is known"
    assert "Phoned the number" in page
    assert "Whose number is this?" in page and "PIR-0001: Chloe Martin" in page
    _, queue = await client.get("/queue")  # pinned above her queue too, with the number
    assert f'href="tel:{STRANGER}"' in queue.split('id="escalations"')[1].split("</section>")[0]


async def test_the_duty_clinician_links_the_number_to_a_parent_from_the_escalation(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_in(live, STRANGER, "I can't cope anymore")
    [(escalation,)] = rows(live, "SELECT id FROM escalations")
    [(chloe,)] = rows(live, "SELECT id FROM parents WHERE name = 'Chloe Martin'")
    await client.sign_in("duty_clinician")
    await client.get(f"/escalations/{escalation}")

    status, page, _ = await client.post(
        f"/escalations/{escalation}/link", {"parent_id": str(chloe)}, follow=True
    )

    assert status == 200 and "now Chloe Martin" in page
    assert "Phoned the parent" in page and "Whose number is this?" not in page
    assert rows(live, "SELECT mobile FROM parents WHERE id = ?", chloe) == [(STRANGER,)]
    assert rows(live, "SELECT parent_id FROM escalations") == [(chloe,)]
    status, page, _ = await client.post(
        f"/escalations/{escalation}/close", {"action": "phoned_parent"}, follow=True
    )
    assert status == 200
    assert rows(live, "SELECT action_taken FROM escalations") == [("Phoned the parent",)]


async def test_closing_an_unmatched_escalation_refuses_phoned_the_parent(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_in(live, STRANGER, "I want to die")
    [(escalation,)] = rows(live, "SELECT id FROM escalations")
    await client.sign_in("duty_clinician")
    await client.get(f"/escalations/{escalation}")
    status, page, _ = await client.post(
        f"/escalations/{escalation}/close", {"action": "phoned_parent"}
    )
    assert status == 422 and "Select what was done" in page
    status, page, _ = await client.post(
        f"/escalations/{escalation}/close", {"action": "no_answer"}, follow=True
    )
    assert status == 200
    assert rows(live, "SELECT action_taken, status FROM escalations") == [
        ("Phoned the number: no answer", "closed")
    ]
