"""SMS encoding (GSM-7 or UCS-2) and how many segments a text costs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import gsm0338  # noqa: F401  registers the "gsm03.38" codec

Encoding = Literal["GSM-7", "UCS-2"]

GSM_7: Encoding = "GSM-7"
UCS_2: Encoding = "UCS-2"

# Units (septets or UTF-16 code units) in one single-part text, and in each part of a split one:
# a split text spends some of every part on the header that puts the parts back together.
_SINGLE = {GSM_7: 160, UCS_2: 70}
_PER_PART = {GSM_7: 153, UCS_2: 67}


@dataclass(frozen=True)
class SegmentInfo:
    """What a text costs: its encoding, its length in units, and how it splits."""

    encoding: Encoding
    length_units: int  # septets for GSM-7 (extension characters count 2), UTF-16 units for UCS-2
    segments: int
    per_segment: int  # units one segment holds at this length (160/153 or 70/67)
    remaining_in_segment: int  # units left before the text needs another segment


@functools.lru_cache(maxsize=4096)  # the codec is slow per call; texts reuse few characters
def _gsm_septets(char: str) -> int | None:
    """Septets for one character in GSM-7 (2 for the extension table), None if it has none."""
    try:
        return len(char.encode("gsm03.38"))
    except UnicodeEncodeError:
        return None


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character has a GSM-7 code; one that has none makes it all UCS-2."""
    return GSM_7 if all(_gsm_septets(char) is not None for char in text) else UCS_2


def _units(text: str, encoding: Encoding) -> list[int]:
    """Indivisible units per character: a part never splits an escape pair or a surrogate pair."""
    if encoding == GSM_7:
        return [_gsm_septets(char) or 0 for char in text]
    return [len(char.encode("utf-16-le")) // 2 for char in text]


def _parts_needed(units: list[int], per_part: int) -> tuple[int, int]:
    """Parts a split text fills, and the units used in the last one."""
    parts, used = 1, 0
    for size in units:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return parts, used


def segment_info(text: str) -> SegmentInfo:
    """Encoding, length and segment count of a text as a UK mobile network bills it."""
    encoding = encoding_of(text)
    units = _units(text, encoding)
    length = sum(units)
    single = _SINGLE[encoding]
    if length <= single:
        segments = 1 if length else 0
        return SegmentInfo(encoding, length, segments, single, single - length)
    per_part = _PER_PART[encoding]
    parts, used_in_last = _parts_needed(units, per_part)
    return SegmentInfo(encoding, length, parts, per_part, per_part - used_in_last)
