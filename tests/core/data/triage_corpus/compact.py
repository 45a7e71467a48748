"""Turns a batch written in the compact form into labelled JSON lines.

Each line: `LEVEL CATEGORY INTENT|text`, with LEVEL e/c/n, INTENT o/y/x/r/s/h
(other, confirm, cancel, reschedule, stop, help) and a category code below.
"""

import json
import sys

CATEGORIES = {
    "sa": "suicide_active", "sp": "suicide_passive", "sf": "suicide_farewell",
    "sm": "suicide_method", "hi": "self_harm_intent", "hj": "self_harm_injury",
    "ps": "psychosis_mania", "bh": "baby_harm_intent", "bt": "baby_intrusive_thoughts",
    "bn": "baby_neglect", "ii": "infant_illness", "ij": "infant_injury",
    "dd": "domestic_danger", "da": "domestic_abuse", "su": "substance_use",
    "sg": "safeguarding", "sd": "severe_distress", "nb": "benign", "ni": "benign_idiom",
}  # fmt: skip
LEVELS = {"e": "emergency", "c": "concern", "n": "none"}
INTENTS = {"o": "other", "y": "confirm", "x": "cancel", "r": "reschedule", "s": "stop", "h": "help"}

for raw in sys.stdin:
    raw = raw.rstrip("\n")
    if not raw.strip() or raw.startswith("#"):
        continue
    head, text = raw.split("|", 1)
    level, category, intent = head.split()
    row = {
        "text": text,
        "risk": LEVELS[level],
        "intent": INTENTS[intent],
        "category": CATEGORIES[category],
    }
    print(json.dumps(row, ensure_ascii=False))
