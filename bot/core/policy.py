"""The team's policies: hours, out of hours, escalation, reminders and engagement.

Read from human-edited TOML files in policies/ and validated strictly: a wrong type,
a bad time, an unknown name or an unknown key (a typo must never quietly become a
default) raises a PolicyError naming the file, the line and the key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import hours as calendar
from bot.core.escalation import AlertChannel, ChainName, EscalationRole, EscalationStep
from bot.core.hours import Nation
from bot.core.model import Risk, Team
from bot.core.phones import PhoneNumberError, normalise_mobile
from bot.core.policy_errors import PolicyError, TomlSource, locate_line, read_toml
from bot.core.retention import RetentionPolicy

POLICY_FILES = ("hours", "out_of_hours", "escalation", "reminders", "engagement", "retention")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class DailyWindow:
    opens: time
    closes: time


@dataclass(frozen=True)
class Closure:
    """Days the team is closed besides weekends and bank holidays, inclusive."""

    first_day: date
    last_day: date
    reason: str


@dataclass(frozen=True)
class HoursPolicy:
    team: Team
    timezone: ZoneInfo
    nation: Nation
    opening_hours: tuple[DailyWindow | None, ...]  # Monday first; None is closed all day
    sending_hours: tuple[DailyWindow | None, ...]  # Monday first; None is no texts that day
    send_on_bank_holidays: bool
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True)
class OnCall:
    name: str
    mobile: str  # E.164
    role: str


@dataclass(frozen=True)
class OutOfHoursPolicy:
    auto_reply: bool
    auto_reply_once_per_closed_period: bool
    safety_reply_at_concern: bool  # emergencies always get a safety reply
    on_call: OnCall | None = None


@dataclass(frozen=True)
class EscalationChains:
    in_hours: tuple[EscalationStep, ...]
    out_of_hours: tuple[EscalationStep, ...]


@dataclass(frozen=True)
class EscalationPolicy:
    emergency: EscalationChains
    concern: EscalationChains

    def chain(self, level: Risk, chain: str) -> tuple[EscalationStep, ...]:
        """The steps for this level of risk and chain ("in_hours" or "out_of_hours")."""
        level, name = Risk(level), ChainName(chain)
        if level is Risk.NONE:
            raise ValueError("only concern and emergency are escalated")
        chains = self.emergency if level is Risk.EMERGENCY else self.concern
        return chains.in_hours if name is ChainName.IN_HOURS else chains.out_of_hours


@dataclass(frozen=True)
class ReminderPolicy:
    offsets_days: tuple[int, ...]  # largest first: [2, 1] is two days before, then one
    send_at: time  # team-local, moved into sending hours
    letters_copy_referrer: bool
    max_segments: int
    reading_age: int


@dataclass(frozen=True)
class EngagementPolicy:
    follow_up_days: tuple[int, ...]  # ascending, days after first contact
    time_limit_days: int
    six_month_follow_up: bool
    follow_up_after_closure_days: int


@dataclass(frozen=True)
class Policies:
    hours: HoursPolicy
    out_of_hours: OutOfHoursPolicy
    escalation: EscalationPolicy
    reminders: ReminderPolicy
    engagement: EngagementPolicy
    retention: RetentionPolicy

    @property
    def team(self) -> Team:
        return self.hours.team


def load_policies(policies_dir: Path) -> Policies:
    """Read and validate every policy file; the first problem raises PolicyError."""
    sources = {name: _read(Path(policies_dir), name) for name in POLICY_FILES}
    return Policies(
        hours=_hours(_Table(sources["hours"])),
        out_of_hours=_out_of_hours(_Table(sources["out_of_hours"])),
        escalation=_escalation(_Table(sources["escalation"])),
        reminders=_reminders(_Table(sources["reminders"])),
        engagement=_engagement(_Table(sources["engagement"])),
        retention=_retention(_Table(sources["retention"])),
    )


def policy_check_report(policies: Policies, at: datetime) -> str:
    """What `cradle policy check` prints: open or closed at `at`, and what comes next."""
    hours = policies.hours
    local = at.astimezone(hours.timezone)
    when = calendar.describe_instant(local)
    lines = [
        f"Team: {hours.team.name}, {hours.team.phone} "
        f"({hours.nation.display_name}, {hours.timezone.key})"
    ]
    closes = calendar.closes_at(hours, at)
    if closes is not None:
        lines.append(f"At {when} the team is open.")
        lines.append(f"It closes on {calendar.describe_instant(closes)}.")
    else:
        lines.append(f"At {when} the team is closed ({calendar.closed_reason(hours, at)}).")
        opens = calendar.next_opening(hours, at)
        lines.append(f"It next opens on {calendar.describe_instant(opens)}.")
    if calendar.in_sending_hours(hours, at):
        lines.append("Sending hours are in force: non-urgent texts go now.")
    else:
        resumes = calendar.describe_instant(calendar.next_sending_time(hours, at))
        lines.append(f"Outside sending hours: non-urgent texts wait until {resumes}.")
    on_call = policies.out_of_hours.on_call
    lines.append(
        f"On call out of hours: {on_call.name} ({on_call.role}), {on_call.mobile}."
        if on_call
        else "On call out of hours: nobody named in policies/out_of_hours.toml."
    )
    return "\n".join(lines)


# --- reading the files ---------------------------------------------------------------


def _read(policies_dir: Path, name: str) -> TomlSource:
    display = f"policies/{name}.toml"
    path = policies_dir / f"{name}.toml"
    if not path.is_file():
        raise PolicyError(display, None, "", f"is missing from {policies_dir}")
    return read_toml(path, display)


def _hours(top: _Table) -> HoursPolicy:
    top.expect_keys(
        "timezone",
        "nation",
        "send_on_bank_holidays",
        "team",
        "opening_hours",
        "sending_hours",
        optional=("closures",),
    )
    team = top.table("team")
    team.expect_keys("name", "phone")
    try:
        normalise_mobile(team.text("phone"), strict=False)
    except PhoneNumberError:
        raise team.error(
            "phone", f"must be a phone number, got {_shown(team.text('phone'))}"
        ) from None
    closures = tuple(_closure(item) for item in top.tables("closures"))
    return HoursPolicy(
        team=Team(name=team.text("name"), phone=team.text("phone")),
        timezone=_timezone(top),
        nation=top.choice("nation", Nation),
        opening_hours=_week(top.table("opening_hours")),
        sending_hours=_week(top.table("sending_hours")),
        send_on_bank_holidays=top.boolean("send_on_bank_holidays"),
        closures=closures,
    )


def _timezone(top: _Table) -> ZoneInfo:
    name = top.text("timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise top.error(
            "timezone", f"must be a timezone name such as 'Europe/London', got {_shown(name)}"
        ) from None


def _week(table: _Table) -> tuple[DailyWindow | None, ...]:
    table.expect_keys(*WEEKDAY_KEYS)
    week = tuple(table.window(day) for day in WEEKDAY_KEYS)
    if all(window is None for window in week):
        raise table.error(None, 'must have at least one day that is not "closed"')
    return week


def _closure(item: _Table) -> Closure:
    item.expect_keys("first_day", "reason", optional=("last_day",))
    first = item.day("first_day")
    last = item.day("last_day") if "last_day" in item.data else first
    if last < first:
        raise item.error("last_day", f"must not be before `first_day` ({first}), got {last}")
    if (last - first).days > 366:
        raise item.error("last_day", f"must be within a year of `first_day` ({first}), got {last}")
    return Closure(first_day=first, last_day=last, reason=item.text("reason"))


def _out_of_hours(top: _Table) -> OutOfHoursPolicy:
    top.expect_keys(
        "auto_reply",
        "auto_reply_once_per_closed_period",
        "safety_reply_at_concern",
        optional=("on_call",),
    )
    on_call = None
    if "on_call" in top.data:
        section = top.table("on_call")
        section.expect_keys("name", "mobile", "role")
        try:
            mobile = normalise_mobile(section.text("mobile"), strict=False)
        except PhoneNumberError:
            got = _shown(section.text("mobile"))
            raise section.error("mobile", f"must be a mobile number, got {got}") from None
        on_call = OnCall(name=section.text("name"), mobile=mobile, role=section.text("role"))
    return OutOfHoursPolicy(
        auto_reply=top.boolean("auto_reply"),
        auto_reply_once_per_closed_period=top.boolean("auto_reply_once_per_closed_period"),
        safety_reply_at_concern=top.boolean("safety_reply_at_concern"),
        on_call=on_call,
    )


def _escalation(top: _Table) -> EscalationPolicy:
    top.expect_keys(Risk.EMERGENCY.value, Risk.CONCERN.value)
    return EscalationPolicy(
        emergency=_chains(top.table(Risk.EMERGENCY.value)),
        concern=_chains(top.table(Risk.CONCERN.value)),
    )


def _chains(level: _Table) -> EscalationChains:
    level.expect_keys(*ChainName)
    chains = {}
    for name in ChainName:
        steps = level.tables(name.value)
        if not steps:
            raise level.error(name.value, "must have at least one [[step]] with someone to notify")
        chains[name.value] = tuple(_step(step) for step in steps)
    return EscalationChains(**chains)


def _step(step: _Table) -> EscalationStep:
    step.expect_keys("notify", "channels", "acknowledge_within_minutes")
    return EscalationStep(
        notify=step.choices("notify", EscalationRole),
        channels=step.choices("channels", AlertChannel),
        acknowledge_within=timedelta(
            minutes=step.integer("acknowledge_within_minutes", minimum=1, maximum=7 * 24 * 60)
        ),
    )


def _reminders(top: _Table) -> ReminderPolicy:
    top.expect_keys(
        "offsets_days", "send_at", "letters_copy_referrer", "max_segments", "reading_age"
    )
    offsets = top.integers("offsets_days", minimum=0, maximum=28)
    return ReminderPolicy(
        offsets_days=tuple(sorted(offsets, reverse=True)),
        send_at=top.clock("send_at"),
        letters_copy_referrer=top.boolean("letters_copy_referrer"),
        max_segments=top.integer("max_segments", minimum=1, maximum=10),
        reading_age=top.integer("reading_age", minimum=5, maximum=18),
    )


def _engagement(top: _Table) -> EngagementPolicy:
    top.expect_keys(
        "follow_up_days",
        "time_limit_days",
        "six_month_follow_up",
        "follow_up_after_closure_days",
    )
    limit = top.integer("time_limit_days", minimum=1, maximum=365)
    follow_ups = top.integers("follow_up_days", minimum=1, maximum=365)
    late = [days for days in follow_ups if days >= limit]
    if late:
        raise top.error(
            "follow_up_days",
            f"must all come before `time_limit_days` ({limit}), got {late[0]}",
        )
    return EngagementPolicy(
        follow_up_days=tuple(sorted(follow_ups)),
        time_limit_days=limit,
        six_month_follow_up=top.boolean("six_month_follow_up"),
        follow_up_after_closure_days=top.integer(
            "follow_up_after_closure_days", minimum=1, maximum=3 * 365
        ),
    )


def _retention(top: _Table) -> RetentionPolicy:
    keys = (
        "message_bodies_months",
        "letters_months",
        "queue_items_months",
        "unmatched_messages_months",
    )
    top.expect_keys(*keys)
    # At least a month: the team must be able to read a reply before its words can go.
    months = {key: top.integer(key, minimum=1, maximum=100 * 12) for key in keys}
    return RetentionPolicy(**months)


# --- strict access to one TOML table, with errors that point at the line ------------------


class _Table:
    """One table of a policy file, read strictly; errors name its file, line and key."""

    def __init__(
        self, source: TomlSource, path: tuple[str | int, ...] = (), data: Any = None
    ) -> None:
        self.source = source
        self.path = path
        self.data: dict[str, Any] = source.data if data is None else data

    def error(self, key: str | None, problem: str) -> PolicyError:
        path = self.path if key is None else (*self.path, key)
        return PolicyError(
            self.source.file, _locate(self.source.text, path), _display(path), problem
        )

    def expect_keys(self, *required: str, optional: tuple[str, ...] = ()) -> None:
        known = [*required, *optional]
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                fix = f"did you mean `{close[0]}`?" if close else f"expected {_listed(known)}"
                raise self.error(key, f"is not a known setting here; {fix}")
        for key in required:
            if key not in self.data:
                raise self.error(key, "is missing: policies/README.md describes it")

    def _value(self, key: str, accepted: tuple[type, ...], expected: str) -> Any:
        value = self.data[key]
        if not isinstance(value, accepted) or (isinstance(value, bool) and bool not in accepted):
            raise self.error(key, f"must be {expected}, got {_shown(value)}")
        return value

    def boolean(self, key: str) -> bool:
        return self._value(key, (bool,), "true or false")

    def integer(self, key: str, *, minimum: int, maximum: int) -> int:
        value = self._value(key, (int,), "a whole number")
        if not minimum <= value <= maximum:
            raise self.error(key, f"must be between {minimum} and {maximum}, got {value}")
        return value

    def integers(self, key: str, *, minimum: int, maximum: int) -> tuple[int, ...]:
        values = self._value(key, (list,), "a list of whole numbers, such as [2, 1]")
        for value in values:
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.error(key, f"must hold whole numbers only, got {_shown(value)}")
            if not minimum <= value <= maximum:
                raise self.error(key, f"must hold numbers from {minimum} to {maximum}, got {value}")
        if len(set(values)) != len(values):
            raise self.error(key, f"must not repeat a number, got {_shown(values)}")
        return tuple(values)

    def text(self, key: str) -> str:
        value = self._value(key, (str,), "text in quotes")
        if not value.strip():
            raise self.error(key, "must not be empty")
        return value.strip()

    def choice(self, key: str, kind: type[_E]) -> _E:
        value = self._value(key, (str,), f"one of {_listed(kind)}")
        try:
            return kind(value)
        except ValueError:
            raise self.error(key, f"must be one of {_listed(kind)}, got {_shown(value)}") from None

    def choices(self, key: str, kind: type[_E]) -> tuple[_E, ...]:
        values = self._value(key, (list,), f"a list of {_listed(kind)}")
        if not values:
            raise self.error(key, f"must name at least one of {_listed(kind)}")
        chosen: list[_E] = []
        for value in values:
            try:
                chosen.append(kind(value))
            except ValueError:
                problem = f"must hold only {_listed(kind)}, got {_shown(value)}"
                raise self.error(key, problem) from None
        if len(set(chosen)) != len(chosen):
            raise self.error(key, f"must not repeat a name, got {_shown(values)}")
        return tuple(chosen)

    def clock(self, key: str) -> time:
        value = self.data[key]
        if isinstance(value, time) and not (value.second or value.microsecond):
            return value
        match = _HH_MM.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.error(key, f"must be HH:MM on the 24-hour clock, got {_shown(value)}")
        return time(int(match.group(1)), int(match.group(2)))

    def day(self, key: str) -> date:
        value = self.data[key]
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(key, f"must be a date such as 2026-12-24, got {_shown(value)}")

    def window(self, key: str) -> DailyWindow | None:
        value = self.data[key]
        if value == "closed":
            return None
        if not isinstance(value, dict):
            example = '{ opens = "09:00", closes = "17:00" } or "closed"'
            raise self.error(key, f"must be {example}, got {_shown(value)}")
        hours = self.table(key)
        hours.expect_keys("opens", "closes")
        opens, closes = hours.clock("opens"), hours.clock("closes")
        if opens >= closes:
            raise hours.error(
                "opens", f"must be before `closes` ({closes:%H:%M}), got '{opens:%H:%M}'"
            )
        return DailyWindow(opens=opens, closes=closes)

    def table(self, key: str) -> _Table:
        value = self._value(key, (dict,), f"a table: [{'.'.join(map(str, (*self.path, key)))}]")
        return _Table(self.source, (*self.path, key), value)

    def tables(self, key: str) -> list[_Table]:
        """An array of tables ([[key]] blocks); an absent key is an empty list."""
        values = self.data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            name = ".".join(map(str, (*self.path, key)))
            raise self.error(key, f"must be written as [[{name}]] blocks, got {_shown(values)}")
        return [_Table(self.source, (*self.path, key, index), v) for index, v in enumerate(values)]


def _display(path: tuple[str | int, ...]) -> str:
    """`emergency.in_hours[2].notify`: items of a list are counted from 1, as people count."""
    shown = ""
    for part in path:
        shown += f"[{part + 1}]" if isinstance(part, int) else f"{'.' if shown else ''}{part}"
    return shown


_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_ASSIGNMENT = re.compile(r"""^\s*([A-Za-z0-9_\-"'. ]+?)\s*=""")


def _locate(text: str, path: tuple[str | int, ...]) -> int | None:
    """The line for a key path, counting [[array]] blocks for the numbered parts."""
    if not any(isinstance(part, int) for part in path):
        return locate_line(text, [str(part) for part in path])
    cut = next(i for i, part in enumerate(path) if isinstance(part, int))
    array, index, rest = [str(p) for p in path[:cut]], path[cut], [str(p) for p in path[cut + 1 :]]
    seen, block_line = -1, None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _ARRAY_HEADER.match(line)
        if header and _key_parts(header.group(1)) == array:
            seen += 1
            if seen == index:
                block_line = number
            elif seen > index:
                break
            continue
        if _ANY_HEADER.match(line):
            if block_line is not None:
                break
            continue
        assignment = _ASSIGNMENT.match(line)
        if block_line is not None and rest and assignment:
            if _key_parts(assignment.group(1)) == rest[:1]:
                return number
    return block_line or locate_line(text, array)


def _key_parts(raw: str) -> list[str]:
    return [p.strip().strip("\"'") for p in raw.split(".") if p.strip()]


def _listed(names: Any) -> str:
    return ", ".join(str(name) for name in names)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return str(value)
