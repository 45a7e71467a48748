"""Erasure: what an erased parent becomes, and escalation reasons without the parent's words."""

from __future__ import annotations

import re

ERASED_NAME = "Erased parent"
ERASED_SENDER = "erased"
_MATCHED = re.compile(r"\s*matched\s+'.*?'(?=\s*$|,|;)", re.DOTALL)


def without_matched_words(reasons: list[str]) -> list[str]:
    """`emergency: rule 'suicidal intent' (en) matched 'end it all'` keeps the rule only."""
    return [_MATCHED.sub("", reason).rstrip() for reason in reasons]


def confirmation_matches(typed: str, parent_name: str) -> bool:
    """The administrator types the parent's name to confirm: a slip of the mouse erases no one."""
    return " ".join(typed.split()).casefold() == " ".join(parent_name.split()).casefold()
