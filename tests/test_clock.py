"""The service's clock, and the demo's time travel: forwards only, and time goes on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock, parse_instant


def test_travelling_a_running_clock_moves_it_and_it_keeps_running() -> None:
    clock = Clock()
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    clock.travel_to(tomorrow)
    first = clock.now()
    assert first - tomorrow < timedelta(seconds=5)
    time.sleep(0.01)
    assert clock.now() > first


def test_travelling_a_frozen_clock_moves_it_and_it_stays_frozen() -> None:
    clock = Clock(parse_instant("2026-11-24T10:00:00Z"))
    clock.travel_to(parse_instant("2026-11-25T10:00:00Z"))
    assert clock.now() == clock.now() == parse_instant("2026-11-25T10:00:00Z")


def test_time_travel_never_goes_back() -> None:
    clock = Clock(parse_instant("2026-11-24T10:00:00Z"))
    with pytest.raises(ValueError, match="forwards only"):
        clock.travel_to(parse_instant("2026-11-24T09:00:00Z"))
    assert clock.now() == parse_instant("2026-11-24T10:00:00Z")
