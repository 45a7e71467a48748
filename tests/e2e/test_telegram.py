"""Telegram end to end: the real aiogram client against a loopback Bot API, the real webhook over
real HTTP, a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.core.model import ChannelName
from bot.runtime import dispatcher, escalations, pipeline
from bot.runtime import telegram as telegram_runtime
from bot.telegram import texts
from bot.telegram.pacing import Pacer
from tests.builders import family_json
from tests.conftest import ROOT, TOKEN, Live, free_port
from tests.stand_ins.telegram_api import (
    BOT_TOKEN,
    BOT_USERNAME,
    WEBHOOK_SECRET,
    TelegramLive,
    TelegramStandIn,
    running_with_telegram,
)

CHLOE_CHAT = 5_550_101
DUTY_CHAT = 7_770_001
STRANGER_CHAT = 9_990_009


def policies_with_telegram_alerts(tmp_path: Path) -> Path:
    """The team's shipped policies, which alert linked staff by Telegram as well."""
    chain = (ROOT / "policies" / "escalation.toml").read_text(encoding="utf-8")
    assert '"telegram"]' in chain, "escalation chains should include Telegram"
    return ROOT / "policies"


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[TelegramLive]:
    policies = policies_with_telegram_alerts(tmp_path)
    async with running_with_telegram(tmp_path, CRADLE_POLICIES_DIR=policies) as running:
        yield running


def _count(live: Live, table: str, where: str = "1") -> int:
    with closing(sqlite3.connect(live.service.settings.database)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


async def add_staff(live: Live, name: str, role: str = "practitioner", **extra: str) -> int:
    status, body = await live.api(
        "POST", "/api/v1/practitioners", json={"name": name, "role": role, **extra}
    )
    assert status == 201, body
    return body["id"]


async def add_family(live: Live, **extra: object) -> dict:
    status, body = await live.api("POST", "/api/v1/families", json=family_json(**extra))
    assert status == 201, body
    return body


async def get_family(live: Live, family_id: int) -> dict:
    status, body = await live.api("GET", f"/api/v1/families/{family_id}")
    assert status == 200, body
    return body


async def deliver(tg: TelegramLive) -> None:
    """Everything due leaves the outbox (in tests the worker runs only when asked)."""
    while await dispatcher.dispatch_once(tg.service):
        pass


async def make_link(tg: TelegramLive, parent_id: int, **options: object) -> str:
    status, body = await tg.live.api(
        "POST", f"/api/v1/parents/{parent_id}/telegram-link", json=options
    )
    assert status == 201, body
    return body["link"]


def token_of(link: str) -> str:
    parsed = urlparse(link)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "t.me", f"/{BOT_USERNAME}")
    return parse_qs(parsed.query)["start"][0]


async def send(tg: TelegramLive, update: dict) -> None:
    status, text = await tg.updates.post(update)
    assert status == 200, text


async def link_parent(tg: TelegramLive, parent_id: int, chat_id: int) -> None:
    await send(tg, tg.updates.text(chat_id, f"/start {token_of(await make_link(tg, parent_id))}"))
    await deliver(tg)


async def link_staff(tg: TelegramLive, staff_id: int, chat_id: int) -> None:
    status, body = await tg.live.api("POST", f"/api/v1/staff/{staff_id}/telegram-code")
    assert status == 201, body
    await send(tg, tg.updates.text(chat_id, f"/link {body['code']}", first_name="Staff"))
    await deliver(tg)
    assert tg.telegram.sent_to(chat_id)[-1]["text"] == texts.staff_linked()


# Linking a parent, and their replies ------------------------------------------------------


async def test_a_parent_links_with_a_texted_token_and_their_reply_reaches_the_queue(
    tg: TelegramLive,
) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    family = await add_family(tg.live, practitioner_id=amira)
    chloe = family["parents"][0]
    await deliver(tg)  # first contact, by SMS

    status, body = await tg.live.api(
        "POST", f"/api/v1/parents/{chloe['id']}/telegram-link", json={"send_by_sms": True}
    )
    assert status == 201, body
    await deliver(tg)
    texted = tg.service.transports[ChannelName.SMS].sent[-1]
    assert texted.recipient == chloe["mobile"] and body["link"] in texted.body

    await send(tg, tg.updates.text(CHLOE_CHAT, f"/start {token_of(body['link'])}"))
    await deliver(tg)
    assert [m["text"] for m in tg.telegram.sent_to(CHLOE_CHAT)] == [
        texts.parent_linked("Chloe", tg.service.policies.team.sender_name)
    ]
    linked = (await get_family(tg.live, family["id"]))["parents"][0]
    assert (linked["channel"], linked["telegram_linked"]) == ("telegram", True)

    await send(tg, tg.updates.text(CHLOE_CHAT, "Is it ok to bring my mum on Thursday"))
    await pipeline.process_pending(tg.service)

    _, queue = await tg.live.api("GET", f"/api/v1/queue?practitioner_id={amira}")
    assert [(i["kind"], i["parent_id"]) for i in queue["items"]] == [("message", chloe["id"])]
    _, messages = await tg.live.api("GET", f"/api/v1/families/{family['id']}/messages")
    inbound = [m for m in messages["messages"] if m["direction"] == "in"]
    assert [(m["channel"], m["body"]) for m in inbound] == [
        ("telegram", "Is it ok to bring my mum on Thursday")
    ]


@pytest.mark.parametrize(
    "case", ["used by someone else", "expired", "never issued", "superseded by a newer link"]
)
async def test_a_bad_token_gets_a_polite_refusal_and_binds_nothing(
    tg: TelegramLive, case: str
) -> None:
    family = await add_family(tg.live)
    chloe = family["parents"][0]
    token = token_of(await make_link(tg, chloe["id"]))
    if case == "used by someone else":
        await send(tg, tg.updates.text(CHLOE_CHAT, f"/start {token}"))
    elif case == "expired":
        tg.live.at("2026-12-02T10:00:00Z")  # eight days on
    elif case == "never issued":
        token = "a" * 43
    else:
        await make_link(tg, chloe["id"])

    await send(tg, tg.updates.text(STRANGER_CHAT, f"/start {token}"))
    await deliver(tg)

    assert [m["text"] for m in tg.telegram.sent_to(STRANGER_CHAT)] == [
        texts.link_refused(tg.service.policies.team.sender_name)
    ]
    assert _count(tg.live, "parents", f"telegram_chat_id = {STRANGER_CHAT}") == 0


async def test_stop_unlinks_and_what_was_waiting_goes_by_sms(tg: TelegramLive) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    family = await add_family(tg.live)
    chloe = family["parents"][0]
    await link_parent(tg, chloe["id"], CHLOE_CHAT)
    status, _ = await tg.live.api(
        "POST", f"/api/v1/families/{family['id']}/allocate", json={"practitioner_id": amira}
    )
    assert status == 200  # first contact now waits in the outbox, for Telegram

    await send(tg, tg.updates.text(CHLOE_CHAT, "/stop"))
    await deliver(tg)

    parent = (await get_family(tg.live, family["id"]))["parents"][0]
    assert (parent["channel"], parent["telegram_linked"]) == ("sms", False)
    assert [m["text"] for m in tg.telegram.sent_to(CHLOE_CHAT)][-1] == texts.parent_stopped(
        tg.service.policies.team.sender_name
    )
    _, messages = await tg.live.api("GET", f"/api/v1/families/{family['id']}/messages")
    first = [m for m in messages["messages"] if m["purpose"] == "first_contact"]
    assert [(m["channel"], m["status"]) for m in first] == [
        ("telegram", "withdrawn"),
        ("sms", "delivered"),
    ]


# The webhook's door ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "send_secret", "status"),
    [("not-the-secret", True, 403), (None, False, 401), ("", True, 403)],
    ids=["wrong", "missing", "empty"],
)
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    tg: TelegramLive, secret: str | None, send_secret: bool, status: int
) -> None:
    update = tg.updates.text(CHLOE_CHAT, "hello")
    async with tg.live.http.post(
        tg.live.base + "/webhooks/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret} if send_secret else {},
    ) as r:
        assert r.status == status
    assert _count(tg.live, "telegram_updates") == 0
    assert _count(tg.live, "inbound") == 0


async def test_with_no_secret_configured_the_webhook_refuses_everything(tmp_path: Path) -> None:
    async with running_with_telegram(tmp_path, secret=None) as tg:
        for header in (WEBHOOK_SECRET, ""):
            status, _ = await tg.updates.post(tg.updates.text(CHLOE_CHAT, "hi"), secret=header)
            assert status == 403
        assert _count(tg.live, "telegram_updates") == 0


async def test_without_telegram_the_webhook_is_not_there(live: Live) -> None:
    async with live.http.post(
        live.base + "/webhooks/telegram",
        json={"update_id": 1},
        headers={"X-Telegram-Bot-Api-Secret-Token": "x"},
    ) as r:
        assert r.status == 404


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}']
)
async def test_something_that_is_not_an_update_is_refused(tg: TelegramLive, body: bytes) -> None:
    async with tg.live.http.post(
        tg.live.base + "/webhooks/telegram",
        data=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    ) as r:
        assert r.status == 400
    assert _count(tg.live, "telegram_updates") == 0


async def test_the_same_update_twice_acts_once(tg: TelegramLive) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    family = await add_family(tg.live, practitioner_id=amira)
    await link_parent(tg, family["parents"][0]["id"], CHLOE_CHAT)
    update = tg.updates.text(CHLOE_CHAT, "Can we move Thursday to the afternoon")

    await send(tg, update)
    await send(tg, update)
    await pipeline.process_pending(tg.service)

    assert _count(tg.live, "telegram_updates", f"update_id = {update['update_id']}") == 1
    assert _count(tg.live, "inbound") == 1
    _, queue = await tg.live.api("GET", f"/api/v1/queue?practitioner_id={amira}")
    assert len(queue["items"]) == 1


async def test_a_stored_update_is_acted_on_once_after_a_crash_before_acting(
    tg: TelegramLive,
) -> None:
    update = tg.updates.text(STRANGER_CHAT, "hello is anyone there")
    await telegram_runtime.store_update(tg.service, update)  # then the process died

    assert await telegram_runtime.process_pending_updates(tg.service) == 1
    assert await telegram_runtime.process_pending_updates(tg.service) == 0
    await send(tg, update)  # Telegram delivers it again: nothing more happens
    assert _count(tg.live, "inbound") == 1
    with closing(sqlite3.connect(tg.service.settings.database)) as conn:
        (body,) = conn.execute("SELECT body FROM telegram_updates").fetchone()
    assert body == "{}"  # the raw text is not kept once acted on


# Voice notes, photos, stickers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "summary"),
    [
        (lambda u, chat: u.voice(chat, 23), "voice note, 0:23"),
        (lambda u, chat: u.voice(chat, 754), "voice note, 12:34"),
        (lambda u, chat: u.video_note(chat, 8), "video message, 0:08"),
        (lambda u, chat: u.photo(chat, caption="his rash today"), "photo"),
        (lambda u, chat: u.sticker(chat, "👍"), "sticker 👍"),
    ],
    ids=["voice", "long voice", "video message", "photo", "sticker"],
)
async def test_voice_notes_photos_and_stickers_are_routed_to_the_practitioner(
    tg: TelegramLive, build, summary: str
) -> None:  # noqa: ANN001
    amira = await add_staff(tg.live, "Amira Shah")
    family = await add_family(tg.live, practitioner_id=amira)
    await link_parent(tg, family["parents"][0]["id"], CHLOE_CHAT)

    await send(tg, build(tg.updates, CHLOE_CHAT))
    await pipeline.process_pending(tg.service)

    _, queue = await tg.live.api("GET", f"/api/v1/queue?practitioner_id={amira}")
    assert [i["summary"] for i in queue["items"]] == [summary]
    _, messages = await tg.live.api("GET", f"/api/v1/families/{family['id']}/messages")
    (received,) = [m for m in messages["messages"] if m["direction"] == "in"]
    assert received["media"] and received["media"][0].startswith("telegram:")


# Escalations reach staff on their phones ----------------------------------------------------


async def raise_emergency(tg: TelegramLive, practitioner_id: int) -> int:
    """A linked parent writes something that suggests danger now; returns the escalation id."""
    family = await add_family(tg.live, practitioner_id=practitioner_id)
    await link_parent(tg, family["parents"][0]["id"], CHLOE_CHAT)
    await send(tg, tg.updates.text(CHLOE_CHAT, "I want to kill myself"))
    await pipeline.process_pending(tg.service)
    _, listing = await tg.live.api("GET", "/api/v1/escalations?status=open")
    (escalation,) = listing["escalations"]
    return escalation["id"]


def _keyboard(message: dict) -> list[dict]:
    return [button for row in message["reply_markup"]["inline_keyboard"] for button in row]


async def test_an_escalation_reaches_a_linked_duty_clinician_and_acknowledge_closes_it(
    tg: TelegramLive,
) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    duty = await add_staff(tg.live, "Dr Ruth Okafor", "duty_clinician")
    await link_staff(tg, duty, DUTY_CHAT)

    escalation_id = await raise_emergency(tg, amira)
    await deliver(tg)

    (alert,) = [m for m in tg.telegram.sent_to(DUTY_CHAT) if "reply_markup" in m]
    assert "URGENT" in alert["text"] and "kill" not in alert["text"]
    acknowledge, open_console = _keyboard(alert)
    assert (acknowledge["text"], acknowledge["callback_data"]) == (
        "Acknowledge",
        f"ack:{escalation_id}",
    )
    assert open_console["url"].endswith(f"/escalations/{escalation_id}")
    safety = tg.telegram.sent_to(CHLOE_CHAT)[-1]
    assert "999" in safety["text"]  # the parent is told where to go now, in their chat

    press = tg.updates.button(DUTY_CHAT, f"ack:{escalation_id}", DUTY_CHAT, alert["message_id"])
    await send(tg, press)

    _, listing = await tg.live.api("GET", "/api/v1/escalations?status=acknowledged")
    assert [(e["id"], e["acknowledged_by"]) for e in listing["escalations"]] == [
        (escalation_id, duty)
    ]
    (answer,) = tg.telegram.calls("answerCallbackQuery")
    assert answer["text"] == texts.ACKNOWLEDGED
    (edit,) = tg.telegram.calls("editMessageReplyMarkup")
    assert [b["text"] for row in edit["reply_markup"]["inline_keyboard"] for b in row] == [
        "Open in console"
    ]
    acknowledged = [a for a in await _audit(tg) if a["action"] == "escalation_acknowledged"]
    assert [(a["actor"], a["detail"]["via"]) for a in acknowledged] == [
        (f"staff:{duty}", "telegram")
    ]
    # Acknowledged: the chain climbs no further.
    tg.live.at("2026-11-24T11:00:00Z")
    assert await escalations.climb_due(tg.service, tg.service.now()) == 0


async def _audit(tg: TelegramLive) -> list[dict]:
    from bot.store import audit

    return await audit.recent(tg.service.db)


@pytest.mark.parametrize("who", ["an unlinked chat", "a practitioner who was not alerted"])
async def test_an_acknowledge_press_from_someone_not_authorised_changes_nothing(
    tg: TelegramLive, who: str
) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    escalation_id = await raise_emergency(tg, amira)
    if who == "a practitioner who was not alerted":
        tom = await add_staff(tg.live, "Tom Evans")
        await link_staff(tg, tom, STRANGER_CHAT)

    await send(tg, tg.updates.button(STRANGER_CHAT, f"ack:{escalation_id}", STRANGER_CHAT, 999))

    _, listing = await tg.live.api("GET", "/api/v1/escalations?status=open")
    assert [(e["id"], e["acknowledged_by"]) for e in listing["escalations"]] == [
        (escalation_id, None)
    ]
    (answer,) = tg.telegram.calls("answerCallbackQuery")
    assert answer["text"] == texts.ACKNOWLEDGE_REFUSED
    assert answer["show_alert"] in (True, "true")
    assert tg.telegram.calls("editMessageReplyMarkup") == []
    assert not [a for a in await _audit(tg) if a["action"] == "escalation_acknowledged"]


async def test_a_staff_code_works_once(tg: TelegramLive) -> None:
    duty = await add_staff(tg.live, "Dr Ruth Okafor", "duty_clinician")
    status, body = await tg.live.api("POST", f"/api/v1/staff/{duty}/telegram-code")
    assert status == 201 and body["link"].endswith(body["code"].replace("-", ""))

    await send(tg, tg.updates.text(DUTY_CHAT, f"/link {body['code'].lower()}"))
    await send(tg, tg.updates.text(STRANGER_CHAT, f"/link {body['code']}"))
    await deliver(tg)

    assert tg.telegram.sent_to(DUTY_CHAT)[-1]["text"] == texts.staff_linked()
    assert tg.telegram.sent_to(STRANGER_CHAT)[-1]["text"] == texts.link_refused(
        tg.service.policies.team.sender_name
    )
    assert _count(tg.live, "staff", f"telegram_chat_id = {DUTY_CHAT}") == 1
    assert _count(tg.live, "staff", f"telegram_chat_id = {STRANGER_CHAT}") == 0


# When Telegram says no ----------------------------------------------------------------------


async def test_a_parent_who_blocked_the_bot_gets_the_same_text_by_sms(tg: TelegramLive) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    family = await add_family(tg.live)
    chloe = family["parents"][0]
    await link_parent(tg, chloe["id"], CHLOE_CHAT)
    tg.telegram.block(CHLOE_CHAT)

    status, _ = await tg.live.api(
        "POST", f"/api/v1/families/{family['id']}/allocate", json={"practitioner_id": amira}
    )
    assert status == 200
    await deliver(tg)

    _, messages = await tg.live.api("GET", f"/api/v1/families/{family['id']}/messages")
    first = [m for m in messages["messages"] if m["purpose"] == "first_contact"]
    assert [(m["channel"], m["status"], m["error_code"]) for m in first] == [
        ("telegram", "failed", "telegram_blocked"),
        ("sms", "delivered", None),
    ]
    assert first[0]["body"] == first[1]["body"]
    parent = (await get_family(tg.live, family["id"]))["parents"][0]
    assert parent["channel"] == "sms"
    _, queue = await tg.live.api("GET", f"/api/v1/queue?practitioner_id={amira}")
    assert queue["items"] == []  # nothing failed from the parent's side: the text arrived


async def test_a_duty_clinician_who_blocked_the_bot_is_alerted_by_sms(tg: TelegramLive) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    duty = await add_staff(tg.live, "Dr Ruth Okafor", "duty_clinician", mobile="07700 900777")
    await link_staff(tg, duty, DUTY_CHAT)
    tg.telegram.block(DUTY_CHAT)

    escalation_id = await raise_emergency(tg, amira)
    await deliver(tg)

    texted = [
        t for t in tg.service.transports[ChannelName.SMS].sent if t.recipient == "+447700900777"
    ]
    # The chain's SMS step already carries the alert: the refused Telegram one adds nothing.
    assert len(texted) == 1 and f"/escalations/{escalation_id}" in texted[0].body
    assert _count(tg.live, "staff", f"id = {duty} AND telegram_chat_id IS NULL") == 1


@pytest.mark.parametrize(
    ("mode", "code", "at_least"), [("429", "telegram_429", 7), ("500", "telegram_5xx", 0)]
)
async def test_flood_control_and_server_errors_are_tried_again_later(
    tg: TelegramLive, mode: str, code: str, at_least: int
) -> None:
    family = await add_family(tg.live)
    await link_parent(tg, family["parents"][0]["id"], CHLOE_CHAT)
    await send(tg, tg.updates.text(CHLOE_CHAT, "/start"))
    tg.telegram.fail_next(mode)
    before = tg.service.now()

    await deliver(tg)

    with closing(sqlite3.connect(tg.service.settings.database)) as conn:
        status, error_code, not_before = conn.execute(
            "SELECT status, error_code, not_before FROM outbox ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (status, error_code) == ("queued", code)
    assert not_before >= (before + timedelta(seconds=at_least)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tg.live.at("2026-11-24T10:31:00Z")
    await deliver(tg)
    assert tg.telegram.sent_to(CHLOE_CHAT)[-1]["text"] == texts.already_linked(
        tg.service.policies.team.sender_name
    )


# Staff who asked to hear about their queue ---------------------------------------------------


async def test_staff_who_asked_hear_of_new_queue_items_without_the_words(tg: TelegramLive) -> None:
    amira = await add_staff(tg.live, "Amira Shah")
    family = await add_family(tg.live, practitioner_id=amira)
    await link_parent(tg, family["parents"][0]["id"], CHLOE_CHAT)
    await link_staff(tg, amira, DUTY_CHAT)
    await send(tg, tg.updates.text(DUTY_CHAT, "/messages on", first_name="Staff"))
    await send(tg, tg.updates.text(CHLOE_CHAT, "We had a hard night with the baby"))
    await pipeline.process_pending(tg.service)

    now = tg.service.now()
    assert await telegram_runtime.announce_queue_items(tg.service, now) == 1
    assert await telegram_runtime.announce_queue_items(tg.service, now) == 0
    await deliver(tg)

    # Sent in parallel with the answer to /messages on: either may arrive first.
    sent = [m["text"] for m in tg.telegram.sent_to(DUTY_CHAT)]
    (notice,) = [text for text in sent if text.startswith("Cradle: new in your queue")]
    assert family["reference"] in notice and "hard night" not in notice


# Pacing, importing, serving -------------------------------------------------------------------


def test_sends_are_paced_per_chat_and_overall() -> None:
    pacer = Pacer(per_chat=1.0, overall=0.04)
    assert pacer.reserve(1, now=100.0) == 0
    assert pacer.reserve(2, now=100.0) == pytest.approx(0.04)  # another chat: the overall gap
    assert pacer.reserve(1, now=100.0) == pytest.approx(1.0)  # the same chat: a second apart
    assert pacer.reserve(3, now=200.0) == 0


def test_the_web_app_and_the_command_line_do_not_import_aiogram() -> None:
    code = (
        "import sys, bot.web.app, bot.cli;"
        " print(sorted(m for m in sys.modules if m.startswith('aiogram')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def _serve_env(tmp_path: Path, stand_in: TelegramStandIn, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CRADLE_DATABASE": str(tmp_path / "serve.sqlite3"),
        "CRADLE_POLICIES_DIR": str(ROOT / "policies"),
        "CRADLE_MESSAGES_DIR": str(ROOT / "messages"),
        "CRADLE_API_TOKEN": TOKEN,
        "CRADLE_PORT": str(free_port()),
        "CRADLE_PUBLIC_URL": "https://cradle.example.org",
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "CRADLE_TELEGRAM_API_URL": stand_in.url,
        **extra,
    }


async def _until(condition, process: subprocess.Popen, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None, f"cradle serve stopped before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _cradle() -> str:
    return str(Path(sys.executable).with_name("cradle"))


async def test_serve_registers_the_webhook_with_the_secret(tmp_path: Path) -> None:
    stand_in = await TelegramStandIn().start()
    env = _serve_env(tmp_path, stand_in, CRADLE_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    process = subprocess.Popen(
        [_cradle(), "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _until(lambda: stand_in.webhook, process, "setWebhook")
    finally:
        _stop(process)
        await stand_in.stop()
    assert stand_in.webhook["url"] == "https://cradle.example.org/webhooks/telegram"
    assert stand_in.webhook["secret_token"] == WEBHOOK_SECRET
    assert set(stand_in.webhook["allowed_updates"]) >= {"message", "callback_query"}


async def test_serve_polling_fetches_updates_and_stores_them(tmp_path: Path) -> None:
    stand_in = await TelegramStandIn().start()
    stand_in.queue_update(
        {
            "update_id": 31337,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "hello from polling",
                "chat": {"id": STRANGER_CHAT, "type": "private", "first_name": "Sam"},
                "from": {"id": STRANGER_CHAT, "is_bot": False, "first_name": "Sam"},
            },
        }
    )
    env = _serve_env(tmp_path, stand_in)
    process = subprocess.Popen(
        [_cradle(), "serve", "--polling"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stored() -> bool:
        try:
            with closing(sqlite3.connect(tmp_path / "serve.sqlite3")) as conn:
                return (
                    conn.execute(
                        "SELECT count(*) FROM inbound"
                        " WHERE channel = 'telegram' AND external_id LIKE '%:31337'"
                    ).fetchone()[0]
                    == 1
                )
        except sqlite3.OperationalError:  # not created yet
            return False

    try:
        await _until(stored, process, "the polled update to be stored")
    finally:
        _stop(process)
        await stand_in.stop()
    assert stand_in.calls("deleteWebhook") and stand_in.calls("getUpdates")
    assert stand_in.webhook == {}


def test_serve_without_a_secret_or_polling_says_what_to_set(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CRADLE_DATABASE": str(tmp_path / "serve.sqlite3"),
        "CRADLE_POLICIES_DIR": str(ROOT / "policies"),
        "CRADLE_MESSAGES_DIR": str(ROOT / "messages"),
        "CRADLE_PORT": str(free_port()),
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "CRADLE_TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    env.pop("CRADLE_TELEGRAM_WEBHOOK_SECRET", None)
    result = subprocess.run(
        [_cradle(), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "CRADLE_TELEGRAM_WEBHOOK_SECRET" in result.stderr and "--polling" in result.stderr
