"""The delivery dashboard's figures, worked out from plain counts: periods in the team's
time, failure reasons in plain words (as GOV.UK Notify shows them), and percentages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Provider error codes in words an administrator can act on (Twilio's codes, and ours).
FAILURE_REASONS = {
    "21211": "Not a valid phone number",
    "21614": "Not a mobile number",
    "30006": "Landline or a number that cannot receive texts",
    "30005": "Number unknown to the phone network",
    "30003": "Phone switched off or out of signal",
    "30004": "Texts blocked by the recipient",
    "21610": "Blocked by the parent's phone network (they replied STOP)",
    "30007": "Filtered by the phone network as unwanted",
    "30008": "Unknown error at the phone network",
    "telegram_blocked": "The parent blocked the Telegram bot",
}
DEFAULT_REASON = "Technical problem"

WAITING = ("queued", "sending", "sent")  # sent: handed to the provider, no receipt yet
FAILED = ("failed", "undelivered")


def failure_reason(code: str | None) -> str:
    if not code:
        return DEFAULT_REASON
    return FAILURE_REASONS.get(code, f"{DEFAULT_REASON} (error {code})")


def period_starts(now: datetime, tz: ZoneInfo) -> dict[str, datetime]:
    """Midnight today and on Monday of this week, in the team's time."""
    local = now.astimezone(tz)
    today = datetime.combine(local.date(), time(0), tz)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tz)
    return {"today": today, "this week": monday}


@dataclass(frozen=True)
class Totals:
    sent: int  # every text made for parents in the period, withdrawn ones left out
    delivered: int
    failed: int
    waiting: int

    @classmethod
    def from_statuses(cls, counts: dict[str, int]) -> Totals:
        delivered = counts.get("delivered", 0)
        failed = sum(counts.get(s, 0) for s in FAILED)
        waiting = sum(counts.get(s, 0) for s in WAITING)
        return cls(delivered + failed + waiting, delivered, failed, waiting)

    def share(self, part: int) -> str:
        return f"{100 * part / self.sent:.0f}%" if self.sent else "–"


@dataclass(frozen=True)
class Acknowledgement:
    raised: int
    within_deadline: int
    late: int
    still_open: int

    @property
    def share_within(self) -> str:
        done = self.within_deadline + self.late
        return f"{100 * self.within_deadline / done:.0f}%" if done else "–"
