"""The shipped wording in messages/: complete, valid, short, and caught when broken."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.sms import segment_info
from bot.core.templates import (
    format_appointment_time,
    lint,
    load_catalogue,
    load_defaults,
    render,
)

MESSAGES = Path(__file__).resolve().parents[2] / "messages"
CATALOGUE = load_catalogue(MESSAGES)
TEXTS = load_defaults(MESSAGES)
SMS_WORDINGS = sorted(key for key in TEXTS if CATALOGUE.spec(key[0]).is_sms)


def broken_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "messages"
    shutil.copytree(MESSAGES, copy)
    return copy


def test_the_shipped_messages_have_no_errors() -> None:
    problems = [f"{path}: {finding}" for path, finding in lint(MESSAGES)]
    assert [p for p in problems if ": error: " in p] == []


def test_the_shipped_english_reads_plainly_and_has_no_clinical_words() -> None:
    english = [f"{path}: {finding}" for path, finding in lint(MESSAGES) if "/en_GB/" in path]
    assert english == []


def test_every_message_is_written_in_every_language() -> None:
    for message in CATALOGUE.messages:
        for locale in CATALOGUE.locales:
            assert (message, locale, "standard") in TEXTS, f"{locale}/{message}.txt"


@pytest.mark.parametrize(("message", "locale", "variant"), SMS_WORDINGS)
def test_every_text_fits_three_segments_with_sample_values(
    message: str, locale: str, variant: str
) -> None:
    spec = CATALOGUE.spec(message)
    text = render(
        TEXTS[(message, locale, variant)],
        CATALOGUE.sample_values(message, locale),
        spec.placeholders,
    )
    assert segment_info(text).segments <= 3, text


@pytest.mark.parametrize("locale", ["en_GB", "cy", "pl", "ur"])
def test_reminders_ask_for_the_reply_words_the_catalogue_lists(locale: str) -> None:
    words = CATALOGUE.reply_words[locale]
    for message in ("appointment_reminder", "appointment_confirmation", "appointment_changed"):
        for variant in ("standard", "easy"):
            text = TEXTS[(message, locale, variant)]
            for intent in ("confirm", "cancel", "reschedule"):
                assert words[intent] in text, (message, locale, variant, intent)


def test_letters_render_with_sample_values_and_keep_their_layout() -> None:
    letter = render(
        TEXTS[("appointment_letter", "en_GB", "standard")],
        CATALOGUE.sample_values("appointment_letter", "en_GB"),
        CATALOGUE.spec("appointment_letter").placeholders,
    )
    assert "Dear Samantha," in letter
    assert "When: Wednesday 16 September at 10:45am\nWhere: Rosebank Children's Centre" in letter
    assert letter.endswith("Copies to: Dr Patel (GP); Jane Evans (Health Visitor)")


def longest_appointment_time(locale: str, tz: ZoneInfo) -> str:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    times = (
        format_appointment_time(day + timedelta(days=n, hours=hour, minutes=45), locale, tz)
        for n in range(366)
        for hour in (10, 16)
    )
    return max(times, key=len)


@pytest.mark.parametrize("locale", ["en_GB", "cy", "pl", "ur"])
def test_the_sample_appointment_time_is_as_long_as_real_ones(locale: str) -> None:
    sample = CATALOGUE.placeholders["appointment_time"].sample_for(locale)
    longest = longest_appointment_time(locale, ZoneInfo("Europe/London"))
    assert len(sample) >= len(longest), longest


def test_a_missing_wording_is_an_error_naming_the_file(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path)
    missing = copy / "cy" / "appointment_reminder.txt"
    missing.unlink()
    found = [(path, finding) for path, finding in lint(copy) if finding.level == "error"]
    assert [path for path, _ in found] == [str(missing)]
    assert "write the cy wording of appointment_reminder" in found[0][1].message


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda text: text.replace("NIE", "STOP"), "opts the parent out"),
        (lambda text: text + " {link}", "{link} is not a placeholder of appointment_reminder"),
        (lambda text: text.replace("{place}", "{place.__class__}"), "is not a placeholder"),
        (lambda text: text.replace("{appointment_time}", "jutro"), "must include"),
        (lambda text: text + " Dziękujemy!" * 5, "is 4 SMS segments"),
    ],
)
def test_a_broken_wording_is_an_error_naming_the_file(
    tmp_path: Path, edit: Callable[[str], str], problem: str
) -> None:
    copy = broken_copy(tmp_path)
    target = copy / "pl" / "appointment_reminder.txt"
    target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
    found = [(path, finding) for path, finding in lint(copy) if finding.level == "error"]
    assert {path for path, _ in found} == {str(target)}
    assert any(problem in finding.message for _, finding in found)


def test_a_broken_catalogue_is_one_error_naming_it(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path)
    (copy / "catalogue.toml").write_text("locales = [\n", encoding="utf-8")
    [(path, finding)] = lint(copy)
    assert path == str(copy / "catalogue.toml")
    assert finding.level == "error" and "is not valid TOML" in finding.message


def test_a_wording_for_no_message_is_a_warning(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path)
    (copy / "en_GB" / "frist_contact.txt").write_text("Hi {parent_name}\n", encoding="utf-8")
    found = [(p, f) for p, f in lint(copy) if p.endswith("frist_contact.txt")]
    assert [f.level for _, f in found] == ["warning"]


def test_a_wording_that_is_not_utf8_is_an_error_naming_the_file(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path)
    target = copy / "cy" / "help_reply.txt"
    target.write_bytes("Helo, dyma {team_name}".encode("cp1252") + b"\x81\n")
    found = [(p, f) for p, f in lint(copy) if f.level == "error"]
    assert [p for p, _ in found] == [str(target)]
    assert "is not UTF-8 text" in found[0][1].message
