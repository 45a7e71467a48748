"""Reading policies/risk.toml and policies/replies.toml into compiled triage rules.

Both files are edited by the team's clinicians and administrator, so they are read
strictly: an unknown key, a pattern that is not a valid regular expression, a level of
risk that does not exist or an idiom nobody defined raises a PolicyError naming the
file, the line and the key. Patterns are compiled once, here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.model import Intent, Risk
from bot.core.policy_errors import PolicyError, TomlSource, locate_line, read_toml
from bot.core.triage_normalise import fold_pattern

RISK_LEVELS = (Risk.EMERGENCY, Risk.CONCERN)
REPLY_INTENTS = (
    Intent.STOP,
    Intent.START,
    Intent.HELP,
    Intent.CANCEL,
    Intent.CONFIRM,
    Intent.RESCHEDULE,
)
# What `~` in a pattern stands for: up to three other words. It brings its own spaces, so
# it sits well after an optional word ("(to )?~") or another `~` ("~ ~" is up to six).
GAP = r"(?:\s+|(?<!\S))(?:\S+\s+){0,3}"

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_WORD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MACRO = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TILDE = re.compile(r"\s*(?<!\\)~\s*")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
# A pattern matches whole words: it starts at a word and ends at one (or just after a space).
_STARTS_WORD = r"(?<!\S)"
_ENDS_WORD = r"(?:(?<=\s)|(?!\S))"


@dataclass(frozen=True)
class Idiom:
    """A way of speaking that makes a risk phrase less literal ("dying to see you")."""

    name: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Category:
    """A kind of risk in the clinical taxonomy, with the words staff read in the reasons."""

    name: str
    says: str  # plain English for staff: "Mentions ending their life"
    source: str = ""  # the guidance it comes from


@dataclass(frozen=True)
class RiskRule:
    name: str
    level: Risk
    language: str
    patterns: tuple[re.Pattern[str], ...]
    lowered_by: tuple[Idiom, ...]  # each lowers this rule's match by one level, never more
    category: Category | None = None
    # Groups of patterns that match when every pattern of a group is found within a few
    # words of the others, in any order: a new sentence built from known concepts.
    near: tuple[tuple[re.Pattern[str], ...], ...] = ()

    @property
    def says(self) -> str:
        return self.category.says if self.category else self.name.capitalize()


@dataclass(frozen=True)
class IntentWords:
    intent: Intent
    whole_message: re.Pattern[str] | None  # the whole reply (without courtesies) is only these
    cues: tuple[re.Pattern[str], ...]  # these anywhere in the reply


@dataclass(frozen=True)
class ReplyRules:
    courtesy_before: re.Pattern[str] | None  # "please", "thanks", "x" before a reply
    courtesy_after: re.Pattern[str] | None  # ... and after it
    hedges: tuple[re.Pattern[str], ...]  # "maybe", "not sure": a confirm or cancel becomes other
    intents: tuple[IntentWords, ...]

    def words(self, intent: Intent) -> IntentWords:
        return next(words for words in self.intents if words.intent is intent)


@dataclass(frozen=True)
class TriageRules:
    risk: tuple[RiskRule, ...]
    replies: ReplyRules
    categories: tuple[Category, ...] = ()
    # Languages whose every message a person reads: starter rules not yet reviewed by a
    # native speaker, and no wording of our own.
    read_by_a_person: frozenset[str] = frozenset()

    @property
    def languages(self) -> frozenset[str]:
        """The languages some rule is written in."""
        return frozenset(rule.language for rule in self.risk)


def load_triage_rules(policies_dir: Path) -> TriageRules:
    """Read and compile risk.toml and replies.toml; the first problem raises PolicyError."""
    risk = _read(Path(policies_dir), "risk")
    categories = _categories(risk, risk.data.get("categories", {}))
    return TriageRules(
        risk=_risk_rules(risk, categories),
        replies=_reply_rules(_read(Path(policies_dir), "replies")),
        categories=tuple(categories.values()),
        read_by_a_person=_read_by_a_person(risk, risk.data.get("read_by_a_person", [])),
    )


def _read_by_a_person(source: TomlSource, value: Any) -> frozenset[str]:
    path = ("read_by_a_person",)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _error(source, path, 'must be a list of language codes in quotes, such as ["ro"]')
    for code in value:
        if not _LANGUAGE.match(code):
            raise _error(source, path, f"{code!r} is not a language code: two or three letters")
    return frozenset(value)


# --- risk.toml -------------------------------------------------------------------------


def _categories(source: TomlSource, data: Any) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for name, table in _table(source, ("categories",), data).items():
        path = ("categories", name)
        table = _table(source, path, table)
        _expect_keys(source, path, table, required=("says",), optional=("source",))
        for key in ("says", "source"):
            if key in table and (not isinstance(table[key], str) or not table[key].strip()):
                raise _error(
                    source, (*path, key), f"must be words in quotes, got {_shown(table[key])}"
                )
        categories[name] = Category(name, table["says"].strip(), table.get("source", "").strip())
    return categories


def _risk_rules(source: TomlSource, categories: dict[str, Category]) -> tuple[RiskRule, ...]:
    data = source.data
    _expect_keys(
        source,
        (),
        data,
        required=("emergency", "concern"),
        optional=("idioms", "words", "categories", "read_by_a_person"),
    )
    words = _words(source, data.get("words", {}))
    idioms = _idioms(source, data.get("idioms", {}), words)
    rules: list[RiskRule] = []
    for level in RISK_LEVELS:
        languages = _table(source, (level.value,), data[level.value])
        if not languages:
            raise _error(source, (level.value,), "must hold at least one language of rules")
        for language, named_rules in languages.items():
            if not _LANGUAGE.match(language):
                raise _error(
                    source,
                    (level.value, language),
                    "is not a language code: write two or three lower-case letters, such as "
                    "en, cy, pl or ur",
                )
            for name, rule in _table(source, (level.value, language), named_rules).items():
                rules.append(
                    _risk_rule(source, level, language, name, rule, idioms, words, categories)
                )
    return tuple(rules)


def _risk_rule(
    source: TomlSource,
    level: Risk,
    language: str,
    name: str,
    rule: Any,
    idioms: dict[str, Idiom],
    words: dict[str, str],
    categories: dict[str, Category],
) -> RiskRule:
    path = (level.value, language, name)
    if not isinstance(rule, dict):
        raise _error(
            source,
            path,
            f"must be a rule: a table [{_display(path)}] holding `patterns` (got {_shown(rule)})",
        )
    _expect_keys(source, path, rule, optional=("patterns", "lowered_by", "category", "near"))
    if "patterns" not in rule and "near" not in rule:
        raise _error(
            source, (*path, "patterns"), "is missing: a rule needs `patterns`, `near` or both"
        )
    patterns = _patterns(
        source, (*path, "patterns"), rule.get("patterns", []), words, empty="near" in rule
    )
    near = _near(source, (*path, "near"), rule.get("near", []), words)
    category = None
    if "category" in rule:
        if rule["category"] not in categories:
            known = ", ".join(f"'{n}'" for n in categories) or "none yet"
            raise _error(
                source,
                (*path, "category"),
                f"names the category {_shown(rule['category'])}, which no [categories] table "
                f"defines (defined: {known})",
            )
        category = categories[rule["category"]]
    lowered_by: list[Idiom] = []
    names = rule.get("lowered_by", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _error(source, (*path, "lowered_by"), "must be a list of idiom names in quotes")
    for idiom_name in names:
        if idiom_name not in idioms:
            known = ", ".join(f"'{n}'" for n in idioms) or "none yet"
            raise _error(
                source,
                (*path, "lowered_by"),
                f"names the idiom '{idiom_name}', which no [idioms] table defines "
                f"(defined: {known})",
            )
        lowered_by.append(idioms[idiom_name])
    return RiskRule(name, level, language, patterns, tuple(lowered_by), category, near)


def _near(
    source: TomlSource, path: tuple[str, ...], groups: Any, words: dict[str, str]
) -> tuple[tuple[re.Pattern[str], ...], ...]:
    if not isinstance(groups, list) or not all(
        isinstance(group, list) and len(group) >= 2 for group in groups
    ):
        raise _error(
            source,
            path,
            "must be a list of groups, each a list of two or more patterns: "
            "[['{self}', '{ending}']]",
        )
    return tuple(_patterns(source, path, group, words) for group in groups)


def _words(source: TomlSource, data: Any) -> dict[str, str]:
    """Shorthands for patterns; each may use the words defined above it."""
    words: dict[str, str] = {}
    for name, value in _table(source, ("words",), data).items():
        path = ("words", name)
        if not _WORD_NAME.match(name):
            raise _error(source, path, "must be a name in lower-case letters, digits and _")
        if not isinstance(value, str) or not value.strip():
            raise _error(source, path, f"must be a pattern in quotes, got {_shown(value)}")
        for used in _MACRO.findall(value):
            if used not in words:
                raise _error(source, path, f"uses {{{used}}}, which is not defined above it")
        filled = _MACRO.sub(lambda m: f"(?:{words[m.group(1)]})", value.strip())
        _compile(source, path, None, filled, {}, fragment=True)
        words[name] = filled
    return words


def _idioms(source: TomlSource, data: Any, words: dict[str, str]) -> dict[str, Idiom]:
    idioms: dict[str, Idiom] = {}
    for name, idiom in _table(source, ("idioms",), data).items():
        path = ("idioms", name)
        if not isinstance(idiom, dict):
            raise _error(source, path, f"must be a table holding `patterns`, got {_shown(idiom)}")
        _expect_keys(source, path, idiom, required=("patterns",))
        idioms[name] = Idiom(name, _patterns(source, (*path, "patterns"), idiom["patterns"], words))
    return idioms


# --- replies.toml ----------------------------------------------------------------------


def _reply_rules(source: TomlSource) -> ReplyRules:
    data = source.data
    if "other" in data:
        raise _error(
            source, ("other",), "takes no words: a reply is `other` when no other intent matches"
        )
    intents = tuple(intent.value for intent in REPLY_INTENTS)
    _expect_keys(source, (), data, required=("courtesy", "hedges", *intents), optional=("words",))
    words = _words(source, data.get("words", {}))
    courtesy = _patterns(source, ("courtesy",), data["courtesy"], words, bounded=False, empty=True)
    hedges = _patterns(source, ("hedges",), data["hedges"], words, empty=True)
    either = _either(courtesy)
    return ReplyRules(
        courtesy_before=re.compile(rf"^(?:{either} )+") if either else None,
        courtesy_after=re.compile(rf"(?: {either})+$") if either else None,
        hedges=hedges,
        intents=tuple(
            _intent_words(source, intent, data[intent.value], words) for intent in REPLY_INTENTS
        ),
    )


def _intent_words(
    source: TomlSource, intent: Intent, data: Any, words: dict[str, str]
) -> IntentWords:
    path = (intent.value,)
    if not isinstance(data, dict):
        raise _error(source, path, f"must be a table [{intent.value}], got {_shown(data)}")
    _expect_keys(source, path, data, optional=("whole_message", "cues"))
    if not data:
        raise _error(source, path, "must hold `whole_message`, `cues` or both")
    whole = _patterns(
        source,
        (*path, "whole_message"),
        data.get("whole_message", []),
        words,
        bounded=False,
        empty=True,
    )
    either = _either(whole)
    cues = _patterns(source, (*path, "cues"), data.get("cues", []), words, empty=True)
    return IntentWords(
        intent=intent,
        # "yes ok" and "no no" are whole replies too: one or more of the words, nothing else.
        whole_message=re.compile(rf"^{either}(?: {either})*$") if either else None,
        cues=cues,
    )


def _either(patterns: Iterable[re.Pattern[str]]) -> str:
    return "(?:" + "|".join(p.pattern for p in patterns) + ")" if patterns else ""


# --- patterns --------------------------------------------------------------------------


def _patterns(
    source: TomlSource,
    path: tuple[str, ...],
    values: Any,
    words: dict[str, str],
    *,
    bounded: bool = True,
    empty: bool = False,
) -> tuple[re.Pattern[str], ...]:
    if not isinstance(values, list):
        raise _error(source, path, f"must be a list of patterns in quotes, got {_shown(values)}")
    if not values and not empty:
        raise _error(source, path, "must hold at least one pattern")
    return tuple(
        _compile(source, path, index, value, words, bounded=bounded)
        for index, value in enumerate(values)
    )


def _compile(
    source: TomlSource,
    path: tuple[str, ...],
    index: int | None,
    raw: Any,
    words: dict[str, str],
    *,
    bounded: bool = True,
    fragment: bool = False,
) -> re.Pattern[str]:
    """One pattern: {words} filled in, `~` a gap of up to three words, folded like messages.

    A fragment (a [words] entry) may match nothing on its own: '(the )?' is a fine word.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise _pattern_error(
            source, path, index, raw, f"must be a pattern in quotes, got {_shown(raw)}"
        )
    text = re.sub(r" {2,}", " ", raw.strip())

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in words:
            known = ", ".join("{" + n + "}" for n in words) or "none"
            raise _pattern_error(
                source,
                path,
                index,
                raw,
                f"uses {{{name}}}, which [words] does not define ({known})",
            )
        return f"(?:{words[name]})"

    text = _TILDE.sub(lambda _: GAP, _MACRO.sub(fill, text))
    folded = fold_pattern(text)
    try:
        compiled = re.compile(
            f"{_STARTS_WORD}(?:{folded}){_ENDS_WORD}" if bounded else f"(?:{folded})"
        )
    except re.error as exc:
        raise _pattern_error(
            source, path, index, raw, f"is not a valid pattern ({exc.msg}): {raw!r}"
        ) from None
    if not fragment and (compiled.search("") or compiled.fullmatch("")):
        raise _pattern_error(
            source,
            path,
            index,
            raw,
            f"matches an empty message, so it would match anything: {raw!r}",
        )
    return compiled


# --- reading and errors ----------------------------------------------------------------


def _read(policies_dir: Path, name: str) -> TomlSource:
    display = f"policies/{name}.toml"
    path = policies_dir / f"{name}.toml"
    if not path.is_file():
        raise PolicyError(display, None, "", f"is missing from {policies_dir}")
    return read_toml(path, display)


def _table(source: TomlSource, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _error(source, path, f"must be a table [{_display(path)}], got {_shown(value)}")
    return value


def _expect_keys(
    source: TomlSource,
    path: tuple[str, ...],
    data: dict[str, Any],
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> None:
    known = [*required, *optional]
    for key in data:
        if key not in known:
            if not path and key == "none":
                problem = "is not a level of risk that has rules: write `emergency` or `concern`"
            else:
                close = difflib.get_close_matches(key, known, n=1)
                fix = f"did you mean `{close[0]}`?" if close else f"expected {', '.join(known)}"
                problem = f"is not a known setting here; {fix}"
            raise _error(source, (*path, key), problem)
    for key in required:
        if key not in data:
            raise _error(source, (*path, key), "is missing: the comments at the top describe it")


def _error(source: TomlSource, path: tuple[str, ...], problem: str) -> PolicyError:
    return PolicyError(source.file, _locate(source, path), _display(path), problem)


def _locate(source: TomlSource, path: tuple[str, ...]) -> int | None:
    """The key's line, or else the first table header inside it ([urgent.en."x"] for urgent)."""
    line = locate_line(source.text, list(path))
    if line is not None or not path:
        return line
    for number, text in enumerate(source.text.splitlines(), start=1):
        header = _HEADER.match(text)
        if header and _header_parts(header.group(1))[: len(path)] == list(path):
            return number
    return None


def _header_parts(raw: str) -> list[str]:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', raw.strip())
    return [part.strip().strip("\"'") for part in parts if part.strip()]


def _pattern_error(
    source: TomlSource, path: tuple[str, ...], index: int | None, raw: Any, problem: str
) -> PolicyError:
    """An error for one pattern in a list, on the line where that pattern is written."""
    line = _locate(source, path)
    if line is not None and index is not None and isinstance(raw, str) and raw:
        lines = source.text.splitlines()
        for number in range(line - 1, len(lines)):
            if raw in lines[number] or raw.replace("\\", "\\\\") in lines[number]:
                line = number + 1
                break
    key = _display(path) + (f"[{index + 1}]" if index is not None else "")
    return PolicyError(source.file, line, key, problem)


def _display(path: Iterable[str]) -> str:
    return ".".join(part if _BARE_KEY.match(part) else f'"{part}"' for part in path)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)
