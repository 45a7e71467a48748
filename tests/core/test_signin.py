"""Sign-in rules: lock-out, slowing an address, the client's address, a session's end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import signin
from bot.core.signin import SessionState, SessionTimes

SIGNED_IN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_five_attempts_are_checked_and_the_sixth_is_refused_unchecked() -> None:
    assert [signin.account_locked(n) for n in range(1, 8)] == [False] * 5 + [True] * 2


def test_an_address_is_free_at_first_then_each_attempt_costs_more_up_to_a_limit() -> None:
    delays = [signin.address_delay(n) for n in range(1, 30)]
    assert delays[:20] == [0.0] * 20
    assert delays[20:24] == [0.25, 0.5, 1.0, 2.0]
    assert set(delays[24:]) == {signin.MAX_DELAY_SECONDS}


def test_attempts_sent_at_once_from_one_address_take_turns() -> None:
    next_free, waits = 0.0, []
    for attempts in range(21, 26):
        wait, next_free = signin.address_wait(attempts, 100.0, next_free)
        waits.append(wait)
    assert waits == [0.25, 0.75, 1.75, 3.75, 5.75]


def test_however_long_an_addresses_queue_nobody_waits_longer_than_the_limit() -> None:
    assert signin.address_wait(40, 100.0, 100.0 + signin.MAX_WAIT_SECONDS) == (
        signin.MAX_WAIT_SECONDS,
        100.0 + signin.MAX_WAIT_SECONDS,
    )


TRUSTED = signin.parse_networks("10.0.0.5, 192.168.1.0/24")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from our proxy: header ignored
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client forged the first
        ("10.0.0.5", "198.51.100.1, 192.168.1.7", "198.51.100.1"),  # through two of ours
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        (None, None, "unknown"),
    ],
)
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str | None, forwarded: str | None, client: str
) -> None:
    assert signin.client_address(peer, forwarded, TRUSTED) == client


def test_a_trusted_proxy_list_that_is_not_addresses_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'proxy.local'"):
        signin.parse_networks("10.0.0.1, proxy.local")


def _times(**changes: object) -> SessionTimes:
    base = {
        "created_at": SIGNED_IN,
        "last_seen_at": SIGNED_IN,
        "expires_at": signin.session_expiry(SIGNED_IN),
    }
    return SessionTimes(**{**base, **changes})  # type: ignore[arg-type]


def test_a_session_in_use_all_day_ends_twelve_hours_after_sign_in() -> None:
    hour = timedelta(hours=1)
    for hours in range(12):
        now = SIGNED_IN + hours * hour
        assert signin.session_state(_times(last_seen_at=now), now) is SessionState.LIVE
    now = SIGNED_IN + 13 * hour
    assert signin.session_state(_times(last_seen_at=now), now) is SessionState.EXPIRED


def test_a_session_left_alone_for_two_hours_ends_and_an_ended_one_stays_ended() -> None:
    assert signin.session_state(_times(), SIGNED_IN + timedelta(hours=2)) is SessionState.IDLE
    ended = _times(ended_at=SIGNED_IN)
    assert signin.session_state(ended, SIGNED_IN) is SessionState.ENDED
