"""Measuring triage on labelled messages: what `cradle triage eval FILE` prints.

Each line of the file is `{"text", "risk", "intent", "category"?, "locale"?}`. Recall is
what matters most: a message labelled emergency and triaged lower is a miss, and every
miss is listed. Pure: takes the labelled rows and triage results, returns text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.model import Intent, Risk

_RANK = {Risk.NONE: 0, Risk.CONCERN: 1, Risk.EMERGENCY: 2}


@dataclass(frozen=True)
class Labelled:
    line: int
    text: str
    risk: Risk
    intent: Intent
    category: str = ""
    locale: str | None = None


@dataclass(frozen=True)
class Outcome:
    risk: Risk
    intent: Intent
    reasons: tuple[str, ...] = ()


def read_labelled(lines: Sequence[str], name: str = "input") -> list[Labelled]:
    """The labelled rows; a malformed line raises ValueError naming the file and line."""
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            rows.append(
                Labelled(
                    number,
                    str(item["text"]),
                    Risk(item["risk"]),
                    Intent(item.get("intent", "other")),
                    str(item.get("category") or ""),
                    item.get("locale"),
                )
            )
        except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{name} line {number}: {exc}") from None
    return rows


@dataclass(frozen=True)
class Figures:
    total: int
    emergency_recall: float | None
    concern_or_higher_recall: float | None
    benign_flagged: float | None
    intent_accuracy: float | None
    misses: int


def figures(rows: Sequence[Labelled], outcomes: Sequence[Outcome]) -> Figures:
    pairs = list(zip(rows, outcomes, strict=True))
    emergencies = [o for r, o in pairs if r.risk is Risk.EMERGENCY]
    risky = [o for r, o in pairs if r.risk is not Risk.NONE]
    benign = [o for r, o in pairs if r.risk is Risk.NONE]
    return Figures(
        total=len(pairs),
        emergency_recall=_share(
            sum(o.risk is Risk.EMERGENCY for o in emergencies), len(emergencies)
        ),
        concern_or_higher_recall=_share(sum(o.risk is not Risk.NONE for o in risky), len(risky)),
        benign_flagged=_share(sum(o.risk is not Risk.NONE for o in benign), len(benign)),
        intent_accuracy=_share(sum(r.intent is o.intent for r, o in pairs), len(pairs)),
        misses=sum(_RANK[o.risk] < _RANK[r.risk] for r, o in pairs),
    )


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _shown(hits: int, total: int) -> str:
    return f"{hits:>4}/{total:<4} {hits / total:>6.1%}" if total else f"{'-':>4}/{0:<4} {'':>6}"


def report(rows: Sequence[Labelled], outcomes: Sequence[Outcome], name: str = "input") -> str:
    pairs = list(zip(rows, outcomes, strict=True))
    f = figures(rows, outcomes)
    lines = [
        f"{name}: {len(pairs)} labelled messages",
        "",
        "risk level      recall          precision",
    ]
    for level in (Risk.EMERGENCY, Risk.CONCERN, Risk.NONE):
        labelled = sum(r.risk is level for r, _ in pairs)
        given = sum(o.risk is level for _, o in pairs)
        right = sum(r.risk is level and o.risk is level for r, o in pairs)
        lines.append(f"  {level.value:<12} {_shown(right, labelled)}  {_shown(right, given)}")
    risky = [(r, o) for r, o in pairs if r.risk is not Risk.NONE]
    benign = [(r, o) for r, o in pairs if r.risk is Risk.NONE]
    emergencies = [o for r, o in pairs if r.risk is Risk.EMERGENCY]
    summary = [
        (
            "emergency recall (triaged emergency)",
            sum(o.risk is Risk.EMERGENCY for o in emergencies),
            len(emergencies),
        ),
        (
            "concern-or-higher recall",
            sum(o.risk is not Risk.NONE for _, o in risky),
            len(risky),
        ),
        (
            "benign false alarms (labelled none, flagged)",
            sum(o.risk is not Risk.NONE for _, o in benign),
            len(benign),
        ),
        ("reply intent accuracy", sum(r.intent is o.intent for r, o in pairs), len(pairs)),
    ]
    lines.append("")
    lines += [f"{label:<46}{_shown(hits, total)}" for label, hits, total in summary]
    lines.append("bars: " + _bars(f))
    categories = sorted({r.category for r, _ in pairs if r.category})
    if categories:
        lines += [
            "",
            f"{'category':<30}{'level':<10} recall (at its level)  "
            "precision (flagged, labelled risk)",
        ]
        for category in categories:
            mine = [(r, o) for r, o in pairs if r.category == category]
            level = max((r.risk for r, _ in mine), key=_RANK.__getitem__)
            if level is Risk.NONE:
                quiet = sum(o.risk is Risk.NONE for _, o in mine)
                lines.append(
                    f"  {category:<28}{'none':<10} {_shown(quiet, len(mine))}  (left unflagged)"
                )
                continue
            hits = sum(_RANK[o.risk] >= _RANK[r.risk] for r, o in mine)
            flagged = [(r, o) for r, o in mine if o.risk is not Risk.NONE]
            lines.append(
                f"  {category:<28}{level.value:<10} {_shown(hits, len(mine))}  "
                f"{_shown(sum(r.risk is not Risk.NONE for r, _ in flagged), len(flagged))}"
            )
    misses = [(r, o) for r, o in pairs if _RANK[o.risk] < _RANK[r.risk]]
    lines += ["", f"misses ({len(misses)}): labelled higher than triaged"]
    for r, o in misses:
        where = f" [{r.category}]" if r.category else ""
        lines.append(
            f"  line {r.line}{where}: labelled {r.risk.value}, got {o.risk.value}: {r.text!r}"
        )
    alarms = [(r, o) for r, o in pairs if r.risk is Risk.NONE and o.risk is not Risk.NONE]
    lines += ["", f"false alarms ({len(alarms)}): labelled none, flagged"]
    for r, o in alarms:
        why = o.reasons[0] if o.reasons else ""
        lines.append(f"  line {r.line}: got {o.risk.value}: {r.text!r} ({why})")
    wrong = [(r, o) for r, o in pairs if r.intent is not o.intent]
    lines += ["", f"intent differences ({len(wrong)})"]
    for r, o in wrong:
        lines.append(
            f"  line {r.line}: labelled {r.intent.value}, got {o.intent.value}: {r.text!r}"
        )
    return "\n".join(lines)


def _bars(f: Figures) -> str:
    """The bars, met or not: emergency 100%, concern or higher 95%, benign 10%, intent 90%."""
    checks = [
        ("emergency recall 100%", f.emergency_recall, lambda v: v >= 1.0),
        ("concern-or-higher recall >= 95%", f.concern_or_higher_recall, lambda v: v >= 0.95),
        ("benign flagged <= 10%", f.benign_flagged, lambda v: v <= 0.10),
        ("intent accuracy >= 90%", f.intent_accuracy, lambda v: v >= 0.90),
    ]
    return "; ".join(
        f"{name} {'n/a' if value is None else ('met' if ok(value) else 'NOT met')}"
        for name, value, ok in checks
    )


def evaluate(rows: Sequence[Labelled], run: Callable[[str, str | None], Outcome]) -> list[Outcome]:
    return [run(r.text, r.locale) for r in rows]
