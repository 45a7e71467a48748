"""Retention periods counted in calendar months."""

from datetime import UTC, datetime

import pytest

from bot.core.retention import RetentionPolicy, cutoffs, months_before


@pytest.mark.parametrize(
    ("at", "months", "expected"),
    [
        (datetime(2026, 11, 24, 10, tzinfo=UTC), 24, datetime(2024, 11, 24, 10, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(at, months, expected):
    assert months_before(at, months) == expected


def test_each_kind_has_its_own_cutoff():
    at = datetime(2026, 11, 24, tzinfo=UTC)
    found = cutoffs(RetentionPolicy(24, 12, 6, 1), at)
    assert (found.message_bodies.year, found.letters.year) == (2024, 2025)
    assert (found.queue_items.month, found.unmatched_messages.month) == (5, 10)
