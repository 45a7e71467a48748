"""The service's clock: real time, or frozen at CRADLE_NOW for tests and demonstrations."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; a naive one is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Clock:
    def __init__(self, frozen: datetime | None = None) -> None:
        self._frozen = frozen

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def set(self, at: datetime) -> None:
        """Move a frozen clock (tests and `cradle tick --at`)."""
        self._frozen = at
