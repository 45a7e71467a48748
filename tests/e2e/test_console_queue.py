"""The practitioner's queue and a family's conversation, over real HTTP: who sees what,
replies through the outbox, marking handled, handing over."""

from __future__ import annotations

import json

import pytest

from bot.runtime import dispatcher
from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from

CHLOE, DAN, LEAH, RYAN, KASIA = (
    "+447700900101",
    "+447700900102",
    "+447700900201",
    "+447700900202",
    "+447700900301",
)


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


async def test_the_queue_holds_only_the_practitioners_own_families_out_of_hours_first(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    live.at("2026-11-24T11:00:00Z")
    await text_from(live.service, LEAH, "Is Thursday still on?")
    live.at("2026-11-24T19:30:00Z")  # the team closed at 17:00
    await text_from(live.service, CHLOE, "Can my mum come too?")
    await text_from(live.service, KASIA, "Dziękuję")
    live.at("2026-11-25T09:30:00Z")

    await client.sign_in("practitioner")
    _, page = await client.get("/queue")
    waiting = section(page, "messages-heading")
    assert waiting.index("Can my mum come too?") < waiting.index("Is Thursday still on?")
    chloe_row = waiting.split("Can my mum come too?")[0].rsplit("<tr", 1)[1]
    assert "Arrived out of hours" in chloe_row
    assert (
        "Arrived out of hours" not in waiting.split("Is Thursday still on?")[0].rsplit("<tr", 1)[1]
    )
    assert "Dziękuję" not in page

    await second_client.sign_in("other_practitioner")
    _, page = await second_client.get("/queue")
    assert "Dziękuję" in page and "Can my mum come too?" not in page


async def test_a_reply_goes_through_the_outbox_on_the_parents_channel_and_reaches_the_phone(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_from(live.service, CHLOE, "Can my mum come too?")
    await client.sign_in("practitioner")
    family = team["PIR-0001"]
    await client.get(f"/families/{family}")
    reply = {
        "parent_id": "1",
        "body": "Of course, she is very welcome.",
        "nonce": "first",
        "handled": "yes",
    }
    status, _, location = await client.post(f"/families/{family}/reply", reply)
    assert (status, location) == (303, f"/families/{family}#conversation")
    again = await client.post(f"/families/{family}/reply", reply)  # a double click
    assert again[0] == 303

    sent = rows(
        live,
        "SELECT channel, recipient, purpose, urgent, on_behalf_of, segments FROM outbox"
        " WHERE body = ?",
        "Of course, she is very welcome.",
    )
    assert sent == [("sms", CHLOE, "practitioner_reply", 1, team["amira@demo.cradle"], 1)]
    assert rows(live, "SELECT count(*) FROM queue_items WHERE status = 'open'") == [(0,)]

    await dispatcher.dispatch_once(live.service)
    async with client.http.get(client.base + "/simulator") as r:
        phone = (await r.text()).split(f'id="{CHLOE}"')[1].split("</section>")[0]
    assert "Of course, she is very welcome." in phone
    _, page = await client.get(f"/families/{family}")
    conversation = page.split('id="conversation"')[1]
    assert "Of course, she is very welcome." in conversation
    assert "Reply from Amira Shah" in conversation and "Delivered" in conversation


@pytest.mark.parametrize(
    ("parent_id", "body", "problem"),
    [
        ("1", "   ", "Enter the text to send"),
        ("1", "We will see you soon. " * 25, "SMS segments long"),
        ("1", "Reply STOP if you do not want these texts", "stops all texts"),
        ("1", "See you \u202eon Thursday", "U+202E"),
        ("4", "Hello Ryan", "marked do not contact (safeguarding: agreed with social worker)"),
        ("99", "Hello", "Select who to send the text to"),
    ],
)
async def test_a_reply_that_may_not_go_is_refused_with_the_reason_and_nothing_is_queued(
    live: Live,
    team: dict[str, int],
    client: ConsoleClient,
    parent_id: str,
    body: str,
    problem: str,
) -> None:
    await client.sign_in("practitioner")
    family = team["PIR-0002"] if parent_id == "4" else team["PIR-0001"]
    await client.get(f"/families/{family}")
    before = rows(live, "SELECT count(*) FROM outbox")
    status, page, _ = await client.post(
        f"/families/{family}/reply", {"parent_id": parent_id, "body": body}
    )
    assert status == 422
    assert "There is a problem" in page and problem in page
    assert rows(live, "SELECT count(*) FROM outbox") == before


async def test_every_view_of_a_family_is_audit_logged_without_what_was_said(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_from(live.service, CHLOE, "Can my mum come too?")
    await client.sign_in("practitioner")
    family = team["PIR-0001"]
    await client.get(f"/families/{family}")
    await client.get(f"/families/{family}")
    viewed = rows(
        live,
        "SELECT actor, subject_id FROM audit WHERE action = 'family_messages_viewed'",
    )
    assert viewed == [(f"staff:{team['amira@demo.cradle']}", family)] * 2
    everything = json.dumps(rows(live, "SELECT * FROM audit"))
    assert "mum" not in everything and CHLOE not in everything


async def test_marking_handled_empties_the_queue_and_only_the_holder_may_do_it(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await text_from(live.service, CHLOE, "Can my mum come too?")
    [(item,)] = rows(live, "SELECT id FROM queue_items WHERE status = 'open'")
    await second_client.sign_in("other_practitioner")
    await second_client.get("/queue")
    status, _, _ = await second_client.post(f"/queue/items/{item}/handled", {"next": "/queue"})
    assert status == 404
    await client.sign_in("practitioner")
    await client.get("/queue")
    status, _, location = await client.post(f"/queue/items/{item}/handled", {"next": "/queue"})
    assert (status, location) == (303, "/queue")
    _, page = await client.get("/queue")
    assert "Can my mum come too?" not in page and "Marked as handled." in page


async def test_handing_a_family_over_moves_it_and_its_waiting_messages(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await text_from(live.service, LEAH, "Is Thursday still on?")
    family = team["PIR-0002"]
    await client.sign_in("practitioner")
    await client.get(f"/families/{family}")
    status, _, location = await client.post(
        f"/families/{family}/handover", {"practitioner_id": str(team["tom@demo.cradle"])}
    )
    assert (status, location) == (303, "/queue")
    status, _ = await client.get(f"/families/{family}")
    assert status == 404
    await second_client.sign_in("other_practitioner")
    _, page = await second_client.get("/queue")
    assert "Is Thursday still on?" in page
    assert rows(live, "SELECT action FROM audit WHERE action = 'family_handed_over'") == [
        ("family_handed_over",)
    ]


def checked_parent(page: str) -> str:
    """The name beside the radio button that is checked in the reply form."""
    form = page.split('class="reply-form"')[1].split("</form>")[0]
    item = form.split(" checked")[1]
    return item.split('nhsuk-radios__label"')[1].split(">")[1].split("<")[0].split(" (")[0]


async def test_replying_from_the_queue_preselects_the_parent_who_wrote_and_ticks_nothing(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await text_from(live.service, DAN, "Is it still Thursday?")
    await client.sign_in("practitioner")
    _, queue_page = await client.get("/queue")
    dan = rows(live, "SELECT id FROM parents WHERE name = 'Dan Martin'")[0][0]
    link = f"/families/{team['PIR-0001']}?reply_to={dan}#reply"
    assert link in queue_page

    _, page = await client.get(link.split("#")[0])

    assert checked_parent(page) == "Dan Martin", "not Chloe, the first parent"
    box = page.split('name="handled"')[0].rsplit("<input", 1)[1] + page.split('name="handled"')[1]
    assert "checked" not in box.split(">")[0], "marking everything handled is a choice"
    # Opened without the link, the form still answers whoever wrote last.
    _, page = await client.get(f"/families/{team['PIR-0001']}")
    assert checked_parent(page) == "Dan Martin"
