"""CANCEL on its own: Twilio opts the number out of every text; Cradle mirrors that and asks
the administrator to phone, since the parent may only have meant their appointment. A team
that removed CANCEL with Advanced Opt-Out says so in the settings, and CANCEL is then an
answer to the appointment."""

from __future__ import annotations

from pathlib import Path

from bot.runtime import dispatcher, pipeline
from tests.builders import family_json, parent_json
from tests.stand_ins.twilio_api import TwilioLive, running_with_twilio

CHLOE = "+447700900101"


async def chloe_with_an_appointment(cradle: TwilioLive) -> dict:
    _, amira = await cradle.live.api("POST", "/api/v1/practitioners", json={"name": "Amira Shah"})
    _, family = await cradle.live.api(
        "POST",
        "/api/v1/families",
        json=family_json(parents=[parent_json(mobile="07700 900101")], practitioner_id=amira["id"]),
    )
    status, booked = await cradle.live.api(
        "POST",
        f"/api/v1/families/{family['id']}/appointments",
        json={"starts_at": "2026-12-01T10:00", "place": "home", "kind": "session"},
    )
    assert status == 201, booked
    await dispatcher.dispatch_once(cradle.service)
    return {"practitioner": amira["id"], "appointment": booked["id"], **family}


async def text_in(cradle: TwilioLive, body: str) -> None:
    status, _ = await cradle.hooks.sms(CHLOE, body)
    assert status == 200
    await pipeline.process_pending(cradle.service)
    await dispatcher.dispatch_once(cradle.service)


async def test_cancel_blocks_texts_and_asks_the_administrator_to_phone(tmp_path: Path) -> None:
    async with running_with_twilio(tmp_path) as cradle:
        family = await chloe_with_an_appointment(cradle)
        sent_before = len(cradle.twilio.created)

        await text_in(cradle, "CANCEL")

        _, stored = await cradle.live.api("GET", f"/api/v1/families/{family['id']}")
        assert stored["parents"][0]["opted_out"] is True
        _, queue = await cradle.live.api("GET", "/api/v1/queue?audience=administrator")
        (item,) = [i for i in queue["items"] if i["kind"] == "carrier_opt_out"]
        assert item["urgent"] is True
        assert (
            "texted CANCEL: may have meant the appointment on Tuesday 1 December"
            in (item["summary"])
        )
        assert "texts are now blocked" in item["summary"] and "phone them" in item["summary"]
        _, appointment = await cradle.live.api(
            "GET", f"/api/v1/appointments/{family['appointment']}"
        )
        assert appointment["status"] == "booked", "a person decides, after phoning"
        assert len(cradle.twilio.created) == sent_before, "nothing more is texted"


async def test_with_cancel_removed_at_twilio_it_answers_the_appointment(tmp_path: Path) -> None:
    words = "STOP,STOPALL,UNSUBSCRIBE,END,QUIT,REVOKE,OPTOUT"
    async with running_with_twilio(tmp_path, CRADLE_TWILIO_OPT_OUT_WORDS=words) as cradle:
        family = await chloe_with_an_appointment(cradle)

        await text_in(cradle, "CANCEL")

        _, stored = await cradle.live.api("GET", f"/api/v1/families/{family['id']}")
        assert stored["parents"][0]["opted_out"] is False
        _, appointment = await cradle.live.api(
            "GET", f"/api/v1/appointments/{family['appointment']}"
        )
        assert appointment["status"] == "cancelled" and appointment["cancelled_by"] == "family"
        _, queue = await cradle.live.api("GET", "/api/v1/queue?audience=administrator")
        assert [i["kind"] for i in queue["items"]] == ["cancellation"]
