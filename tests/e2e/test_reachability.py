"""Every escalation can reach someone: staff mobiles are stored as E.164 wherever they enter,
landlines are refused, and `cradle policy check` and the start of `cradle serve` warn about
chain steps nobody can be texted at and about the on-call placeholder."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from tests.conftest import ROOT, Live, free_port
from tests.e2e.console_client import ConsoleClient
from tests.e2e.test_cli import CRADLE, run

PASSWORD = {"CRADLE_NEW_PASSWORD": "a long enough password"}


def add_user(
    env: dict, name: str, email: str, role: str, mobile: str | None
) -> subprocess.CompletedProcess:
    extra = ["--mobile", mobile] if mobile else []
    return run(
        "user", "add", "--name", name, "--email", email, "--role", role, *extra,
        env={**env, **PASSWORD},
    )  # fmt: skip


def test_user_add_stores_the_mobile_as_e164_and_refuses_a_landline(tmp_path: Path) -> None:
    env = {"CRADLE_DATABASE": str(tmp_path / "c.sqlite3")}
    added = add_user(env, "Grace Okafor", "grace@example.org", "duty_clinician", "07700 900001")
    assert added.returncode == 0, added.stderr
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("SELECT mobile FROM staff").fetchall() == [("+447700900001",)]

    landline = add_user(env, "Helen Price", "helen@example.org", "clinical_lead", "0161 234 5678")
    assert landline.returncode != 0 and "not a mobile number" in landline.stderr
    nonsense = add_user(env, "Tom Reid", "tom@example.org", "practitioner", "call me")
    assert nonsense.returncode != 0 and "--mobile" in nonsense.stderr


async def test_the_api_stores_staff_mobiles_as_e164_and_refuses_a_landline(live: Live) -> None:
    status, body = await live.api(
        "POST", "/api/v1/practitioners", json={"name": "Amira Shah", "mobile": "07911 123456"}
    )
    assert status == 201 and body["mobile"] == "+447911123456"
    status, body = await live.api(
        "POST", "/api/v1/practitioners", json={"name": "Tom Reid", "mobile": "020 7946 0000"}
    )
    assert status == 422 and body["field"] == "mobile" and "not a mobile" in body["error"]


def test_policy_check_warns_about_steps_nobody_can_be_texted_at(tmp_path: Path) -> None:
    env = {"CRADLE_DATABASE": str(tmp_path / "c.sqlite3")}
    assert add_user(env, "Grace Okafor", "g@example.org", "duty_clinician", None).returncode == 0
    assert (
        add_user(env, "Helen Price", "h@example.org", "clinical_lead", "07911 123456").returncode
        == 0
    )

    result = run("policy", "check", env=env)

    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    assert (
        "warning: emergency in-hours chain, step 1: Grace Okafor (duty clinician) has no valid"
        " mobile or linked Telegram, so an alert reaches them only in the console" in warnings
    )
    assert any("there is no active practitioner" in w for w in warnings)
    assert any("on-call mobile +447700900000" in w and "placeholder" in w for w in warnings)
    assert not any("Helen Price" in w for w in warnings), "a real mobile reaches her"


def test_policy_check_warns_when_out_of_hours_has_no_on_call(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    text = (policies / "out_of_hours.toml").read_text(encoding="utf-8")
    (policies / "out_of_hours.toml").write_text(text.split("[on_call]")[0], encoding="utf-8")

    result = run("policy", "check", env={"CRADLE_POLICIES_DIR": str(policies)})

    assert result.returncode == 0, result.stderr
    assert "warning: out_of_hours.toml names no on-call contact" in result.stdout


def test_serve_warns_at_start_about_an_escalation_nobody_can_be_told_of(tmp_path: Path) -> None:
    env = {"CRADLE_DATABASE": str(tmp_path / "c.sqlite3")}
    assert add_user(env, "Grace Okafor", "g@example.org", "duty_clinician", None).returncode == 0
    process = subprocess.Popen(
        [*CRADLE, "serve"],
        env={**os.environ, **env, "CRADLE_PORT": str(free_port())},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        listening = process.stdout.readline()
        assert "listening" in listening
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert "warning: emergency in-hours chain, step 1: Grace Okafor (duty clinician)" in stderr


async def test_the_administrator_sees_who_cannot_be_reached_and_sets_a_mobile_as_e164(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    grace = team["grace@demo.cradle"]
    with sqlite3.connect(live.service.settings.database) as conn:
        conn.execute("UPDATE staff SET mobile = NULL WHERE id = ?", (grace,))
    await client.sign_in("administrator")
    _, overview = await client.get("/admin")
    assert "escalations reaching nobody" in overview
    _, page = await client.get("/admin/staff")
    assert "Grace Okafor (duty clinician) has no valid mobile or linked Telegram" in page

    status, page, _ = await client.post(f"/admin/staff/{grace}/mobile", {"mobile": "0161 234 5678"})
    assert status == 422 and "not a mobile number" in page
    status, page, _ = await client.post(
        f"/admin/staff/{grace}/mobile", {"mobile": "07911 123456"}, follow=True
    )

    assert status == 200 and "mobile is now +447911123456" in page
    assert "Grace Okafor (duty clinician) has no valid mobile" not in page
    with sqlite3.connect(live.service.settings.database) as conn:
        assert conn.execute("SELECT mobile FROM staff WHERE id = ?", (grace,)).fetchone() == (
            "+447911123456",
        )
