"""How hard English text is to read: reading age and sentences that run on too long."""

from __future__ import annotations

import re
from functools import cache

import pyphen

# A sentence ends at . ! ? (or a run of them) before a space or the end, or at a line break:
# texts put greetings and sign-offs on lines of their own without a full stop.
_SENTENCE_END = re.compile(r"(?<=[.!?\u06D4\u061F])[\"')\]]*\s+|\n+")  # with Urdu's ۔ and ؟
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")

# Flesch-Kincaid gives a US school grade; a child in grade N is about N + 5 years old.
_GRADE_TO_AGE = 5.0


@cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def _vowel_group_syllables(word: str) -> int:
    """The classic estimate: groups of vowels, less a silent final e (but not -le, -re)."""
    lower = word.lower()
    count = len(_VOWEL_GROUPS.findall(lower))
    sounded_ending = lower.endswith(("le", "ee", "ye")) or re.search(r"[^aeiouy]re$", lower)
    if lower.endswith("e") and not sounded_ending and count > 1:
        count -= 1
    return max(count, 1)


def syllables(word: str) -> int:
    """Syllables in one English word.

    The hyphenation dictionary never splits short words or near their ends ("baby",
    "little"), so it only ever undercounts; the vowel estimate covers those words.
    """
    hyphenated = len(_hyphenator().positions(word)) + 1
    return max(hyphenated, _vowel_group_syllables(word))


def sentences(text: str) -> list[str]:
    """The sentences of a text, trimmed, empty ones dropped."""
    return [part.strip() for part in _SENTENCE_END.split(text) if _WORD.search(part)]


def words(text: str) -> list[str]:
    """The words of a text; numbers such as 999 or 116 123 are read at a glance, not counted."""
    return [word for word in _WORD.findall(text) if not word.isdigit()]


def reading_age(text: str) -> float:
    """Flesch-Kincaid grade + 5, in years; never below 5, and 0.0 for a text with no words."""
    found = words(text)
    if not found:
        return 0.0
    sentence_count = max(len(sentences(text)), 1)
    syllable_count = sum(syllables(word) for word in found)
    grade = 0.39 * len(found) / sentence_count + 11.8 * syllable_count / len(found) - 15.59
    return round(max(grade + _GRADE_TO_AGE, _GRADE_TO_AGE), 1)


def long_sentences(text: str, max_words: int = 15) -> list[str]:
    """The sentences with more than `max_words` words."""
    return [sentence for sentence in sentences(text) if len(words(sentence)) > max_words]
