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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CRADLE_SESSION_SECRET", "secret", "CRADLE_SESSION_SECRET is 6 characters long"),
        ("CRADLE_API_TOKEN", "test-token-123", "CRADLE_API_TOKEN is 14 characters long"),
        ("CRADLE_TRUSTED_PROXIES", "10.0.0.1, proxy", "CRADLE_TRUSTED_PROXIES: 'proxy' is not"),
    ],
)
def test_short_secrets_and_unreadable_proxies_stop_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        load_settings({variable: value})


def test_long_secrets_and_proxy_networks_are_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        {"CRADLE_SESSION_SECRET": "x" * 32, "CRADLE_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/24"}
    )
    assert settings.trusted_proxies == "10.0.0.1, 192.168.0.0/24"
