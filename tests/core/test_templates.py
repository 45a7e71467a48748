"""Templates: placeholders, rendering, validation, locale choice, dates and plurals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.policy_errors import PolicyError
from bot.core.templates import (
    Catalogue,
    Finding,
    TemplateError,
    choose_template,
    format_appointment_time,
    format_next_opening,
    load_catalogue,
    load_defaults,
    opt_out_reply_requests,
    placeholders_in,
    plural_category,
    pluralise,
    render,
    validate,
)

MESSAGES = Path(__file__).resolve().parents[2] / "messages"
LONDON = ZoneInfo("Europe/London")
ALLOWED = {"parent_name", "team_phone", "practitioner_name"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(MESSAGES)


def check(
    catalogue: Catalogue,
    template: str,
    message: str = "appointment_reminder",
    locale: str = "en_GB",
) -> list[Finding]:
    return validate(
        message,
        locale,
        template,
        catalogue,
        max_segments=3,
        reading_age_target=9,
        jargon=catalogue.jargon_for(locale),
    )


def errors(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings if finding.level == "error"]


def warnings(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings if finding.level == "warning"]


REMINDER = (
    "Hi {parent_name}, it's {practitioner_name} from {team_name}. See you on "
    "{appointment_time} at {place}. Reply YES to confirm, NO if you can't come, or CHANGE."
)


# --- Placeholders and rendering ----------------------------------------------------------


def test_placeholders_are_names_in_braces_and_doubled_braces_are_literal() -> None:
    template = "Hi {parent_name}, call {team_phone}. {{not_a_placeholder}}"
    assert placeholders_in(template) == {"parent_name", "team_phone"}


@pytest.mark.parametrize(
    "template",
    [
        "{parent_name.__class__}",
        "{parent_name.__class__.__init__.__globals__}",
        "{0}",
        "{}",
        "{parent_name!r}",
        "{parent_name:>10}",
        "{parent_name[0]}",
        "{ parent_name }",
        "Hi {parent_name",
        "Hi parent_name}",
        "{parent_name{team_phone}}",
    ],
)
def test_anything_but_a_plain_name_in_braces_is_refused(template: str) -> None:
    with pytest.raises(TemplateError):
        placeholders_in(template)
    with pytest.raises(TemplateError):
        render(template, {"parent_name": "Sam", "team_phone": "0117"}, ALLOWED)


def test_render_inserts_values() -> None:
    text = render(
        "Hi {parent_name}, call {team_phone}.",
        {"parent_name": "Sam", "team_phone": "0117 496 0123"},
        ALLOWED,
    )
    assert text == "Hi Sam, call 0117 496 0123."


def test_doubled_braces_render_as_single_braces() -> None:
    assert render("{{parent_name}} is {parent_name}", {"parent_name": "Sam"}, ALLOWED) == (
        "{parent_name} is Sam"
    )


def test_a_value_that_looks_like_a_placeholder_stays_as_written() -> None:
    text = render(
        "Hi {parent_name}", {"parent_name": "{team_phone}", "team_phone": "0117"}, ALLOWED
    )
    assert text == "Hi {team_phone}"


def test_a_placeholder_outside_the_allow_list_is_refused_even_with_a_value() -> None:
    with pytest.raises(TemplateError, match="link"):
        render("Tap {link}", {"link": "https://example.org"}, ALLOWED)


def test_a_placeholder_without_a_value_is_refused() -> None:
    with pytest.raises(TemplateError, match="team_phone"):
        render("Call {team_phone}", {}, ALLOWED)


# --- Validation --------------------------------------------------------------------------


def test_a_good_reminder_has_no_findings(catalogue: Catalogue) -> None:
    assert check(catalogue, REMINDER) == []


def test_unknown_and_malformed_placeholders_are_errors(catalogue: Catalogue) -> None:
    found = errors(check(catalogue, REMINDER + " {link} {parent_name!r}"))
    assert any("{link} is not a placeholder of appointment_reminder" in e for e in found)
    assert any("`{parent_name!r}` is not a placeholder" in e for e in found)


def test_a_required_placeholder_left_out_is_an_error(catalogue: Catalogue) -> None:
    found = errors(check(catalogue, REMINDER.replace("{appointment_time}", "soon")))
    assert found == ["must include {appointment_time}"]


def test_more_segments_than_allowed_is_an_error_and_three_a_warning(catalogue: Catalogue) -> None:
    three = REMINDER + " " + "Thank you. " * 20
    four = REMINDER + " " + "Thank you. " * 30
    assert any("3 SMS segments" in w for w in warnings(check(catalogue, three)))
    assert any("4 SMS segments" in e for e in errors(check(catalogue, four)))


def test_segments_are_counted_with_the_sample_values(catalogue: Catalogue) -> None:
    template = "{appointment_time} at {place}, {team_name}. " + "Thank you. " * 10
    assert len(template) <= 160  # one segment as written, two once the samples are in
    found = validate(
        "appointment_reminder",
        "en_GB",
        template,
        catalogue,
        max_segments=1,
        reading_age_target=9,
        jargon=(),
    )
    assert any(e.startswith("is 2 SMS segments with sample values") for e in errors(found))


def test_a_curly_apostrophe_is_flagged_for_doubling_the_cost(catalogue: Catalogue) -> None:
    found = warnings(check(catalogue, REMINDER.replace("it's", "it’s")))
    assert any("replace '’' with \"'\"" in w for w in found)


def test_hard_wording_gets_a_reading_age_warning_and_plain_wording_none(
    catalogue: Catalogue,
) -> None:
    hard = REMINDER + (
        " Consequently, notwithstanding organisational considerations, "
        "unaccompanied attendance is unproblematic."
    )
    assert any(w.startswith("reading age") for w in warnings(check(catalogue, hard)))
    assert not any(w.startswith("reading age") for w in warnings(check(catalogue, REMINDER)))


def test_reading_age_is_only_judged_in_english(catalogue: Catalogue) -> None:
    welsh = (
        "Helo {parent_name}, {practitioner_name} o {team_name} sydd yma. Apwyntiad: "
        "{appointment_time}, {place}. Atebwch IE i gadarnhau, NA os na allwch ddod."
    )
    assert not any(
        w.startswith("reading age") for w in warnings(check(catalogue, welsh, locale="cy"))
    )


def test_long_sentences_are_warned_about(catalogue: Catalogue) -> None:
    long = REMINDER + (
        " If you would like to bring a friend or a family member with you to the meeting that is"
        " fine with us."
    )
    assert any(w.startswith("long sentence") for w in warnings(check(catalogue, long)))


@pytest.mark.parametrize(
    ("extra", "locale", "term"),
    [
        ("This is your mental health assessment.", "en_GB", "mental health"),
        ("We are the perinatal team.", "en_GB", "perinatal"),
        ("It is about psychotherapy.", "en_GB", "psychotherapy"),
        ("Spotkanie z psychoterapeutą.", "pl", "psychoterapeutą"),
        ("Apwyntiad iechyd meddwl.", "cy", "iechyd meddwl"),
    ],
)
def test_clinical_words_are_warned_about(
    catalogue: Catalogue, extra: str, locale: str, term: str
) -> None:
    found = warnings(check(catalogue, REMINDER + " " + extra, locale=locale))
    assert any(f"uses {term!r}" in w for w in found)


@pytest.mark.parametrize(
    "text",
    [
        "Reply CANCEL to cancel.",
        "Text STOP to opt out.",
        "Send stop.",
        "reply stop",
        "REPLY STOP",
        "Reply with the word stop.",
        'Reply "stop" to end these texts.',
        "Reply ‘Stop’ to opt out.",
        "Reply YES to confirm, NO if you can't come, or CANCEL to cancel.",
        "Reply YES, NO or cancel.",
        "Text back STOP",
        "Please text us the word CANCEL if you cannot come.",
        "To stop these texts, reply STOP.",
        "STOP to opt out.",
        "Reply UNSUBSCRIBE to opt out.",
        "Atebwch STOP i stopio.",
        "Odpisz STOP, aby zrezygnować.",
        "STOP لکھ کر بھیجیں۔",
    ],
)
def test_asking_for_an_opt_out_word_as_a_reply_is_detected(text: str) -> None:
    assert opt_out_reply_requests(text)


@pytest.mark.parametrize(
    "text",
    [
        "Text START to hear from us again.",
        "You won't get any more texts from us. If you change your mind, text START.",
        "We're sorry, we need to cancel your appointment.",
        "If you need to cancel, please call us on 0117 496 0123.",
        "Reply YES to confirm, NO if you can't come, or CHANGE to move it.",
        "Reply YES to confirm or NO to cancel.",
        "Reply YES and we will stop the reminders.",
        "You replied STOP, so we will not text you again.",
        "We will stop sending texts.",
        "Text SHOUT to 85258.",
        "At the end of the visit, reply to this text.",
        "START لکھ کر بھیجیں۔",
    ],
)
def test_ordinary_uses_of_cancel_and_stop_are_not_requests(text: str) -> None:
    assert opt_out_reply_requests(text) == []


def test_an_opt_out_request_is_an_error(catalogue: Catalogue) -> None:
    template = "You won't get texts from {team_name} now. To stop for good, reply STOP."
    found = errors(check(catalogue, template, message="opt_out_confirmation"))
    assert len(found) == 1 and "opts the parent out" in found[0]


def test_a_message_not_in_the_catalogue_is_an_error(catalogue: Catalogue) -> None:
    assert errors(check(catalogue, "Hello", message="welcome_pack")) == [
        "'welcome_pack' is not a message in the catalogue"
    ]


# --- Catalogue and files -----------------------------------------------------------------


def test_the_catalogue_describes_every_message_others_send(catalogue: Catalogue) -> None:
    assert catalogue.locales == ("en_GB", "cy", "pl", "ur")
    assert catalogue.spec("appointment_letter").kind == "letter"
    assert catalogue.spec("telegram_link").required >= {"link"}
    assert "next_opening" in catalogue.spec("out_of_hours_reply").placeholders
    assert catalogue.sample_values("appointment_reminder", "cy")["appointment_time"].startswith(
        "Dydd"
    )


def test_a_mistake_in_the_catalogue_names_the_file_line_and_key(tmp_path: Path) -> None:
    text = (MESSAGES / "catalogue.toml").read_text(encoding="utf-8")
    broken = text.replace(
        '[messages.help_reply]\nkind = "sms"', '[messages.help_reply]\nkind = "fax"'
    )
    assert broken != text
    (tmp_path / "catalogue.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_catalogue(tmp_path)
    line = broken.splitlines().index('kind = "fax"') + 1
    assert str(raised.value) == (
        f"{tmp_path / 'catalogue.toml'} line {line}: `messages.help_reply.kind` "
        'must be "sms" or "letter", got \'fax\''
    )


def test_load_defaults_reads_every_wording_without_its_final_newline() -> None:
    texts = load_defaults(MESSAGES)
    assert texts[("first_contact", "cy", "standard")].startswith("Helo {parent_name}")
    assert ("appointment_reminder", "en_GB", "easy") in texts
    assert not texts[("help_reply", "en_GB", "standard")].endswith("\n")


# --- Choosing a wording --------------------------------------------------------------------

TEXTS = {
    ("reminder", "en_GB", "standard"): "en standard",
    ("reminder", "en_GB", "easy"): "en easy",
    ("reminder", "pl", "standard"): "pl standard",
    ("reminder", "cy", "standard"): "cy standard",
    ("reminder", "cy", "easy"): "cy easy",
}


@pytest.mark.parametrize(
    ("locale", "easy_read", "expected"),
    [
        ("cy", False, ("cy standard", "cy", False)),
        ("cy", True, ("cy easy", "cy", False)),
        ("pl", True, ("pl standard", "pl", False)),  # their language before easy-read English
        ("ur", False, ("en standard", "en_GB", True)),
        ("ur", True, ("en easy", "en_GB", True)),
        ("en_GB", True, ("en easy", "en_GB", False)),
    ],
)
def test_choose_template(locale: str, easy_read: bool, expected: tuple[str, str, bool]) -> None:
    assert choose_template(TEXTS, "reminder", locale, easy_read) == expected


def test_choose_template_with_no_wording_at_all_is_an_error() -> None:
    with pytest.raises(TemplateError):
        choose_template(TEXTS, "first_contact", "cy", False)


# --- Dates, times and plurals --------------------------------------------------------------

BST = datetime(2026, 10, 22, 13, 5, tzinfo=UTC)  # 14:05 in London, summer time
GMT = datetime(2026, 10, 29, 14, 5, tzinfo=UTC)  # 14:05 in London, after the clocks go back


@pytest.mark.parametrize(
    ("locale", "summer", "winter"),
    [
        ("en_GB", "Thursday 22 October at 2:05pm", "Thursday 29 October at 2:05pm"),
        ("cy", "Dydd Iau 22 Hydref am 14:05", "Dydd Iau 29 Hydref am 14:05"),
        ("pl", "czwartek, 22 października o 14:05", "czwartek, 29 października o 14:05"),
        ("ur", "جمعرات 22 اکتوبر، دوپہر 2:05 بجے", "جمعرات 29 اکتوبر، دوپہر 2:05 بجے"),
    ],
)
def test_appointment_times_are_local_across_the_clock_change(
    locale: str, summer: str, winter: str
) -> None:
    assert format_appointment_time(BST, locale, LONDON) == summer
    assert format_appointment_time(GMT, locale, LONDON) == winter


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_GB", "Thursday 3 July at 2:05pm"),
        ("cy", "Dydd Iau 3 Gorffennaf am 14:05"),
    ],
)
def test_appointment_time_examples(locale: str, expected: str) -> None:
    assert format_appointment_time(datetime(2025, 7, 3, 13, 5, tzinfo=UTC), locale, LONDON) == (
        expected
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_GB", "Monday 4 January at 9am"),
        ("cy", "Dydd Llun 4 Ionawr am 9:00"),
        ("pl", "poniedziałek, 4 stycznia o 9:00"),
        ("ur", "پیر 4 جنوری، صبح 9 بجے"),
        ("ro", "Monday 4 January at 9am"),  # no wording in Romanian, so no Romanian date
    ],
)
def test_next_opening(locale: str, expected: str) -> None:
    assert format_next_opening(datetime(2027, 1, 4, 9, 0, tzinfo=UTC), locale, LONDON) == expected


@pytest.mark.parametrize(
    ("n", "category"),
    [(0, "zero"), (1, "one"), (2, "two"), (3, "few"), (6, "many"), (7, "other")],
)
def test_welsh_has_six_plural_categories(n: int, category: str) -> None:
    assert plural_category(n, "cy") == category


def test_pluralise_picks_the_form_for_the_category_or_other() -> None:
    forms = {"zero": "dim negeseuon", "one": "neges", "two": "ddwy neges", "other": "neges"}
    assert pluralise(0, forms, "cy") == "dim negeseuon"
    assert pluralise(2, forms, "cy") == "ddwy neges"
    assert pluralise(6, forms, "cy") == "neges"
    assert (
        pluralise(
            5,
            {"one": "wiadomość", "few": "wiadomości", "many": "wiadomości", "other": "wiadomości"},
            "pl",
        )
        == "wiadomości"
    )
    with pytest.raises(TemplateError):
        pluralise(3, {"one": "reminder"}, "en_GB")
