"""Logs as JSON lines: one event a line, no personal data."""

from __future__ import annotations

import json
import logging
import sys

from bot.log_format import JsonFormatter
from tests.e2e.test_cli import run


def record(message: str, *args: object, exc_info=None) -> logging.LogRecord:  # noqa: ANN001
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_an_event_is_one_json_line_without_numbers_or_emails():
    line = JsonFormatter().format(
        record("no parent for %s (%s)", "+44 7700 900101", "chloe@example.org")
    )
    event = json.loads(line)
    assert "\n" not in line
    assert event["event"] == "no parent for [number] ([email])"
    assert (event["level"], event["logger"]) == ("error", "bot.test")


def test_an_error_is_logged_as_its_type_and_place_not_its_message():
    try:
        raise ValueError("Chloe wrote: i want to end it all")
    except ValueError:
        line = JsonFormatter().format(record("processing failed", exc_info=sys.exc_info()))
    event = json.loads(line)
    assert event["error"] == "ValueError"
    assert "test_log_format.py" in event["where"][-1]
    assert "end it all" not in line and "Chloe" not in line


def test_cradle_logs_json_lines_when_asked(tmp_path):
    result = run(
        "db", "migrate",
        env={"CRADLE_DATABASE": str(tmp_path / "c.sqlite3"), "CRADLE_LOG_FORMAT": "json"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(e["event"].startswith("applied migration") for e in events)
