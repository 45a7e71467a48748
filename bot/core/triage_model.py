"""A small learned layer over the phrase rules: it may only raise a level, never lower one.

Two logistic-regression scorers (any risk against none; emergency against the rest)
over word, word-pair and character n-grams of the message key, trained by
`python -m scripts.train_triage_model` on the labelled corpus in
tests/core/data/triage_corpus (held-out batches excluded) with a fixed seed. The weights
ship in bot/core/data/triage_model.json and are read on first use, in plain Python
(no numpy, no scikit-learn at run time), so `cradle triage` starts quickly.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from bot.core.model import Risk

MODEL_FILE = Path(__file__).parent / "data" / "triage_model.json"
_RANK = {Risk.NONE: 0, Risk.CONCERN: 1, Risk.EMERGENCY: 2}


def features(key: str) -> list[str]:
    """Word, word-pair and character 3- to 5-gram features of a message key."""
    words = key.split()
    out = [f"w:{w}" for w in words]
    out += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    padded = f" {key} "
    for n in (3, 4, 5):
        out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    return out


def score(weights: dict[str, float], bias: float, feats: list[str]) -> float:
    total = bias + sum(weights.get(f, 0.0) for f in feats) / math.sqrt(max(len(feats), 1))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


@lru_cache(maxsize=1)
def _model() -> dict | None:
    if not MODEL_FILE.is_file():
        return None
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def model_raise(key: str, risk: Risk) -> tuple[Risk, str] | None:
    """A higher level, and why, when the model is confident the rules missed risk.

    Each scorer's threshold was set where it raised 2 in 100 benign messages it had not
    been trained on; an emergency missed costs far more than a message read in vain.
    """
    if risk is Risk.EMERGENCY:
        return None
    model = _model()
    if model is None:
        return None
    feats = features(key)
    emergency = model["emergency"]
    p = score(emergency["weights"], emergency["bias"], feats)
    needed = emergency["threshold"]
    if p >= needed:
        return Risk.EMERGENCY, _reason(Risk.EMERGENCY, p, needed)
    if risk is Risk.NONE:
        anyrisk = model["risk"]
        p = score(anyrisk["weights"], anyrisk["bias"], feats)
        if p >= anyrisk["threshold"]:
            return Risk.CONCERN, _reason(Risk.CONCERN, p, anyrisk["threshold"])
    return None


def _reason(level: Risk, p: float, threshold: float) -> str:
    return (
        f"Reads like messages that suggest more risk than the rules found \u2014 {level}: "
        f"the risk model scored it {p:.2f} (raises at {threshold:.2f})"
    )
