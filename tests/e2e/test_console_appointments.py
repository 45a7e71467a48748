"""The administrator's appointments, letters and report pages over real HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Live
from tests.e2e.console_client import ConsoleClient, rows, text_from

BOOKING = {
    "day": "2026-12-01",
    "time": "10:30",
    "duration": "60",
    "kind": "session",
    "place": "home",
}


async def book(client: ConsoleClient, family: int, **extra: object) -> tuple[int, str, str]:
    await client.get(f"/admin/families/{family}/appointments/new")
    form = {**BOOKING, **extra}
    expected = form.pop("expected", None)
    data: list[tuple[str, str]] = [(k, str(v)) for k, v in form.items()]
    data += [("expected", str(p)) for p in (expected or [])]
    data.append(("csrf_token", client.csrf))
    async with client.http.post(
        f"{client.base}/admin/families/{family}/appointments/new",
        data=data,
        allow_redirects=False,
    ) as r:
        return r.status, await r.text(), r.headers.get("Location", "")


async def test_booking_texts_every_expected_parent_and_shows_on_the_family_and_the_list(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0001"]
    await client.sign_in("administrator")
    _, form = await client.get(f"/admin/families/{family}/appointments/new")
    assert "Times that suit the family" in form
    assert 'value="1" checked' in form and 'value="2" checked' in form  # both parents by default

    status, _, location = await book(client, family, expected=[1, 2])
    assert (status, location) == (303, f"/admin/families/{family}#appointments")
    _, page = await client.get(f"/admin/families/{family}")
    assert "Booked for Tuesday 1 December 2026 at 10:30" in page
    assert "Text queued for 2 parents." in page
    assert "Chloe Martin: No answer yet" in page
    confirmations = rows(
        live, "SELECT recipient FROM outbox WHERE purpose = 'appointment_confirmation' ORDER BY id"
    )
    assert confirmations == [("+447700900101",), ("+447700900102",)]
    _, listing = await client.get("/admin/appointments")
    assert "PIR-0001" in listing and "Tuesday 1 December 2026 at 10:30" in listing


@pytest.mark.parametrize(
    ("extra", "field", "problem"),
    [
        ({"day": "2026-11-20"}, "day", "must be in the future"),
        ({"place": "clinic", "address": ""}, "address", "clinic"),
        ({"expected": []}, "expected", "Select at least one parent"),
        ({"time": "half ten"}, "time", "Enter the time"),
    ],
)
async def test_a_booking_that_cannot_be_made_says_why_and_books_nothing(
    live: Live,
    team: dict[str, int],
    client: ConsoleClient,
    extra: dict,
    field: str,
    problem: str,
) -> None:
    await client.sign_in("administrator")
    extra = {"expected": [1], **extra}
    status, page, _ = await book(client, team["PIR-0001"], **extra)
    assert status == 422
    summary = page.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    assert f'href="#{field}"' in summary and problem in summary
    assert rows(live, "SELECT count(*) FROM appointments") == [(0,)]


async def test_calling_off_tells_the_parents_and_puts_rebooking_in_the_administrators_queue(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0001"]
    await client.sign_in("administrator")
    await book(client, family, expected=[1])
    [(appointment,)] = rows(live, "SELECT id FROM appointments")
    await client.get(f"/admin/appointments/{appointment}/change")
    data = [*{**BOOKING, "time": "14:00"}.items(), ("expected", "1"), ("csrf_token", client.csrf)]
    async with client.http.post(
        f"{client.base}/admin/appointments/{appointment}/change", data=data, allow_redirects=False
    ) as r:
        assert r.status == 303
    _, page = await client.get(f"/admin/families/{family}")
    assert "Moved for Tuesday 1 December 2026 at 14:00" in page

    status, _, _ = await client.post(
        f"/admin/appointments/{appointment}/cancel", {"reason": "Practitioner unwell"}
    )
    assert status == 303
    assert rows(live, "SELECT status, cancelled_by FROM appointments") == [("cancelled", "team")]
    told = rows(live, "SELECT count(*) FROM outbox WHERE purpose = 'appointment_cancelled_by_team'")
    assert told == [(1,)]
    _, waiting = await client.get("/admin/queue")
    assert "To rebook" in waiting and "Practitioner unwell" in waiting


async def test_a_letter_for_a_parent_who_wants_one_is_printed_and_marked_posted(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await book(client, team["PIR-0003"], expected=[5])  # Kasia asked for letters, in Polish
    [(letter, status)] = rows(live, "SELECT id, status FROM letters WHERE kind = 'appointment'")
    assert status == "waiting"
    _, listing = await client.get("/admin/letters")
    assert "Kasia Nowak" in listing and "PIR-0003" in listing
    _, sheet = await client.get(f"/admin/letters/{letter}")
    assert 'lang="pl"' in sheet and "letter-sheet" in sheet
    status, _, _ = await client.post(f"/admin/letters/{letter}/sent", {})
    assert status == 303
    assert rows(live, "SELECT status FROM letters WHERE kind = 'appointment'") == [("sent",)]
    assert rows(live, "SELECT count(*) FROM audit WHERE action = 'letter_viewed'") == [(1,)]


async def test_the_activity_report_counts_the_period_and_downloads_as_csv(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    await book(client, team["PIR-0001"], expected=[1])
    _, page = await client.get("/admin/reports?from=2026-11-01&to=2026-11-30")
    report = page.split('id="report"')[1].split("</table>")[0]
    booked = report.split("Appointments booked")[1].split("</tr>")[0]
    assert ">1<" in booked.replace(" ", "")
    assert "First contacts sent" in report
    async with client.http.get(
        client.base + "/admin/reports?from=2026-11-01&to=2026-11-30&format=csv"
    ) as r:
        assert r.headers["Content-Type"].startswith("text/csv")
        assert "Appointments booked,1,2026-11-01,2026-11-30" in await r.text()
    status, page = await client.get("/admin/reports?from=2026-11-30&to=2026-11-01")
    assert status == 422 and "must not be before" in page


async def test_booking_can_invite_the_referrer_with_a_letter(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    await client.sign_in("administrator")
    status, _, _ = await book(client, team["PIR-0001"], expected=[1], invite_referrer="yes")
    assert status == 303
    assert rows(live, "SELECT referrer_invited FROM appointments") == [(1,)]
    [(addressed_to, body)] = rows(
        live, "SELECT addressed_to, body FROM letters WHERE kind = 'invitation'"
    )
    assert addressed_to.startswith("Priya Nair") and "join the family's appointment" in body


async def test_one_parents_no_shows_as_needing_review_until_the_administrator_keeps_it(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0001"]
    await client.sign_in("administrator")
    await book(client, family, expected=[1, 2])
    await text_from(live.service, "+447700900101", "sorry can't make it")

    _, page = await client.get(f"/admin/families/{family}")
    assert "Needs review" in page and "Chloe said NO to the joint appointment" in page
    _, waiting = await client.get("/admin/queue")
    assert "Appointment needs review" in waiting
    [(appointment,)] = rows(live, "SELECT id FROM appointments")

    status, page, _ = await client.post(f"/admin/appointments/{appointment}/keep", {}, follow=True)

    assert status == 200 and "the appointment stands as booked" in page
    assert "Needs review" not in page
    assert rows(live, "SELECT status, needs_review_at FROM appointments") == [("booked", None)]


async def test_cancel_on_its_own_puts_an_urgent_phone_call_at_the_top_of_the_waiting_list(
    live: Live, team: dict[str, int], client: ConsoleClient
) -> None:
    family = team["PIR-0001"]
    await client.sign_in("administrator")
    await book(client, family, expected=[1, 2])
    await text_from(live.service, "+447700900102", "Can we do another day?")  # Dan: a change
    await text_from(live.service, "+447700900101", "CANCEL")

    _, page = await client.get("/admin/queue")

    waiting = page.split('id="for-administrator"')[1].split("Unassigned")[0]
    first_row = waiting.split('class="nhsuk-table__row queue-item"')[1]
    assert "Urgent" in first_row
    assert (
        "Chloe Martin texted CANCEL: may have meant the appointment on Tuesday 1 December 2026"
        in first_row
    )
    assert "texts are now blocked by the phone network, phone them" in first_row
    assert "(2) Waiting for you" in page.split("</title>")[0]
