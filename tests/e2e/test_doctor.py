"""`cradle doctor` against a real database file and the Twilio stand-in."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.test_cli import run
from tests.stand_ins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn

PUBLIC = "https://cradle.example.nhs.uk"
NUMBER = "+447700900000"


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioStandIn]:
    stand_in = await TwilioStandIn().start()
    stand_in.numbers[NUMBER] = PUBLIC + "/webhooks/twilio/sms"
    yield stand_in
    await stand_in.stop()


def environment(tmp_path: Path, twilio: TwilioStandIn, **changes: str) -> dict[str, str]:
    env = {
        "CRADLE_DATABASE": str(tmp_path / "cradle.sqlite3"),
        "CRADLE_POLICIES_DIR": str(ROOT / "policies"),
        "CRADLE_MESSAGES_DIR": str(ROOT / "messages"),
        "CRADLE_PUBLIC_URL": PUBLIC,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": NUMBER,
        "CRADLE_TWILIO_API_URL": twilio.url,
        "CRADLE_SESSION_SECRET": "a long random text for the session cookies",
        "CRADLE_BACKUP_KEY": "x" * 43 + "=",
    }
    env.update(changes)
    return env


async def doctor(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "doctor",
        cwd=cwd, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_a_ready_installation_passes_every_check(tmp_path, twilio):
    env = environment(tmp_path, twilio)
    assert run("db", "migrate", env=env).returncode == 0
    code, out = await doctor(env, tmp_path)
    assert code == 0, out
    assert "0 error(s), 0 warning(s). Cradle is ready." in out
    assert 'Twilio: the credentials work (account "Cradle stand-in")' in out
    assert f"Twilio: replies to {NUMBER} come to {PUBLIC}/webhooks/twilio/sms" in out
    assert "passes its integrity check and is up to date" in out


async def test_each_problem_is_named_in_plain_words_and_exit_is_1(tmp_path, twilio):
    env = environment(tmp_path, twilio, TWILIO_AUTH_TOKEN="wrong-token")
    assert run("db", "migrate", env=env).returncode == 0
    (tmp_path / "cradle.sqlite3").chmod(0o644)
    code, out = await doctor(env, tmp_path)
    assert code == 1
    assert "ERROR    Twilio: the account SID and auth token were refused; check both" in out
    assert "readable by other users:" in out and "cradle.sqlite3 (644)" in out
    assert "Cradle is not ready" in out


async def test_a_webhook_pointing_elsewhere_and_a_missing_database(tmp_path, twilio):
    twilio.numbers[NUMBER] = "https://old-system.example.org/sms"
    env = environment(tmp_path, twilio)
    code, out = await doctor(env, tmp_path)
    assert code == 1
    assert f"there is no database at {tmp_path / 'cradle.sqlite3'}; run `cradle db migrate`" in out
    assert (
        f"replies to {NUMBER} go to https://old-system.example.org/sms; set the number's"
        f" messaging webhook to {PUBLIC}/webhooks/twilio/sms" in out
    )


async def test_a_broken_policy_and_plain_http_are_errors(tmp_path, twilio):
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    retention = policies / "retention.toml"
    retention.write_text(retention.read_text().replace("letters_months = 24", "letters_months = 0"))
    env = environment(
        tmp_path, twilio, CRADLE_POLICIES_DIR=str(policies),
        CRADLE_PUBLIC_URL="http://cradle.example.nhs.uk",
    )  # fmt: skip
    assert run("db", "migrate", env=env).returncode == 0
    twilio.numbers[NUMBER] = "http://cradle.example.nhs.uk/webhooks/twilio/sms"
    code, out = await doctor(env, tmp_path)
    assert code == 1
    assert "policies: policies/retention.toml line " in out and "`letters_months`" in out
    assert "use https, with TLS at the reverse proxy" in out


async def test_the_telegram_bot_token_is_checked_read_only(tmp_path, twilio):
    from tests.stand_ins.telegram_api import BOT_TOKEN, WEBHOOK_SECRET, TelegramStandIn

    telegram = await TelegramStandIn().start()
    try:
        env = environment(
            tmp_path, twilio, TELEGRAM_BOT_TOKEN=BOT_TOKEN,
            CRADLE_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET, CRADLE_TELEGRAM_API_URL=telegram.url,
        )  # fmt: skip
        assert run("db", "migrate", env=env).returncode == 0
        code, out = await doctor(env, tmp_path)
        assert code == 0, out
        assert "Telegram: the bot @cradle_test_bot answers" in out
        code, out = await doctor({**env, "TELEGRAM_BOT_TOKEN": "42:WRONG"}, tmp_path)
        assert code == 1 and "Telegram: the bot token was refused" in out
        assert [r.method for r in telegram.requests] == ["getMe", "getMe"]
    finally:
        await telegram.stop()
