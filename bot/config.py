"""Settings: cradle.toml plus environment variables, validated once at start."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from bot.core.signin import parse_networks


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database: Path = Path("cradle.sqlite3")
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    policies_dir: Path = Path("policies")
    messages_dir: Path = Path("messages")
    api_token: str | None = None
    now: str | None = None
    session_secret: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    twilio_send_rate: float = 10.0
    # The single words that opt a number out at Twilio. Twilio's defaults include CANCEL;
    # a Messaging Service with Advanced Opt-Out can change them, and then Cradle must be told.
    twilio_opt_out_words: str = "STOP,STOPALL,UNSUBSCRIBE,END,QUIT,CANCEL,REVOKE,OPTOUT"
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    simulator: bool = False
    trusted_proxies: str | None = None
    metrics_token: str | None = None
    demo: bool = False

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def opt_out_words(self) -> frozenset[str]:
        return frozenset(
            w.strip().upper() for w in self.twilio_opt_out_words.split(",") if w.strip()
        )

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)


# Environment variable for each setting; the names are part of Cradle's outside interface.
ENVIRONMENT = {
    "database": "CRADLE_DATABASE",
    "host": "CRADLE_HOST",
    "port": "CRADLE_PORT",
    "public_url": "CRADLE_PUBLIC_URL",
    "policies_dir": "CRADLE_POLICIES_DIR",
    "messages_dir": "CRADLE_MESSAGES_DIR",
    "api_token": "CRADLE_API_TOKEN",
    "now": "CRADLE_NOW",
    "session_secret": "CRADLE_SESSION_SECRET",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_from": "TWILIO_FROM",
    "twilio_messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
    "twilio_api_url": "CRADLE_TWILIO_API_URL",
    "twilio_send_rate": "CRADLE_TWILIO_SEND_RATE",
    "twilio_opt_out_words": "CRADLE_TWILIO_OPT_OUT_WORDS",
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "telegram_webhook_secret": "CRADLE_TELEGRAM_WEBHOOK_SECRET",
    "telegram_api_url": "CRADLE_TELEGRAM_API_URL",
    "simulator": "CRADLE_SIMULATOR",
    "trusted_proxies": "CRADLE_TRUSTED_PROXIES",
    "metrics_token": "CRADLE_METRICS_TOKEN",
}

# Secrets shorter than this are refused at start: long enough that guessing is hopeless.
MIN_SECRET_LENGTH = 32


def _coerce(name: str, kind: type | str, raw: object, source: str) -> object:
    if isinstance(raw, list):  # a list in cradle.toml, such as twilio_opt_out_words
        raw = ",".join(str(item) for item in raw)
    text = str(raw).strip()
    kind_name = kind if isinstance(kind, str) else kind.__name__
    if "Path" in kind_name:
        return Path(text)
    if "int" in kind_name and "|" not in kind_name:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{source}: {name} must be a whole number, got {text!r}") from None
    if "float" in kind_name:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{source}: {name} must be a number, got {text!r}") from None
    if "bool" in kind_name:
        if isinstance(raw, bool):
            return raw
        if text.lower() in {"1", "true", "yes", "on"}:
            return True
        if text.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{source}: {name} must be true or false, got {text!r}")
    return text or None


def load_settings(
    environ: Mapping[str, str],
    config_file: Path | None = None,
    *,
    read_file: bool = True,
    **overrides: object,
) -> Settings:
    """Settings from cradle.toml (if present and `read_file`), then the environment, then
    explicit overrides."""
    values: dict[str, object] = {}
    types = {f.name: f.type for f in fields(Settings)}
    path = config_file or Path("cradle.toml")
    if read_file and path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        for key, raw in data.items():
            if key not in types:
                known = ", ".join(sorted(types))
                raise ConfigError(f"{path}: unknown setting {key!r} (known: {known})")
            values[key] = _coerce(key, types[key], raw, str(path))
    elif read_file and config_file is not None:
        raise ConfigError(f"{config_file}: configuration file not found")
    for key, variable in ENVIRONMENT.items():
        if variable in environ:
            values[key] = _coerce(key, types[key], environ[variable], variable)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values)  # type: ignore[arg-type]
    validate(settings)
    return settings


def demo_environment(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The environment without Twilio and Telegram settings, and the names left out.

    `cradle demo` uses it: a demo must never send through real credentials.
    """
    ignored = sorted(name for name in environ if name.startswith(("TWILIO_", "TELEGRAM_")))
    return {k: v for k, v in environ.items() if k not in ignored}, ignored


def validate(settings: Settings) -> None:
    if not settings.public_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"CRADLE_PUBLIC_URL must start with http:// or https://, got {settings.public_url!r}"
        )
    if bool(settings.twilio_account_sid) != bool(settings.twilio_auth_token):
        raise ConfigError("set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither")
    if settings.twilio_enabled and not (
        settings.twilio_from or settings.twilio_messaging_service_sid
    ):
        raise ConfigError("Twilio is enabled: set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
    if settings.twilio_from:
        _check_twilio_from(settings.twilio_from)
    if settings.twilio_send_rate <= 0:
        raise ConfigError("CRADLE_TWILIO_SEND_RATE must be above 0")
    words = settings.opt_out_words
    if not words or any(not re.fullmatch(r"[A-Z]+", w) for w in words):
        raise ConfigError(
            "CRADLE_TWILIO_OPT_OUT_WORDS must be the single words that opt a number out at"
            " Twilio, separated by commas (e.g. STOP,STOPALL,UNSUBSCRIBE,END,QUIT,REVOKE,OPTOUT),"
            f" got {settings.twilio_opt_out_words!r}"
        )
    for name, variable in (
        ("session_secret", "CRADLE_SESSION_SECRET"),
        ("api_token", "CRADLE_API_TOKEN"),
    ):
        secret = getattr(settings, name)
        if secret is not None and len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"{variable} is {len(secret)} characters long: use at least {MIN_SECRET_LENGTH}"
                " random characters (for example the output of"
                " `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
    if settings.trusted_proxies:
        try:
            parse_networks(settings.trusted_proxies)
        except ValueError as exc:
            raise ConfigError(f"CRADLE_TRUSTED_PROXIES: {exc}") from None


def _check_twilio_from(sender: str) -> None:
    """A phone number (E.164) or short code: parents must be able to reply to it."""
    compact = sender.replace(" ", "")
    if any(char.isalpha() for char in compact):
        raise ConfigError(
            f"TWILIO_FROM {sender!r} is an alphanumeric sender ID: UK parents cannot reply to"
            " one. Set TWILIO_FROM to a Twilio phone number in E.164 form (e.g. +447700900000),"
            " or use TWILIO_MESSAGING_SERVICE_SID with a number in its sender pool"
        )
    if not re.fullmatch(r"\+[1-9]\d{6,14}|\d{5,6}", compact):
        raise ConfigError(
            "TWILIO_FROM must be a phone number in E.164 form (e.g. +447700900000)"
            f" or a short code, got {sender!r}"
        )
