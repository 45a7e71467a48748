"""What a text costs: GSM-7 or UCS-2, and how many segments it is billed as."""

from __future__ import annotations

import pytest

from bot.core.sms import encoding_of, segment_info


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Reply YES to confirm, NO if you can't come", "GSM-7"),
        ("It costs £5, and ümlauts like ö are fine", "GSM-7"),
        ("The € sign and [brackets] are in the extension table", "GSM-7"),
        ("Helo, mae'n ddrwg gennym", "GSM-7"),
        ("Dewch â'ch babi", "UCS-2"),  # â is not in GSM-7
        ("Ŵyr", "UCS-2"),
        ("Spotkanie umówione", "UCS-2"),
        ("It’s Jo", "UCS-2"),  # a curly apostrophe pasted from a word processor
        ("See you soon 😊", "UCS-2"),
        ("شکریہ", "UCS-2"),
    ],
)
def test_one_character_outside_gsm7_makes_the_whole_text_ucs2(text: str, encoding: str) -> None:
    assert encoding_of(text) == encoding


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("£" * 160, "GSM-7", 160, 1),
        ("£" * 161, "GSM-7", 161, 2),
        ("€" * 80, "GSM-7", 160, 1),  # each € is an escape plus a septet
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "€", "GSM-7", 161, 2),
        ("a" * 459, "GSM-7", 459, 3),
        ("a" * 460, "GSM-7", 460, 4),
        ("ŵ" * 70, "UCS-2", 70, 1),
        ("ŵ" * 71, "UCS-2", 71, 2),
        ("ŵ" * 201, "UCS-2", 201, 3),
        ("ŵ" * 202, "UCS-2", 202, 4),
        ("😊" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
        ("😊" * 36, "UCS-2", 72, 2),
        ("a" * 69 + "😊", "UCS-2", 71, 2),
    ],
)
def test_segments_at_the_boundaries(text: str, encoding: str, units: int, segments: int) -> None:
    info = segment_info(text)
    assert (info.encoding, info.length_units, info.segments) == (encoding, units, segments)


def test_a_split_never_breaks_the_two_septets_of_an_extension_character() -> None:
    # 306 septets would fill exactly two parts of 153, but the € cannot straddle them.
    text = "a" * 152 + "€" + "a" * 152
    assert segment_info(text).length_units == 306
    assert segment_info(text).segments == 3


def test_a_split_never_breaks_an_emoji() -> None:
    text = "ŵ" * 66 + "😊" + "ŵ" * 66
    assert segment_info(text).length_units == 134
    assert segment_info(text).segments == 3


@pytest.mark.parametrize(
    ("text", "per_segment", "remaining"),
    [
        ("Hello", 160, 155),
        ("a" * 161, 153, 153 - 8),
        ("Dziękujemy", 70, 60),
        ("ŵ" * 71, 67, 67 - 4),
    ],
)
def test_room_left_in_the_current_segment(text: str, per_segment: int, remaining: int) -> None:
    info = segment_info(text)
    assert (info.per_segment, info.remaining_in_segment) == (per_segment, remaining)


def test_an_empty_text_costs_nothing() -> None:
    info = segment_info("")
    assert (info.encoding, info.length_units, info.segments) == ("GSM-7", 0, 0)
