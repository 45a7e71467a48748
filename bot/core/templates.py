"""Message templates: the catalogue, rendering, validation, locale choice and dates in words.

A template is plain text with named placeholders in braces, `{parent_name}`; `{{` and `}}`
stand for literal braces. Nothing else inside braces is accepted, so a template edited in
the console can never reach attributes, indexes or format specifications.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime

from bot.core.discretion import RevealingWords
from bot.core.policy_errors import PolicyError, TomlSource, read_toml
from bot.core.readability import long_sentences, reading_age
from bot.core.sms import GSM_7, encoding_of, segment_info

FALLBACK_LOCALE = "en_GB"
STANDARD = "standard"
EASY_READ = "easy"
SMS = "sms"
LETTER = "letter"
CATALOGUE_FILE = "catalogue.toml"

Level = Literal["error", "warning"]
TemplateKey = tuple[str, str, str]  # (message, locale, variant)


class TemplateError(ValueError):
    """A template cannot be rendered: a placeholder is malformed, not allowed or has no value."""


@dataclass(frozen=True)
class Finding:
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


@dataclass(frozen=True)
class PlaceholderSpec:
    name: str
    description: str
    sample: str
    samples: Mapping[str, str] = field(default_factory=dict)  # per-locale samples, e.g. times

    def sample_for(self, locale: str) -> str:
        return self.samples.get(locale, self.sample)


@dataclass(frozen=True)
class MessageSpec:
    name: str
    kind: Literal["sms", "letter"]
    description: str
    placeholders: frozenset[str]  # the allow-list
    required: frozenset[str]  # placeholders every wording of the message must use

    @property
    def is_sms(self) -> bool:
        return self.kind == SMS


@dataclass(frozen=True)
class Catalogue:
    locales: tuple[str, ...]
    fallback_locale: str
    messages: Mapping[str, MessageSpec]
    placeholders: Mapping[str, PlaceholderSpec]
    jargon: Mapping[str, tuple[str, ...]]  # "default" applies to every locale
    reply_words: Mapping[str, Mapping[str, str]]  # locale -> intent -> word the texts ask for

    def spec(self, message: str) -> MessageSpec:
        try:
            return self.messages[message]
        except KeyError:
            raise TemplateError(f"there is no message called {message!r}") from None

    def jargon_for(self, locale: str) -> tuple[str, ...]:
        return self.jargon.get("default", ()) + self.jargon.get(locale, ())

    def sample_values(self, message: str, locale: str) -> dict[str, str]:
        """Realistic values for every placeholder the message allows, for previews and counts."""
        return {
            name: self.placeholders[name].sample_for(locale)
            for name in self.spec(message).placeholders
        }


# --- Placeholders --------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Field:
    name: str


@dataclass(frozen=True)
class _Parsed:
    pieces: tuple[str | _Field, ...]
    problems: tuple[str, ...]


@functools.lru_cache(maxsize=512)  # the same few templates are rendered thousands of times a tick
def _parse(template: str) -> _Parsed:
    """Split a template into literal text and fields, collecting anything malformed."""
    pieces: list[str | _Field] = []
    problems: list[str] = []
    text: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if template.startswith(("{{", "}}"), i):
            text.append(char)
            i += 2
        elif char == "{":
            end = template.find("}", i + 1)
            opens_again = template.find("{", i + 1)
            if end == -1 or -1 < opens_again < end:
                problems.append(
                    f"`{template[i : i + 20]}` has a {{ that is never closed; "
                    "write {{ to show a brace"
                )
                text.append(char)
                i += 1
                continue
            inner = template[i + 1 : end]
            if _NAME.fullmatch(inner):
                pieces.append("".join(text))
                text.clear()
                pieces.append(_Field(inner))
            else:
                problems.append(
                    f"`{template[i : end + 1]}` is not a placeholder: a placeholder is a name "
                    "in braces, like {parent_name}; write {{ and }} to show braces"
                )
            i = end + 1
        elif char == "}":
            problems.append("a } without its {; write }} to show a brace")
            text.append(char)
            i += 1
        else:
            text.append(char)
            i += 1
    pieces.append("".join(text))
    return _Parsed(tuple(piece for piece in pieces if piece != ""), tuple(problems))


def placeholders_in(template: str) -> set[str]:
    """Names of the placeholders a template uses; TemplateError if any brace is malformed."""
    parsed = _parse(template)
    if parsed.problems:
        raise TemplateError("; ".join(parsed.problems))
    return {piece.name for piece in parsed.pieces if isinstance(piece, _Field)}


def _fill(parsed: _Parsed, value_of: Mapping[str, str], default: str | None = None) -> str:
    out: list[str] = []
    for piece in parsed.pieces:
        if isinstance(piece, _Field):
            value = value_of.get(piece.name, default)
            out.append("{" + piece.name + "}" if value is None else value)
        else:
            out.append(piece)
    return "".join(out)


def render(template: str, values: Mapping[str, str], allowed: Collection[str]) -> str:
    """The template with each placeholder replaced by its value, inserted literally."""
    parsed = _parse(template)
    if parsed.problems:
        raise TemplateError("; ".join(parsed.problems))
    for piece in parsed.pieces:
        if isinstance(piece, _Field):
            if piece.name not in allowed:
                raise TemplateError(f"{{{piece.name}}} is not allowed in this message")
            if piece.name not in values:
                raise TemplateError(f"no value given for {{{piece.name}}}")
    return _fill(parsed, {name: str(value) for name, value in values.items()})


# --- Replies that would opt the parent out ----------------------------------------------------

# Twilio opts a number out when a parent sends one of these words alone: asking for one as a
# reply would silence every later text, reminders and safety replies included.
_OPT_OUT = r"(?:stopall|stop|cancel|unsubscribe|end|quit|revoke|opt-?out)"
# Verbs that come before what is sent (English, Welsh, Polish) ...
_SEND_VERB = re.compile(
    r"(?<![\w'’])(?:reply|respond|text|txt|send|type|answer|message|msg|sms|write\s+back"
    r"|atebwch|ateba|anfonwch|anfona|tecstiwch|tecstia"
    r"|odpisz|odpiszcie|odpisać|odpowiedz|odpowiedzieć|wyślij|wyślijcie|wysłać|napisz|napisać"
    r")(?![\w'’])",
    re.IGNORECASE,
)
# ... and Urdu's, which come after it ("STOP لکھ کر بھیجیں").
_SEND_VERB_AFTER = re.compile(r"(?<!\w)(?:جواب|بھیجیں|بھیج|لکھیں|لکھ)(?!\w)")
_FILLERS = r"(?:\s+(?:us|me|back|with|just|only|the\s+word|to\s+us|to\s+this\s+number))*"
_RIGHT_AFTER_VERB = re.compile(
    _FILLERS + r"\s*[:\-–]?\s*[\"'“‘]?(" + _OPT_OUT + r")(?![\w'’])", re.IGNORECASE
)
_WORD_OPT_OUT = re.compile(r"(?<![\w'’])(" + _OPT_OUT + r")(?![\w'’])", re.IGNORECASE)
_QUOTED_OPT_OUT = re.compile(r"[\"“‘']" + _OPT_OUT + r"[\"”’']", re.IGNORECASE)
_AS_LIST_OPTION = re.compile(
    r"(?:,|\bor|\band)\s+(" + _OPT_OUT + r")(?:\s+(?:to|if|for)\b|\s*[.,;!?)]|\s*$)",
    re.IGNORECASE,
)
_KEYWORD_THEN_PURPOSE = re.compile(r"(?<![\w'’])(" + _OPT_OUT + r")\s+(?:to|if)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n\u06D4\u061F]+")


def opt_out_reply_requests(text: str) -> list[str]:
    """Sentences that ask the reader to send STOP, CANCEL or another opt-out word.

    A request is an opt-out word written as a reply keyword after a verb of sending: right
    after the verb ("reply cancel", "text back STOP"), in capitals or quotes anywhere after it
    ("Atebwch STOP", 'reply "stop"'), or as one option of a list ("YES, NO or cancel").
    A capitalised opt-out word with a purpose ("STOP to opt out") is one even without a verb.
    Not requests: "we need to cancel", "reply NO to cancel", "you replied STOP", "text START".
    """
    found: list[str] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if sentence and _is_opt_out_request(sentence):
            found.append(sentence)
    return found


def _is_keyword(match: re.Match[str]) -> bool:
    return match.group(1).isupper()


def _is_opt_out_request(sentence: str) -> bool:
    if any(_is_keyword(found) for found in _KEYWORD_THEN_PURPOSE.finditer(sentence)):
        return True
    for verb in _SEND_VERB.finditer(sentence):
        after = sentence[verb.end() :]
        if (
            _RIGHT_AFTER_VERB.match(after)
            or _QUOTED_OPT_OUT.search(after)
            or any(_is_keyword(found) for found in _WORD_OPT_OUT.finditer(after))
            or _AS_LIST_OPTION.search(after)
        ):
            return True
    for verb in _SEND_VERB_AFTER.finditer(sentence):
        before = sentence[: verb.start()]
        if _QUOTED_OPT_OUT.search(before) or any(
            _is_keyword(found) for found in _WORD_OPT_OUT.finditer(before)
        ):
            return True
    return False


# --- Validation ----------------------------------------------------------------------------

_TYPOGRAPHIC = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
_READING_STAND_IN = "Sam"  # placeholders are read as one short word: their values are not prose


def _jargon_pattern(term: str) -> re.Pattern[str]:
    """A jargon term as a whole word or phrase; a word ending in * matches any ending."""
    words = [
        re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "")
        for word in term.split()
    ]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _segment_findings(rendered: str, template: str, max_segments: int) -> list[Finding]:
    findings: list[Finding] = []
    info = segment_info(rendered)
    why = ""
    if info.encoding != GSM_7:
        first = next(char for char in rendered if encoding_of(char) != GSM_7)
        why = f", UCS-2 because of {first!r}"
    where = f"{info.segments} SMS segments with sample values ({info.length_units} units{why})"
    if info.segments > max_segments:
        findings.append(Finding("error", f"is {where}; shorten it to {max_segments} or fewer"))
    elif info.segments > 2:
        findings.append(Finding("warning", f"is {where}; 2 or fewer is kinder to read and cheaper"))
    swaps = sorted({char for char in template if char in _TYPOGRAPHIC})
    if swaps and encoding_of(template.translate(str.maketrans(_TYPOGRAPHIC))) == GSM_7:
        shown = ", ".join(f"{char!r} with {_TYPOGRAPHIC[char]!r}" for char in swaps)
        findings.append(
            Finding(
                "warning",
                f"typographic characters make it UCS-2 (fewer characters "
                f"per segment); replace {shown}",
            )
        )
    return findings


def validate(
    message: str,
    locale: str,
    template: str,
    catalogue: Catalogue,
    *,
    max_segments: int,
    reading_age_target: float,
    jargon: Collection[str],
    revealing: Collection[str] = (),
) -> list[Finding]:
    """Everything wrong (errors) or worth a second look (warnings) in one wording of a message."""
    spec = catalogue.messages.get(message)
    if spec is None:
        return [Finding("error", f"{message!r} is not a message in the catalogue")]
    if not template.strip():
        return [Finding("error", "is empty")]
    findings: list[Finding] = []
    parsed = _parse(template)
    findings += [Finding("error", problem) for problem in parsed.problems]
    used = {piece.name for piece in parsed.pieces if isinstance(piece, _Field)}
    allowed = ", ".join(f"{{{name}}}" for name in sorted(spec.placeholders)) or "none"
    for name in sorted(used - spec.placeholders):
        findings.append(
            Finding("error", f"{{{name}}} is not a placeholder of {message} (allowed: {allowed})")
        )
    for name in sorted(spec.required - used):
        findings.append(Finding("error", f"must include {{{name}}}"))

    if spec.is_sms:
        rendered = _fill(parsed, catalogue.sample_values(message, locale))
        findings += _segment_findings(rendered, template, max_segments)

    if locale.startswith("en"):
        readable = _fill(parsed, {}, default=_READING_STAND_IN)
        age = reading_age(readable)
        if age > reading_age_target:
            findings.append(
                Finding(
                    "warning",
                    f"reading age {age:g} is above the target of "
                    f"{reading_age_target:g}: use shorter sentences and shorter words",
                )
            )
    for sentence in long_sentences(_fill(parsed, {}, default=_READING_STAND_IN)):
        findings.append(Finding("warning", f"long sentence (over 15 words): {sentence!r}"))
    for term in revealing:
        match = _jargon_pattern(term).search(template)
        if match:
            findings.append(
                Finding(
                    "error" if spec.is_sms else "warning",
                    f"uses {match.group()!r}, which tells anyone holding the phone what the"
                    " service is or a diagnosis (policies/discretion.toml): leave it out",
                )
            )
    for term in (t for t in jargon if t not in revealing):
        match = _jargon_pattern(term).search(template)
        if match:
            findings.append(
                Finding(
                    "warning",
                    f"uses {match.group()!r}: texts carry no clinical words "
                    "(someone else may read the phone)",
                )
            )
    for sentence in opt_out_reply_requests(template):
        findings.append(
            Finding(
                "error",
                f"asks for a reply that opts the parent out of all texts: "
                f"{sentence!r}; ask for YES, NO or CHANGE, or to call the team instead",
            )
        )
    return findings


# --- Files ---------------------------------------------------------------------------------


def _strings(source: TomlSource, key: tuple[str, ...], value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise source.error(key, 'must be a list of strings, like ["parent_name", "team_name"]')
    return tuple(value)


def _text(source: TomlSource, key: tuple[str, ...], value: Any) -> str:
    if value is None:
        raise source.error(key, "is missing")
    if not isinstance(value, str):
        raise source.error(key, f"must be text in quotes, got {value!r}")
    return value


def _table(source: TomlSource, key: tuple[str, ...], value: Any) -> dict[str, Any]:
    if value is None:
        raise source.error(key, f"is missing: add a [{'.'.join(key)}] table")
    if not isinstance(value, dict):
        raise source.error(key, "must be a table")
    return value


def _load_placeholders(source: TomlSource) -> dict[str, PlaceholderSpec]:
    placeholders: dict[str, PlaceholderSpec] = {}
    for name, raw in _table(source, ("placeholders",), source.data.get("placeholders")).items():
        key = ("placeholders", name)
        if not _NAME.fullmatch(name):
            raise source.error(key, "must be a name of letters, digits and _")
        table = _table(source, key, raw)
        samples = _table(source, (*key, "samples"), table.get("samples", {}))
        placeholders[name] = PlaceholderSpec(
            name=name,
            description=_text(source, (*key, "description"), table.get("description", "")),
            sample=_text(source, (*key, "sample"), table.get("sample")),
            samples={
                locale: _text(source, (*key, "samples", locale), value)
                for locale, value in samples.items()
            },
        )
    return placeholders


def _load_message(
    source: TomlSource, name: str, raw: Any, known: Mapping[str, PlaceholderSpec]
) -> MessageSpec:
    key = ("messages", name)
    table = _table(source, key, raw)
    kind = table.get("kind")
    if kind not in (SMS, LETTER):
        raise source.error((*key, "kind"), f'must be "sms" or "letter", got {kind!r}')
    allowed = _strings(source, (*key, "placeholders"), table.get("placeholders", []))
    required = _strings(source, (*key, "required"), table.get("required", []))
    for placeholder in allowed:
        if placeholder not in known:
            raise source.error(
                (*key, "placeholders"),
                f"names {placeholder!r}, which has no [placeholders.{placeholder}] table",
            )
    for placeholder in required:
        if placeholder not in allowed:
            raise source.error((*key, "required"), f"names {placeholder!r}, not in placeholders")
    return MessageSpec(
        name=name,
        kind=kind,
        description=_text(source, (*key, "description"), table.get("description", "")),
        placeholders=frozenset(allowed),
        required=frozenset(required),
    )


def load_catalogue(messages_dir: Path) -> Catalogue:
    """Read messages/catalogue.toml; a PolicyError names the file, line and key of a mistake."""
    source = read_toml(messages_dir / CATALOGUE_FILE)
    data = source.data
    locales = _strings(source, ("locales",), data.get("locales"))
    fallback = _text(source, ("fallback_locale",), data.get("fallback_locale", FALLBACK_LOCALE))
    if fallback not in locales:
        raise source.error(("fallback_locale",), f"must be one of the locales, got {fallback!r}")
    placeholders = _load_placeholders(source)
    messages_table = _table(source, ("messages",), data.get("messages"))
    messages = {
        name: _load_message(source, name, raw, placeholders) for name, raw in messages_table.items()
    }
    jargon = {
        group: _strings(source, ("jargon", group), terms)
        for group, terms in _table(source, ("jargon",), data.get("jargon", {})).items()
    }
    reply_words = {
        locale: {
            intent: _text(source, ("reply_words", locale, intent), word)
            for intent, word in _table(source, ("reply_words", locale), words).items()
        }
        for locale, words in _table(source, ("reply_words",), data.get("reply_words", {})).items()
    }
    return Catalogue(tuple(locales), fallback, messages, placeholders, jargon, reply_words)


def _key_for(path: Path) -> TemplateKey:
    name = path.name.removesuffix(".txt")
    if name.endswith("." + EASY_READ):
        return name.removesuffix("." + EASY_READ), path.parent.name, EASY_READ
    return name, path.parent.name, STANDARD


def _read_template(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(str(path), None, "", f"is not UTF-8 text ({exc.reason})") from None
    return text.rstrip()  # editors add a final newline that would cost a character in an SMS


def _template_files(messages_dir: Path) -> list[Path]:
    return sorted(path for path in messages_dir.glob("*/*.txt") if path.is_file())


def load_defaults(messages_dir: Path) -> dict[TemplateKey, str]:
    """Every wording on disk, keyed by (message, locale, variant): variant "standard" or "easy"."""
    return {_key_for(path): _read_template(path) for path in _template_files(messages_dir)}


def choose_template(
    texts: Mapping[TemplateKey, str], message: str, locale: str, easy_read: bool
) -> tuple[str, str, bool]:
    """(template, locale used, fell back): the parent's language first, then en_GB.

    Easy-read is used when asked for and written in that language; a parent's own language
    matters more than easy-read, so a standard wording in it beats an English easy-read one.
    """
    variants = (EASY_READ, STANDARD) if easy_read else (STANDARD,)
    for candidate in dict.fromkeys((locale, FALLBACK_LOCALE)):
        for variant in variants:
            template = texts.get((message, candidate, variant))
            if template is not None:
                return template, candidate, candidate != locale
    raise TemplateError(f"no wording of {message!r} in {locale} or {FALLBACK_LOCALE}")


def lint(
    messages_dir: Path,
    *,
    max_segments: int = 3,
    reading_age_target: float = 9,
    revealing: RevealingWords | None = None,
) -> list[tuple[str, Finding]]:
    """(file, finding) for every problem in messages/: missing locales, then each wording."""
    catalogue_path = messages_dir / CATALOGUE_FILE
    try:
        catalogue = load_catalogue(messages_dir)
    except PolicyError as exc:
        return [(str(catalogue_path), Finding("error", str(exc)))]
    except FileNotFoundError:
        return [(str(catalogue_path), Finding("error", "is missing: it lists every message"))]

    results: list[tuple[str, Finding]] = []
    for locale in catalogue.locales:
        for name, spec in catalogue.messages.items():
            path = messages_dir / locale / f"{name}.txt"
            if not path.is_file():
                results.append(
                    (
                        str(path),
                        Finding(
                            "error",
                            f"is missing: write the {locale} wording of "
                            f"{name} ({spec.description or spec.kind}) here",
                        ),
                    )
                )
    for path in _template_files(messages_dir):
        message, locale, _variant = _key_for(path)
        if locale not in catalogue.locales:
            results.append(
                (
                    str(path),
                    Finding(
                        "warning",
                        f"{locale!r} is not in `locales` of {catalogue_path}, so it is never used",
                    ),
                )
            )
            continue
        if message not in catalogue.messages:
            results.append(
                (
                    str(path),
                    Finding(
                        "warning", f"{message!r} is not in {catalogue_path}, so it is never used"
                    ),
                )
            )
            continue
        try:
            template = _read_template(path)
        except PolicyError as exc:
            results.append((str(path), Finding("error", exc.problem)))
            continue
        findings = validate(
            message,
            locale,
            template,
            catalogue,
            max_segments=max_segments,
            reading_age_target=reading_age_target,
            jargon=catalogue.jargon_for(locale),
            revealing=(revealing or RevealingWords()).for_locale(locale),
        )
        results += [(str(path), finding) for finding in findings]
    return results


# --- Dates, times and plurals ----------------------------------------------------------------

# Per-locale patterns: quoted words stay exactly as written, so each locale needs its own.
# (pattern with minutes, pattern on the hour)
_WHEN_PATTERNS: dict[str, tuple[str, str]] = {
    "en_GB": ("EEEE d MMMM 'at' h:mma", "EEEE d MMMM 'at' ha"),
    "cy": ("EEEE d MMMM 'am' H:mm", "EEEE d MMMM 'am' H:mm"),
    "pl": ("EEEE, d MMMM 'o' H:mm", "EEEE, d MMMM 'o' H:mm"),
    "ur": ("EEEE d MMMM، B h:mm 'بجے'", "EEEE d MMMM، B h 'بجے'"),
}


@functools.lru_cache(maxsize=4096)  # babel is slow; a day's appointments share a few times
def _format_when(dt: datetime, locale: str, tz: ZoneInfo) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if locale not in _WHEN_PATTERNS:
        locale = FALLBACK_LOCALE  # the wording falls back to English, so the date does too
    with_minutes, on_the_hour = _WHEN_PATTERNS[locale]
    local = dt.astimezone(tz)
    pattern = on_the_hour if local.minute == 0 else with_minutes
    return format_datetime(dt, pattern, tzinfo=tz, locale=locale)


def format_appointment_time(dt: datetime, locale: str, tz: ZoneInfo) -> str:
    """An appointment's day, date and time as a parent reads it: "Thursday 3 July at 2:05pm"."""
    return _format_when(dt, locale, tz)


def format_next_opening(dt: datetime, locale: str, tz: ZoneInfo) -> str:
    """When the team next opens: "Monday 4 January at 9am"."""
    return _format_when(dt, locale, tz)


def plural_category(n: int, locale: str) -> str:
    """The CLDR plural category of n: Welsh has zero, one, two, few, many and other."""
    return Locale.parse(locale).plural_form(n)


def pluralise(n: int, forms: Mapping[str, str], locale: str) -> str:
    """The form for n's plural category, or the "other" form when that category is not given."""
    category = plural_category(n, locale)
    if category in forms:
        return forms[category]
    if "other" in forms:
        return forms["other"]
    raise TemplateError(f"no {category!r} or 'other' form for {n} in {locale}")
