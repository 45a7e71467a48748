"""The clinical safety hazard log stays true: every hazard has its DCB0129 fields, and every
test it names as guarding a control exists (a renamed or deleted test fails here)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
FIELDS = (
    "Cause",
    "Effect",
    "Harm",
    "Severity",
    "Likelihood",
    "Initial risk",
    "Controls",
    "Residual risk",
    "Status",
)
HAZARD = re.compile(r"^## (HAZ-\d{3}): (.+)$", re.MULTILINE)
NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)(?:\[[^\]]*\])?`")


def hazards() -> list[tuple[str, str, str]]:
    """(id, title, text) for each hazard in the log, in order."""
    text = LOG.read_text(encoding="utf-8")
    found = list(HAZARD.finditer(text))
    return [
        (
            m.group(1),
            m.group(2),
            text[m.end() : found[i + 1].start() if i + 1 < len(found) else None],
        )
        for i, m in enumerate(found)
    ]


@cache
def defined_in(path: str) -> frozenset[str]:
    """Names of the test functions defined in a test file (at any depth)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


def test_the_log_holds_the_hazards_the_issue_asked_for() -> None:
    titles = " ".join(title.lower() for _, title, _ in hazards())
    for words in (
        "risk",
        "must not be contacted",
        "monitors",
        "nobody sees",
        "duplicated or lost",
        "wrong parent",
        "stale",
        "unknown sender",
        "joint appointment",
        "cancel",
    ):
        assert words in titles, f"no hazard about {words!r}"


def test_hazard_numbers_are_in_order_without_gaps() -> None:
    numbers = [int(hazard_id.split("-")[1]) for hazard_id, _, _ in hazards()]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize(("hazard_id", "title", "text"), hazards(), ids=lambda v: str(v)[:7])
def test_each_hazard_has_every_field_and_guarded_controls(
    hazard_id: str, title: str, text: str
) -> None:
    for field in FIELDS:
        assert f"- **{field}:**" in text, f"{hazard_id} ({title}) has no {field}"
    controls = text.split("- **Controls:**")[1].split("- **Residual risk:**")[0]
    bullets = [line for line in controls.splitlines() if line.strip().startswith("- ")]
    assert bullets, f"{hazard_id} names no control"
    for bullet in bullets:
        assert NAMED_TEST.search(bullet) or "(procedure)" in bullet, (
            f"{hazard_id}: a control without a guarding test: {bullet.strip()[:80]}"
        )


@pytest.mark.parametrize(("hazard_id", "title", "text"), hazards(), ids=lambda v: str(v)[:7])
def test_every_test_named_in_the_log_exists(hazard_id: str, title: str, text: str) -> None:
    named = NAMED_TEST.findall(text)
    assert named, f"{hazard_id} names no test"
    for path, name in named:
        assert (ROOT / path).is_file(), f"{hazard_id}: {path} does not exist"
        assert name in defined_in(path), f"{hazard_id}: {path} has no {name}"
