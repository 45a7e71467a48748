"""Discreet by default: no shipped text names the service or a diagnosis, and wording or a
sender name that would is refused, with the words from policies/discretion.toml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.core.discretion import load_revealing_words
from bot.core.policy import load_policies
from bot.core.policy_errors import PolicyError
from bot.core.templates import lint, load_catalogue, load_defaults

ROOT = Path(__file__).resolve().parents[2]
MESSAGES, POLICIES = ROOT / "messages", ROOT / "policies"
REVEALING = load_revealing_words(POLICIES)
CATALOGUE = load_catalogue(MESSAGES)
SMS = sorted(
    (key, text) for key, text in load_defaults(MESSAGES).items() if CATALOGUE.spec(key[0]).is_sms
)


@pytest.mark.parametrize(
    ("key", "text"), SMS, ids=lambda k: "/".join(k) if isinstance(k, tuple) else ""
)
def test_no_shipped_text_reveals_the_service_and_none_names_the_team(key, text) -> None:  # noqa: ANN001
    message, locale, _ = key
    assert REVEALING.found_in(text, locale) is None
    # Signed by the practitioner's first name only: the discreet sender name stands alone,
    # never "Amira from <team>".
    if "{practitioner_name}" in text:
        assert "{team_name}" not in text, (
            f"{locale}/{message} names the team beside the practitioner"
        )


def test_the_shipped_sender_name_is_discreet() -> None:
    team = load_policies(POLICIES).team
    assert team.sender_name == "Cradle"
    assert REVEALING.found_in(team.sender_name) is None
    assert REVEALING.found_in(team.name) == "Parent-Infant", "the team's own name would reveal it"


@pytest.mark.parametrize(
    ("wording", "word"),
    [
        ("Hi {parent_name}, it's {practitioner_name} from perinatal services.", "perinatal"),
        ("Hi {parent_name}, your therapist {practitioner_name} will call.", "therapist"),
        ("Hi {parent_name}, it's {practitioner_name}, Mental Health team.", "Mental Health"),
        ("Hi {parent_name}, {practitioner_name} from the psychiatric unit.", "psychiatric"),
        ("Hi {parent_name}, {practitioner_name} here about safeguarding.", "safeguarding"),
    ],
)
def test_lint_refuses_a_text_that_reveals_the_service(
    tmp_path: Path, wording: str, word: str
) -> None:
    copy = tmp_path / "messages"
    shutil.copytree(MESSAGES, copy)
    (copy / "en_GB" / "first_contact.txt").write_text(wording, encoding="utf-8")

    findings = lint(copy, revealing=REVEALING)

    errors = [(p, f.message) for p, f in findings if f.level == "error"]
    assert len(errors) == 1 and errors[0][0].endswith("en_GB/first_contact.txt")
    assert f"uses {word!r}" in errors[0][1] and "discretion.toml" in errors[0][1]


def test_a_revealing_sender_name_stops_the_policies_loading_naming_file_line_and_key(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    hours = copy / "hours.toml"
    text = hours.read_text(encoding="utf-8")
    hours.write_text(
        text.replace('sender_name = "Cradle"', 'sender_name = "Perinatal Mental Health Team"'),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_policies(copy)
    line = next(
        n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("sender_name")
    )
    assert str(caught.value).startswith(f"policies/hours.toml line {line}: `team.sender_name`")
    assert "uses 'Mental Health'" in str(caught.value)


def test_a_team_may_add_its_own_words(tmp_path: Path) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    path = copy / "discretion.toml"
    path.write_text(
        re.sub(r"default = \[", 'default = [\n    "Little Steps",', path.read_text("utf-8")),
        encoding="utf-8",
    )
    assert load_revealing_words(copy).found_in("Hi from little steps") == "little steps"
