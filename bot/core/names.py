"""Names and other short text typed by people: cleaned once, where it comes in.

Control characters and bidirectional overrides (U+202E turns 'Chloe' into what reads as
another name) are never part of a real name. Zero-width joiners are kept: some scripts
and emoji need them.
"""

from __future__ import annotations

import unicodedata

_KEEP_INVISIBLE = {"\u200c", "\u200d"}  # zero-width non-joiner and joiner


def clean_name(text: str, max_length: int = 200) -> str:
    """NFC, without control or format characters, whitespace runs made one space."""
    normalised = unicodedata.normalize("NFC", text)
    kept = []
    for char in normalised:
        category = unicodedata.category(char)
        if char in _KEEP_INVISIBLE:
            kept.append(char)
        elif category in ("Zs", "Zl", "Zp") or char in "\t\n\r":
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(char)
    return " ".join("".join(kept).split())[:max_length]


def clean_text(text: str) -> str:
    """Longer text (an address, a reason): NFC, line breaks kept, control and format
    characters (bidi overrides included) removed."""
    normalised = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return "".join(
        char
        for char in normalised
        if char in "\n\t"
        or char in _KEEP_INVISIBLE
        or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    ).strip()
