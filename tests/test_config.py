"""Settings from cradle.toml and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_the_file_sets_values_and_the_environment_overrides_them(tmp_path: Path) -> None:
    config = tmp_path / "cradle.toml"
    config.write_text(
        'database = "/tmp/a.sqlite3"\nport = 9000\npublic_url = "https://x.example"\n'
    )
    settings = load_settings({"CRADLE_PORT": "9100"}, config)
    assert str(settings.database) == "/tmp/a.sqlite3"
    assert settings.port == 9100
    assert settings.public_url == "https://x.example"


def test_nothing_set_gives_the_documented_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert (settings.host, settings.port, settings.public_url) == (
        "127.0.0.1",
        8080,
        "http://127.0.0.1:8080",
    )
    assert str(settings.database) == "cradle.sqlite3"
    assert not settings.twilio_enabled and not settings.telegram_enabled


@pytest.mark.parametrize(
    ("text", "environ", "named"),
    [
        ("colour = 'blue'\n", {}, "colour"),
        ("port = 'eighty'\n", {}, "port"),
        ("", {"CRADLE_PORT": "eighty"}, "CRADLE_PORT"),
        ("", {"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
        ("", {"CRADLE_PUBLIC_URL": "cradle.example"}, "CRADLE_PUBLIC_URL"),
    ],
)
def test_a_mistake_stops_the_start_and_names_the_setting(
    tmp_path: Path, text: str, environ: dict, named: str
) -> None:
    config = tmp_path / "cradle.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=named):
        load_settings(environ, config)
