"""Sign-in that cannot be raced or turned on the team, and sessions that really end."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp

from bot import demo
from tests.conftest import Live
from tests.e2e.console_client import EMAILS, ConsoleClient, rows


def _trust_loopback_proxy(live: Live) -> None:
    live.service.settings = dataclasses.replace(live.service.settings, trusted_proxies="127.0.0.1")


async def _post_login(
    client: ConsoleClient, email: str, password: str, forwarded_for: str | None = None
) -> tuple[int, str]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = {"email": email, "password": password, "csrf_token": client.csrf}
    async with client.http.post(
        client.base + "/login", data=form, headers=headers, allow_redirects=False
    ) as r:
        return r.status, r.headers.get("Location", "")


async def test_150_attempts_at_once_never_sign_in_even_with_the_right_password_last(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    _trust_loopback_proxy(live)  # a botnet: every attempt from its own address
    await client.get("/login")
    email = EMAILS["practitioner"]
    wrong = [
        asyncio.create_task(_post_login(client, email, f"guess-{n}", f"198.51.100.{n % 250}"))
        for n in range(149)
    ]
    for _ in range(200):  # until every wrong guess has been counted
        counted = rows(
            live, "SELECT attempts FROM login_counters WHERE key = ?", f"account:{email}"
        )
        if counted and counted[0][0] >= 149:
            break
        await asyncio.sleep(0.05)
    right = await _post_login(client, email, demo.DEMO_PASSWORD, "203.0.113.200")
    answers = [*await asyncio.gather(*wrong), right]
    assert not [a for a in answers if a[0] == 303]
    assert right[0] == 429
    # Five passwords were checked; the other 145 were refused before any check.
    assert sorted(status for status, _ in answers) == [200] * 5 + [429] * 145
    assert rows(live, "SELECT count(*) FROM staff_sessions") == [(0,)]
    assert rows(live, "SELECT count(*) FROM login_attempts WHERE succeeded = 1") == [(0,)]


async def test_failures_from_one_address_never_stop_a_colleague_signing_in_from_it(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await client.get("/login")
    guesses = [
        _post_login(client, f"someone{n % 4}@demo.cradle", "not-the-password") for n in range(20)
    ]
    assert {status for status, _ in await asyncio.gather(*guesses)} == {200}
    # Behind the same proxy, duty starts: the colleague's right password still works.
    status, _, location = await second_client.sign_in("duty_clinician")
    assert (status, location) == (303, "/escalations")
    status, _, location = await second_client.post("/logout", {})
    status, _, location = await second_client.sign_in("other_practitioner")
    assert (status, location) == (303, "/queue")


async def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.get("/login")
    await _post_login(client, "nobody@demo.cradle", "wrong-password", "198.51.100.7")
    assert rows(live, "SELECT remote FROM login_attempts") == [("127.0.0.1",)]
    _trust_loopback_proxy(live)
    await _post_login(client, "nobody@demo.cradle", "wrong-password", "6.6.6.6, 198.51.100.7")
    assert rows(live, "SELECT remote FROM login_attempts ORDER BY id")[-1] == ("198.51.100.7",)


async def _copy_of(client: ConsoleClient) -> ConsoleClient:
    thief = ConsoleClient.open(client.base)
    thief.http.cookie_jar.update_cookies(
        {c.key: c.value for c in client.http.cookie_jar}, aiohttp.client.URL(client.base)
    )
    return thief


async def test_a_copied_cookie_stops_working_when_its_owner_signs_out(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    thief = await _copy_of(client)
    try:
        status, page = await thief.get("/queue")
        assert status == 200 and "Your queue" in page  # the copy works while the session does
        await client.get("/queue")
        await client.post("/logout", {})
        status, page = await thief.get("/queue")
        assert "Sign in to Cradle" in page
        assert rows(live, "SELECT ended_reason FROM staff_sessions") == [("signed_out",)]
    finally:
        await thief.close()


async def test_a_session_ends_a_working_day_after_sign_in_however_busy(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    live.at("2026-11-24T08:00:00Z")
    await client.sign_in("practitioner")
    for hour in range(9, 20):  # in use every hour all day
        live.at(f"2026-11-24T{hour:02d}:00:00Z")
        status, page = await client.get("/queue")
        assert status == 200 and "Your queue" in page, hour
    live.at("2026-11-24T21:00:00Z")  # 13 hours after signing in
    _, page = await client.get("/queue")
    assert "Sign in to Cradle" in page
    assert rows(live, "SELECT ended_reason FROM staff_sessions") == [("expired",)]


async def test_a_session_left_alone_for_two_hours_ends(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("practitioner")
    live.at("2026-11-24T11:59:00Z")
    assert (await client.get("/queue"))[0] == 200
    live.at("2026-11-24T14:00:00Z")
    _, page = await client.get("/queue")
    assert "Sign in to Cradle" in page
