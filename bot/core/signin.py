"""Sign-in rules: how many attempts an account gets, how much a noisy address is slowed,
where a request really came from, and whether a session is still good.

Pure: the web layer counts attempts in the database and asks these functions what to do.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

ATTEMPT_WINDOW = timedelta(minutes=15)
MAX_ATTEMPTS_PER_ACCOUNT = 5  # wrong passwords in the window, then the account waits it out
FREE_ATTEMPTS_PER_ADDRESS = 20  # failed, from one address in the window, before it is slowed
FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 2.0
MAX_WAIT_SECONDS = 30.0  # the longest any attempt is held, however busy its address

SESSION_LIFETIME = timedelta(hours=12)  # a working day, from sign-in; it never slides
IDLE_LIMIT = timedelta(hours=2)  # without a request, the session ends

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def account_locked(attempts: int) -> bool:
    """`attempts` counts this one too: the sixth in a window is refused unchecked."""
    return attempts > MAX_ATTEMPTS_PER_ACCOUNT


def address_delay(attempts: int) -> float:
    """Seconds an attempt from an address with this many in the window (this one too) costs.

    Doubling from a quarter of a second past the free allowance, to at most two: guessing
    from one place becomes slow, and nobody's account is locked by what an address did.
    """
    over = attempts - FREE_ATTEMPTS_PER_ADDRESS
    if over <= 0:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(over - 1, 16))


def address_wait(attempts: int, now: float, next_free: float) -> tuple[float, float]:
    """(seconds to wait, when the address is next free) for one attempt.

    Attempts from one address take turns, each costing `address_delay`, so sending many at
    once is no faster than sending them one after another. However long the queue, nobody
    waits more than MAX_WAIT_SECONDS and nobody is refused: the right password still works,
    from a shared address too, and the account lock-out bounds the guesses.
    `now` and `next_free` are seconds on a monotonic clock.
    """
    delay = address_delay(attempts)
    if not delay:
        return 0.0, next_free
    slot = max(now, next_free) + delay
    if slot - now > MAX_WAIT_SECONDS:
        return MAX_WAIT_SECONDS, next_free
    return slot - now, slot


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.1, 192.168.0.0/24' -> networks; ValueError naming the part that is not one."""
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an IP address or network") from None
    return tuple(found)


def _within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str:
    """The address a request came from.

    X-Forwarded-For is believed only when the request came straight from a trusted proxy,
    and then only as far back as the proxies are trusted: the right-most address that is
    not itself a trusted proxy is the client (anything left of it the client could forge).
    """
    peer = peer or "unknown"
    if not forwarded_for or not _within(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a garbled header: fall back to what we know
        if not _within(hop, trusted):
            return hop
    return hops[0] if hops else peer


class SessionState(StrEnum):
    LIVE = "live"
    ENDED = "ended"  # signed out, or ended by an administrator or a deactivation
    EXPIRED = "expired"  # past its absolute lifetime
    IDLE = "idle"  # unused for longer than the idle limit


@dataclass(frozen=True)
class SessionTimes:
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None


def session_state(times: SessionTimes, now: datetime) -> SessionState:
    if times.ended_at is not None:
        return SessionState.ENDED
    if now >= times.expires_at:
        return SessionState.EXPIRED
    if now - times.last_seen_at >= IDLE_LIMIT:
        return SessionState.IDLE
    return SessionState.LIVE


def session_expiry(created_at: datetime) -> datetime:
    return created_at + SESSION_LIFETIME
