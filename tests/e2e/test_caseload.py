"""The work around the texts, end to end over real HTTP with a frozen clock: tasks, the
professional network, letters after an appointment, the engagement limit waiting for an
appointment's outcome."""

from __future__ import annotations

from bot.runtime import dispatcher
from tests.builders import family_json, parent_json
from tests.conftest import Live
from tests.e2e.test_appointments import (
    CHLOE,
    CHLOE_ADDRESS,
    DAN,
    RYAN,
    add_family,
    add_practitioner,
    book,
    from_phone,
    parent_id,
    queue,
    texts,
    tick,
)

GP = {
    "kind": "gp",
    "name": "Dr Asha Patel",
    "organisation": "Hill Surgery",
    "address": "1 Surgery Lane, Bristol, BS2 0AA",
    "secure_email": "hill.surgery@nhs.net",
}
HEALTH_VISITOR = {
    "kind": "health_visitor",
    "name": "Jo Reed",
    "organisation": "Bristol Health Visiting",
    "address": "Health Centre, 9 Green Road, Bristol, BS5 6HH",
}
RYAN_PARENT = parent_json(
    "Ryan Cole", RYAN, relationship="father", do_not_contact=True,
    do_not_contact_reason="court order", address="8 Quay Road, Bristol",
)  # fmt: skip


async def new_family(live: Live, **extra: object) -> dict:
    """A family recorded but not yet allocated (not yet accepted)."""
    status, family = await live.api("POST", "/api/v1/families", json=family_json(**extra))
    assert status == 201, family
    return family


async def add_professional(live: Live, family: dict, **body: object) -> dict:
    status, added = await live.api(
        "POST", f"/api/v1/families/{family['id']}/professionals", json=body
    )
    assert status == 201, added
    return added


async def allocate(live: Live, family: dict) -> int:
    practitioner = await add_practitioner(live)
    status, body = await live.api(
        "POST", f"/api/v1/families/{family['id']}/allocate", json={"practitioner_id": practitioner}
    )
    assert status == 200, body
    return practitioner


async def letters(live: Live, **query: str) -> list[dict]:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    status, body = await live.api("GET", f"/api/v1/letters?{params}")
    assert status == 200
    return body["letters"]


async def family_tasks(live: Live, family: dict) -> list[dict]:
    status, body = await live.api("GET", f"/api/v1/families/{family['id']}/tasks")
    assert status == 200, body
    return body["tasks"]


# --- Self-referral and the referrer ----------------------------------------------------------


async def test_accepting_a_self_referral_with_consent_drafts_letters_to_health_visitor_and_gp(
    live: Live,
) -> None:
    family = await new_family(
        live,
        referrer={},
        self_referral=True,
        parents=[parent_json("Chloe Martin", CHLOE, address=CHLOE_ADDRESS), RYAN_PARENT],
    )
    await add_professional(live, family, **GP, consent_to_share=True)
    await add_professional(live, family, **HEALTH_VISITOR, consent_to_share=True)
    assert await letters(live) == []  # nothing until the family is accepted

    practitioner = await allocate(live, family)

    drafts = await letters(live, status="draft")
    assert sorted(x["addressed_to"] for x in drafts) == [
        "Dr Asha Patel (GP practice, Hill Surgery)",
        "Jo Reed (Health visitor, Bristol Health Visiting)",
    ]
    for letter in drafts:
        assert letter["kind"] == "self_referral"
        assert "Our reference: PIR-1001" in letter["body"]
        assert "referred themselves" in letter["body"] and "Chloe Martin" in letter["body"]
        assert "Ryan" not in letter["body"] and "Quay Road" not in letter["body"]
    gp_letter = next(x for x in drafts if "Patel" in x["addressed_to"])
    assert "1 Surgery Lane\nBristol\nBS2 0AA" in gp_letter["body"]
    [task] = await family_tasks(live, family)
    assert task["kind"] == "send_letter" and task["owner_id"] == practitioner
    assert await family_tasks(live, family) == [task]  # made once


async def test_a_self_referral_without_consent_brings_a_task_to_ask_and_no_letter(
    live: Live,
) -> None:
    family = await new_family(live, referrer={}, self_referral=True)
    health_visitor = await add_professional(live, family, **HEALTH_VISITOR)  # no consent yet

    practitioner = await allocate(live, family)

    assert await letters(live) == []
    tasks = await family_tasks(live, family)
    assert [t["kind"] for t in tasks] == ["ask_consent", "ask_consent"]
    assert all(t["owner_id"] == practitioner for t in tasks)
    reasons = " ".join(t["reason"] for t in tasks)
    assert "Jo Reed" in reasons and "no gp practice recorded" in reasons

    status, recorded = await live.api(
        "POST",
        f"/api/v1/professionals/{health_visitor['id']}/consent",
        json={"consent_to_share": True},
    )
    assert status == 200 and recorded["consent_to_share"] is True
    assert recorded["consent_recorded_at"] == "2026-11-24T10:00:00Z"
    assert recorded["consent_recorded_by"]
    # With consent now given, the letter to the health visitor is drafted; asking is done.
    [letter] = await letters(live, status="draft")
    assert letter["kind"] == "self_referral" and letter["addressed_to"].startswith("Jo Reed")
    tasks = {t["reason"][:40]: t["status"] for t in await family_tasks(live, family)}
    assert sorted(tasks.values()) == ["done", "open"]  # the GP is still to ask about


async def test_the_referrer_is_told_of_acceptance_and_first_contact_and_may_be_invited(
    live: Live,
) -> None:
    family = await add_family(live)  # allocated, first contact delivered
    to_referrer = await letters(live, status="draft")
    assert [x["kind"] for x in to_referrer] == ["referrer_update", "referrer_update"]
    assert all(x["addressed_to"] == "Priya Nair (Midwife, City Maternity)" for x in to_referrer)
    assert "accepted" in to_referrer[0]["body"]
    assert "been in touch with the family" in to_referrer[1]["body"]

    booked = await book(live, family)
    status, invited = await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/invite-referrer", json={}
    )
    # Or when booking: a field on the appointment, and the letter.
    with_guest = await book(live, family, starts_at="2026-12-10T14:00", invite_referrer=True)
    assert with_guest["referrer_invited"] is True and with_guest["referrer_letter"]
    assert status == 201
    [letter] = [x for x in await letters(live) if x["id"] == invited["letter"]]
    assert letter["kind"] == "invitation" and "Thursday 3 December at 2pm" in letter["body"]
    _, appointment = await live.api("GET", f"/api/v1/appointments/{booked['id']}")
    assert appointment["referrer_invited"] is True
    status, again = await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/invite-referrer", json={}
    )
    assert status == 409 and again["field"] == "id"


# --- Letters after an appointment -------------------------------------------------------------


async def test_letters_after_an_appointment_one_per_recipient_without_the_do_not_contact_parent(
    live: Live,
) -> None:
    family = await add_family(
        live,
        parents=[
            parent_json("Chloe Martin", CHLOE, address=CHLOE_ADDRESS),
            parent_json("Dan Martin", DAN, relationship="father", address="3 Park Row, Bristol"),
            RYAN_PARENT,
        ],
    )
    gp = await add_professional(live, family, **GP, consent_to_share=True)
    health_visitor = await add_professional(live, family, **HEALTH_VISITOR)
    booked = await book(live, family, expected_parent_ids=[parent_id(family, "Chloe")])
    live.at("2026-12-03T15:30:00Z")
    status, _ = await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/outcome", json={"outcome": "attended"}
    )
    assert status == 200
    summary = "We talked about sleep and agreed to meet again in two weeks."

    status, refused = await live.api(
        "POST",
        f"/api/v1/appointments/{booked['id']}/letters",
        json={"summary": summary, "professionals": [gp["id"], health_visitor["id"]]},
    )
    assert status == 409 and refused["field"] == "professionals[1]"  # no consent to share
    assert [x for x in await letters(live) if x["kind"] == "after_appointment"] == []

    status, made = await live.api(
        "POST",
        f"/api/v1/appointments/{booked['id']}/letters",
        json={"summary": summary, "professionals": [gp["id"]]},
    )
    assert status == 201 and len(made["letters"]) == 3
    after = [x for x in await letters(live) if x["kind"] == "after_appointment"]
    assert sorted(x["addressed_to"] for x in after) == [
        "Chloe Martin",
        "Dan Martin (copy)",
        "Dr Asha Patel (GP practice, Hill Surgery)",
    ]
    for letter in after:
        assert letter["status"] == "waiting" and summary in letter["body"]
        assert "Ryan" not in letter["body"] and "Quay Road" not in letter["body"]
        assert "Jo Reed" not in letter["body"]
    async with live.http.get(
        f"{live.base}/api/v1/letters/{after[0]['id']}", headers=live.auth
    ) as r:
        page = await r.text()
    assert "Parent-Infant Relationship Team" in page  # the letterhead, from policies/
    assert "4 Mill Lane" in page and "0306 999 0123" in page and ">Print</button>" in page
    to_chloe = next(x for x in after if x["addressed_to"] == "Chloe Martin")
    assert "Chloe Martin\n12 Hill Street\nBristol\nBS1 4AB" in to_chloe["body"]
    assert "Copies to: Dan Martin; Dr Asha Patel (GP practice, Hill Surgery)" in to_chloe["body"]


# --- Tasks ------------------------------------------------------------------------------------


async def test_a_parent_who_prefers_calls_gets_a_call_task_and_no_text(live: Live) -> None:
    family = await add_family(
        live,
        parents=[
            parent_json("Chloe Martin", CHLOE, calls_instead_of_texts=True),
            parent_json("Dan Martin", DAN, relationship="father"),
        ],
    )
    chloe = parent_id(family, "Chloe")
    assert {m["parent_id"] for m in await texts(live, family)} == {parent_id(family, "Dan")}
    [call] = await family_tasks(live, family)
    assert call["kind"] == "call_parent" and call["parent_id"] == chloe
    assert call["owner_id"] == family["practitioner_id"] and call["due_on"] == "2026-11-24"
    _, mine = await live.api("GET", f"/api/v1/tasks?owner_id={family['practitioner_id']}")
    assert [t["id"] for t in mine["tasks"]] == [call["id"]]

    # The engagement follow-ups text Dan only, and ask for another call to Chloe.
    assert (await tick(live, "2026-11-27T10:00:00Z"))["engagement"] == 1
    await dispatcher.dispatch_once(live.service)
    assert {m["parent_id"] for m in await texts(live, family)} == {parent_id(family, "Dan")}

    status, done = await live.api(
        "POST",
        f"/api/v1/tasks/{call['id']}/done",
        json={"outcome": "No answer; left a voicemail", "call_made": True},
    )
    assert status == 200 and done["status"] == "done" and done["counts_as_contact_attempt"]
    status, again = await live.api(
        "POST", f"/api/v1/tasks/{call['id']}/done", json={"outcome": "again"}
    )
    assert status == 409


async def test_a_did_not_attend_brings_call_tasks_to_the_parents_who_were_expected(
    live: Live,
) -> None:
    family = await add_family(live)
    booked = await book(live, family)
    live.at("2026-12-03T15:30:00Z")
    await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/outcome", json={"outcome": "did_not_attend"}
    )
    calls = [t for t in await family_tasks(live, family) if t["kind"] == "call_parent"]
    assert {t["parent_id"] for t in calls} == {parent_id(family, "Chloe"), parent_id(family, "Dan")}
    assert all("Did not attend" in t["reason"] for t in calls)


async def test_the_due_date_passing_brings_a_task_to_record_the_birth(live: Live) -> None:
    family = await add_family(live, due_date="2026-11-30")
    born = await add_family(
        live, reference="PIR-2002", due_date="2026-11-29", birth_date="2026-11-28"
    )
    assert (await tick(live, "2026-11-30T12:00:00Z"))["due_dates"] == 0  # due today
    assert (await tick(live, "2026-12-01T09:00:00Z"))["due_dates"] == 1
    assert (await tick(live, "2026-12-02T09:00:00Z"))["due_dates"] == 0  # made once
    [task] = [t for t in await family_tasks(live, family) if t["kind"] == "check_due_date"]
    assert "record the birth and the baby's name" in task["reason"]
    assert task["owner_id"] == family["practitioner_id"]
    assert [t for t in await family_tasks(live, born) if t["kind"] == "check_due_date"] == []


async def test_referral_back_waits_for_a_booked_appointments_outcome(live: Live) -> None:
    family = await add_family(live)  # first contact on 24 November: the limit is 8 December
    booked = await book(live, family, starts_at="2026-12-07T14:00")

    assert (await tick(live, "2026-12-08T10:00:00Z"))["engagement"] == 1  # asks, not refers
    assert (await tick(live, "2026-12-08T10:00:00Z"))["engagement"] == 0
    _, stored = await live.api("GET", f"/api/v1/families/{family['id']}")
    assert stored["status"] == "open"
    [ask] = [t for t in await family_tasks(live, family) if t["kind"] == "record_outcome"]
    assert ask["owner_id"] == family["practitioner_id"]
    assert [x for x in await letters(live) if x["kind"] == "refer_back"] == []

    await live.api(
        "POST", f"/api/v1/appointments/{booked['id']}/outcome", json={"outcome": "did_not_attend"}
    )
    tasks = await family_tasks(live, family)
    assert next(t for t in tasks if t["id"] == ask["id"])["status"] == "done"
    call = next(t for t in tasks if t["kind"] == "call_parent")
    await live.api(
        "POST", f"/api/v1/tasks/{call['id']}/done", json={"outcome": "No answer", "call_made": True}
    )

    assert (await tick(live, "2026-12-08T11:00:00Z"))["engagement"] == 1  # now referred back
    _, stored = await live.api("GET", f"/api/v1/families/{family['id']}")
    assert stored["status"] == "referred_back"
    [draft] = [x for x in await letters(live) if x["kind"] == "refer_back"]
    assert "We have tried to get in touch by text and phone." in draft["body"]


# --- The six-month follow-up asks something ---------------------------------------------------


async def test_the_six_month_questions_store_answers_thank_each_and_show_in_the_report(
    live: Live,
) -> None:
    family = await add_family(live)  # Chloe and Dan
    live.at("2026-12-03T15:30:00Z")
    status, _ = await live.api("POST", f"/api/v1/families/{family['id']}/close", json={})
    assert status == 200
    assert (await tick(live, "2027-06-03T09:00:00Z"))["six_month_follow_ups"] == 2
    await dispatcher.dispatch_once(live.service)
    chloe_first, dan_first = await texts(live, family, "six_month_follow_up")
    assert "Reply with a number. 1 is not so good. 5 is really good." in chloe_first["body"]
    assert "reply with a number from 1 (not so good) to 5 (really good)" in dan_first["body"]
    for text in (chloe_first, dan_first):  # Chloe reads easy-read wording
        assert "STOP" not in text["body"] and "CANCEL" not in text["body"]

    await from_phone(live, CHLOE, "4", "2027-06-03T10:00:00Z")
    await dispatcher.dispatch_once(live.service)
    [second] = await texts(live, family, "six_month_question_2")
    assert second["body"].startswith("Thank you.") and second["status"] == "delivered"
    await from_phone(live, CHLOE, "5 thanks", "2027-06-03T10:05:00Z")
    await dispatcher.dispatch_once(live.service)
    [third] = await texts(live, family, "six_month_question_3")
    assert "Reply YES or NO" in third["body"]
    assert await queue(live, practitioner_id=family["practitioner_id"]) == []  # plain answers
    await from_phone(live, CHLOE, "Yes", "2027-06-03T10:10:00Z")
    await from_phone(live, CHLOE, "Yes", "2027-06-03T10:11:00Z")  # said twice: thanked once
    await dispatcher.dispatch_once(live.service)
    [thanks] = await texts(live, family, "six_month_thanks")
    assert "0306 999 0123" in thanks["body"]

    # Dan did not answer: asked once more a week later, then left alone.
    assert (await tick(live, "2027-06-09T09:00:00Z"))["six_month_follow_ups"] == 0
    assert (await tick(live, "2027-06-10T09:00:00Z"))["six_month_follow_ups"] == 1
    for later in ("2027-06-10T09:00:00Z", "2027-06-17T09:00:00Z", "2027-07-10T09:00:00Z"):
        assert (await tick(live, later))["six_month_follow_ups"] == 0
    await dispatcher.dispatch_once(live.service)
    [again] = await texts(live, family, "six_month_reminder")
    assert again["parent_id"] == parent_id(family, "Dan")
    assert "No need to reply" in again["body"]

    status, report = await live.api("GET", "/api/v1/reports/activity?from=2027-06-01&to=2027-06-30")
    assert status == 200
    counts = report["counts"]
    assert counts["follow_up_families_answered"] == 1
    assert (counts["wellbeing_4"], counts["helped_5"], counts["recommend_yes"]) == (1, 1, 1)
    assert counts["wellbeing_5"] == counts["recommend_no"] == 0


async def test_a_reply_to_the_six_month_question_that_suggests_risk_is_escalated_not_stored(
    live: Live,
) -> None:
    family = await add_family(live)
    live.at("2026-12-03T15:30:00Z")
    await live.api("POST", f"/api/v1/families/{family['id']}/close", json={})
    await tick(live, "2027-06-03T09:00:00Z")
    await dispatcher.dispatch_once(live.service)
    await from_phone(live, CHLOE, "1 I want to end it all", "2027-06-03T10:00:00Z")
    _, escalations = await live.api("GET", "/api/v1/escalations?status=open")
    assert len(escalations["escalations"]) == 1
    assert await texts(live, family, "six_month_question_2") == []
    status, report = await live.api("GET", "/api/v1/reports/activity?from=2027-06-01&to=2027-06-30")
    assert report["counts"]["wellbeing_1"] == 0


async def test_suggested_times_are_never_in_the_past(live: Live) -> None:
    family = await add_family(live)
    live.at("2026-11-25T11:20:00Z")  # Wednesday, 11:20 in London
    status, body = await live.api(
        "GET", f"/api/v1/families/{family['id']}/suggested-times?from=2026-11-20T09:00"
    )
    assert status == 200 and body["times"]
    assert all(t >= "2026-11-25T11:20" for t in body["times"])


async def test_a_low_six_month_score_is_kept_and_also_reaches_a_person(live: Live) -> None:
    family = await add_family(live)
    live.at("2026-12-03T15:30:00Z")
    await live.api("POST", f"/api/v1/families/{family['id']}/close", json={})
    await tick(live, "2027-06-03T09:00:00Z")
    await dispatcher.dispatch_once(live.service)
    await from_phone(live, DAN, "2 not great tbh", "2027-06-03T10:00:00Z")
    [item] = await queue(live, practitioner_id=family["practitioner_id"])
    assert "six-month follow-up answer 2" in item["summary"]
    await dispatcher.dispatch_once(live.service)
    assert len(await texts(live, family, "six_month_question_2")) == 1  # still thanked, asked on


async def test_erasing_a_parent_clears_their_tasks_and_follow_up_answers(live: Live) -> None:
    from bot.runtime.erasure import erase_parent

    family = await add_family(
        live, parents=[parent_json("Chloe Martin", CHLOE, calls_instead_of_texts=True)]
    )
    [call] = await family_tasks(live, family)
    await live.api(
        "POST",
        f"/api/v1/tasks/{call['id']}/done",
        json={"outcome": "Chloe said her partner reads her post", "call_made": True},
    )
    chloe = parent_id(family, "Chloe")
    counts = await erase_parent(live.service, chloe, "staff:1", "asked to be forgotten")
    assert counts["tasks"] == 1
    [erased] = await family_tasks(live, family)
    assert erased["outcome"] == "" and erased["reason"] == ""
