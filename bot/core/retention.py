"""Retention: from the policy and an instant, the moments before which words are removed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionPolicy:
    message_bodies_months: int
    letters_months: int
    queue_items_months: int
    unmatched_messages_months: int


@dataclass(frozen=True)
class RetentionCutoffs:
    """Work that closed (or texts that arrived, for unmatched numbers) before these instants
    has passed its retention period."""

    message_bodies: datetime
    letters: datetime
    queue_items: datetime
    unmatched_messages: datetime


def months_before(at: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (or that month's last day)."""
    year, month = divmod(at.year * 12 + at.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return at.replace(year=year, month=month + 1, day=min(at.day, last_day))


def cutoffs(policy: RetentionPolicy, at: datetime) -> RetentionCutoffs:
    return RetentionCutoffs(
        message_bodies=months_before(at, policy.message_bodies_months),
        letters=months_before(at, policy.letters_months),
        queue_items=months_before(at, policy.queue_items_months),
        unmatched_messages=months_before(at, policy.unmatched_messages_months),
    )
