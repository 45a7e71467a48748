"""Run-together and misspelt words, read again as the words the risk rules are written in.

"iwanttodie", "sucidal", "overdoes", "kilmyself": a parent in distress types fast on a
small screen. A word the rules do not know is split into words they do know (a shortest
split over the rules' own vocabulary, by dynamic programming) or, failing that, taken
as the one rule word it is a single slip away from (a letter missing, added, changed or
two swapped). The message is then matched again; what the respelling finds can only
raise the level, and its reason says which word was read as which.

We use our own small vocabulary rather than a general dictionary (wordsegment,
symspellpy, rapidfuzz): the only words worth repairing are the rules' own, a few
hundred of them; a general dictionary would load megabytes at start and repair ordinary
words into other ordinary words, which only adds false alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.core.triage_language import FUNCTION_WORDS
from bot.core.triage_normalise import Normalised, squeeze
from bot.core.triage_rules import TriageRules

_WORD = re.compile(r"[a-z]{3,}")
# Words shorter than this are never respelt ("did" is not "die", "kil" is already a word).
_SHORTEST_SLIP = 5
_SHORTEST_RUN = 6
_MOST_PIECES = 6
_SHORTEST_TARGET = 6
# Endings, not words: "exhausting" is not "exhaust ing".
_NOT_PIECES = frozenset("ing ed es er ers ly ful nes ment s y".split())


@dataclass(frozen=True)
class Respelt:
    message: Normalised
    how: str  # for the reason: "reading 'sucidal' as 'suicidal'"


@dataclass(frozen=True)
class _Vocabulary:
    rule_words: frozenset[str]  # words the risk rules are written in
    known: frozenset[str]  # words never respelt: rule words, everyday words
    slips: dict[str, tuple[str, ...]]  # a word with one letter dropped -> rule words
    pieces: frozenset[str]  # what a run-together word may be split into
    every_language: frozenset[str]  # the words of every language's rules


_BY_RULES: dict[int, tuple[TriageRules, _Vocabulary]] = {}


def _vocabulary(rules: TriageRules) -> _Vocabulary:
    held = _BY_RULES.get(id(rules))
    if held is not None and held[0] is rules:
        return held[1]
    words: set[str] = set()
    every: set[str] = set()
    for rule in rules.risk:
        for pattern in (*rule.patterns, *(p for group in rule.near for p in group)):
            # drop regex escapes and the look-around noise, keep the literal words
            found = _WORD.findall(re.sub(r"\\[a-zA-Z]", " ", pattern.pattern))
            every.update(found)
            if rule.language == "en":
                words.update(found)
    rule_words = frozenset(w for w in words if len(w) >= 3)
    known = frozenset(rule_words | FUNCTION_WORDS | _EVERYDAY)
    slips: dict[str, list[str]] = {}
    for word in rule_words:
        if len(word) < _SHORTEST_SLIP - 1:
            continue
        for i in range(len(word)):
            slips.setdefault(word[:i] + word[i + 1 :], []).append(word)
    pieces = frozenset(w for w in rule_words | _SPLIT_WORDS if w not in _NOT_PIECES)
    slips_by = {k: tuple(sorted(v)) for k, v in slips.items()}
    vocabulary = _Vocabulary(rule_words, known, slips_by, pieces, frozenset(every) | known)
    _BY_RULES.clear()
    _BY_RULES[id(rules)] = (rules, vocabulary)
    return vocabulary


def known_words(rules: TriageRules) -> frozenset[str]:
    """Every word the rules are written in, in any language, and everyday words."""
    return _vocabulary(rules).every_language


def respell(message: Normalised, rules: TriageRules) -> Respelt | None:
    """The message with unknown words split or corrected into rule words, or None."""
    vocabulary = _vocabulary(rules)
    parts: list[tuple[str, int]] = []  # (key word, index of its first key character)
    changes: list[str] = []
    position = 0
    for word in message.key.split(" "):
        start = position
        position += len(word) + 1
        if not word.isalpha() or word in vocabulary.known or len(word) < _SHORTEST_SLIP:
            parts.append((word, start))
            continue
        # One slip is likelier than words run together: "overdoes" is "overdose", not "over does".
        fixed = _slip(word, vocabulary)
        if not fixed and len(word) >= _SHORTEST_RUN:
            fixed = " ".join(_split(word, vocabulary) or ())
        if fixed and fixed != word:
            changes.append(f"'{message.quote(start, start + len(word))}' as '{fixed}'")
            parts.append((fixed, start))
        else:
            parts.append((word, start))
    if not changes:
        return None
    key_parts: list[str] = []
    source: list[int] = []
    for word, start in parts:
        if key_parts:
            key_parts.append(" ")
            source.append(-1)
        key_parts.append(word)
        index = message.source[start] if start < len(message.source) else -1
        source.extend([index] * len(word))
    respelt = Normalised("".join(key_parts), message.written, tuple(source))
    return Respelt(respelt, "reading " + ", ".join(changes[:3]))


def _split(word: str, vocabulary: _Vocabulary) -> tuple[str, ...] | None:
    """The split of a run-together word into the fewest known words, if it has one."""
    return _split_cached(word, vocabulary.pieces)


@lru_cache(maxsize=4096)
def _split_cached(word: str, pieces_from: frozenset[str]) -> tuple[str, ...] | None:
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - 14), end):
            before = best[start]
            if before is None:
                continue
            piece = word[start:end]
            if piece not in pieces_from:
                # "wanttodie" is squeezed to "wantodie": the letter two words shared
                shared = word[start - 1] + piece if start else ""
                if shared not in pieces_from:
                    continue
                piece = shared
            if len(before) >= _MOST_PIECES:
                continue
            candidate = (*before, piece)
            held = best[end]
            if held is None or len(candidate) < len(held):
                best[end] = candidate
    found = best[n]
    if found is None or len(found) < 2:
        return None
    # one-letter pieces only where English has one-letter words
    if any((len(p) == 1 and p not in ("i", "a")) or p in _NOT_PIECES for p in found):
        return None
    return found


def _slip(word: str, vocabulary: _Vocabulary) -> str:
    """The rule word this word is a single slip away from, or '' if none (or too many).

    A slip is a letter missing, added or two letters swapped; a changed letter counts only
    in longer words, where it rarely turns one real word into another ("lemon", "demon").
    Only rule words of six letters or more are targets: short words collide too often.
    """
    candidates: set[str] = set()
    candidates.update(vocabulary.slips.get(word, ()))  # a letter added
    for i in range(len(word)):
        dropped = word[:i] + word[i + 1 :]
        if dropped in vocabulary.rule_words:  # a letter missing
            candidates.add(dropped)
        for rule_word in vocabulary.slips.get(dropped, ()):  # changed or swapped
            if len(rule_word) == len(word):
                candidates.add(rule_word)
    candidates = {
        c
        for c in candidates
        if len(c) >= _SHORTEST_TARGET and _one_slip(word, c, substitution=len(word) >= 8)
    }
    if not candidates or len(candidates) > 3:
        return ""
    # "overdoes" is a slip from "overdose" and from the stem "overdos": either raises the
    # same rule, so the closest in length is as good as any, and the choice is repeatable.
    return min(candidates, key=lambda c: (abs(len(c) - len(word)), c))


def _one_slip(a: str, b: str, *, substitution: bool) -> bool:
    """Whether a becomes b by one letter added, dropped, swapped with its neighbour or changed."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            return a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return substitution and len(diff) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# Everyday words near a risk word that must stay themselves ("filled" is not "killed").
_EVERYDAY = frozenset(
    squeeze(w)
    for w in """
    filled billed willed milled tilled hilled pilled hills bills pills fills mills wills
    diet died dies tied lied pied hide side wide ride tide cried dried fried tried
    bleed bleeding breed breeding feed feeding fed weed seed need speed
    hanging banging ranging changing hanged banged ranged changed
    cutting putting getting letting setting sitting hitting fitting knitting
    burning turning learning earning yearning
    ending sending lending bending mending spending pending tending
    dying eying lying tying vying
    overdoes overdue overdone
    sleeping keeping weeping sweeping
    crying drying frying trying prying
    drowning frowning crowning browning
    choking joking smoking poking stoking
    """.split()
)
_EVERYDAY = _EVERYDAY - {"overdoes"}  # a slip for "overdose" far more often than the verb

# Pieces a run-together word may be split into, beyond the rules' own words.
_SPLIT_WORDS = frozenset(
    squeeze(w)
    for w in """
    i a me my myself im am is are be been to do not no and or but so just want wanna
    die dead kill end it all life live going gonna take took many pills tablets the
    baby he she him her his hurt harm cut can cant help please now tonight today
    anymore more here gone goodbye sorry love you everyone bye hate self
    """.split()
)
