"""Reading age and long sentences, for English wording."""

from __future__ import annotations

import pytest

from bot.core.readability import long_sentences, reading_age, sentences, syllables

PLAIN = "Hi Sam, it's Jo. I will see you on Monday at 2pm. Reply YES if you can come."
HARD = (
    "The multidisciplinary perinatal psychotherapeutic assessment necessitates comprehensive "
    "documentation of intergenerational relational difficulties prior to intervention."
)


def test_plain_wording_reads_at_a_young_age() -> None:
    assert reading_age(PLAIN) <= 9


def test_dense_clinical_wording_reads_far_older() -> None:
    assert reading_age(HARD) > 18


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("change", 1),
        ("baby", 2),
        ("little", 2),
        ("centre", 2),
        ("Thursday", 2),
        ("appointment", 3),
        ("practitioner", 4),
        ("psychotherapy", 5),
    ],
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_long_sentences_are_listed_and_short_ones_are_not() -> None:
    long = (
        "If you would like to move your appointment to another day or time, please call "
        "the team on the number below."
    )
    text = f"Hi Sam. {long} Thank you."
    assert long_sentences(text) == [long]
    assert long_sentences(text, max_words=30) == []


def test_phone_numbers_do_not_make_a_sentence_long() -> None:
    text = "Call Samaritans on 116 123, NHS 111, or 999, or text SHOUT to 85258 now."
    assert long_sentences(text, max_words=10) == []


def test_line_breaks_end_sentences() -> None:
    assert sentences("Hi Sam\nSee you soon.\nJo, Little Steps") == [
        "Hi Sam",
        "See you soon.",
        "Jo, Little Steps",
    ]


def test_no_words_no_reading_age() -> None:
    assert reading_age("999") == 0.0
