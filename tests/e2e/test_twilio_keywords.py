"""Carrier keywords and risk, end to end: a signed webhook in, texts out through Twilio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime import dispatcher, pipeline
from tests.builders import family_json, parent_json
from tests.stand_ins.twilio_api import TwilioLive, running_with_twilio

CHLOE = "+447700900101"
TEAM_PHONE = "0306 999 0123"


@pytest.fixture
async def cradle(tmp_path: Path) -> AsyncIterator[TwilioLive]:
    async with running_with_twilio(tmp_path) as running:
        yield running


@pytest.fixture
async def family(cradle: TwilioLive) -> dict:
    """Chloe's family, allocated, her welcome text already sent."""
    _, amira = await cradle.live.api("POST", "/api/v1/practitioners", json={"name": "Amira Shah"})
    _, created = await cradle.live.api(
        "POST",
        "/api/v1/families",
        json=family_json(parents=[parent_json(mobile="07700 900101")], practitioner_id=amira["id"]),
    )
    await dispatcher.dispatch_once(cradle.service)
    assert len(cradle.twilio.created) == 1
    return {"practitioner": amira["id"], **created}


async def text_in(cradle: TwilioLive, body: str) -> None:
    """Chloe texts us; Cradle stores, decides, and sends whatever it decided to send."""
    status, _ = await cradle.hooks.sms(CHLOE, body)
    assert status == 200
    await pipeline.process_pending(cradle.service)
    await dispatcher.dispatch_once(cradle.service)


async def opted_out(cradle: TwilioLive, family: dict) -> bool:
    _, stored = await cradle.live.api("GET", f"/api/v1/families/{family['id']}")
    return stored["parents"][0]["opted_out"]


async def queue_kinds(cradle: TwilioLive, family: dict) -> list[str]:
    _, body = await cradle.live.api(
        "GET", f"/api/v1/queue?practitioner_id={family['practitioner']}"
    )
    return [item["kind"] for item in body["items"]]


def texts_to_chloe(cradle: TwilioLive) -> list[str]:
    return [r.body for r in cradle.twilio.created if r.to == CHLOE]


@pytest.mark.parametrize(
    "word",
    [
        "STOP",
        "stop",
        "Stop.",
        " STOPALL ",
        "UNSUBSCRIBE",
        "end",
        "QUIT",
        "CANCEL",
        "REVOKE",
        "OPTOUT",
    ],
)
async def test_a_carrier_stop_word_opts_the_parent_out_and_tells_the_practitioner(
    cradle: TwilioLive, family: dict, word: str
) -> None:
    await text_in(cradle, word)

    assert await opted_out(cradle, family)
    assert await queue_kinds(cradle, family) == ["opt_out"]
    assert len(texts_to_chloe(cradle)) == 1  # the welcome only: Twilio confirms the stop itself


async def test_nothing_more_is_sent_to_a_parent_who_opted_out(
    cradle: TwilioLive, family: dict
) -> None:
    await text_in(cradle, "STOP")
    await text_in(cradle, "HELP")

    assert len(cradle.twilio.requests) == 1  # the welcome, before she opted out


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
async def test_texting_start_after_stop_turns_texts_back_on(
    cradle: TwilioLive, family: dict, word: str
) -> None:
    await text_in(cradle, "STOP")

    await text_in(cradle, word)

    assert not await opted_out(cradle, family)
    assert texts_to_chloe(cradle)[-1].startswith("Thanks, you'll get texts")


async def test_help_gets_the_teams_contact_details(cradle: TwilioLive, family: dict) -> None:
    await text_in(cradle, "HELP")

    assert TEAM_PHONE in texts_to_chloe(cradle)[-1]
    assert not await opted_out(cradle, family)


async def test_a_message_at_risk_from_a_parent_who_opted_out_is_still_escalated(
    cradle: TwilioLive, family: dict
) -> None:
    await text_in(cradle, "STOP")

    await text_in(cradle, "I want to die")

    _, escalations = await cradle.live.api("GET", "/api/v1/escalations?status=open")
    (escalation,) = escalations["escalations"]
    assert escalation["level"] == "emergency" and escalation["family_id"] == family["id"]
    assert len(texts_to_chloe(cradle)) == 1  # she is opted out: no text, but people are told
    assert await opted_out(cradle, family)


async def test_a_text_queued_before_the_parent_said_stop_is_withdrawn_not_sent(
    cradle: TwilioLive,
) -> None:
    _, amira = await cradle.live.api("POST", "/api/v1/practitioners", json={"name": "Amira Shah"})
    _, created = await cradle.live.api(
        "POST",
        "/api/v1/families",
        json=family_json(parents=[parent_json(mobile="07700 900101")], practitioner_id=amira["id"]),
    )
    status, _ = await cradle.hooks.sms(CHLOE, "STOP")
    assert status == 200
    await pipeline.process_pending(cradle.service)

    await dispatcher.dispatch_once(cradle.service)

    assert cradle.twilio.requests == []
    _, messages = await cradle.live.api("GET", f"/api/v1/families/{created['id']}/messages")
    (welcome,) = [m for m in messages["messages"] if m["direction"] == "out"]
    assert welcome["status"] == "withdrawn"
