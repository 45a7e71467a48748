"""The console in chromium, against the real server on loopback: what staff actually do."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleServer, sign_in, sign_out

CHLOE, LEAH = "+447700900101", "+447700900201"
WORRYING = "I can't cope anymore, she won't stop crying"


@pytest.mark.parametrize(
    ("email", "heading", "menu"),
    [
        ("amira@demo.cradle", "Your queue", ["Your queue", "Cover"]),
        ("grace@demo.cradle", "Escalations", ["Escalations", "Your queue", "Cover"]),
        ("helen@demo.cradle", "Escalations", ["Escalations", "Your queue", "Cover"]),
        ("sam@demo.cradle", "Overview", ["Overview", "Families", "Waiting", "Delivery failures"]),
    ],
)
def test_each_role_signs_in_to_their_own_pages_and_out_again(
    page: Page, server: ConsoleServer, email: str, heading: str, menu: list[str]
) -> None:
    sign_in(page, server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    navigation = page.get_by_role("navigation", name="Menu")
    for label in menu:
        expect(navigation.get_by_role("link", name=label)).to_be_visible()
    sign_out(page)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(server.base + "/queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Cradle")


def test_another_practitioners_family_is_not_found_and_a_post_without_the_token_is_refused(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "tom@demo.cradle")
    response = page.goto(f"{server.base}/families/{server.ids['PIR-0001']}")  # Amira's family
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Chloe")).to_have_count(0)

    page.goto(f"{server.base}/families/{server.ids['PIR-0003']}")  # his own
    page.get_by_label("Your text").fill("Hello Kasia")
    page.locator("form.reply-form input[name=csrf_token]").evaluate("input => input.remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Send text").click()
    assert posted.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    direct = page.request.post(
        f"{server.base}/families/{server.ids['PIR-0003']}/reply",
        form={"parent_id": "5", "body": "Hello Kasia"},
    )
    assert direct.status == 403
    page.goto(server.base + "/simulator")
    expect(page.locator('[id="+447700900301"] .bubble.in')).not_to_contain_text(["Hello Kasia"])


def test_a_reply_from_the_queue_reaches_the_parents_phone(
    page: Page, server: ConsoleServer
) -> None:
    server.text_from(CHLOE, "Can my mum come on Thursday too?")
    sign_in(page, server, "amira@demo.cradle")
    row = page.locator("tr.queue-item", has_text="Can my mum come on Thursday too?")
    row.get_by_role("link", name="Reply").click()
    expect(page.get_by_label("Chloe Martin (SMS)")).to_be_checked()  # the parent who wrote
    handled = page.get_by_label("Mark this family's waiting messages as handled")
    expect(handled).not_to_be_checked()
    handled.check()
    page.get_by_label("Your text").fill("Of course, she is very welcome.")
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_text("Your text to Chloe Martin is on its way.")).to_be_visible()

    assert server.dispatch() == 1
    page.goto(server.base + "/simulator")
    phone = page.locator(f'[id="{CHLOE}"]')
    expect(phone.locator(".bubble.in").last).to_contain_text("Of course, she is very welcome.")
    page.goto(server.base + "/queue")
    expect(page.get_by_text("Nothing waiting.")).to_be_visible()


def test_acknowledging_an_escalation_takes_it_off_the_duty_view(
    page: Page, server: ConsoleServer
) -> None:
    server.text_from(LEAH, WORRYING)
    sign_in(page, server, "grace@demo.cradle")
    waiting = page.locator("#open-escalations tr.escalation", has_text="PIR-0002")
    expect(waiting).to_contain_text("left")
    waiting.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Escalation acknowledged.")).to_be_visible()
    expect(page.get_by_text("No escalation is waiting.")).to_be_visible()

    page.locator("#acknowledged").get_by_role("link", name="Record the action").click()
    page.get_by_role("button", name="Close the escalation").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select what was done")
    page.get_by_label("Called 999").check()
    page.get_by_label("Details").fill("Ambulance sent; Leah and Ava safe")
    page.get_by_role("button", name="Close the escalation").click()
    expect(page.get_by_text("Escalation closed.")).to_be_visible()
    expect(page.locator("#acknowledged")).to_contain_text("None.")


def test_cover_sends_new_escalations_to_the_colleague_covering(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "amira@demo.cradle")
    page.get_by_role("link", name="Cover").click()
    page.get_by_label("Who will cover you").select_option(label="Tom Evans (Practitioner)")
    for legend, day in (("First day of leave", "24"), ("Last day of leave", "27")):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill("11")
        group.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Set cover").click()
    expect(page.get_by_text("Tom Evans will cover Amira Shah")).to_be_visible()
    sign_out(page)

    server.text_from(LEAH, WORRYING)
    sign_in(page, server, "tom@demo.cradle")
    pinned = page.locator("#escalations .escalation")
    expect(pinned).to_have_count(1)
    expect(pinned).to_contain_text("PIR-0002")
    expect(page.get_by_text("You are covering Amira Shah")).to_be_visible()
    sign_out(page)

    sign_in(page, server, "amira@demo.cradle")
    expect(page.get_by_text("Tom Evans is covering your families")).to_be_visible()
    expect(page.locator("#escalations")).to_have_count(0)


def test_markup_and_a_right_to_left_override_are_shown_as_text_never_obeyed(
    page: Page, server: ConsoleServer
) -> None:
    hostile = (
        '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> \u202etxt.exe'
    )
    server.text_from(CHLOE, hostile)
    sign_in(page, server, "amira@demo.cradle")
    for path in ("/queue", f"/families/{server.ids['PIR-0001']}"):
        page.goto(server.base + path)
        shown = page.locator(".message-text", has_text="window.pwned").first
        expect(shown).to_contain_text("<script>window.pwned = 1</script><img src=x onerror=")
        expect(shown).to_contain_text("[U+202E]txt.exe")
        assert page.evaluate("window.pwned") is None
        assert page.locator("main script, main img").count() == 0
