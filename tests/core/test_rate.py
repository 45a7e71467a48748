"""The token bucket that keeps each sender to its send rate. Pure: times are given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.rate import available, full_bucket, take, wait_for

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def after(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_full_bucket_allows_one_seconds_worth_at_once() -> None:
    assert available(full_bucket(10, T0), T0) == 10
    assert available(full_bucket(0.5, T0), T0) == 1  # never less than one send


def test_sends_over_any_stretch_never_exceed_the_burst_plus_the_rate() -> None:
    bucket, sent = full_bucket(10, T0), 0
    for tick in range(0, 301):  # three seconds, asked every 10 ms
        at = after(tick / 100)
        while available(bucket, at):
            bucket, sent = take(bucket, at), sent + 1
    assert sent == 10 + 30


@pytest.mark.parametrize(
    ("rate", "spent", "seconds", "allowed"),
    [(10, 10, 0.1, 1), (10, 10, 0.05, 0), (10, 10, 5, 10), (2, 2, 1.0, 2), (2, 1, 0.25, 1)],
)
def test_time_refills_the_bucket_up_to_its_size(
    rate: float, spent: int, seconds: float, allowed: int
) -> None:
    bucket = take(full_bucket(rate, T0), T0, spent)
    assert available(bucket, after(seconds)) == allowed


def test_wait_says_when_the_next_send_is_allowed() -> None:
    bucket = take(full_bucket(4, T0), T0, 4)
    assert wait_for(bucket, T0) == timedelta(seconds=0.25)
    assert wait_for(bucket, after(0.25)) == timedelta(0)


def test_overspending_is_a_debt_that_time_repays() -> None:
    bucket = take(full_bucket(1, T0), T0, 3)
    assert available(bucket, after(2)) == 0
    assert available(bucket, after(3)) == 1


def test_a_clock_that_steps_back_adds_nothing() -> None:
    bucket = take(full_bucket(10, after(5)), after(5), 10)
    assert available(bucket, T0) == 0


def test_a_rate_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="rate must be above 0"):
        full_bucket(0, T0)
