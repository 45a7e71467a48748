"""A token bucket: how many sends a sender may make now, given the times it is asked at. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TokenBucket:
    """`rate` tokens a second flow in, up to `capacity`; each send spends one."""

    rate: float
    capacity: float
    tokens: float
    updated: datetime


def full_bucket(rate: float, at: datetime, capacity: float | None = None) -> TokenBucket:
    """A bucket that may spend a second's worth at once (never less than one)."""
    if rate <= 0:
        raise ValueError(f"rate must be above 0, got {rate}")
    size = capacity if capacity is not None else max(1.0, rate)
    return TokenBucket(rate=rate, capacity=size, tokens=size, updated=at)


def refill(bucket: TokenBucket, at: datetime) -> TokenBucket:
    """The bucket as it stands at `at`; a time earlier than the last one adds nothing."""
    elapsed = (at - bucket.updated).total_seconds()
    if elapsed <= 0:
        return bucket
    tokens = min(bucket.capacity, bucket.tokens + elapsed * bucket.rate)
    return replace(bucket, tokens=tokens, updated=at)


def available(bucket: TokenBucket, at: datetime) -> int:
    """Whole sends allowed at `at`."""
    # A hair of tolerance: 0.1 s at 10/s is 0.9999999 tokens in floating point.
    return max(0, math.floor(refill(bucket, at).tokens + 1e-9))


def take(bucket: TokenBucket, at: datetime, count: int = 1) -> TokenBucket:
    """The bucket after spending `count` tokens at `at`.

    Spending more than is there leaves a debt that time repays before the next send.
    """
    current = refill(bucket, at)
    return replace(current, tokens=current.tokens - count)


def wait_for(bucket: TokenBucket, at: datetime, count: int = 1) -> timedelta:
    """How long from `at` until `count` sends are allowed (zero if they are now)."""
    current = refill(bucket, at)
    missing = count - current.tokens
    if missing <= 1e-9:
        return timedelta(0)
    return timedelta(seconds=missing / current.rate)
