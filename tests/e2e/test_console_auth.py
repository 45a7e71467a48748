"""Signing in and out, roles, CSRF and the one 404, over real HTTP."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient


@pytest.mark.parametrize(
    ("who", "home", "heading"),
    [
        ("practitioner", "/queue", "Your queue"),
        ("duty_clinician", "/escalations", "Escalations"),
        ("clinical_lead", "/escalations", "Escalations"),
        ("administrator", "/admin", "Overview"),
    ],
)
async def test_each_role_signs_in_to_their_own_home_and_signs_out(
    team: dict[str, int], client: ConsoleClient, who: str, home: str, heading: str
) -> None:
    status, _, location = await client.sign_in(who)
    assert (status, location) == (303, home)
    status, page = await client.get(home)
    assert status == 200 and f"<h1>{heading}</h1>" in page

    status, _, location = await client.post("/logout", {})
    assert (status, location) == (303, "/login?signed_out")
    _, page = await client.get(home)
    assert "Sign in to Cradle" in page


@pytest.mark.parametrize(
    "path", ["/queue", "/escalations", "/cover", "/admin", "/admin/families", "/families/1"]
)
async def test_a_visitor_is_asked_to_sign_in_and_brought_back(
    team: dict[str, int], client: ConsoleClient, path: str
) -> None:
    async with client.http.get(client.base + path, allow_redirects=False) as r:
        assert r.status == 303
        assert r.headers["Location"] == f"/login?next={path}"


async def test_after_signing_in_a_visitor_returns_where_they_were_going_but_never_offsite(
    team: dict[str, int], client: ConsoleClient
) -> None:
    await client.get("/login?next=/cover")
    _, _, location = await client.post(
        "/login", {"email": "amira@demo.cradle", "password": "cradle-demo", "next": "/cover"}
    )
    assert location == "/cover"
    for elsewhere in (
        "//evil.test/",
        "/\\evil.test/",
        "https://evil.test/",
        "/x\r\nSet-Cookie: a=b",
    ):
        await client.post("/logout", {})
        await client.get("/login")
        _, _, location = await client.post(
            "/login", {"email": "amira@demo.cradle", "password": "cradle-demo", "next": elsewhere}
        )
        assert location == "/queue", elsewhere


async def test_a_wrong_password_is_refused_and_five_failures_lock_the_account_for_a_while(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    for _ in range(5):
        status, page, _ = await client.sign_in("practitioner", "not-the-password")
        assert status == 200 and "There is a problem" in page
    status, page, _ = await client.sign_in("practitioner")
    assert status == 429 and "too many attempts" in page
    live.at("2026-11-24T10:16:00Z")  # the window has passed
    status, _, location = await client.sign_in("practitioner")
    assert (status, location) == (303, "/queue")


async def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(
    team: dict[str, int], client: ConsoleClient
) -> None:
    answers = []
    for email in ("amira@demo.cradle", "nobody@demo.cradle"):
        status, page, _ = await client.sign_in(email, "not-the-password")
        answers.append((status, page.split('<ul class="nhsuk-list')[1].split("</ul>")[0]))
    assert answers[0] == answers[1]
    assert "Enter the email address and password" in answers[0][1]


def _outbox_count(live: Live) -> int:
    with sqlite3.connect(live.service.settings.database) as conn:
        return conn.execute("SELECT count(*) FROM outbox").fetchone()[0]


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    family = team["PIR-0001"]
    await client.get(f"/families/{family}")
    before = _outbox_count(live)
    reply = {"parent_id": "1", "body": "Hello from the team", "nonce": "n1"}
    for token in (None, "", "forged-token"):
        data = reply if token is None else {**reply, "csrf_token": token}
        status, page, _ = await client.post(f"/families/{family}/reply", data, csrf=False)
        assert status == 403 and "This form has expired" in page
    assert _outbox_count(live) == before
    status, _, _ = await client.post("/logout", {}, csrf=False)
    assert status == 403
    status, _ = await client.get("/queue")
    assert status == 200  # still signed in: the forged sign-out did nothing


async def test_a_token_from_another_session_is_refused(
    team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    await second_client.sign_in("other_practitioner")
    await second_client.get("/cover")
    stolen = second_client.csrf
    status, _, _ = await client.post("/logout", {"csrf_token": stolen}, csrf=False)
    assert status == 403


async def test_another_practitioners_family_is_the_same_404_as_one_that_does_not_exist(
    team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("other_practitioner")  # Tom: PIR-0001 is Amira's
    not_mine = await client.get(f"/families/{team['PIR-0001']}")
    missing = await client.get("/families/999999")
    assert not_mine[0] == missing[0] == 404
    assert not_mine[1] == missing[1]
    assert "Chloe" not in not_mine[1]
    await client.get("/queue")
    status, _, _ = await client.post(
        f"/families/{team['PIR-0001']}/reply", {"parent_id": "1", "body": "hello"}
    )
    assert status == 404
    status, _ = await client.get(f"/families/{team['PIR-0003']}")
    assert status == 200  # his own


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("practitioner", "/admin"),
        ("practitioner", "/admin/families"),
        ("practitioner", "/escalations"),
        ("administrator", "/queue"),
        ("administrator", "/families/1"),
        ("duty_clinician", "/admin/audit"),
    ],
)
async def test_a_page_for_another_role_is_the_same_404(
    team: dict[str, int], client: ConsoleClient, who: str, path: str
) -> None:
    await client.sign_in(who)
    status, page = await client.get(path)
    _, missing = await client.get("/families/999999")
    assert status == 404 and page == missing


async def test_console_pages_forbid_framing_and_scripts_from_elsewhere(
    team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    async with client.http.get(client.base + "/queue") as r:
        policy = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert r.headers["Cache-Control"] == "no-store"
        cookie = r.cookies.get("cradle_session")
    assert cookie is not None and cookie["httponly"] and cookie["samesite"] == "Lax"
