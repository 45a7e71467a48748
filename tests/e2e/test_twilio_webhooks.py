"""Twilio's inbound SMS webhook, signed with the real RequestValidator, into the real store."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.twilio_sms import inbound_from_form
from bot.clock import Clock, parse_instant
from bot.runtime import pipeline
from bot.runtime.service import Service
from bot.store import inbound
from tests.builders import family_json, parent_json
from tests.conftest import OPEN_TIME, Live
from tests.stand_ins.twilio_api import TwilioLive, TwilioWebhooks, running_with_twilio

SMS = "/webhooks/twilio/sms"
CHLOE = "+447700900101"
OPEN = parse_instant(OPEN_TIME)
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@pytest.fixture
async def cradle(tmp_path: Path) -> AsyncIterator[TwilioLive]:
    async with running_with_twilio(tmp_path) as running:
        yield running


def stored(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT external_id, sender, body, media, media_kind FROM inbound ORDER BY id"
        ).fetchall()


def db_path(cradle: TwilioLive) -> Path:
    return cradle.service.settings.database


async def a_family(cradle: TwilioLive) -> dict:
    _, amira = await cradle.live.api("POST", "/api/v1/practitioners", json={"name": "Amira Shah"})
    status, family = await cradle.live.api(
        "POST",
        "/api/v1/families",
        json=family_json(parents=[parent_json(mobile="07700 900101")], practitioner_id=amira["id"]),
    )
    assert status == 201, family
    return {"practitioner": amira["id"], **family}


async def test_a_signed_text_is_stored_answered_with_empty_twiml_then_routed(
    cradle: TwilioLive,
) -> None:
    family = await a_family(cradle)

    status, answer = await cradle.hooks.sms(CHLOE, "Can we make it Thursday instead", sid="SMa1")

    assert (status, answer) == (200, TWIML)
    assert stored(db_path(cradle)) == [
        ("SMa1", CHLOE, "Can we make it Thursday instead", "[]", None)
    ]
    await pipeline.process_pending(cradle.service)
    _, queue = await cradle.live.api(
        "GET", f"/api/v1/queue?practitioner_id={family['practitioner']}"
    )
    assert [i["family_id"] for i in queue["items"]] == [family["id"]]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda f: {**f, "Body": "Send the appointment to my new address"}, id="body"),
        pytest.param(lambda f: {**f, "From": "+447700900999"}, id="sender"),
        pytest.param(lambda f: {**f, "Injected": "1"}, id="added-field"),
        pytest.param(lambda f: {k: v for k, v in f.items() if k != "ToCity"}, id="dropped-field"),
    ],
)
async def test_a_tampered_form_is_refused_and_nothing_is_stored(cradle: TwilioLive, tamper) -> None:  # noqa: ANN001
    fields = cradle.hooks.sms_fields(CHLOE, "See you Tuesday")
    signature = cradle.hooks.sign(SMS, fields)

    status, _ = await cradle.hooks.post(SMS, tamper(fields), signature=signature)

    assert status == 403
    assert stored(db_path(cradle)) == []


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://10.0.0.7:8080" + SMS, id="the-url-behind-the-proxy"),
        pytest.param("https://cradle.example.nhs.uk" + SMS, id="another-host"),
        pytest.param(None, id="https-for-http"),
        pytest.param("{public}/webhooks/twilio/status", id="another-path"),
    ],
)
async def test_a_signature_over_another_url_is_refused(cradle: TwilioLive, url: str | None) -> None:
    public = cradle.hooks.public_url
    signed_url = (url or public.replace("http://", "https://") + SMS).format(public=public)
    fields = cradle.hooks.sms_fields(CHLOE, "hello")

    status, _ = await cradle.hooks.post(
        SMS, fields, signature=cradle.hooks.sign(SMS, fields, signed_url)
    )

    assert status == 403
    assert stored(db_path(cradle)) == []


async def test_the_signature_is_checked_against_the_configured_public_url_not_the_request(
    tmp_path: Path,
) -> None:
    """Behind a proxy we are reached at one address and Twilio signs another."""
    async with running_with_twilio(
        tmp_path, CRADLE_PUBLIC_URL="https://cradle.example.nhs.uk"
    ) as c:
        as_twilio_signs = TwilioWebhooks(c.live.http, c.live.base, "https://cradle.example.nhs.uk")
        as_we_are_reached = TwilioWebhooks(c.live.http, c.live.base, c.live.base)
        assert (await as_twilio_signs.sms(CHLOE, "hi", sid="SMproxy"))[0] == 200
        assert (await as_we_are_reached.sms(CHLOE, "hi", sid="SMdirect"))[0] == 403
        assert [row[0] for row in stored(c.service.settings.database)] == ["SMproxy"]


@pytest.mark.parametrize(
    ("headers", "signature"),
    [({}, None), ({"X-Twilio-Signature": ""}, None), ({}, "bm90IGEgc2lnbmF0dXJl")],
)
async def test_a_missing_or_garbage_signature_is_refused(
    cradle: TwilioLive, headers: dict, signature: str | None
) -> None:
    fields = cradle.hooks.sms_fields(CHLOE, "hello")
    status, _ = await cradle.hooks.post(
        SMS, fields, sign=signature is not None, signature=signature, headers=headers
    )
    assert status == 403
    assert stored(db_path(cradle)) == []


async def test_with_no_auth_token_configured_every_webhook_is_refused(live: Live) -> None:
    hooks = TwilioWebhooks(live.http, live.base, live.base, auth_token="anything")
    status, _ = await hooks.sms(CHLOE, "hello")
    assert status == 403
    assert stored(live.service.settings.database) == []


async def test_a_replay_or_twilios_own_retry_is_stored_once_and_acted_on_once(
    cradle: TwilioLive,
) -> None:
    family = await a_family(cradle)
    fields = cradle.hooks.sms_fields(CHLOE, "Is it ok to bring my mum", sid="SMreplay")

    answers = [await cradle.hooks.post(SMS, fields) for _ in range(2)]
    answers += await asyncio.gather(*(cradle.hooks.post(SMS, fields) for _ in range(4)))
    await pipeline.process_pending(cradle.service)
    answers.append(await cradle.hooks.post(SMS, fields))  # after it was acted on
    await pipeline.process_pending(cradle.service)

    assert answers == [(200, TWIML)] * 7
    assert len(stored(db_path(cradle))) == 1
    _, queue = await cradle.live.api(
        "GET", f"/api/v1/queue?practitioner_id={family['practitioner']}"
    )
    assert len(queue["items"]) == 1


async def test_many_texts_at_once_are_committed_together_each_stored_once(
    cradle: TwilioLive,
) -> None:
    cradle.service.intake.start()  # the group-committing writer, as in the running service
    texts = [cradle.hooks.sms_fields(f"+4477009002{n:02d}", f"text {n}") for n in range(20)]
    retried = cradle.hooks.sms_fields(CHLOE, "sent once, posted five times", sid="SMfive")

    answers = await asyncio.gather(
        *(cradle.hooks.post(SMS, fields) for fields in [*texts, *[retried] * 5])
    )

    assert answers == [(200, TWIML)] * 25
    rows = stored(db_path(cradle))
    assert sorted(row[2] for row in rows) == sorted(
        [f"text {n}" for n in range(20)] + ["sent once, posted five times"]
    )


async def test_the_same_message_in_one_commit_is_new_only_once(cradle: TwilioLive) -> None:
    cradle.service.intake.start()
    message = inbound_from_form(cradle.hooks.sms_fields(CHLOE, "hi", sid="SMsame"), OPEN)
    other = inbound_from_form(cradle.hooks.sms_fields(CHLOE, "hello", sid="SMother"), OPEN)

    results = await asyncio.gather(
        *(cradle.service.intake.store(m) for m in [message, other, message, message])
    )

    assert [new for _, new in results] == [True, True, False, False]
    assert results[0][0] == results[2][0] == results[3][0] != results[1][0]


async def test_fields_twilio_adds_without_notice_are_signed_and_accepted(
    cradle: TwilioLive,
) -> None:
    status, _ = await cradle.hooks.sms(
        CHLOE, "hello", sid="SMnew", AddOns='{"status":"successful"}', MessagingServiceSid="MG1"
    )
    assert status == 200
    assert [row[0] for row in stored(db_path(cradle))] == ["SMnew"]


@pytest.mark.parametrize(
    "body",
    [
        "Diolch yn fawr 🙏 wela i chi ddydd Mawrth",
        "Dziękuję, będę o 10:00 😊",
        "شکریہ، میں آؤں گی",
        "👶🍼💤",
        "Robert'); DROP TABLE inbound;--",
        "' OR '1'='1",
        "1; DELETE FROM parents WHERE 1=1",
        "  spaces kept  \nand a new line ",
        "",
    ],
)
async def test_any_text_is_stored_exactly_as_sent(cradle: TwilioLive, body: str) -> None:
    status, _ = await cradle.hooks.sms(CHLOE, body, sid="SMtext")
    assert status == 200
    assert stored(db_path(cradle)) == [("SMtext", CHLOE, body, "[]", None)]
    with sqlite3.connect(db_path(cradle)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"inbound", "parents"} <= tables


async def test_a_photo_is_stored_with_its_link_and_goes_to_a_person(cradle: TwilioLive) -> None:
    family = await a_family(cradle)
    photo = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    status, _ = await cradle.hooks.sms(
        CHLOE, "", sid="MMphoto", NumMedia="1", MediaUrl0=photo, MediaContentType0="image/jpeg"
    )
    assert status == 200
    assert stored(db_path(cradle)) == [("MMphoto", CHLOE, "", f'["{photo}"]', "photo")]
    await pipeline.process_pending(cradle.service)
    _, queue = await cradle.live.api(
        "GET", f"/api/v1/queue?practitioner_id={family['practitioner']}"
    )
    assert [(i["kind"], i["summary"]) for i in queue["items"]] == [("message", "photo")]


async def test_several_attachments_are_all_kept(cradle: TwilioLive) -> None:
    urls = [f"https://api.twilio.com/media/ME{n}" for n in range(3)]
    extra = {f"MediaUrl{n}": url for n, url in enumerate(urls)}
    extra |= {f"MediaContentType{n}": "audio/amr" for n in range(3)}
    await cradle.hooks.sms(CHLOE, "listen", sid="MMthree", NumMedia="3", **extra)
    (row,) = stored(db_path(cradle))
    assert row[3:] == (str(urls).replace("'", '"'), "3 attachments")


async def test_an_oversized_body_is_refused_with_413_and_nothing_stored(cradle: TwilioLive) -> None:
    fields = cradle.hooks.sms_fields(CHLOE, "x" * (65 * 1024))
    status, _ = await cradle.hooks.post(SMS, fields)
    assert status == 413
    assert stored(db_path(cradle)) == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(b"Body=\xff\xfe&From=%2B447700900101&MessageSid=SMbad", None, id="not-utf8"),
        pytest.param(
            b"Body=%FF%FE&From=%2B447700900101&MessageSid=SMbad", None, id="escaped-not-utf8"
        ),
        pytest.param(b'{"From": "+447700900101"}', "application/json", id="json"),
    ],
)
async def test_malformed_form_data_is_refused_with_400_and_nothing_stored(
    cradle: TwilioLive, data: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else None
    status, _ = await cradle.hooks.post(SMS, {}, data=data, signature="c2lnbmVk", headers=headers)
    assert status == 400
    assert stored(db_path(cradle)) == []


@pytest.mark.parametrize("missing", ["From", "MessageSid"])
async def test_a_signed_form_without_from_or_message_sid_is_refused_with_400(
    cradle: TwilioLive, missing: str
) -> None:
    fields = cradle.hooks.sms_fields(CHLOE, "hello")
    del fields[missing]
    status, answer = await cradle.hooks.post(SMS, fields)
    assert status == 400 and missing in answer
    assert stored(db_path(cradle)) == []


async def test_a_crash_after_the_answer_loses_nothing(cradle: TwilioLive, tmp_path: Path) -> None:
    family = await a_family(cradle)
    await cradle.hooks.sms(CHLOE, "Running late, sorry", sid="SMcrash")
    # The process dies here: the answer went, triage never ran. Then it starts again.
    restarted = await Service.create(cradle.service.settings, Clock(parse_instant(OPEN_TIME)))
    try:
        assert await pipeline.process_pending(restarted) == 1
        (row,) = await inbound.for_family(restarted.db, family["id"])
        assert row.processed and row.message.external_id == "SMcrash"
    finally:
        await restarted.close()
