"""Words that reveal the service or a diagnosis: refused in texts, read from policies/.

A phone may be read by someone else in the household, so a text must never say what the
team does. The list lives in policies/discretion.toml for the team to extend; without the
file, the list below applies (the same as the shipped file's English words).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.policy_errors import TomlSource, read_toml

FILE = "discretion.toml"
BUILT_IN = (
    "mental health", "mental illness", "perinatal", "postnatal depression", "PND",
    "parent-infant", "parent infant", "infant mental", "psychiatr*", "psycholog*",
    "psychotherap*", "psychosis", "therap*", "counsell*", "counsel*", "safeguarding",
    "social services", "social worker", "child protection", "CAMHS", "IAPT",
    "depression", "depressed", "anxiety", "trauma", "diagnos*", "domestic abuse",
    "self-harm", "self harm", "suicid*", "eating disorder", "OCD", "bipolar",
)  # fmt: skip


@dataclass(frozen=True)
class RevealingWords:
    by_language: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"default": BUILT_IN}
    )

    def for_locale(self, locale: str) -> tuple[str, ...]:
        language = locale.split("_")[0]
        extra = self.by_language.get(locale, ()) or self.by_language.get(language, ())
        return self.by_language.get("default", ()) + extra

    def found_in(self, text: str, locale: str = "en_GB") -> str | None:
        """The first revealing word or phrase in `text`, as written there, or None."""
        for term in self.for_locale(locale):
            match = term_pattern(term).search(text)
            if match:
                return match.group()
        return None


def term_pattern(term: str) -> re.Pattern[str]:
    """A term as a whole word or phrase; a word ending in * matches any ending."""
    words = [
        re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "")
        for word in term.split()
    ]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def load_revealing_words(policies_dir: Path) -> RevealingWords:
    """policies/discretion.toml, strictly; the built-in list when the file is absent."""
    path = Path(policies_dir) / FILE
    if not path.is_file():
        return RevealingWords()
    source: TomlSource = read_toml(path, f"policies/{FILE}")
    data = source.data
    unknown = [key for key in data if key != "revealing"]
    if unknown:
        raise source.error((unknown[0],), "is not a known setting here; expected `revealing`")
    table = data.get("revealing")
    if not isinstance(table, dict) or "default" not in table:
        raise source.error(("revealing",), "must be a table with at least a `default` list")
    found: dict[str, tuple[str, ...]] = {}
    for language, terms in table.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise source.error(
                ("revealing", language), 'must be a list of words, like ["perinatal"]'
            )
        found[language] = tuple(t.strip() for t in terms)
    return RevealingWords(found)
