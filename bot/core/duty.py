"""What the duty view says about an escalation: its chain so far, and how long ago. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo


@dataclass(frozen=True)
class Told:
    """One person told at one step of the chain."""

    step: int  # 0-based
    who: str  # "the practitioner (Amira Shah)", "on call"
    at: datetime


def chain_history(told: list[Told], current_step: int, tz: tzinfo) -> list[str]:
    """'Step 1, the practitioner (Amira Shah): not acknowledged by 10:20', then 'Now step 2,
    the clinical lead (Helen Price)'. A step was missed when the next one was told: that
    moment is its deadline."""
    steps: dict[int, list[Told]] = {}
    for notice in told:
        steps.setdefault(notice.step, []).append(notice)
    lines = []
    for step in sorted(steps):
        people = ", ".join(dict.fromkeys(t.who for t in steps[step]))
        if step < current_step:
            later = [t.at for s, ts in steps.items() if s > step for t in ts]
            by = min(later).astimezone(tz).strftime("%H:%M") if later else "its deadline"
            lines.append(f"Step {step + 1}, {people}: not acknowledged by {by}")
        else:
            lines.append(f"{'Now step' if current_step else 'Step'} {step + 1}, {people}")
    if current_step not in steps:
        lines.append(f"Now step {current_step + 1}: nobody could be told")
    return lines


def how_long_ago(then: datetime, now: datetime) -> str:
    """'just now', '4 minutes ago', '2 hours 5 minutes ago', '3 days ago'."""
    minutes = max(0, int((now - then).total_seconds()) // 60)
    if minutes < 1:
        return "just now"
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days ago"
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts) + " ago"


def tel_href(number: str) -> str:
    """A tel: link for a phone number as stored (E.164)."""
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")
