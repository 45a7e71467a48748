"""Accounts in chromium: an administrator resets a password, the person signs in with the
temporary one and must choose their own before anything else."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ConsoleServer, sign_in


def test_a_reset_password_must_be_changed_at_the_next_sign_in(
    page: Page, context: BrowserContext, server: ConsoleServer
) -> None:
    sign_in(page, server, "sam@demo.cradle")
    page.goto(server.base + "/admin/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    page.get_by_role("link", name="Tom Evans").click()
    page.get_by_role("button", name="Reset password").click()
    temporary = page.locator("#temporary-password").inner_text()
    assert len(temporary) >= 12

    tom = context.browser.new_page() if context.browser else page
    tom.goto(server.base + "/login")
    tom.get_by_label("Email address").fill("tom@demo.cradle")
    tom.get_by_label("Password").fill(temporary)
    tom.get_by_role("button", name="Sign in").click()
    expect(tom.get_by_role("heading", level=1)).to_have_text("Change your password")
    tom.goto(server.base + "/queue")
    expect(tom.get_by_role("heading", level=1)).to_have_text("Change your password")
    tom.get_by_label("Your current password").fill(temporary)
    tom.get_by_label("New password", exact=True).fill("password1234")
    tom.get_by_label("New password again").fill("password1234")
    tom.get_by_role("button", name="Change password").click()
    expect(tom.get_by_text("That password is too commonly used").first).to_be_visible()
    tom.get_by_label("Your current password").fill(temporary)
    tom.get_by_label("New password", exact=True).fill("violet kettle orchard")
    tom.get_by_label("New password again").fill("violet kettle orchard")
    tom.get_by_role("button", name="Change password").click()
    expect(tom.get_by_role("heading", level=1)).to_have_text("Your queue")
    expect(tom.get_by_text("Your password has been changed.")).to_be_visible()
