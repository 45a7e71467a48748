"""Accounts over their lifetime, in the console and on the command line."""

from __future__ import annotations

import re

from tests.conftest import Live
from tests.e2e.console_client import EMAILS, ConsoleClient, rows

TEMPORARY = re.compile(r'<code id="temporary-password">([^<]+)</code>')


async def test_deactivating_someone_ends_their_open_session_at_once(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await second_client.sign_in("practitioner")
    assert (await second_client.get("/queue"))[0] == 200
    amira = team[EMAILS["practitioner"]]
    await client.sign_in("administrator")
    _, page = await client.get(f"/admin/accounts/{amira}")
    assert "Signed in" in page and "End this session" in page
    status, page, _ = await client.post(f"/admin/accounts/{amira}/deactivate", {})
    assert status == 200 and "Amira" in page and "open families: hand them to a colleague" in page
    _, page = await second_client.get("/queue")
    assert "Sign in to Cradle" in page
    status, page, _ = await second_client.sign_in("practitioner")
    assert status == 200 and "There is a problem" in page
    assert rows(live, "SELECT action FROM audit WHERE action = 'staff_deactivated'") == [
        ("staff_deactivated",)
    ]
    assert rows(live, "SELECT ended_reason FROM staff_sessions WHERE staff_id = ?", amira) == [
        ("deactivated",)
    ]


async def test_deactivating_the_only_clinical_lead_warns_that_chains_skip_them(
    team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    helen = team[EMAILS["clinical_lead"]]
    await client.get(f"/admin/accounts/{helen}")
    status, page, _ = await client.post(f"/admin/accounts/{helen}/deactivate", {})
    assert status == 200
    assert "Nobody active is a clinical lead: escalations skip emergency in-hours step 2" in page


async def test_deactivating_someone_who_covers_a_colleague_says_so(
    team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await second_client.sign_in("practitioner")
    await second_client.get("/cover")
    tom = team[EMAILS["other_practitioner"]]
    await second_client.post(
        "/cover", {"cover_id": str(tom), "starts_on": "2026-11-24", "ends_on": "2026-11-27"}
    )
    await client.sign_in("administrator")
    await client.get(f"/admin/accounts/{tom}")
    _, page, _ = await client.post(f"/admin/accounts/{tom}/deactivate", {})
    assert "Tom Evans was to cover Amira Shah until 2026-11-27" in page


async def test_an_administrator_ends_one_session_and_the_person_must_sign_in_again(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    await second_client.sign_in("duty_clinician")
    grace = team[EMAILS["duty_clinician"]]
    await client.sign_in("administrator")
    await client.get(f"/admin/accounts/{grace}")
    (session_id,) = rows(live, "SELECT id FROM staff_sessions WHERE staff_id = ?", grace)[0]
    await client.post(f"/admin/accounts/{grace}/sessions/{session_id}/end", {})
    _, page = await second_client.get("/escalations")
    assert "Sign in to Cradle" in page


async def test_a_reset_password_works_once_and_must_be_changed_before_anything_else(
    live: Live, team: dict[str, int], client: ConsoleClient, second_client: ConsoleClient
) -> None:
    tom = team[EMAILS["other_practitioner"]]
    await second_client.sign_in("other_practitioner")
    for _ in range(6):  # he has forgotten it, and is locked out
        status, _, _ = await second_client.sign_in("other_practitioner", "what-was-it-again")
    assert status == 429
    await client.sign_in("administrator")
    await client.get(f"/admin/accounts/{tom}")
    _, page, _ = await client.post(f"/admin/accounts/{tom}/reset", {})
    temporary = TEMPORARY.search(page)
    assert temporary
    _, page = await second_client.get("/queue")
    assert "Sign in to Cradle" in page  # the reset ended his session
    status, _, location = await second_client.sign_in(EMAILS["other_practitioner"], temporary[1])
    assert (status, location) == (303, "/account/password")
    _, page = await second_client.get("/queue")
    assert "Change your password" in page
    change = {"current_password": temporary[1], "confirm_password": "aaaaaaaaaaaa"}
    status, page, _ = await second_client.post(
        "/account/password", {**change, "new_password": "aaaaaaaaaaaa"}
    )
    assert status == 422 and "too commonly used" in page
    good = "violet kettle orchard"
    status, _, location = await second_client.post(
        "/account/password", {**change, "new_password": good, "confirm_password": good}
    )
    assert (status, location) == (303, "/queue")
    assert (await second_client.get("/queue"))[0] == 200
    await second_client.post("/logout", {})
    status, _, _ = await second_client.sign_in(EMAILS["other_practitioner"], temporary[1])
    assert status == 200  # the temporary password no longer works
    actions = [a for (a,) in rows(live, "SELECT action FROM audit ORDER BY id")]
    assert "staff_password_reset" in actions and "staff_password_changed" in actions


async def test_an_administrator_adds_someone_and_changes_their_role(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get("/admin/accounts")
    status, page, _ = await client.post(
        "/admin/accounts",
        {"name": "Priya\u202e Shah", "email": "priya@demo.cradle", "role": "practitioner"},
    )
    assert status == 200 and TEMPORARY.search(page)
    assert rows(
        live, "SELECT name, must_change_password FROM staff WHERE email = ?", "priya@demo.cradle"
    ) == [("Priya Shah", 1)]
    (priya,) = rows(live, "SELECT id FROM staff WHERE email = 'priya@demo.cradle'")[0]
    status, _, _ = await client.post(f"/admin/accounts/{priya}/role", {"role": "duty_clinician"})
    assert status == 303
    assert rows(live, "SELECT role FROM staff WHERE id = ?", priya) == [("duty_clinician",)]
    actions = [a for (a,) in rows(live, "SELECT action FROM audit WHERE subject_id = ?", priya)]
    assert actions[-2:] == ["staff_added", "staff_role_changed"]


async def test_accounts_are_only_for_the_administrator(
    team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("clinical_lead")
    assert (await client.get("/admin/accounts"))[0] == 404


async def test_a_revoked_or_expired_token_is_refused_by_the_api(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await client.get("/admin/accounts")
    _, page, _ = await client.post("/admin/tokens", {"name": "records system"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', page)
    assert token
    headers = {"Authorization": f"Bearer {token[1]}"}
    url = f"{live.base}/api/v1/escalations?status=open"
    async with live.http.get(url, headers=headers) as r:
        assert r.status == 200
    (token_id,) = rows(live, "SELECT id FROM api_tokens WHERE name = 'records system'")[0]
    await client.post(f"/admin/tokens/{token_id}/expire", {"expires_on": "2026-11-25"})
    async with live.http.get(url, headers=headers) as r:
        assert r.status == 200  # until tomorrow
    live.at("2026-11-25T00:00:01Z")
    async with live.http.get(url, headers=headers) as r:
        assert r.status == 401
    live.at("2026-11-24T11:00:00Z")  # back within the administrator's session
    await client.get("/admin/accounts")
    await client.post(f"/admin/tokens/{token_id}/revoke", {})
    async with live.http.get(url, headers=headers) as r:
        assert r.status == 401 and (await r.json())["field"] == "Authorization"
