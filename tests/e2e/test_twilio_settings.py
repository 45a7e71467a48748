"""Starting with Twilio configured: a sender parents cannot reply to is refused at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret"}


@pytest.mark.parametrize("sender", ["CradleNHS", "PIRT", "NHS 111", "Team2Go"])
def test_an_alphanumeric_sender_id_is_refused_with_the_reason(sender: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({**TWILIO, "TWILIO_FROM": sender})
    message = str(refused.value)
    assert "alphanumeric sender ID" in message and "cannot reply" in message
    assert "E.164" in message


@pytest.mark.parametrize("sender", ["+447700900000", "+44 7700 900000", "60123"])
def test_a_phone_number_or_short_code_is_accepted(sender: str) -> None:
    settings = load_settings({**TWILIO, "TWILIO_FROM": sender})
    assert settings.twilio_from == sender


def test_a_sender_that_is_no_number_at_all_is_refused() -> None:
    with pytest.raises(ConfigError, match="E.164"):
        load_settings({**TWILIO, "TWILIO_FROM": "+44-7700-900000!"})


def test_cradle_serve_stops_at_once_and_says_why(tmp_path: Path) -> None:
    env = {
        **os.environ,
        **TWILIO,
        "TWILIO_FROM": "CradleNHS",
        "CRADLE_DATABASE": str(tmp_path / "cradle.sqlite3"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "alphanumeric sender ID" in done.stderr
