"""The labelled corpus the triage rules are measured on, and what it shows.

Batches 01-06 are the tuning batches; 07-15 are held out: no rule or threshold was tuned
on their messages before their first run (batches 10 to 15 were each written after the
tuning before them), and the model is never trained on them. Each batch's first run is
kept in first_run/ so the figure on unseen wording stays visible. These tests guard the
figures from sliding back; the honest unseen figures are in docs/triage-taxonomy.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.core.model import Intent, Risk
from bot.core.triage import TriageRules, load_triage_rules, triage
from bot.core.triage_eval import Figures, Labelled, Outcome, figures, read_labelled

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "core" / "data" / "triage_corpus"
TUNING = [f"batch_{n:02d}.jsonl" for n in range(1, 7)]
HELD_OUT = [f"batch_{n:02d}.jsonl" for n in range(7, 16)]


@pytest.fixture(scope="module")
def rules() -> TriageRules:
    return load_triage_rules(ROOT / "policies")


def rows(names: list[str]) -> list[Labelled]:
    found: list[Labelled] = []
    for name in names:
        found += read_labelled((CORPUS / name).read_text(encoding="utf-8").splitlines(), name)
    return found


def measured(rules: TriageRules, names: list[str]) -> Figures:
    labelled = rows(names)
    outcomes = []
    for row in labelled:
        result = triage(row.text, rules, row.locale)
        outcomes.append(Outcome(result.risk, result.intent, result.reasons))
    return figures(labelled, outcomes)


def test_the_corpus_is_big_and_varied_enough() -> None:
    everything = rows(TUNING + HELD_OUT)
    assert len(everything) >= 1200
    by_category = Counter(r.category for r in everything)
    risky = {r.category for r in everything if r.risk is not Risk.NONE}
    assert len(risky) >= 17
    assert all(by_category[c] >= 40 for c in risky), by_category
    assert sum(1 for r in everything if r.risk is Risk.NONE) >= 500
    texts = [r.text for r in everything]
    assert sum(1 for t in texts if len(t) > 200) >= 20, "long rambling texts"
    assert any("ę" in t or "ł" in t for t in texts) and any("dw i" in t.lower() for t in texts)
    assert sum(1 for r in everything if r.category == "benign_idiom") >= 100


def test_every_batch_keeps_its_first_run() -> None:
    for name in TUNING + HELD_OUT:
        first = CORPUS / "first_run" / name.replace(".jsonl", ".txt")
        assert first.is_file(), f"{name} has no first run kept"
        assert "misses (" in first.read_text(encoding="utf-8")


def test_the_tuning_batches_miss_no_emergency_and_no_concern(rules: TriageRules) -> None:
    got = measured(rules, TUNING)
    assert got.emergency_recall == 1.0
    assert got.concern_or_higher_recall == 1.0
    assert got.benign_flagged is not None and got.benign_flagged <= 0.10
    assert got.intent_accuracy is not None and got.intent_accuracy >= 0.90


def test_the_held_out_figures_do_not_slide_back(rules: TriageRules) -> None:
    # The floor is what the held-out batches scored when this was written; raise it as
    # the rules improve, never lower it to make a change pass.
    got = measured(rules, HELD_OUT)
    assert got.emergency_recall is not None and got.emergency_recall >= 0.995
    assert got.concern_or_higher_recall is not None and got.concern_or_higher_recall >= 0.995
    assert got.benign_flagged is not None and got.benign_flagged <= 0.06
    assert got.intent_accuracy is not None and got.intent_accuracy >= 0.96


def test_the_labels_use_the_interface_shape() -> None:
    for path in sorted(CORPUS.glob("batch_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            assert set(item) == {"text", "risk", "intent", "category"}
            Risk(item["risk"]), Intent(item["intent"])
