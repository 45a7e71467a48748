"""The administrator's records and delivery pages in chromium, without JavaScript tricks."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, ConsoleServer, sign_in
from tests.conftest import ROOT


def test_an_administrator_erases_a_parent_after_confirming_their_name(
    page: Page, server: ConsoleServer
) -> None:
    sign_in(page, server, "sam@demo.cradle")
    page.goto(f"{server.base}/admin/families/{server.ids['PIR-0003']}")
    page.get_by_role("link", name="Records held: export (subject access) or erase").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records held about this family")
    expect(
        page.get_by_role("link", name="Download everything about the family (JSON)")
    ).to_be_visible()
    page.get_by_role("link", name="Erase Kasia Nowak").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()

    page.get_by_label("Why they are being erased").fill("Asked by letter on 20 November")
    page.get_by_label("Type Kasia Nowak to confirm").fill("Kasia")
    page.get_by_role("button", name="Erase Kasia Nowak").click()
    expect(
        page.get_by_text("Type the parent's name exactly as shown to confirm").first
    ).to_be_visible()

    page.get_by_label("Type Kasia Nowak to confirm").fill("Kasia Nowak")
    page.get_by_role("button", name="Erase Kasia Nowak").click()
    expect(
        page.get_by_text("The parent's personal data and the words of their texts were erased")
    ).to_be_visible()
    expect(page.get_by_text("Erased", exact=True)).to_be_visible()
    expect(page.get_by_text("Kasia")).to_have_count(0)


def test_the_delivery_dashboard_opens_from_the_overview(page: Page, server: ConsoleServer) -> None:
    server.dispatch()
    sign_in(page, server, "sam@demo.cradle")
    page.get_by_role("link", name="Delivery", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delivery")
    expect(
        page.get_by_role("heading", name="Escalations acknowledged within their deadline")
    ).to_be_visible()


def test_screenshots_of_the_records_and_delivery_pages(
    page: Page, server: ConsoleServer, tmp_path: Path
) -> None:
    """CRADLE_SCREENSHOTS=docs/screenshots refreshes the committed ones (see the README)."""
    target = os.environ.get("CRADLE_SCREENSHOTS")
    folder = ROOT / target if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    server.dispatch()
    server.text_from("+447700900201", "I can't cope anymore, she won't stop crying")
    server.dispatch()
    sign_in(page, server, "sam@demo.cradle")
    page.set_viewport_size(DESKTOP)

    def shoot(name: str, heading: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    page.goto(server.base + "/admin/delivery")
    shoot("admin-delivery", "Delivery")
    page.goto(f"{server.base}/admin/families/{server.ids['PIR-0001']}/records")
    shoot("admin-records", "Records held")
    page.get_by_role("link", name="Erase Chloe Martin").click()
    shoot("admin-erase", "Erase Chloe Martin")
