"""Every log line passes through here first: no tokens, no phone numbers, no parent's words.

Installed as the log record factory (`install()`), so it applies to every logger and every
handler, ours and the libraries' (twilio logs its requests and responses at INFO; aiohttp
logs a malformed request with its headers). A record's message is formatted and redacted at
once, and so is its traceback, because an exception's text can carry what a request held.
`RedactingFilter` does the same for a handler configured elsewhere.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from typing import Any

REDACTED = "[redacted]"

_RULES: list[tuple[re.Pattern[str], str]] = [
    # Authorization headers and bearer or basic credentials.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + REDACTED),
    # Cradle's API tokens and Telegram bot tokens (also inside Bot API URLs).
    (re.compile(r"\bcrd_[A-Za-z0-9_-]+"), "crd_" + REDACTED),
    (re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"), REDACTED),
    # name=value and "name": "value" pairs whose value is a secret or a message's words.
    (
        re.compile(
            r"""(?ix)
            (["']?\b(?:[a-z_]*token|[a-z_]*secret|password|authorization|cookie|signature
                |x-twilio-signature|x-telegram-bot-api-secret-token|set-cookie
                |body|text|caption|message_body|summary|details|words)\b["']?
             \s*[:=]\s*)
            ("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^&\s,;}\]]+)
            """
        ),
        r"\1" + REDACTED,
    ),
    # Phone numbers: international (also URL-encoded, as in Twilio's forms) and UK national.
    (re.compile(r"(?:\+|%2[Bb]|\b00)[1-9]\d{6,14}\b"), "[phone]"),
    (re.compile(r"(?<![\w.:/-])0(?:[ ]?\d){9,10}\b"), "[phone]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


# Database drivers log every statement with its parameters: message bodies and numbers.
_DATABASE_LOGGERS = ("aiosqlite", "asyncpg", "psycopg")


def _redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_cradle_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what can be kept
        message = str(record.msg)
    if record.name.startswith(_DATABASE_LOGGERS):
        message = message.split(" ", 1)[0] + " (statement and parameters not logged)"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._cradle_redacted = True


class RedactingFilter(logging.Filter):
    """For a handler: redact every record it is given (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


_installed: Callable[..., logging.LogRecord] | None = None


def install() -> None:
    """Redact every log record as it is made, whoever logs it; safe to call more than once."""
    global _installed
    current = logging.getLogRecordFactory()
    if _installed is not None and current is _installed:
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _redact_record(record)
        return record

    _installed = factory
    logging.setLogRecordFactory(factory)
