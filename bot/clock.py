"""The service's clock: real time, or frozen at CRADLE_NOW for tests and demonstrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; a naive one is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Clock:
    def __init__(self, frozen: datetime | None = None) -> None:
        self._frozen = frozen
        self._ahead = timedelta(0)

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._ahead

    def set(self, at: datetime) -> None:
        """Move a frozen clock (tests and `cradle tick --at`)."""
        self._frozen = at

    def travel_to(self, at: datetime) -> None:
        """The demo's time travel: from now on it is `at`, and time goes on from there.

        A running clock keeps running (so texts stay in order and deadlines keep counting);
        a frozen one stays frozen at `at`. Never backwards: what was stored stays in the past.
        """
        if at <= self.now():
            raise ValueError("time travel goes forwards only")
        if self._frozen is not None:
            self._frozen = at
        else:
            self._ahead = at - datetime.now(UTC)
