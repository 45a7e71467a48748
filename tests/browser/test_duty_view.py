"""The duty view and the queue update themselves in chromium: a new emergency appears within
15 seconds without a reload, the page title counts what is open, and a view that can no
longer reach Cradle says so instead of looking quiet."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleServer, sign_in

LEAH, CHLOE = "+447700900201", "+447700900101"
UNKNOWN = "+447700900555"


def test_a_new_emergency_appears_on_the_open_duty_view_within_15_seconds(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "grace@demo.cradle")
    page.goto(server.base + "/escalations")
    expect(page.get_by_text("No escalation is waiting.")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    server.text_from(UNKNOWN, "I want to end my life tonight")

    row = page.locator("#open-escalations tr[data-level=emergency]")
    expect(row).to_contain_text("I want to end my life tonight", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True, "updated in place, not reloaded"
    expect(page).to_have_title("(1 open) Escalations – Cradle")
    expect(row.locator(".nhsuk-tag--red")).to_have_text("Emergency")
    expect(row.locator(f'a[href="tel:{UNKNOWN}"]')).to_have_text("07700 900555")
    expect(row).to_contain_text("Just now")
    expect(row.locator(".chain-history")).to_contain_text("Step 1")

    server.text_from(LEAH, "I can't cope anymore, she won't stop crying")
    expect(page).to_have_title("(2 open) Escalations – Cradle", timeout=15_000)


def test_the_queue_updates_itself_and_a_view_that_cannot_update_says_so(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "amira@demo.cradle")
    page.goto(server.base + "/queue")
    page.evaluate("window.notReloaded = true")

    server.text_from(CHLOE, "Can my mum come too?")

    expect(page.locator("#messages")).to_contain_text("Can my mum come too?", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True

    page.context.clear_cookies()  # signed out elsewhere: the page can no longer update
    expect(page.get_by_role("alert")).to_contain_text("Not updating", timeout=15_000)
