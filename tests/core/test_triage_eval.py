"""The shipped triage policies measured on labelled messages.

Two sets: the team's labelled sample (triage_dev.jsonl, outside this repository) and our
own harder cases (data/triage_extra.jsonl: misspellings, text-speak, look-alike and
invisible characters, idioms that are not risk, replies that are also risk, Welsh,
Polish and Urdu). Run with -s to see recall and precision per class; a failure shows them
too. Over-triage is counted but allowed; these fail the test:
  - a message labelled emergency triaged below emergency, or concern below concern;
  - a message not labelled as a cancellation triaged as one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.model import Intent, Risk
from bot.core.triage import TriageResult, TriageRules, load_triage_rules, triage

POLICIES = Path(__file__).resolve().parents[2] / "policies"
_SHARED_DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "eval" / "triage_dev.jsonl"
# The team's labelled sample lives in shared/ beside the repository; a copy travels with the
# tests so they run anywhere. CRADLE_TRIAGE_DEV points at another labelled file.
DEV_SET = Path(
    os.environ.get("CRADLE_TRIAGE_DEV")
    or (
        _SHARED_DEV_SET
        if _SHARED_DEV_SET.is_file()
        else Path(__file__).parent / "data" / "triage_dev.jsonl"
    )
)
EXTRA_SET = Path(__file__).resolve().parent / "data" / "triage_extra.jsonl"
RANK = {Risk.NONE: 0, Risk.CONCERN: 1, Risk.EMERGENCY: 2}


@dataclass(frozen=True)
class Case:
    line: int
    text: str
    risk: Risk
    intent: Intent
    locale: str | None = None


def read_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            cases.append(
                Case(
                    number, row["text"], Risk(row["risk"]), Intent(row["intent"]), row.get("locale")
                )
            )
    return cases


def per_class(expected: Sequence[str], got: Sequence[str], classes: Sequence[str]) -> list[str]:
    """One line per class: recall (of those labelled so) and precision (of those given so)."""

    def share(hits: int, total: int) -> str:
        return f"{hits:>3}/{total:<3} {hits / total:>5.0%}" if total else f"{'-':>3}/{0:<3} {'':>5}"

    lines = [f"  {'class':<11} {'recall':>14}  {'precision':>14}"]
    for name in classes:
        labelled = sum(1 for e in expected if e == name)
        given = sum(1 for g in got if g == name)
        right = sum(1 for e, g in zip(expected, got, strict=True) if e == g == name)
        lines.append(f"  {name:<11} {share(right, labelled):>14}  {share(right, given):>14}")
    return lines


def report(name: str, cases: Sequence[Case], results: Sequence[TriageResult]) -> str:
    risks = [r.value for r in Risk][::-1]
    intents = [i.value for i in Intent]
    lines = [f"{name}: {len(cases)} messages", "risk"]
    lines += per_class([c.risk.value for c in cases], [r.risk.value for r in results], risks)
    lines.append("intent")
    lines += per_class([c.intent.value for c in cases], [r.intent.value for r in results], intents)
    differences = [
        f"  line {c.line}: {c.text!r} labelled {c.risk}/{c.intent}, got {r.risk}/{r.intent}"
        for c, r in zip(cases, results, strict=True)
        if (c.risk, c.intent) != (r.risk, r.intent)
    ]
    lines.append(f"differences ({len(differences)}):")
    return "\n".join(lines + differences)


def safety_failures(cases: Sequence[Case], results: Sequence[TriageResult]) -> list[str]:
    failures = []
    for case, result in zip(cases, results, strict=True):
        if RANK[result.risk] < RANK[case.risk]:
            failures.append(
                f"line {case.line}: {case.text!r} is {case.risk} but was triaged {result.risk}"
            )
        if result.intent is Intent.CANCEL and case.intent is not Intent.CANCEL:
            failures.append(
                f"line {case.line}: {case.text!r} was taken as a cancellation; it is {case.intent}"
            )
    return failures


@pytest.fixture(scope="module")
def rules() -> TriageRules:
    return load_triage_rules(POLICIES)


@pytest.mark.parametrize(
    "path", [pytest.param(DEV_SET, id="triage_dev"), pytest.param(EXTRA_SET, id="triage_extra")]
)
def test_no_risk_is_missed_and_no_cancellation_is_invented(rules: TriageRules, path: Path) -> None:
    cases = read_cases(path)
    results = [triage(case.text, rules, case.locale) for case in cases]
    summary = report(path.name, cases, results)
    print("\n" + summary)
    failures = safety_failures(cases, results)
    assert not failures, "\n".join(["", *failures, "", summary])


def test_our_own_cases_cover_what_the_sample_does_not() -> None:
    cases = read_cases(EXTRA_SET)
    assert len(cases) >= 80
    texts = [case.text for case in cases]
    assert any("\u200b" in t or "\u200d" in t or "\u202e" in t for t in texts)  # invisible
    assert any("\u0430" <= ch <= "\u044f" or ch == "\u0456" for t in texts for ch in t)  # Cyrillic
    assert any(c.risk is not Risk.NONE and c.intent is not Intent.OTHER for c in cases)
    for level in (Risk.EMERGENCY, Risk.CONCERN, Risk.NONE):
        assert sum(1 for c in cases if c.risk is level) >= 20
    welsh = ("dw i", "dwi", "iawn", "methu", "mae e")
    assert any(t.lower().startswith(welsh) for t in texts)
    assert any(ch in "ąćęłńóśźż" for t in texts for ch in t.lower())  # Polish
    assert any("\u0600" <= ch <= "\u06ff" for t in texts for ch in t)  # Urdu script
