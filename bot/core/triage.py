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
from bot.core.triage_normalise import Normalised, normalise, normalise_message
from bot.core.triage_rules import (
    Idiom,
    ReplyRules,
    RiskRule,
    TriageRules,
    load_triage_rules,
)

__all__ = [
    "TriageResult",
    "TriageRules",
    "load_triage_rules",
    "normalise",
    "triage",
]

_RANK = {Risk.NONE: 0, Risk.CONCERN: 1, Risk.EMERGENCY: 2}
_ONE_LEVEL_DOWN = {Risk.EMERGENCY: Risk.CONCERN, Risk.CONCERN: Risk.NONE}


@dataclass(frozen=True)
class TriageResult:
    risk: Risk
    intent: Intent
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"risk": self.risk.value, "intent": self.intent.value, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class _Finding:
    rule: RiskRule
    level: Risk
    words: str
    idiom: Idiom | None = None
    idiom_words: str = ""

    def reason(self) -> str:
        said = (
            f"{self.level}: rule '{self.rule.name}' ({self.rule.language}) matched '{self.words}'"
        )
        if self.idiom is None:
            return said
        return (
            f"{said}, lowered from {self.rule.level} by idiom '{self.idiom.name}' "
            f"('{self.idiom_words}')"
        )


def triage(text: str, rules: TriageRules, locale: str | None = None) -> TriageResult:
    """The risk a message suggests and what it says about an appointment, with reasons."""
    message = normalise_message(text)
    findings = _risk_findings(message, rules.risk)
    # "d!e" and "w@nt" are letters to someone hiding a word, punctuation to everyone else
    # ("help!he hit me"): read both ways for risk, and keep each rule's stronger reading.
    disguised = normalise_message(text, signs_as_letters=True)
    if disguised.key != message.key:
        findings = _strongest_of_each_rule(findings + _risk_findings(disguised, rules.risk))
    language = _language(locale)
    findings.sort(key=lambda f: (-_RANK[f.level], f.rule.language != language))
    risk = findings[0].level if findings else Risk.NONE
    intent, intent_reasons = _intent(message, rules.replies)
    return TriageResult(risk, intent, (*(f.reason() for f in findings), *intent_reasons))


def _language(locale: str | None) -> str | None:
    return locale.replace("-", "_").split("_")[0].lower() if locale else None


# --- risk ------------------------------------------------------------------------------


def _risk_findings(message: Normalised, rules: tuple[RiskRule, ...]) -> list[_Finding]:
    """The strongest match of each rule that matched, after its own idioms."""
    findings = []
    for rule in rules:
        best: _Finding | None = None
        for pattern in rule.patterns:
            for match in pattern.finditer(message.key):
                finding = _judge(message, rule, match)
                if best is None or _RANK[finding.level] > _RANK[best.level]:
                    best = finding
                if best.level is rule.level:
                    break
            if best is not None and best.level is rule.level:
                break
        if best is not None:
            findings.append(best)
    return findings


def _strongest_of_each_rule(findings: list[_Finding]) -> list[_Finding]:
    strongest: dict[int, _Finding] = {}
    for finding in findings:
        held = strongest.get(id(finding.rule))
        if held is None or _RANK[finding.level] > _RANK[held.level]:
            strongest[id(finding.rule)] = finding
    return list(strongest.values())


def _judge(message: Normalised, rule: RiskRule, match: re.Match[str]) -> _Finding:
    """A rule's match, lowered one level when one of the rule's idioms covers the same words."""
    words = message.quote(*match.span())
    start, end = match.span()
    for idiom in rule.lowered_by:
        for pattern in idiom.patterns:
            for found in pattern.finditer(message.key):
                if found.start() < end and start < found.end():
                    lowered = _ONE_LEVEL_DOWN[rule.level]
                    return _Finding(rule, lowered, words, idiom, message.quote(*found.span()))
    return _Finding(rule, rule.level, words)


# --- intent ----------------------------------------------------------------------------


def _intent(message: Normalised, replies: ReplyRules) -> tuple[Intent, tuple[str, ...]]:
    key = message.key
    start, end = 0, len(key)
    if replies.courtesy_before and (found := replies.courtesy_before.match(key)):
        start = found.end()
    if replies.courtesy_after and (found := replies.courtesy_after.search(key, start)):
        end = found.start()
    reply = key[start:end]
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


def _cue(message: Normalised, patterns: tuple[re.Pattern[str], ...]) -> str:
    """The written words of the first cue found, or ''."""
    for pattern in patterns:
        found = pattern.search(message.key)
        if found:
            return message.quote(*found.span())
    return ""
