"""The wording editor in Chromium: edit with the live preview, save, history, what changed,
go back to an earlier version; and the preview without JavaScript."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, ConsoleServer, sign_in

FIRST = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Can we meet soon?"
DRAFT = "Helo {parent_name}! Atebwch STOP i stopio."
SECOND = "Hi {parent_name}, I'm {practitioner_name} from {team_name}. Can we meet next week?"


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshots for a person to look at, when CRADLE_SCREENSHOTS names a folder."""
    target = os.environ.get("CRADLE_SCREENSHOTS")
    folder = Path(target) if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"templates-{name}.png"), full_page=True)


def edit_and_save(page: Page, wording: str, reason: str) -> None:
    page.get_by_label("Wording").fill(wording)
    page.get_by_label("Why are you changing it?").fill(reason)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The next first contact in English")).to_be_visible()


def test_save_history_difference_and_going_back(
    page: Page, server: ConsoleServer, tmp_path: Path
) -> None:
    team = server.service.policies.team
    sign_in(page, server, "sam@demo.cradle")
    page.goto(server.base + "/admin/templates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Message wording")
    shoot(page, tmp_path, "list")
    page.get_by_role("link", name="Change first contact in English (United Kingdom)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("First contact")

    # The preview follows the typing, and a chosen family's details, before anything is saved.
    page.get_by_label("Wording").fill(FIRST)
    phone = page.locator(".preview-phone__text").first
    expect(phone).to_have_text("Hi Samantha, I'm Rebecca from Little Steps. Can we meet soon?")
    page.get_by_label("Preview for a family").select_option(label="PIR-0001: Baby of Chloe Martin")
    expect(page.locator(".preview-phone__text").nth(1)).to_have_text(
        f"Hi Chloe, I'm Amira from {team.sender_name}. Can we meet soon?"
    )
    expect(page.locator(".preview-segments").first).to_have_text("1")
    shoot(page, tmp_path, "edit")

    page.get_by_label("Why are you changing it?").fill("Shorter")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The next first contact in English")).to_be_visible()
    edit_and_save(page, SECOND, "More definite")
    expect(page.get_by_label("Wording")).to_have_value(SECOND)

    history = page.locator("table.template-history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("More definite")
    expect(history.nth(0)).to_contain_text("Sam Patel")
    expect(history.nth(0)).to_contain_text("In use")
    expect(history.nth(1)).to_contain_text("Shorter")

    page.get_by_role("link", name="What changed in version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("From version 1 to version 2")
    expect(page.locator("#diff del")).to_have_text("[removed: soon?]")
    expect(page.locator("#diff ins")).to_have_text("[added: next week?]")
    shoot(page, tmp_path, "diff")

    page.get_by_role("link", name="First contact in English").first.click()
    page.get_by_role("link", name="Go back to version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("From version 2 to version 1")
    page.get_by_label("Why? (optional)").fill("Parents preferred it")
    page.get_by_role("button", name="Go back to version 1").click()
    expect(page.get_by_text("Parents get that wording again")).to_be_visible()
    expect(page.get_by_label("Wording")).to_have_value(FIRST)
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Went back")
    expect(history.nth(0)).to_contain_text("Parents preferred it")
    assert server.service.wording.texts[("first_contact", "en_GB", "standard")] == FIRST


def test_preview_and_a_refusal_without_javascript(
    chromium: Browser, server: ConsoleServer, tmp_path: Path
) -> None:
    context = chromium.new_context(
        viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, server, "sam@demo.cradle")
        page.goto(server.base + "/admin/templates/appointment_reminder/cy")
        page.get_by_label("Wording").fill(DRAFT)
        page.get_by_role("button", name="Preview").click()
        expect(page.locator(".preview-phone__text").first).to_have_text(
            "Helo Rhiannon! Atebwch STOP i stopio."
        )
        expect(page.locator(".template-checks--error")).to_contain_text("must include")
        page.get_by_label("Why are you changing it?").fill("Test")
        page.get_by_role("button", name="Save").click()
        summary = page.locator(".nhsuk-error-summary")
        expect(summary).to_contain_text("There is a problem")
        expect(summary).to_contain_text("asks for a reply that opts the parent out")
        expect(page.get_by_label("Wording")).to_have_value(
            "Helo {parent_name}! Atebwch STOP i stopio."
        )
        shoot(page, tmp_path, "refused")
        assert ("appointment_reminder", "cy", "standard") in server.service.wording.texts
        assert server.service.wording.texts[("appointment_reminder", "cy", "standard")] != DRAFT
    finally:
        context.close()
