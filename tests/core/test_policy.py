import re
import shutil
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.escalation import AlertChannel, EscalationRole
from bot.core.hours import Nation
from bot.core.model import Risk
from bot.core.policy import POLICY_FILES, OnCall, load_policies, policy_check_report
from bot.core.policy_errors import PolicyError

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
LONDON = ZoneInfo("Europe/London")

# Small but complete policy files, so the broken variants below have known line numbers.
HOURS = """\
timezone = "Europe/London"
nation = "england"
send_on_bank_holidays = false

[team]
name = "Test Team"
phone = "0306 999 0123"

[opening_hours]
mon = { opens = "09:00", closes = "17:00" }
tue = { opens = "09:00", closes = "17:00" }
wed = { opens = "09:00", closes = "17:00" }
thu = { opens = "09:00", closes = "17:00" }
fri = { opens = "09:00", closes = "17:00" }
sat = "closed"
sun = "closed"

[sending_hours]
mon = { opens = "08:00", closes = "20:00" }
tue = { opens = "08:00", closes = "20:00" }
wed = { opens = "08:00", closes = "20:00" }
thu = { opens = "08:00", closes = "20:00" }
fri = { opens = "08:00", closes = "20:00" }
sat = { opens = "08:00", closes = "20:00" }
sun = "closed"

[[closures]]
first_day = 2026-12-24
last_day = 2026-12-31
reason = "Christmas closure"
"""

OUT_OF_HOURS = """\
auto_reply = true
auto_reply_once_per_closed_period = true
safety_reply_at_concern = true

[on_call]
name = "Dr On Call"
mobile = "07700 900123"
role = "Perinatal on-call"
"""

ESCALATION = """\
[[emergency.in_hours]]
notify = ["allocated_practitioner", "duty_clinician"]
channels = ["console", "sms"]
acknowledge_within_minutes = 15

[[emergency.out_of_hours]]
notify = ["on_call", "duty_clinician"]
channels = ["console", "sms"]
acknowledge_within_minutes = 15

[[concern.in_hours]]
notify = ["allocated_practitioner"]
channels = ["console"]
acknowledge_within_minutes = 240

[[concern.in_hours]]
notify = ["duty_clinician"]
channels = ["console", "sms"]
acknowledge_within_minutes = 60

[[concern.out_of_hours]]
notify = ["on_call", "duty_clinician"]
channels = ["console", "sms"]
acknowledge_within_minutes = 60
"""

REMINDERS = """\
offsets_days = [2, 1]
send_at = "10:00"
letters_copy_referrer = true
max_segments = 3
reading_age = 9
"""

ENGAGEMENT = """\
follow_up_days = [3, 7]
time_limit_days = 14
six_month_follow_up = true
follow_up_after_closure_days = 182
"""

RETENTION = """
message_bodies_months = 24
letters_months = 24
queue_items_months = 12
unmatched_messages_months = 6
"""

COMPACT = {
    "hours": HOURS,
    "out_of_hours": OUT_OF_HOURS,
    "escalation": ESCALATION,
    "reminders": REMINDERS,
    "engagement": ENGAGEMENT,
    "retention": RETENTION,
}


def write_policies(directory: Path, **changed: str) -> Path:
    for name in POLICY_FILES:
        (directory / f"{name}.toml").write_text(changed.get(name, COMPACT[name]), encoding="utf-8")
    return directory


def test_the_shipped_policies_load_with_defaults_for_an_english_nhs_team():
    policies = load_policies(SHIPPED)
    assert policies.hours.nation is Nation.ENGLAND
    assert policies.hours.timezone == LONDON
    monday = policies.hours.opening_hours[0]
    assert (monday.opens, monday.closes) == (time(9), time(17))
    assert policies.hours.opening_hours[5:] == (None, None)
    assert policies.hours.sending_hours[5] is not None and policies.hours.sending_hours[6] is None
    assert (
        policies.out_of_hours.auto_reply and policies.out_of_hours.auto_reply_once_per_closed_period
    )
    first = policies.escalation.chain(Risk.EMERGENCY, "in_hours")[0]
    assert first.notify == (EscalationRole.ALLOCATED_PRACTITIONER, EscalationRole.DUTY_CLINICIAN)
    assert first.acknowledge_within == timedelta(minutes=15)
    concern = policies.escalation.chain(Risk.CONCERN, "in_hours")
    assert [step.acknowledge_within for step in concern][:2] == [
        timedelta(hours=4),
        timedelta(hours=1),
    ]
    assert policies.reminders.offsets_days == (2, 1)
    assert policies.engagement.follow_up_days == (3, 7)
    assert policies.engagement.time_limit_days == 14


@pytest.mark.parametrize("level", [Risk.EMERGENCY, Risk.CONCERN])
def test_shipped_out_of_hours_chains_act_within_the_hour(level):
    """Risk must not sit unread overnight: the first out-of-hours step has a short deadline."""
    first = load_policies(SHIPPED).escalation.chain(level, "out_of_hours")[0]
    assert first.acknowledge_within <= timedelta(hours=1)
    assert EscalationRole.DUTY_CLINICIAN in first.notify


@pytest.mark.parametrize("name", POLICY_FILES)
def test_every_key_in_the_shipped_files_has_a_comment_beside_it(name):
    lines = (SHIPPED / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if re.match(r"^\s*[A-Za-z_]+\s*=", line):
            assert "#" in line.split("=", 1)[1], f"{name}.toml line {number} has no comment"


def test_the_compact_policies_used_below_are_valid(tmp_path):
    policies = load_policies(write_policies(tmp_path))
    assert policies.hours.closures[0].reason == "Christmas closure"
    assert policies.out_of_hours.on_call == OnCall(
        "Dr On Call", "+447700900123", "Perinatal on-call"
    )
    assert policies.escalation.chain(Risk.CONCERN, "in_hours")[0].channels == (
        AlertChannel.CONSOLE,
    )


BROKEN = [
    # file, text to replace, replacement, line, key, words the message must contain
    (
        "hours",
        'mon = { opens = "09:00"',
        'mon = { opens = "9am"',
        10,
        "opening_hours.mon.opens",
        "must be HH:MM on the 24-hour clock, got '9am'",
    ),
    (
        "hours",
        'fri = { opens = "08:00", closes = "20:00" }',
        'fri = { opens = "21:00", closes = "20:00" }',
        23,
        "sending_hours.fri.opens",
        "must be before `closes` (20:00), got '21:00'",
    ),
    (
        "hours",
        'nation = "england"',
        'nation = "englnd"',
        2,
        "nation",
        "must be one of england, wales, scotland, northern_ireland, got 'englnd'",
    ),
    (
        "hours",
        'timezone = "Europe/London"',
        'timezone = "Europe/Lundon"',
        1,
        "timezone",
        "must be a timezone name",
    ),
    (
        "hours",
        "send_on_bank_holidays = false",
        "send_on_bank_holiday = false",
        3,
        "send_on_bank_holiday",
        "is not a known setting here; did you mean `send_on_bank_holidays`?",
    ),
    (
        "hours",
        'sat = "closed"\nsun',
        'sat = "shut"\nsun',
        15,
        "opening_hours.sat",
        "\"closed\", got 'shut'",
    ),
    (
        "hours",
        "last_day = 2026-12-31",
        "last_day = 2026-12-01",
        29,
        "closures[1].last_day",
        "must not be before `first_day`",
    ),
    ("hours", 'name = "Test Team"', 'name = "Test Team', 6, "", "is not valid TOML"),
    (
        "out_of_hours",
        "auto_reply = true",
        'auto_reply = "yes"',
        1,
        "auto_reply",
        "must be true or false, got 'yes'",
    ),
    (
        "out_of_hours",
        'mobile = "07700 900123"',
        'mobile = "call Sam"',
        7,
        "on_call.mobile",
        "must be a mobile number",
    ),
    (
        "escalation",
        'notify = ["duty_clinician"]',
        'notify = ["duty_doctor"]',
        17,
        "concern.in_hours[2].notify",
        "must hold only allocated_practitioner, duty_clinician, clinical_lead, administrator, "
        "on_call, got 'duty_doctor'",
    ),
    (
        "escalation",
        'channels = ["console"]',
        'channels = ["console", "email"]',
        13,
        "concern.in_hours[1].channels",
        "got 'email'",
    ),
    (
        "escalation",
        "acknowledge_within_minutes = 60\n\n[[concern.out",
        "\n\n[[concern.out",
        16,
        "concern.in_hours[2].acknowledge_within_minutes",
        "is missing",
    ),
    (
        "escalation",
        "[[emergency.out_of_hours]]",
        "[[emergency.out_of_hour]]",
        6,
        "emergency.out_of_hour",
        "did you mean `out_of_hours`?",
    ),
    (
        "reminders",
        "reading_age = 9\n",
        'reading_age = 9\ncolour = "blue"\n',
        6,
        "colour",
        "is not a known setting here; expected offsets_days, send_at,",
    ),
    (
        "reminders",
        'send_at = "10:00"',
        'send_at = "25:00"',
        2,
        "send_at",
        "must be HH:MM on the 24-hour clock, got '25:00'",
    ),
    (
        "reminders",
        "max_segments = 3",
        'max_segments = "3"',
        4,
        "max_segments",
        "must be a whole number, got '3'",
    ),
    (
        "engagement",
        "follow_up_days = [3, 7]",
        "follow_up_days = [3, 21]",
        1,
        "follow_up_days",
        "must all come before `time_limit_days` (14), got 21",
    ),
    (
        "retention",
        "letters_months = 24",
        "letters_months = 0",
        3,
        "letters_months",
        "must be between 1 and 1200, got 0",
    ),
    (
        "retention",
        "queue_items_months = 12",
        "queue_item_months = 12",
        4,
        "queue_item_months",
        "did you mean `queue_items_months`?",
    ),
    (
        "retention",
        "message_bodies_months = 24",
        'message_bodies_months = "two years"',
        2,
        "message_bodies_months",
        "must be a whole number, got 'two years'",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "line", "key", "words"), BROKEN)
def test_a_broken_policy_names_its_file_line_and_key(tmp_path, name, old, new, line, key, words):
    assert old in COMPACT[name]
    write_policies(tmp_path, **{name: COMPACT[name].replace(old, new, 1)})
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    error = caught.value
    assert (error.file, error.line, error.key) == (f"policies/{name}.toml", line, key)
    assert str(error).startswith(f"policies/{name}.toml line {line}: ")
    if key:
        assert f"`{key}`" in str(error)
    assert words in str(error)


def test_a_missing_setting_at_the_top_of_a_file_is_named(tmp_path):
    write_policies(tmp_path, reminders=REMINDERS.replace("reading_age = 9\n", ""))
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    assert str(caught.value) == (
        "policies/reminders.toml: `reading_age` is missing: policies/README.md describes it"
    )


def test_a_missing_policy_file_is_named(tmp_path):
    write_policies(tmp_path)
    (tmp_path / "engagement.toml").unlink()
    with pytest.raises(PolicyError, match=r"policies/engagement.toml: is missing"):
        load_policies(tmp_path)


def test_the_shipped_files_still_load_from_a_copy(tmp_path):
    """The loader reads whatever directory it is given, not the shipped one."""
    copy = tmp_path / "policies"
    shutil.copytree(SHIPPED, copy)
    hours = (copy / "hours.toml").read_text(encoding="utf-8")
    (copy / "hours.toml").write_text(hours.replace('"england"', '"scotland"', 1), encoding="utf-8")
    assert load_policies(copy).hours.nation is Nation.SCOTLAND


def test_policy_check_report_when_closed_over_christmas():
    report = policy_check_report(load_policies(SHIPPED), datetime(2026, 12, 25, 18, tzinfo=LONDON))
    assert report.splitlines()[1:4] == [
        "At Friday 25 December 2026 at 18:00 GMT the team is closed "
        "(Christmas Day, a bank holiday in England).",
        "It next opens on Tuesday 29 December 2026 at 09:00 GMT.",
        "Outside sending hours: non-urgent texts wait until Tuesday 29 December 2026 at 08:00 GMT.",
    ]


def test_policy_check_report_when_open_in_summer_time(tmp_path):
    policies = load_policies(write_policies(tmp_path))
    report = policy_check_report(policies, datetime(2026, 6, 15, 9, 30, tzinfo=ZoneInfo("UTC")))
    assert "At Monday 15 June 2026 at 10:30 BST the team is open." in report
    assert "It closes on Monday 15 June 2026 at 17:00 BST." in report
    assert "Sending hours are in force: non-urgent texts go now." in report
    assert "On call out of hours: Dr On Call (Perinatal on-call), +447700900123." in report
