"""Bad input is a clear 4xx everywhere: JSON on the API and the webhooks, the plain 404 page in
the console. Each case here was a plain-text 500 before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows
from tests.stand_ins.telegram_api import WEBHOOK_SECRET, running_with_telegram

HUGE = str(2**64)
DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/v1/families/{HUGE}", None),
        ("GET", f"/api/v1/families/{HUGE}/messages", None),
        ("GET", f"/api/v1/appointments/{HUGE}", None),
        ("GET", f"/api/v1/queue?practitioner_id={HUGE}", None),
        ("GET", "/api/v1/queue?practitioner_id=-1", None),
        ("POST", f"/api/v1/appointments/{HUGE}/cancel", "{}"),
        ("POST", "/api/v1/families", json.dumps({"practitioner_id": 2**64, "parents": []})),
        ("POST", "/api/v1/families", '{"practitioner_id": 1' + "0" * 5000 + "}"),
        ("POST", "/api/v1/families", DEEP),
        ("POST", "/api/v1/families", '{"parents": ' + "[" * 30 + "]" * 30 + "}"),
        ("POST", "/api/v1/practitioners", '{"name": "\\ud800", "email": "a@b.c"}'),
        ("POST", "/api/v1/practitioners", "x" * 100_000),
        ("POST", "/api/v1/practitioners", b"\xff\xfe{}"),
        ("POST", f"/api/v1/families/{HUGE}/allocate", json.dumps({"practitioner_id": 1})),
        ("POST", "/api/v1/families/1/allocate", json.dumps({"practitioner_id": 2**63})),
    ],
)
async def test_the_api_answers_bad_input_with_a_json_4xx(
    live: Live, team: dict[str, int], method: str, path: str, body: str | bytes | None
) -> None:
    headers = {**live.auth, "Content-Type": "application/json"}
    async with live.http.request(method, live.base + path, data=body, headers=headers) as r:
        assert 400 <= r.status < 500, (r.status, await r.text())
        assert r.content_type == "application/json"
        assert (await r.json())["error"]


async def test_the_telegram_webhook_answers_bad_input_with_a_json_4xx(tmp_path: Path) -> None:
    async with running_with_telegram(tmp_path) as tg:
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        for body in (
            DEEP,
            '{"update_id": ' + HUGE + "}",
            '{"update_id": 5, "message": {"chat": {"id": ' + HUGE + "}}}",
            '{"update_id": 6, "message": {"text": "\\udc00"}}',
            "not json",
            "[]",
        ):
            async with tg.live.http.post(
                tg.live.base + "/webhooks/telegram", data=body, headers=headers
            ) as r:
                assert 400 <= r.status < 500, (body[:40], r.status)
                assert (await r.json())["error"]
        assert rows(tg.live, "SELECT count(*) FROM inbound") == [(0,)]


async def test_the_console_answers_impossible_ids_with_the_page_not_found(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    for path in (f"/families/{HUGE}", f"/escalations/{HUGE}"):
        status, page = await client.get(path)
        assert status == 404 and "Page not found" in page
    await client.get("/queue")
    status, _, _ = await client.post(f"/queue/items/{HUGE}/handled", {})
    assert status == 404
    await client.get(f"/families/{team['PIR-0001']}")
    status, page, _ = await client.post(
        f"/families/{team['PIR-0001']}/reply", {"parent_id": HUGE, "body": "Hello"}
    )
    assert status == 422 and "Select who to send the text to" in page
    await client.post("/logout", {})
    await client.sign_in("administrator")
    for path in (f"/admin/families/{HUGE}", f"/admin/accounts/{HUGE}", f"/admin/letters/{HUGE}"):
        status, page = await client.get(path)
        assert status == 404 and "Page not found" in page, path
    assert rows(live, "SELECT count(*) FROM outbox WHERE purpose = 'practitioner_reply'") == [(0,)]


async def test_names_are_cleaned_of_control_and_bidi_characters_where_they_come_in(
    live: Live, team: dict[str, int]
) -> None:
    status, body = await live.api(
        "POST",
        "/api/v1/families",
        json={
            "reference": "PIR-0900",
            "baby_name": "Ava\u202e\u0000",
            "parents": [
                {
                    "name": "Chl\u202eoe\u2066 Smith",
                    "mobile": "+447700900777",
                    "consent_to_text": True,
                }
            ],
        },
    )
    assert status == 201, body
    family = rows(live, "SELECT baby_name FROM families WHERE id = ?", body["id"])
    parent = rows(live, "SELECT name FROM parents WHERE family_id = ?", body["id"])
    assert family == [("Ava",)] and parent == [("Chloe Smith",)]
    status, body = await live.api("POST", "/api/v1/practitioners", json={"name": "\u202e\u200f"})
    assert status == 422 and body["field"] == "name"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/admin/families/{f}/allocate", {"practitioner_id": HUGE}),
        (
            "/admin/families/{f}/appointments/new",
            {"date": "2026-12-01", "time": "10:00", "duration": HUGE},
        ),
        ("/admin/families/{f}/edit", {"reference": "PIR-0001", "due_date": "99999-01-01"}),
        ("/admin/families/{f}/parents/new", {"name": "Jo", "telegram_chat_id": HUGE}),
        ("/admin/families/{f}/school-run", {"drop_off": "25:99", "pick_up": HUGE}),
        ("/admin/templates/preview", {"body": "Hello", "locale": HUGE}),
        ("/admin/accounts", {"name": "\u202e", "email": "x@y.z", "role": "practitioner"}),
        ("/admin/tokens", {"name": "x", "staff_id": HUGE, "expires_on": "31/12/2026"}),
        ("/admin/tokens/" + HUGE + "/expire", {"expires_on": "2027-01-01"}),
    ],
)
async def test_administrator_forms_answer_impossible_numbers_with_a_4xx(
    team: dict[str, int], client: ConsoleClient, path: str, form: dict[str, str]
) -> None:
    await client.sign_in("administrator")
    await client.get("/admin/accounts")
    status, _, _ = await client.post(path.format(f=team["PIR-0001"]), form)
    assert status < 500, status


async def test_a_form_that_is_not_valid_utf8_is_a_4xx(
    team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    await client.get(f"/families/{team['PIR-0001']}")
    raw = f"csrf_token={client.csrf}&parent_id=1&body=%ED%B3%BF%FF".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with client.http.post(
        f"{client.base}/families/{team['PIR-0001']}/reply",
        data=raw,
        headers=headers,
        allow_redirects=False,
    ) as r:
        assert r.status == 422 and "Remove the unreadable character" in await r.text()
