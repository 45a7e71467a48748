"""Train the triage model that may raise a level the phrase rules missed.

    .venv/bin/python scripts/train_triage_model.py      (or: make triage-model)

Reads the labelled corpus (tests/core/data/triage_corpus/batch_*.jsonl, except the
held-out batches, plus tests/core/data/triage_extra.jsonl), trains two logistic
regressions in plain Python (any risk against none; emergency against the rest) over the
features in bot/core/triage_model.py, with a fixed seed, and writes their weights and
thresholds to bot/core/data/triage_model.json.

Each threshold is chosen from out-of-fold scores (5 folds), never from scores on the
messages a model was trained on: the lowest threshold at which at most 2% of the benign
messages would be raised. The model is a safety net under the rules, not a replacement:
it only ever raises a level, and its score is in the reason. (The stricter 0.5% threshold
is written too, for the record: on held-out batches it lost more emergencies than it saved
false alarms, so it is not used.)
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.triage_model import MODEL_FILE, features  # noqa: E402
from bot.core.triage_normalise import normalise  # noqa: E402

CORPUS = ROOT / "tests" / "core" / "data" / "triage_corpus"
HELD_OUT = {f"batch_{n:02d}.jsonl" for n in range(7, 16)}
EXTRA = ROOT / "tests" / "core" / "data" / "triage_extra.jsonl"
SEED = 20261202
EPOCHS = 12
RATE = 0.4
L2 = 1e-4
MOST_BENIGN_RAISED = 0.02
STRICT_BENIGN_RAISED = 0.005  # for a jump from nothing found straight to emergency


def rows() -> list[tuple[str, str]]:
    found = []
    files = [p for p in sorted(CORPUS.glob("batch_*.jsonl")) if p.name not in HELD_OUT]
    for path in [*files, EXTRA]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                found.append((item["text"], item["risk"]))
    return found


def train(docs: list[list[str]], labels: list[int], seed: int) -> tuple[dict[str, float], float]:
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(docs)))
    rng = random.Random(seed)
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = RATE / (1 + epoch * 0.3)
        for i in order:
            feats = docs[i]
            scale = 1 / math.sqrt(max(len(feats), 1))
            z = bias + scale * sum(weights.get(f, 0.0) for f in feats)
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = p - labels[i]
            bias -= rate * g
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - rate * (g * scale + L2 * w)
    return weights, bias


def score(model: tuple[dict[str, float], float], feats: list[str]) -> float:
    weights, bias = model
    z = bias + sum(weights.get(f, 0.0) for f in feats) / math.sqrt(max(len(feats), 1))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def thresholds(docs: list[list[str]], labels: list[int], benign: list[bool]) -> tuple[float, float]:
    """From out-of-fold scores: the lowest thresholds raising at most 2% (and 0.5%) of benign."""
    folds = 5
    index = list(range(len(docs)))
    random.Random(SEED).shuffle(index)
    scores = [0.0] * len(docs)
    for k in range(folds):
        test = set(index[k::folds])
        train_docs = [docs[i] for i in index if i not in test]
        train_labels = [labels[i] for i in index if i not in test]
        model = train(train_docs, train_labels, SEED + k)
        for i in test:
            scores[i] = score(model, docs[i])
    benign_scores = sorted((s for s, b in zip(scores, benign, strict=True) if b), reverse=True)
    cuts = []
    for share in (MOST_BENIGN_RAISED, STRICT_BENIGN_RAISED):
        allowed = int(len(benign_scores) * share)
        cut = benign_scores[allowed] if allowed < len(benign_scores) else 0.5
        caught = sum(1 for s, y in zip(scores, labels, strict=True) if y and s > cut)
        print(
            f"  threshold {cut:.3f} ({share:.1%} of benign): out of fold, raises "
            f"{caught}/{sum(labels)} positives"
        )
        cuts.append(max(cut, 0.5) + 1e-6)
    return cuts[0], cuts[1]


def main() -> int:
    data = rows()
    docs = [features(normalise(text)) for text, _ in data]
    benign = [risk == "none" for _, risk in data]
    out = {"trained_on": len(data), "seed": SEED}
    for name, positive in (("risk", {"concern", "emergency"}), ("emergency", {"emergency"})):
        labels = [1 if risk in positive else 0 for _, risk in data]
        print(f"{name}: {sum(labels)} positive of {len(labels)}")
        cut, strict = thresholds(docs, labels, benign)
        weights, bias = train(docs, labels, SEED)
        kept = {f: round(w, 4) for f, w in sorted(weights.items()) if abs(w) >= 0.01}
        out[name] = {
            "bias": round(bias, 4),
            "threshold": round(cut, 4),
            "strict_threshold": round(strict, 4),
            "weights": kept,
        }
        print(f"  {len(kept)} weights kept")
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    MODEL_FILE.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
