"""Risk and reply triage of a parent's message, with the reasons, by the team's own rules.

Every inbound message is triaged before anything else. Risk comes from the phrase
rules in policies/risk.toml, intent from the reply words in policies/replies.toml; the
two are independent, so a message can cancel an appointment and suggest risk at once.
Every language's rules are checked whatever the parent's locale (parents mix
languages); the locale only puts the reasons in its own language first.

Missing a message that suggests risk is the failure that matters most, so an idiom may
lower a rule's match by one level only, and only for the rules that name that idiom:
an emergency phrase never drops below concern. A cancellation is never guessed: mixed
or hedged replies are `other`, for a person to read.

Pure and quick to import: `cradle triage` uses it without the rest of the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.model import Intent, Risk
from bot.core.triage_language import unread_language
from bot.core.triage_model import model_raise
from bot.core.triage_normalise import Normalised, normalise, normalise_message
from bot.core.triage_prefilter import required
from bot.core.triage_rules import (
    Idiom,
    ReplyRules,
    RiskRule,
    TriageRules,
    load_triage_rules,
)
from bot.core.triage_spelling import known_words, respell

__all__ = [
    "TriageResult",
    "TriageRules",
    "load_triage_rules",
    "normalise",
    "plain_reason",
    "triage",
]

_SIGNS = re.compile(r"[!@$|\u20ac]")
_RANK = {Risk.NONE: 0, Risk.CONCERN: 1, Risk.EMERGENCY: 2}
_ONE_LEVEL_DOWN = {Risk.EMERGENCY: Risk.CONCERN, Risk.CONCERN: Risk.NONE}
# Between the plain words staff read and the rule detail behind them, in every reason.
DETAIL = " — "
NOT_CHECKED = "Not checked for risk: language"
_BABY_HEALTH = frozenset({"infant_illness", "infant_injury"})


@dataclass(frozen=True)
class TriageResult:
    risk: Risk
    intent: Intent
    reasons: tuple[str, ...]
    categories: tuple[str, ...] = ()  # the kinds of risk found, strongest first
    checked: bool = True  # False: written in a language the rules do not read
    whole_reply: bool = False  # the message is only a reply word ("yes", "no thanks x")

    @property
    def baby_unwell(self) -> bool:
        """Every risk found is about the baby's health: the safety reply is worded for the baby."""
        return bool(self.categories) and set(self.categories) <= _BABY_HEALTH

    @property
    def unread_only(self) -> bool:
        """Raised only because the rules could not read the language, nothing found in it."""
        return not self.checked and not self.categories

    def to_json(self) -> dict[str, Any]:
        return {
            "risk": self.risk.value,
            "intent": self.intent.value,
            "reasons": list(self.reasons),
            "categories": list(self.categories),
        }


def plain_reason(reason: str) -> tuple[str, str]:
    """A stored reason as (what staff read, the rule detail behind it); old reasons whole."""
    plain, _, detail = reason.partition(DETAIL)
    return (plain, detail) if detail else (reason, "")


@dataclass(frozen=True)
class _Finding:
    rule: RiskRule
    level: Risk
    words: str
    idiom: Idiom | None = None
    idiom_words: str = ""
    how: str = ""  # how a layer beyond the plain phrase found it ("read 'sucidal' as ...")

    def reason(self) -> str:
        said = (
            f"{self.level}: rule '{self.rule.name}' ({self.rule.language}) matched '{self.words}'"
        )
        if self.how:
            said = f"{said} {self.how}"
        if self.idiom is not None:
            said = (
                f"{said}, lowered from {self.rule.level} by idiom '{self.idiom.name}' "
                f"('{self.idiom_words}')"
            )
        return f"{self.rule.says}{DETAIL}{said}"


def triage(text: str, rules: TriageRules, locale: str | None = None) -> TriageResult:
    """The risk a message suggests and what it says about an appointment, with reasons.

    The phrase rules decide first; each later layer may only raise the level, and says why.
    """
    message = normalise_message(text)
    findings = _risk_findings(message, rules)
    # "d!e" and "w@nt" are letters to someone hiding a word, punctuation to everyone else
    # ("help!he hit me"): read both ways for risk, and keep each rule's stronger reading.
    disguised = normalise_message(text, signs_as_letters=True) if _SIGNS.search(text) else message
    if disguised.key != message.key:
        findings = _strongest_of_each_rule(findings + _risk_findings(disguised, rules))
    # Run-together and misspelt words ("iwanttodie", "sucidal"), read again as rule words.
    respelt = respell(message, rules)
    if respelt is not None:
        again = _risk_findings(respelt.message, rules, how=respelt.how)
        findings = _raised_only(findings, again)
    language = _language(locale)
    findings.sort(key=lambda f: (-_RANK[f.level], f.rule.language != language))
    risk = findings[0].level if findings else Risk.NONE
    extra: list[str] = []
    # A phrase an idiom lowered has been read and judged a figure of speech: the model,
    # which cannot tell "I could kill him 😂" from a threat, does not overrule that.
    judged = any(f.idiom is not None for f in findings)
    scored = None if judged else model_raise(message.key, risk)
    if scored is not None:
        risk, why = scored
        extra.append(why)
    checked = True
    unread = unread_language(
        message, rules.languages, language, rules.read_by_a_person, known_words(rules)
    )
    if unread is not None:
        checked = False
        extra.append(f"{NOT_CHECKED}{DETAIL}{unread}; a person reads it")
        if _RANK[risk] < _RANK[Risk.CONCERN]:
            risk = Risk.CONCERN
    intent, intent_reasons = _intent(message, rules.replies)
    categories = tuple(
        dict.fromkeys(
            f.rule.category.name for f in findings if f.rule.category and f.level is not Risk.NONE
        )
    )
    return TriageResult(
        risk,
        intent,
        (*(f.reason() for f in findings), *extra, *intent_reasons),
        categories,
        checked,
        whole_reply=_is_whole_reply(message, rules.replies),
    )


def _language(locale: str | None) -> str | None:
    return locale.replace("-", "_").split("_")[0].lower() if locale else None


# --- risk ------------------------------------------------------------------------------


def _risk_findings(message: Normalised, rules: TriageRules, how: str = "") -> list[_Finding]:
    """The strongest match of each rule that matched, after its own idioms."""
    index = _index(rules)
    findings = []
    key = message.key
    worth = index.candidates(key)
    rule_of = index.rule_of
    places = {rule_of[pattern] for pattern in worth}
    risk = rules.risk
    for place in sorted(places):
        rule = risk[place]
        best: _Finding | None = None
        for pattern in rule.patterns:
            if id(pattern) not in worth:
                continue
            for match in pattern.finditer(key):
                finding = _judge(message, rule, match, how)
                if best is None or _RANK[finding.level] > _RANK[best.level]:
                    best = finding
                if best.level is rule.level:
                    break
            if best is not None and best.level is rule.level:
                break
        if (best is None or best.level is not rule.level) and rule.near:
            near = _near(message, rule, how, worth)
            if near is not None and (best is None or _RANK[near.level] > _RANK[best.level]):
                best = near
        if best is not None:
            findings.append(best)
    return findings


class _Index:
    """Which patterns could match a key, from the first letters of the strings each needs.

    Built once per set of rules: each pattern is filed under the first two or three letters
    of every string it needs (triage_prefilter); a key's own two- and three-letter pieces
    then name the only patterns worth running. Patterns whose needs are unknown always run.
    """

    def __init__(self, rules: TriageRules) -> None:
        self.rules = rules
        self.by_start: dict[str, set[int]] = {}
        self.always: set[int] = set()
        self.rule_of: dict[int, int] = {}  # a pattern's id -> its rule's place in rules.risk
        self.needs: dict[int, tuple[str, ...]] = {}  # a pattern's id -> the strings it needs
        for place, rule in enumerate(rules.risk):
            for pattern in (*rule.patterns, *(p for group in rule.near for p in group)):
                self.rule_of[id(pattern)] = place
                needs = required(pattern)
                if needs is None:
                    self.always.add(id(pattern))
                    continue
                self.needs[id(pattern)] = needs
                for need in needs:
                    self.by_start.setdefault(need[:3], set()).add(id(pattern))

    def candidates(self, key: str) -> set[int]:
        filed: set[int] = set()
        by_start = self.by_start
        for i in range(len(key) - 1):
            for piece in (key[i : i + 2], key[i : i + 3]):
                hit = by_start.get(piece)
                if hit:
                    filed |= hit
        needs, contains = self.needs, key.__contains__
        # any(map(...)) stays in C: a generator here was a third of triage's time.
        return self.always | {p for p in filed if any(map(contains, needs[p]))}


_INDEX: list[_Index] = []


def _index(rules: TriageRules) -> _Index:
    if _INDEX and _INDEX[0].rules is rules:
        return _INDEX[0]
    _INDEX[:] = [_Index(rules)]
    return _INDEX[0]


# Concepts count as together when they are this many words apart or fewer: about a clause.
NEAR_WORDS = 10


def _near(message: Normalised, rule: RiskRule, how: str, worth: set[int]) -> _Finding | None:
    """The first group of the rule whose concepts all appear within a clause of each other."""
    key = message.key
    for group in rule.near:
        spans = []
        for pattern in group:
            found = [m.span() for m in pattern.finditer(key)] if id(pattern) in worth else []
            if not found:
                break
            spans.append(found)
        else:
            first = spans[0]
            for start, end in first:
                chosen = [(start, end)]
                for others in spans[1:]:
                    close = [
                        span
                        for span in others
                        if _words_between(key, chosen[0], span) <= NEAR_WORDS
                    ]
                    if not close:
                        break
                    chosen.append(close[0])
                else:
                    lo = min(s for s, _ in chosen)
                    hi = max(e for _, e in chosen)
                    said = " + ".join(f"'{message.quote(s, e)}'" for s, e in chosen)
                    finding = _judge_span(
                        message, rule, lo, hi, f"{how} (together: {said})".strip()
                    )
                    return finding
    return None


def _words_between(key: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    lo, hi = (a[1], b[0]) if a[0] <= b[0] else (b[1], a[0])
    return key.count(" ", lo, hi) if hi > lo else 0


def _strongest_of_each_rule(findings: list[_Finding]) -> list[_Finding]:
    strongest: dict[int, _Finding] = {}
    for finding in findings:
        held = strongest.get(id(finding.rule))
        if held is None or _RANK[finding.level] > _RANK[held.level]:
            strongest[id(finding.rule)] = finding
    return list(strongest.values())


def _raised_only(found: list[_Finding], again: list[_Finding]) -> list[_Finding]:
    """Findings of a later layer, kept only where they add a rule or raise its level."""
    held = {id(f.rule): f for f in found}
    for finding in again:
        before = held.get(id(finding.rule))
        if before is None or _RANK[finding.level] > _RANK[before.level]:
            held[id(finding.rule)] = finding
    return list(held.values())


def _judge(message: Normalised, rule: RiskRule, match: re.Match[str], how: str = "") -> _Finding:
    return _judge_span(message, rule, *match.span(), how)


def _judge_span(message: Normalised, rule: RiskRule, start: int, end: int, how: str) -> _Finding:
    """A rule's match, lowered one level when one of the rule's idioms covers the same words."""
    words = message.quote(start, end)
    for idiom in rule.lowered_by:
        for pattern in idiom.patterns:
            for found in pattern.finditer(message.key):
                if found.start() < end and start < found.end():
                    lowered = _ONE_LEVEL_DOWN[rule.level]
                    return _Finding(rule, lowered, words, idiom, message.quote(*found.span()), how)
    return _Finding(rule, rule.level, words, how=how)


# --- intent ----------------------------------------------------------------------------


def _reply_span(message: Normalised, replies: ReplyRules) -> tuple[int, int]:
    """Where the reply is, courtesies around it ("thanks", "x") left out."""
    key = message.key
    start, end = 0, len(key)
    if replies.courtesy_before and (found := replies.courtesy_before.match(key)):
        start = found.end()
    if replies.courtesy_after and (found := replies.courtesy_after.search(key, start)):
        end = found.start()
    return start, end


def _intent(message: Normalised, replies: ReplyRules) -> tuple[Intent, tuple[str, ...]]:
    start, end = _reply_span(message, replies)
    reply = message.key[start:end]
    # Before anything else: a parent saying their phone is read by someone else must never
    # be texted again, not even to acknowledge a "stop" said in the same message.
    said = _cue(message, replies.words(Intent.NOT_SAFE_TO_TEXT).cues)
    if said:
        return Intent.NOT_SAFE_TO_TEXT, (f"intent not safe to text: '{said}'",)
    # A reply that is only "STOP", "yes" or "no" (and "please", "thanks", "x") says it all.
    for intent in (Intent.STOP, Intent.START, Intent.HELP, Intent.CANCEL, Intent.CONFIRM):
        whole = replies.words(intent).whole_message
        if reply and whole is not None and whole.fullmatch(reply):
            return intent, (f"intent {intent}: the reply is '{message.quote(start, end)}'",)
    for intent in (Intent.STOP, Intent.START, Intent.HELP):
        said = _cue(message, replies.words(intent).cues)
        if said:
            return intent, (f"intent {intent}: '{said}'",)
    confirm = _cue(message, replies.words(Intent.CONFIRM).cues)
    cancel = _cue(message, replies.words(Intent.CANCEL).cues)
    reschedule = _cue(message, replies.words(Intent.RESCHEDULE).cues)
    if confirm and cancel:
        return Intent.OTHER, (
            f"intent other: confirms ('{confirm}') and cancels ('{cancel}') in one reply",
        )
    if reschedule:
        return Intent.RESCHEDULE, (f"intent reschedule: '{reschedule}'",)
    hedge = _cue(message, replies.hedges)
    if hedge and (confirm or cancel):
        kind, said = ("confirm", confirm) if confirm else ("cancel", cancel)
        return Intent.OTHER, (f"intent other: {kind} ('{said}') hedged by '{hedge}'",)
    if cancel:
        return Intent.CANCEL, (f"intent cancel: '{cancel}'",)
    if confirm:
        return Intent.CONFIRM, (f"intent confirm: '{confirm}'",)
    return Intent.OTHER, ()


def _is_whole_reply(message: Normalised, replies: ReplyRules) -> bool:
    """The message says nothing but a reply word, so no person needs to read it."""
    start, end = _reply_span(message, replies)
    reply = message.key[start:end]
    return bool(reply) and any(
        (whole := replies.words(intent).whole_message) is not None and whole.fullmatch(reply)
        for intent in (Intent.CONFIRM, Intent.CANCEL, Intent.RESCHEDULE)
    )


def _cue(message: Normalised, patterns: tuple[re.Pattern[str], ...]) -> str:
    """The written words of the first cue found, or ''."""
    for pattern in patterns:
        found = pattern.search(message.key)
        if found:
            return message.quote(*found.span())
    return ""
