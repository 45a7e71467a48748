"""Logs as JSON lines (CRADLE_LOG_FORMAT=json): one event a line, for a log collector.

Never personal data: a phone number or an email address that slipped into a message is
masked, and an error is logged as its type and where it happened, not its message (which
can quote a parent's words or number). A redaction filter (bot/log_redaction.py) may run
before this; the formatter does not rely on it.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from datetime import UTC, datetime

_PHONE = re.compile(r"(?<!\w)(?:\+|00)?\d[\d ()-]{8,}\d(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask(text: str) -> str:
    return _EMAIL.sub("[email]", _PHONE.sub("[number]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": mask(record.getMessage()),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            event["error"] = kind.__name__
            event["where"] = [
                f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(tb)
            ][-5:]
        return json.dumps(event, ensure_ascii=False)


def configure(level: int, log_format: str | None) -> None:
    """Plain text by default; JSON lines when CRADLE_LOG_FORMAT is `json`."""
    if (log_format or "text").lower() != "json":
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler])
