"""The NHS date input in chromium: day, month and year typed into three boxes, never a date
picker; a date that is not real is refused with the reason; the date is shown the NHS way."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleServer, sign_in


def test_a_due_date_is_typed_as_day_month_and_year_and_shown_the_nhs_way(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "sam@demo.cradle")
    page.goto(server.base + "/admin/families/new")
    due = page.get_by_role("group", name="Expected due date")
    expect(due.get_by_label("Day")).to_have_attribute("inputmode", "numeric")
    expect(page.locator('input[type="date"]')).to_have_count(0)  # no browser date picker

    page.get_by_label("Reference").fill("PIR-0042")
    page.get_by_label("Mother's name").fill("Nia Evans")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2027")
    page.get_by_label("Full name").first.fill("Nia Evans")
    page.get_by_label("Mobile number").first.fill("07700 900401")
    page.get_by_role("button", name="Add the family").click()

    expect(page.get_by_text("The date must be a real date").first).to_be_visible()
    due = page.get_by_role("group", name="Expected due date")
    expect(due.get_by_label("Day")).to_have_value("31")  # what they typed is kept
    due.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Add the family").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Baby of Nia Evans")
    expect(page.get_by_text("28 February 2027")).to_be_visible()


def test_a_letter_prints_with_the_teams_letterhead_and_return_address(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "sam@demo.cradle")
    page.goto(server.base + "/admin/letters")
    page.get_by_role("link", name=re.compile("letter to Priya Nair")).first.click()
    expect(page.locator(".letterhead")).to_contain_text("Parent-Infant Relationship Team")
    expect(page.locator(".letterhead")).to_contain_text("4 Mill Lane")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
