"""The appointment loop end to end, over real HTTP with a frozen clock and `cradle tick --at`:
booking, confirmations and letters, reminders, replies, cancellations, the engagement time
limit, closure and the activity report."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import os
import sys
from pathlib import Path

from bot.clock import parse_instant
from bot.core.policy import OneParentSaysNo
from bot.runtime import dispatcher, pipeline, scheduler
from bot.store import outbox
from tests.builders import family_json, parent_json
from tests.conftest import ROOT, Live

CHLOE, DAN, RYAN = "07700 900101", "07700 900102", "07700 900103"
CHLOE_ADDRESS = "12 Hill Street, Bristol, BS1 4AB"
# Thursday 3 December 2026, 2pm in London: booked on Tuesday 24 November (the frozen "now").
THURSDAY = "2026-12-03T14:00"
CLINIC = "Rosebank Children's Centre, 4 Mill Lane"


# --- Helpers: each step as staff, a parent's phone or the scheduler would take it -------------


async def add_practitioner(live: Live, name: str = "Amira Shah") -> int:
    status, body = await live.api("POST", "/api/v1/practitioners", json={"name": name})
    assert status == 201, body
    return body["id"]


async def add_family(live: Live, parents: list[dict] | None = None, **extra: object) -> dict:
    """A family allocated to a practitioner, its first contact delivered."""
    practitioner = await add_practitioner(live)
    payload = family_json(
        parents=parents
        if parents is not None
        else [
            parent_json("Chloe Martin", CHLOE, wants_letters=True, address=CHLOE_ADDRESS),
            parent_json("Dan Martin", DAN, relationship="father"),
        ],
        practitioner_id=practitioner,
        **extra,
    )
    status, family = await live.api("POST", "/api/v1/families", json=payload)
    assert status == 201, family
    await dispatcher.dispatch_once(live.service)
    return {**family, "practitioner_id": practitioner}


async def book(live: Live, family: dict, **body: object) -> dict:
    body = {"starts_at": THURSDAY, "place": "clinic", "address": CLINIC, **body}
    status, booked = await live.api(
        "POST", f"/api/v1/families/{family['id']}/appointments", json=body
    )
    assert status == 201, booked
    return booked


async def tick(live: Live, instant: str) -> dict[str, int]:
    at = live.at(instant)
    return (await scheduler.tick(live.service, at)).counts


async def cradle_tick(live: Live, instant: str) -> dict:
    """The real `cradle tick --at`, in its own process, against the test's database."""
    settings = live.service.settings
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "CRADLE_DATABASE": str(settings.database),
        "CRADLE_POLICIES_DIR": str(settings.policies_dir),
        "CRADLE_MESSAGES_DIR": str(settings.messages_dir),
    }
    cradle = Path(sys.executable).with_name("cradle")
    command = [str(cradle)] if cradle.exists() else [sys.executable, "-m", "bot"]
    process = await asyncio.create_subprocess_exec(
        *command, "tick", "--at", instant,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])


async def from_phone(live: Live, number: str, body: str, instant: str | None = None) -> None:
    if instant:
        live.at(instant)
    assert await live.simulator_send(number, body) == 303
    await pipeline.process_pending(live.service)


async def texts(live: Live, family: dict, purpose: str | None = None) -> list[dict]:
    """Texts to the family's parents, as staff see them through the API."""
    status, body = await live.api("GET", f"/api/v1/families/{family['id']}/messages")
    assert status == 200
    out = [m for m in body["messages"] if m["direction"] == "out"]
    return [m for m in out if purpose is None or m["purpose"] == purpose]


def parent_id(family: dict, name: str) -> int:
    return next(p["id"] for p in family["parents"] if p["name"].startswith(name))


async def queue(live: Live, **query: object) -> list[dict]:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    status, body = await live.api("GET", f"/api/v1/queue?{params}")
    assert status == 200, body
    return body["items"]


async def get_page(live: Live, path: str) -> tuple[int, str, str]:
    async with live.http.get(live.base + path, headers=live.auth) as r:
        return r.status, r.headers.get("Content-Type", ""), await r.text()


# --- Booking ----------------------------------------------------------------------------------


async def test_booking_confirms_to_both_parents_and_writes_a_letter_for_the_one_who_asked(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family, kind="first")

    assert booked["status"] == "booked" and booked["kind"] == "first"
    assert booked["starts_at"] == "2026-12-03T14:00:00Z"  # GMT in December
    assert booked["texts"] == {"queued": 2, "not_sent": []}
    assert [r["offset_days"] for r in booked["reminders"]] == []  # listed on GET
    await dispatcher.dispatch_once(live.service)
    confirmations = await texts(live, family, "appointment_confirmation")
    assert {m["parent_id"] for m in confirmations} == {
        parent_id(family, n) for n in ("Chloe", "Dan")
    }
    assert all(m["status"] == "delivered" for m in confirmations)
    chloe = next(m for m in confirmations if m["parent_id"] == parent_id(family, "Chloe"))
    dan = next(m for m in confirmations if m["parent_id"] == parent_id(family, "Dan"))
    assert "Thursday 3 December at 2pm" in chloe["body"] and "Rosebank" in chloe["body"]
    assert "Can you come? Reply YES." in chloe["body"]  # easy-read for the parent who asked
    assert "Reply YES to confirm, NO if you can't come, or CHANGE to move it." in dan["body"]

    [letter_id] = booked["letters"]
    status, waiting = await live.api("GET", "/api/v1/letters?status=waiting")
    assert status == 200
    [letter] = waiting["letters"]
    assert letter["id"] == letter_id and letter["addressed_to"] == "Chloe Martin"
    assert letter["family_reference"] == "PIR-1001" and letter["appointment_id"] == booked["id"]

    status, kind, page = await get_page(live, f"/api/v1/letters/{letter_id}")
    assert status == 200 and kind.startswith("text/html")
    assert "size: A4" in page and "@media print" in page
    assert "Chloe Martin\n12 Hill Street\nBristol\nBS1 4AB" in page
    assert "Thursday 3 December at 2pm" in page and "Rosebank" in page
    assert "Copies to: Priya Nair (Midwife, City Maternity)" in page

    status, sent = await live.api("POST", f"/api/v1/letters/{letter_id}/sent")
    assert status == 200 and sent["status"] == "sent"
    status, again = await live.api("POST", f"/api/v1/letters/{letter_id}/sent")
    assert status == 409 and again["field"] == "id"
    _, waiting = await live.api("GET", "/api/v1/letters?status=waiting")
    assert waiting["letters"] == []


# --- Reminders --------------------------------------------------------------------------------


async def test_reminders_go_out_exactly_once_at_both_offsets(live: Live) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert [(r["offset_days"], r["due_at"]) for r in appointment["reminders"]] == [
        (2, "2026-12-01T10:00:00Z"),
        (1, "2026-12-02T10:00:00Z"),
    ]

    assert (await tick(live, "2026-12-01T09:59:00Z"))["reminders"] == 0
    # The two-day reminders, queued by `cradle tick --at` in another process ...
    assert (await cradle_tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 2
    # ... are not queued again by this one, nor by that command run again.
    assert (await tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 0
    assert (await cradle_tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 0
    await dispatcher.dispatch_once(live.service)
    assert (await tick(live, "2026-12-01T15:00:00Z"))["reminders"] == 0

    assert (await tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 2
    assert (await tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 0
    assert (await cradle_tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 0
    await dispatcher.dispatch_once(live.service)
    assert (await tick(live, "2026-12-03T10:00:00Z"))["reminders"] == 0

    reminders = await texts(live, family, "appointment_reminder")
    per_parent = sorted(m["parent_id"] for m in reminders)
    chloe, dan = parent_id(family, "Chloe"), parent_id(family, "Dan")
    assert per_parent == [chloe, chloe, dan, dan]
    assert {m["at"] for m in reminders} == {"2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"}
    assert all(m["status"] == "delivered" for m in reminders)
    for m in reminders:
        assert "YES" in m["body"] and "NO" in m["body"] and "CHANGE" in m["body"]
        assert "CANCEL" not in m["body"].upper() and "STOP" not in m["body"].upper()


async def test_no_reminder_is_sent_outside_sending_hours(live: Live) -> None:
    family = await add_family(live)
    # Tuesday 1 December: two days before is a Sunday, when nothing non-urgent goes.
    booked = await book(live, family, starts_at="2026-12-01T10:00")
    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert [r["due_at"] for r in appointment["reminders"]] == [
        "2026-11-28T10:00:00Z",  # Saturday
        "2026-11-30T10:00:00Z",  # Monday
    ]

    assert (await tick(live, "2026-11-28T07:59:00Z"))["reminders"] == 0
    assert (await tick(live, "2026-11-28T10:00:00Z"))["reminders"] == 2
    # Queued in hours, then the dispatcher is late: it holds them until sending hours.
    live.at("2026-11-28T20:30:00Z")
    await dispatcher.dispatch_once(live.service)
    assert [m["status"] for m in await texts(live, family, "appointment_reminder")] == [
        "queued",
        "queued",
    ]
    for instant in ("2026-11-29T10:00:00Z", "2026-11-29T23:00:00Z", "2026-11-30T07:59:00Z"):
        assert (await tick(live, instant))["reminders"] == 0
        await dispatcher.dispatch_once(live.service)
        assert all(
            m["status"] == "queued" for m in await texts(live, family, "appointment_reminder")
        )
    live.at("2026-11-30T08:00:00Z")
    await dispatcher.dispatch_once(live.service)
    assert (await tick(live, "2026-11-30T10:00:00Z"))["reminders"] == 2
    await dispatcher.dispatch_once(live.service)
    reminders = await texts(live, family, "appointment_reminder")
    assert [m["status"] for m in reminders] == ["delivered"] * 4


async def test_a_reminder_missed_while_the_scheduler_was_stopped_is_not_sent_late(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family, starts_at="2026-12-01T10:00")
    # Stopped over the whole weekend: Saturday's reminder is never sent on Sunday,
    # nor on Monday beside Monday's own.
    assert (await tick(live, "2026-11-28T21:00:00Z"))["reminders"] == 0
    assert (await tick(live, "2026-11-29T12:00:00Z"))["reminders"] == 0
    assert (await tick(live, "2026-11-30T09:00:00Z"))["reminders"] == 0
    assert (await tick(live, "2026-11-30T10:00:00Z"))["reminders"] == 2
    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert [r["status"] for r in appointment["reminders"]] == ["skipped", "queued"]


async def test_changing_an_appointment_replaces_its_reminders_and_tells_the_parents(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family)  # confirmations queued, not yet sent
    live.at("2026-11-24T11:00:00Z")
    status, changed = await live.api(
        "POST",
        f"/api/v1/appointments/{booked['id']}/change",
        json={"starts_at": "2026-12-04T11:30"},
    )
    assert status == 200, changed
    assert changed["version"] == 2 and changed["starts_at"] == "2026-12-04T11:30:00Z"
    assert changed["texts"]["queued"] == 2
    assert changed["letters"] and changed["letters"] != booked["letters"]
    await dispatcher.dispatch_once(live.service)

    statuses = {m["purpose"]: m["status"] for m in await texts(live, family)}
    assert statuses["appointment_confirmation"] == "withdrawn"  # about the old time
    assert statuses["appointment_changed"] == "delivered"
    notice = (await texts(live, family, "appointment_changed"))[0]
    assert "Friday 4 December at 11:30am" in notice["body"]
    _, letters = await live.api("GET", "/api/v1/letters")
    posted = [x for x in letters["letters"] if x["kind"] == "appointment"]
    assert [(x["status"], x["id"] in booked["letters"]) for x in posted] == [
        ("withdrawn", True),
        ("waiting", False),
    ]

    assert (await tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 0  # the old two-day one
    assert (await tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 2
    assert (await tick(live, "2026-12-03T10:00:00Z"))["reminders"] == 2


async def test_a_confirmation_that_cannot_go_before_the_appointment_is_withdrawn(
    live: Live,
) -> None:
    family = await add_family(live)
    live.at("2026-11-28T20:30:00Z")  # Saturday evening: no more texts until Monday 08:00
    booked = await book(live, family, starts_at="2026-11-30T08:00", place="home")
    assert booked["texts"]["queued"] == 2
    live.at("2026-11-30T08:00:00Z")
    await dispatcher.dispatch_once(live.service)
    confirmations = await texts(live, family, "appointment_confirmation")
    assert [m["status"] for m in confirmations] == ["withdrawn", "withdrawn"]
    stored = await outbox.for_family(live.service.db, family["id"])
    assert {o.error for o in stored if o.purpose == "appointment_confirmation"} == {
        "appointment time has passed"
    }


# --- Replies ----------------------------------------------------------------------------------


async def test_yes_records_who_confirmed_and_thanks_them_once(live: Live) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    await dispatcher.dispatch_once(live.service)

    await from_phone(live, CHLOE, "Yes see you then", "2026-11-24T12:00:00Z")
    await from_phone(live, CHLOE, "yes", "2026-11-24T12:05:00Z")
    await dispatcher.dispatch_once(live.service)

    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["confirmed_by"] == [parent_id(family, "Chloe")]
    assert appointment["status"] == "booked"
    thanks = await texts(live, family, "reply_ack_confirmed")
    assert len(thanks) == 1 and "See you then" in thanks[0]["body"]


async def test_a_yes_that_says_more_confirms_and_still_reaches_the_practitioner(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    await dispatcher.dispatch_once(live.service)

    await from_phone(live, CHLOE, "yes", "2026-11-24T12:00:00Z")
    words = "Yes see you Tuesday. Can we talk about her feeding, she keeps bringing it back up"
    await from_phone(live, CHLOE, words, "2026-11-24T12:05:00Z")

    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["confirmed_by"] == [parent_id(family, "Chloe")]
    mine = await queue(live, practitioner_id=family["practitioner_id"])
    assert len(mine) == 1, "the bare YES needs nobody; the YES that says more needs a person"


async def test_a_cancellation_by_reply_stops_the_later_reminder_and_reaches_the_administrator(
    live: Live,
) -> None:
    family = await add_family(live, parents=[parent_json("Chloe Martin", CHLOE)])
    booked = await book(live, family)
    assert (await tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 1
    await dispatcher.dispatch_once(live.service)

    await from_phone(live, CHLOE, "Sorry cant make it", "2026-12-01T11:00:00Z")
    await dispatcher.dispatch_once(live.service)

    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["status"] == "cancelled" and appointment["cancelled_by"] == "family"
    [for_admin] = await queue(live, audience="administrator")
    assert for_admin["kind"] == "cancellation" and "Chloe" in for_admin["summary"]
    mine = await queue(live, practitioner_id=family["practitioner_id"])
    assert [i["kind"] for i in mine] == ["cancellation"]
    [thanks] = await texts(live, family, "cancellation_thanks")
    assert thanks["parent_id"] == parent_id(family, "Chloe") and thanks["status"] == "delivered"
    assert "Thanks for letting us know" in thanks["body"] and "CHANGE" in thanks["body"]
    assert "missed" not in thanks["body"].lower()

    assert (await tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 0
    assert len(await texts(live, family, "appointment_reminder")) == 1  # the two-day one only

    # Asking for a new time, as the thanks invites, goes to the administrator.
    await from_phone(live, CHLOE, "can we do another day", "2026-12-02T11:00:00Z")
    kinds = sorted(i["kind"] for i in await queue(live, audience="administrator"))
    assert kinds == ["cancellation", "change_request"]


async def test_one_parents_no_leaves_the_joint_appointment_standing_and_tells_the_administrator(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    assert (await tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 2
    await dispatcher.dispatch_once(live.service)

    await from_phone(live, CHLOE, "Sorry cant make it", "2026-12-01T11:00:00Z")
    await dispatcher.dispatch_once(live.service)

    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["status"] == "booked", "Dan is still expected"
    assert "other parent is still expected" in appointment["needs_review"]
    assert appointment["answers"] == [{"parent_id": parent_id(family, "Chloe"), "answer": "cancel"}]
    [for_admin] = await queue(live, audience="administrator")
    assert for_admin["kind"] == "appointment_review" and "Chloe said NO" in for_admin["summary"]
    [ack] = await texts(live, family, "change_request_ack")
    assert ack["parent_id"] == parent_id(family, "Chloe")
    # The next day's reminder goes to Dan only; Chloe is not asked again.
    assert (await tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 1
    latest = (await texts(live, family, "appointment_reminder"))[-1]
    assert latest["parent_id"] == parent_id(family, "Dan")


async def test_a_reminder_never_asks_a_parent_to_confirm_again(live: Live) -> None:
    family = await add_family(live)
    await book(live, family)
    await dispatcher.dispatch_once(live.service)
    await from_phone(live, DAN, "yes", "2026-11-25T10:00:00Z")

    assert (await tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 2
    await dispatcher.dispatch_once(live.service)

    reminders = {
        r["parent_id"]: r["body"] for r in await texts(live, family, "appointment_reminder")
    }
    assert "Reply YES" not in reminders[parent_id(family, "Dan")]
    assert "See you on" in reminders[parent_id(family, "Dan")]
    assert "YES" in reminders[parent_id(family, "Chloe")]


async def test_a_team_that_chose_cancel_calls_it_off_and_tells_the_other_parent(
    live: Live,
) -> None:
    reminders = dataclasses.replace(
        live.service.policies.reminders, one_parent_says_no=OneParentSaysNo.CANCEL
    )
    live.service.policies = dataclasses.replace(live.service.policies, reminders=reminders)
    family = await add_family(live)
    booked = await book(live, family)
    await dispatcher.dispatch_once(live.service)

    await from_phone(live, CHLOE, "Sorry cant make it", "2026-11-25T10:00:00Z")
    await dispatcher.dispatch_once(live.service)

    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["status"] == "cancelled"
    [told] = await texts(live, family, "appointment_called_off")
    assert told["parent_id"] == parent_id(family, "Dan") and "doesn't suit" in told["body"]


async def test_a_request_to_change_reaches_the_administrator_and_the_parent_is_told(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    await dispatcher.dispatch_once(live.service)
    await from_phone(live, DAN, "can we change it", "2026-11-25T10:00:00Z")
    await dispatcher.dispatch_once(live.service)

    [item] = await queue(live, audience="administrator")
    assert item["kind"] == "change_request" and "Dan" in item["summary"]
    [ack] = await texts(live, family, "change_request_ack")
    assert ack["parent_id"] == parent_id(family, "Dan") and "in touch" in ack["body"]
    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["status"] == "booked"


async def test_conflicting_replies_go_to_the_administrator(live: Live) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    await dispatcher.dispatch_once(live.service)

    await from_phone(live, CHLOE, "yes", "2026-11-25T10:00:00Z")
    await from_phone(live, DAN, "no", "2026-11-25T18:30:00Z")
    await dispatcher.dispatch_once(live.service)

    [item] = await queue(live, audience="administrator")
    assert item["kind"] == "conflict"
    assert "Dan said NO" in item["summary"] and "please decide" in item["summary"]
    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["status"] == "booked"  # the administrator decides, not the service
    assert {a["answer"] for a in appointment["answers"]} == {"confirm", "cancel"}
    [ack] = await texts(live, family, "change_request_ack")
    assert ack["parent_id"] == parent_id(family, "Dan")
    mine = await queue(live, practitioner_id=family["practitioner_id"])
    assert "cancellation" not in [i["kind"] for i in mine]


async def test_a_reply_with_no_appointment_goes_to_the_practitioner(live: Live) -> None:
    family = await add_family(live)
    await from_phone(live, CHLOE, "yes", "2026-11-24T12:00:00Z")
    [item] = await queue(live, practitioner_id=family["practitioner_id"])
    assert item["kind"] == "message" and "no upcoming appointment" in item["summary"]
    assert await queue(live, audience="administrator") == []


# --- Cancellation by the team -----------------------------------------------------------------


async def test_a_team_cancellation_reaches_both_parents_at_once(live: Live) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    assert (await tick(live, "2026-12-01T10:00:00Z"))["reminders"] == 2  # queued, not yet sent

    live.at("2026-12-01T20:30:00Z")  # the practitioner rings in sick, after sending hours
    status, cancelled = await live.api(
        "POST",
        f"/api/v1/appointments/{booked['id']}/cancel",
        json={"reason": "Practitioner unwell"},
    )
    assert status == 200, cancelled
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_by"] == "team"
    assert cancelled["texts"]["queued"] == 2
    await dispatcher.dispatch_once(live.service)

    told = await texts(live, family, "appointment_cancelled_by_team")
    assert sorted(m["parent_id"] for m in told) == sorted(
        parent_id(family, n) for n in ("Chloe", "Dan")
    )
    assert all(m["status"] == "delivered" for m in told)
    assert all("Thursday 3 December at 2pm" in m["body"] for m in told)
    assert [m["status"] for m in await texts(live, family, "appointment_reminder")] == [
        "withdrawn",
        "withdrawn",
    ]
    [item] = await queue(live, audience="administrator")
    assert item["kind"] == "rebooking" and "Practitioner unwell" in item["summary"]
    assert (await tick(live, "2026-12-02T10:00:00Z"))["reminders"] == 0
    _, letters = await live.api("GET", "/api/v1/letters?status=waiting")
    assert letters["letters"] == []  # the letter about it will not be posted

    status, again = await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/cancel", json={"reason": "twice"}
    )
    assert status == 409 and again["field"] == "id"


# --- Do not contact ---------------------------------------------------------------------------


async def test_a_do_not_contact_parent_receives_nothing_and_is_not_named_in_letters(
    live: Live,
) -> None:
    family = await add_family(
        live,
        parents=[
            parent_json("Chloe Martin", CHLOE, wants_letters=True, address=CHLOE_ADDRESS),
            parent_json(
                "Ryan Cole",
                RYAN,
                relationship="father",
                address="4 Quay Road, Bristol",
                do_not_contact=True,
                do_not_contact_reason="safeguarding",
            ),
        ],
    )
    chloe, ryan = parent_id(family, "Chloe"), parent_id(family, "Ryan")
    default = await book(live, family)
    assert default["expected_parent_ids"] == [chloe]
    # Even when staff list him as coming, nothing is sent to him.
    listed = await book(
        live, family, starts_at="2026-12-10T14:00", expected_parent_ids=[chloe, ryan]
    )
    assert listed["texts"]["not_sent"] == [
        {"parent_id": ryan, "reason": "marked do not contact (safeguarding)"}
    ]
    for instant in ("2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z", "2026-12-08T10:00:00Z"):
        await tick(live, instant)
        await dispatcher.dispatch_once(live.service)
    live.at("2026-12-08T11:00:00Z")
    await live.api("POST", f"/api/v1/appointments/{listed['id']}/cancel", json={"reason": "ill"})
    await dispatcher.dispatch_once(live.service)

    sent = await texts(live, family)
    assert sent and {m["parent_id"] for m in sent} == {chloe}
    _, letters = await live.api("GET", "/api/v1/letters")
    to_parents = [x for x in letters["letters"] if x["kind"] == "appointment"]
    assert [x["addressed_to"] for x in to_parents] == ["Chloe Martin"] * 2
    for letter in letters["letters"]:  # the referrer's letters too
        _, _, page = await get_page(live, f"/api/v1/letters/{letter['id']}")
        for word in ("Ryan", "Cole", "Quay Road"):
            assert word not in page and word not in letter["body"]


# --- School runs ------------------------------------------------------------------------------


async def test_booking_warns_of_a_school_run_clash_and_suggests_clear_times(live: Live) -> None:
    family = await add_family(live)
    status, run = await live.api(
        "PUT",
        f"/api/v1/families/{family['id']}/school-run",
        json={"drop_off": "08:45", "pick_up": "15:15"},
    )
    assert status == 200 and run == {"drop_off": "08:45", "pick_up": "15:15"}

    clashing = await book(live, family, starts_at="2026-12-03T09:00")
    assert any("school drop-off at 08:45" in w for w in clashing["warnings"])
    suggested = [parse_instant(t) for t in clashing["suggested_times"]]
    assert suggested and suggested[0].isoformat().startswith("2026-12-03T09:30")
    assert all(not (t.hour == 14 or (t.hour == 15 and t.minute < 45)) for t in suggested)

    clear = await book(live, family, starts_at="2026-12-03T11:00")
    assert clear["warnings"] == [] and clear["suggested_times"] == []

    status, offered = await live.api(
        "GET", f"/api/v1/families/{family['id']}/suggested-times?from=2026-12-03T09:00"
    )
    assert status == 200
    assert "2026-12-03T09:00+00:00" not in offered["times"]  # the school run, and booked
    assert "2026-12-03T09:30+00:00" not in offered["times"]  # overlaps the 09:00 booking
    assert "2026-12-03T11:00+00:00" not in offered["times"]  # booked just now
    assert "2026-12-03T10:00+00:00" in offered["times"]


# --- Engagement -------------------------------------------------------------------------------


async def test_the_engagement_limit_refers_back_and_stops_automated_contact(live: Live) -> None:
    quiet = await add_family(live)  # first contact went on Tuesday 24 November at 10:00
    replied = await add_family(
        live, reference="PIR-2002", parents=[parent_json("Leah Price", "07700 900201")]
    )
    await from_phone(live, "07700 900201", "Hi thanks for your text", "2026-11-25T12:00:00Z")

    assert (await tick(live, "2026-11-27T09:59:00Z"))["engagement"] == 0
    assert (await tick(live, "2026-11-27T10:00:00Z"))["engagement"] == 2  # quiet's two parents
    assert (await tick(live, "2026-11-27T10:00:00Z"))["engagement"] == 0
    await dispatcher.dispatch_once(live.service)
    assert (await tick(live, "2026-12-01T10:00:00Z"))["engagement"] == 2  # day 7
    await dispatcher.dispatch_once(live.service)
    follow_ups = await texts(live, quiet, "engagement_follow_up")
    assert len(follow_ups) == 4 and all(m["status"] == "delivered" for m in follow_ups)
    assert "There's no rush" in follow_ups[0]["body"]
    assert await texts(live, replied, "engagement_follow_up") == []

    assert (await tick(live, "2026-12-08T09:59:00Z"))["engagement"] == 0
    assert (await tick(live, "2026-12-08T10:00:00Z"))["engagement"] == 1  # 14 days: referred back
    assert (await tick(live, "2026-12-08T10:00:00Z"))["engagement"] == 0

    [task] = await queue(live, practitioner_id=quiet["practitioner_id"])
    assert task["kind"] == "refer_back" and "Priya Nair" in task["summary"]
    _, stored = await live.api("GET", f"/api/v1/families/{quiet['id']}")
    assert stored["status"] == "referred_back"
    _, drafts = await live.api("GET", "/api/v1/letters?status=draft")
    [draft] = [x for x in drafts["letters"] if x["kind"] == "refer_back"]
    assert draft["family_id"] == quiet["id"]
    assert "Dear Priya Nair," in draft["body"]
    assert "We have tried to get in touch by text." in draft["body"]  # never phoned or wrote
    status, approved = await live.api("POST", f"/api/v1/letters/{draft['id']}/approve")
    assert status == 200 and approved["status"] == "waiting"

    before = len(await texts(live, quiet))
    for instant in ("2026-12-15T10:00:00Z", "2027-02-01T10:00:00Z"):
        await tick(live, instant)
        await dispatcher.dispatch_once(live.service)
    assert len(await texts(live, quiet)) == before


# --- Closure and the six-month follow-up ----------------------------------------------------


async def test_closing_a_family_brings_the_six_month_follow_up(live: Live) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    status, refused = await live.api("POST", f"/api/v1/families/{family['id']}/close", json={})
    assert status == 409 and refused["field"] == "appointments"
    live.at("2026-12-03T15:30:00Z")
    status, held = await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/outcome", json={"outcome": "attended"}
    )
    assert status == 200 and held["status"] == "attended"

    status, closed = await live.api("POST", f"/api/v1/families/{family['id']}/close", json={})
    assert status == 200 and closed["closed_at"] == "2026-12-03T15:30:00Z"
    # 182 days after 3 December 2026 is Thursday 3 June 2027: 10:00 in London is 09:00 UTC.
    assert (await tick(live, "2027-06-03T08:59:00Z"))["six_month_follow_ups"] == 0
    assert (await tick(live, "2027-06-03T09:00:00Z"))["six_month_follow_ups"] == 2
    assert (await tick(live, "2027-06-03T09:00:00Z"))["six_month_follow_ups"] == 0
    assert (await cradle_tick(live, "2027-06-04T09:00:00Z"))["six_month_follow_ups"] == 0
    await dispatcher.dispatch_once(live.service)
    follow_ups = await texts(live, family, "six_month_follow_up")
    assert [m["status"] for m in follow_ups] == ["delivered", "delivered"]
    assert "you and your baby" in follow_ups[0]["body"]


# --- The activity report ----------------------------------------------------------------------


async def test_the_activity_report_counts_what_happened_as_json_and_csv(live: Live) -> None:
    family = await add_family(live)
    first = await book(live, family)
    second = await book(live, family, starts_at="2026-12-10T14:00")
    await book(live, family, starts_at="2026-12-17T14:00")
    await dispatcher.dispatch_once(live.service)
    await from_phone(live, CHLOE, "yes", "2026-11-24T12:00:00Z")
    await tick(live, "2026-12-01T10:00:00Z")
    await dispatcher.dispatch_once(live.service)
    await from_phone(live, DAN, "no", "2026-12-01T12:00:00Z")  # conflicts with Chloe's yes
    live.at("2026-12-02T09:00:00Z")
    await live.api("POST", f"/api/v1/appointments/{first['id']}/cancel", json={"reason": "ill"})
    await from_phone(live, DAN, "sorry cant come", "2026-12-05T12:00:00Z")  # about the 10th
    await from_phone(live, CHLOE, "no", "2026-12-05T12:30:00Z")  # both: called off by the family
    live.at("2026-12-31T12:00:00Z")
    assert second["id"]

    status, report = await live.api("GET", "/api/v1/reports/activity?from=2026-11-01&to=2026-12-31")
    assert status == 200, report
    follow_up = ("follow_up_", "wellbeing_", "helped_", "recommend_")
    assert len([k for k in report["counts"] if k.startswith(follow_up)]) == 13
    assert {k: v for k, v in report["counts"].items() if not k.startswith(follow_up)} == {
        "first_contacts_sent": 1,
        "engaged_within_limit": 1,
        "appointments_booked": 3,
        "appointments_confirmed": 1,
        "appointments_attended": 0,
        "cancelled_by_family": 1,
        "cancelled_by_team": 1,
        "reminders_sent": 2,
        "referred_back": 0,
    }
    async with live.http.get(
        live.base + "/api/v1/reports/activity?from=2026-11-01&to=2026-12-31&format=csv",
        headers=live.auth,
    ) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(await r.text())))
    assert rows[0] == ["measure", "count", "from", "to"]
    assert ["Appointments booked", "3", "2026-11-01", "2026-12-31"] in rows

    _, december = await live.api("GET", "/api/v1/reports/activity?from=2026-12-01&to=2026-12-31")
    assert december["counts"]["appointments_booked"] == 0
    assert december["counts"]["cancelled_by_team"] == 1


# --- Refusals name the field ------------------------------------------------------------------


async def test_bad_appointment_requests_are_refused_naming_the_field(live: Live) -> None:
    family = await add_family(live)
    other = await add_family(
        live, reference="PIR-3003", parents=[parent_json("Leah", "07700 900201")]
    )
    path = f"/api/v1/families/{family['id']}/appointments"
    good = {"starts_at": THURSDAY, "place": "clinic", "address": CLINIC}
    cases = [
        ({**good, "starts_at": None}, 422, "starts_at"),
        ({**good, "starts_at": "next Thursday"}, 422, "starts_at"),
        ({**good, "starts_at": "2026-11-20T10:00"}, 422, "starts_at"),  # in the past
        ({**good, "place": "pub"}, 422, "place"),
        ({**good, "address": ""}, 422, "address"),
        ({**good, "kind": "party"}, 422, "kind"),
        ({**good, "duration_minutes": 0}, 422, "duration_minutes"),
        ({**good, "expected_parent_ids": [other["parents"][0]["id"]]}, 422, "expected_parent_ids"),
        ({**good, "expected_parent_ids": "both"}, 422, "expected_parent_ids"),
        ({**good, "colour": "blue"}, 422, "colour"),
        ({**good, "practitioner_id": 999}, 422, "practitioner_id"),
    ]
    for body, status, field in cases:
        got, answer = await live.api("POST", path, json=body)
        assert (got, answer.get("field")) == (status, field), (body, answer)
    got, answer = await live.api("POST", "/api/v1/families/999/appointments", json=good)
    assert (got, answer["field"]) == (404, "id")
    async with live.http.post(live.base + path, json=good) as r:
        assert r.status == 401
    booked = await book(live, family)
    got, answer = await live.api("POST", f"/api/v1/appointments/{booked['id']}/cancel", json={})
    assert (got, answer["field"]) == (422, "reason")
    got, answer = await live.api("GET", "/api/v1/letters?status=lost")
    assert (got, answer["field"]) == (400, "status")
    got, answer = await live.api("GET", "/api/v1/reports/activity?from=2026-12-31&to=2026-12-01")
    assert (got, answer["field"]) == (400, "to")
    got, answer = await live.api(
        "PUT", f"/api/v1/families/{family['id']}/school-run", json={"drop_off": "9am"}
    )
    assert (got, answer["field"]) == (422, "drop_off")
    # Nothing was booked by the refusals: the one booking made is all there is.
    _, listed = await live.api("GET", f"/api/v1/families/{family['id']}/appointments")
    assert [a["id"] for a in listed["appointments"]] == [booked["id"]]
