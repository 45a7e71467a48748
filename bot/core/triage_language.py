"""Whether the risk rules can read a message at all.

A message in a language the rules are not written in would otherwise pass as `none`
without anyone having read it. It is marked "not checked for risk: language" and reaches
a person with the concern deadline. Two signs: the parent's own language has no rules,
or the message itself has enough words and not one of the everyday little words
("the", "i", "to"; "yn", "dw"; "nie", "jest"; "hai", "nahi", "ہے") of a language the rules read.
"""

from __future__ import annotations

import unicodedata

from bot.core.triage_normalise import Normalised, fold_char, squeeze

_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "ro": "Romanian",
    "es": "Spanish",
    "pt": "Portuguese",
    "bn": "Bengali",
    "pa": "Punjabi",
    "so": "Somali",
    "tr": "Turkish",
    "fr": "French",
    "lt": "Lithuanian",
}
# A message shorter than this says too little to tell its language ("da", "ok 👍").
_FEWEST_WORDS = 5
# Below this share of known words a message of five words or more is not read as ours.
_LEAST_KNOWN_SHARE = 0.34


def _key(word: str) -> str:
    return squeeze("".join(fold_char(c) for c in unicodedata.normalize("NFKC", word)))


FUNCTION_WORDS = frozenset(
    _key(w)
    for w in (
        # English
        """i me my you your he she it we they him her his our their them the a an and or
        but so to of in on at for with from by not no yes ok is am are was were be been
        have has had do does did will would can could should just this that there here
        what when where who how why if then than up down out about get got go going come
        coming see thanks thank please sorry hi hello bye love lol oh well very really too
        much all some any one day time today tomorrow tonight baby can not now still
        us yep yeah yea yup fine good great works work that's sure ta cheers""".split()
        # Welsh
        + """dw dwi yn ac ar y yr o mae fi ti ni chi nhw ddim dim iawn diolch bore da
        heddiw yfory methu gyda hi fe fo efo wedi ydw ydy oes fy dy ei ein eich eu hefyd
        ond achos pan beth babi""".split()
        # Polish
        + """w z na do nie tak jest jestem to że się mam ma dziękuję dzień dobry jak co
        ale czy bo mnie mi ja ty on ona my oni już jutro dzisiaj dziś proszę od za po
        przez dla tym ten ta jestem mogę nic""".split()
        # Urdu, in Roman letters and in Urdu script
        + """main mein hai hain nahi nahin aur ka ki ke ko se bhi kya ap aap mera meri
        mujhe tum hum yeh ye woh wo theek thik shukriya ji haan""".split()
        + "ہے ہیں میں نہیں اور کا کی کے کو سے بھی کیا آپ میرا میری".split()
        + "مجھے ہم یہ وہ ٹھیک شکریہ جی ہاں".split()
    )
)


def unread_language(
    message: Normalised,
    languages: frozenset[str],
    language: str | None,
    read_by_a_person: frozenset[str] = frozenset(),
    known_words: frozenset[str] = frozenset(),
) -> str | None:
    """Why the rules could not read this message, or None when they could.

    known_words are the words of the rules themselves; with the little words above, a
    message in a language the rules read has well over a third of its words among them.
    """
    if language and language in read_by_a_person:
        name = _LANGUAGE_NAMES.get(language, f"'{language}'")
        return f"the parent's language ({name}) has only starter rules, not yet reviewed"
    if language and language not in languages:
        name = _LANGUAGE_NAMES.get(language, f"'{language}'")
        return f"the parent's language ({name}) has no risk rules"
    # Times, dates and amounts ("10am", "3rd", "38.5") are no language's words.
    words = [w for w in message.key.split(" ") if w and w.isalpha()]
    if len(words) < _FEWEST_WORDS:
        return None
    known = sum(1 for w in words if w in FUNCTION_WORDS or w in known_words)
    if known / len(words) >= _LEAST_KNOWN_SHARE:
        return None
    return "too few of its words are in a language the risk rules read"
