"""What an outbound text is before it is stored, and when a failed one is tried again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.model import ChannelName

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=30)


@dataclass(frozen=True)
class OutboxDraft:
    """A text the core has decided to send; the shell stores it, then a worker sends it."""

    channel: ChannelName
    recipient: str
    purpose: str  # first_contact, reminder, safety_reply, escalation, reply ...
    body: str
    not_before: datetime
    parent_id: int | None = None
    staff_id: int | None = None
    family_id: int | None = None
    appointment_id: int | None = None
    template: str | None = None
    locale: str | None = None
    urgent: bool = False
    on_behalf_of: int | None = None
    dedupe_key: str | None = None  # the same key is stored once: keeps the scheduler idempotent
    encoding: str | None = None
    segments: int | None = None


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Capped exponential backoff with full jitter, after `attempts` failed tries (1-based)."""
    ceiling = min(MAX_DELAY, BASE_DELAY * (2 ** max(0, attempts - 1)))
    fraction = (rng or random).uniform(0.5, 1.0)
    return timedelta(seconds=ceiling.total_seconds() * fraction)


def should_give_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
