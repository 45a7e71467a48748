"""Normalising a parent's message, and the rule patterns, into one comparable form.

Parents write on cheap phones, in a hurry, sometimes in distress: misspelt, text-speak,
no punctuation, letters held down ("pleaaase"), and now and then with look-alike or
invisible characters pasted in. Rules are matched against a *key*: folded to lower case
without accents, look-alikes mapped to Latin, every run of a repeated letter squeezed to
one ("kill", "killl" and "kil" are the same word), punctuation turned into spaces,
apostrophes dropped ("can't" is "cant") and text-speak expanded ("cant" is "can not").
Rule patterns go through the same folding and squeezing when they are loaded, so the
people who write them write ordinary words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Zero-width, bidirectional controls, soft hyphen, word joiners, variation selectors,
# emoji skin tones and tag characters: invisible, so they must not split or hide a word.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f]"
)
_APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032"

# Letters that look Latin but are not (Cyrillic, Greek, small capitals), after case folding.
_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "с": "c",
    "ѕ": "s", "т": "t", "у": "y", "ү": "y", "ԝ": "w", "х": "x", "ԁ": "d", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ς": "s", "μ": "u", "ω": "w",
    # small capitals and other Latin look-alikes
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ғ": "f", "ɢ": "g", "ʜ": "h",
    "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p",
    "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    "ı": "i",
    # letters that do not decompose into a base letter and an accent
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t",
    # Urdu typed on an Arabic keyboard: the same word, different code points
    "ي": "ی", "ى": "ی", "ے": "ی", "ك": "ک", "ه": "ہ", "ھ": "ہ", "ۃ": "ہ", "ة": "ہ",
}  # fmt: skip

# Digits written for letters inside a word: k1ll, su1c1de, d3ad (never 10am, 3rd or b4).
_LOOKALIKE_DIGITS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
# Signs written for letters: d!e, w@nt, $uicide. Read both ways, since "help!he hit me" is
# punctuation, not a letter: see normalise_message(signs_as_letters=...).
_LOOKALIKE_SIGNS = {"!": "i", "@": "a", "$": "s", "|": "l", "€": "e"}

# Text-speak and contractions, written as parents write them; keys and values are
# squeezed like everything else when this module loads.
_TEXT_SPEAK = {
    "wanna": "want to", "wana": "want to", "wanted2": "wanted to", "gonna": "going to",
    "gona": "going to", "gna": "going to", "gunna": "going to", "finna": "going to",
    "goin": "going", "gotta": "got to", "hafta": "have to", "tryna": "trying to",
    "lemme": "let me", "gimme": "give me",
    "kms": "kill myself", "kmsf": "kill myself", "kys": "kill yourself",
    "im": "i am", "ive": "i have", "iv": "i have", "weve": "we have", "youve": "you have",
    "theyve": "they have", "youre": "you are", "ure": "you are", "theyre": "they are",
    "hes": "he is", "shes": "she is", "thats": "that is", "whats": "what is",
    "theres": "there is", "youll": "you will", "theyll": "they will", "itll": "it will",
    "dont": "do not", "dnt": "do not", "doesnt": "does not",
    "dosnt": "does not", "didnt": "did not", "wont": "will not",
    "cant": "can not", "cnt": "can not", "carnt": "can not", "cannot": "can not",
    "couldnt": "could not", "cudnt": "could not", "wouldnt": "would not",
    "wudnt": "would not", "shouldnt": "should not", "isnt": "is not", "aint": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not",
    "havnt": "have not", "hasnt": "has not", "hadnt": "had not", "mustnt": "must not",
    "u": "you", "ya": "you", "ur": "your", "urself": "yourself", "r": "are", "b": "be",
    "c": "see", "cud": "could", "wud": "would", "shud": "should", "av": "have",
    "ave": "have", "hav": "have", "cum": "come", "cumin": "coming", "comin": "coming",
    "bby": "baby", "bbz": "baby", "baba": "baby", "bubs": "baby",
    "pls": "please", "plz": "please", "plse": "please", "pleas": "please",
    "2day": "today", "tday": "today", "2nite": "tonight", "2nyt": "tonight",
    "tonite": "tonight", "tonyt": "tonight", "2night": "tonight", "nite": "night",
    "nyt": "night", "tmrw": "tomorrow", "tmr": "tomorrow", "tmro": "tomorrow",
    "tmrow": "tomorrow", "tmoz": "tomorrow", "tomoz": "tomorrow", "2moz": "tomorrow",
    "2moro": "tomorrow", "2morow": "tomorrow", "2mrw": "tomorrow", "2morrow": "tomorrow",
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tmorrow": "tomorrow",
    "b4": "before", "l8r": "later", "l8": "late", "gr8": "great", "m8": "mate",
    "w8": "wait", "thx": "thanks", "thnx": "thanks", "thanx": "thanks", "tnx": "thanks",
    "ty": "thank you", "ta": "thanks", "k": "ok", "okay": "ok", "okey": "ok", "oki": "ok",
    "okie": "ok", "okies": "ok", "okk": "ok", "kk": "ok",
    "cos": "because", "coz": "because", "cuz": "because", "bc": "because",
    "bcos": "because", "bcoz": "because", "rn": "right now", "atm": "at the moment",
    "idk": "i do not know", "dunno": "do not know", "dno": "do not know",
    "cba": "can not be bothered", "ppl": "people", "sum1": "someone", "some1": "someone",
    "any1": "anyone", "no1": "no one", "noone": "no one", "every1": "everyone",
    "evry1": "everyone", "wiv": "with", "bout": "about", "abt": "about", "wat": "what",
    "wot": "what", "wht": "what", "luv": "love", "tho": "though", "tht": "that",
    "wen": "when", "msg": "message", "msgs": "messages", "msging": "messaging",
    "txt": "text", "txts": "texts", "txting": "texting", "txtin": "texting",
    "sry": "sorry", "soz": "sorry", "wk": "week", "nxt": "next", "appt": "appointment",
    "apt": "appointment", "apmt": "appointment", "ded": "dead",
    "mysef": "myself", "myslef": "myself", "meself": "myself", "maself": "myself",
    "mysel": "myself", "myselfe": "myself", "n": "and",
    "wnt": "want", "wnna": "want to", "rly": "really", "evry": "every", "nd": "and",
    "nothin": "nothing", "nuthin": "nothing", "bk": "back", "cus": "because",
    "jst": "just", "jus": "just", "wna": "want to", "wnted": "wanted", "wantd": "wanted",
    "tbh": "to be honest",
}  # fmt: skip
# Dropped final g: "cryin", "copin".
for _verb in (
    "breathing coping crying doing dying drinking feeling getting harming having hitting "
    "hurting kicking killing making messaging moving punching saying screaming shaking "
    "shouting sleeping starting struggling taking texting thinking using waking cutting "
    "beating choking living"
).split():
    _TEXT_SPEAK.setdefault(_verb[:-1], _verb)

# "want 2 die": 2 means "to" only after these words, never in "2 tablets".
_TWO_MEANS_TO_AFTER = frozenset(
    "want wanted wanting going need needs about ready trying try wish plan planning able go "
    "went".split()
)

_SQUEEZE = re.compile(r"([^\W\d_])\1+")


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character in key form: lower case, no accents, look-alikes mapped to Latin."""
    if char.isascii():
        return char.lower()
    out = []
    for part in unicodedata.normalize("NFKD", char.casefold()):
        if unicodedata.category(part) in ("Mn", "Me"):
            continue
        out.append(_HOMOGLYPHS.get(part, part))
    return "".join(out)


def squeeze(word: str) -> str:
    """Every run of one repeated letter becomes that letter once: "pleaaase" is "please"."""
    return _SQUEEZE.sub(r"\1", word)


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    if word.isascii():
        return word.lower()
    return "".join(fold_char(c) for c in unicodedata.normalize("NFKC", word))


def _key_words(raw: str) -> tuple[str, ...]:
    return tuple(squeeze(w) for w in _fold(raw).split())


# Looked up as written first ("bby" is baby), then squeezed ("plzzz" is "plz") only when
# letters were held down, so that a plain word ("by") never becomes another.
_EXPANSIONS = {_fold(short): _key_words(long) for short, long in _TEXT_SPEAK.items()}
_SQUEEZED_EXPANSIONS = {
    squeeze(_fold(short)): _key_words(long) for short, long in _TEXT_SPEAK.items()
}
_TWO_MEANS_TO = frozenset(squeeze(w) for w in _TWO_MEANS_TO_AFTER)


@dataclass(frozen=True)
class Normalised:
    """A message in key form, remembering which written word each key word came from."""

    key: str  # the key words joined by single spaces: what rules are matched against
    written: tuple[str, ...]  # the words as written (lower case), for quoting in reasons
    source: tuple[int, ...]  # for each key character: the index of its written word, or -1

    def quote(self, start: int, end: int) -> str:
        """The written words behind key[start:end]."""
        words = [self.source[i] for i in range(start, end) if self.source[i] >= 0]
        if not words:
            return self.key[start:end]
        return " ".join(self.written[min(words) : max(words) + 1])


def _unmask(text: str, lookalikes: dict[str, str]) -> str:
    """Look-alikes between two letters become letters: k1ll is kill, d!e is die.

    A sign or a zero may also start a word of three letters or more ($uicide, 0verdose);
    other digits may not (5mins, 3rd).
    """
    chars = list(text)
    for i, char in enumerate(text):
        if char not in lookalikes:
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        trailing = text[i + 1 : i + 4]
        between_letters = before.isascii() and before.isalpha() and after.isalpha()
        starts_word = (
            char not in "123456789"
            and not before.strip()
            and len(trailing) == 3
            and trailing.isascii()
            and trailing.isalpha()
        )
        if (between_letters and after.isascii()) or starts_word:
            chars[i] = lookalikes[char]
    return "".join(chars)


def _split_written(text: str) -> list[str]:
    """Words as written: apostrophes dropped, punctuation a space, each emoji a word of its own."""
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if char in _APOSTROPHES:
            continue
        category = unicodedata.category(char)
        if char.isspace() or category[0] in "PZC" or category in ("Sm", "Sc", "Sk"):
            if current:
                words.append("".join(current))
                current = []
        elif category == "So":
            if current:
                words.append("".join(current))
                current = []
            words.append(char)
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def normalise_message(text: str, *, signs_as_letters: bool = False) -> Normalised:
    """The message in key form, with the map back to the words as written.

    With signs_as_letters, "!", "@", "$" and "|" between letters are read as i, a, s, l.
    """
    text = _unmask(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text)), _LOOKALIKE_DIGITS)
    if signs_as_letters:
        text = _unmask(text, _LOOKALIKE_SIGNS)
    written = [w.casefold() for w in _split_written(text)]
    key_words: list[tuple[str, int]] = []
    for index, word in enumerate(written):
        folded = _fold(word)
        squeezed = squeeze(folded)
        if squeezed == "2" and key_words and key_words[-1][0] in _TWO_MEANS_TO:
            squeezed = "to"
        parts = _EXPANSIONS.get(folded)
        if parts is None and squeezed != folded:
            parts = _SQUEEZED_EXPANSIONS.get(squeezed)
        for part in parts or (squeezed,):
            if part:
                key_words.append((part, index))
    key_parts: list[str] = []
    source: list[int] = []
    for word, index in key_words:
        if key_parts:
            key_parts.append(" ")
            source.append(-1)
        key_parts.append(word)
        source.extend([index] * len(word))
    return Normalised("".join(key_parts), tuple(written), tuple(source))


def normalise(text: str) -> str:
    """The form rules are matched against: folded, squeezed, text-speak expanded."""
    return normalise_message(text).key


def fold_pattern(pattern: str) -> str:
    """A rule pattern in key form: folded and squeezed like messages, escapes left alone."""
    out: list[str] = []
    previous = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            previous = ""
            i += 2
            continue
        for part in fold_char(unicodedata.normalize("NFKC", char)) or "":
            if part.isalpha() and part == previous:
                continue
            out.append(part)
            previous = part if part.isalpha() else ""
        i += 1
    return "".join(out)
