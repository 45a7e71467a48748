"""Screenshots of the main console pages, for the README.

Set CRADLE_SCREENSHOTS=docs/screenshots to refresh the committed ones; otherwise they go to
a temporary folder, and the test still checks that every page renders in the browser.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from bot.core.appointments import AppointmentKind, Place
from bot.runtime import appointments
from tests.browser.conftest import DESKTOP, ConsoleServer, sign_in, sign_out
from tests.conftest import ROOT

PHONE = {"width": 390, "height": 844}


def test_main_pages(page: Page, server: ConsoleServer, tmp_path: Path) -> None:
    target = os.environ.get("CRADLE_SCREENSHOTS")
    folder = ROOT / target if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    server.at("2026-11-24T18:30:00Z")  # Tuesday evening: the team has gone home
    server.text_from("+447700900101", "Thanks Amira, is it ok if my mum comes too?")
    server.at("2026-11-25T09:05:00Z")
    server.text_from("+447700900201", "I can't cope anymore, she won't stop crying")
    booking = appointments.book(
        server.service,
        server.ids["PIR-0002"],
        kind=AppointmentKind.SESSION,
        starts_at=datetime(2026, 12, 1, 10, 30, tzinfo=UTC),
        duration=timedelta(minutes=60),
        place=Place.HOME,
        actor="screenshots",
    )
    server.run(booking)
    server.dispatch()
    server.at("2026-11-25T09:10:00Z")
    family = server.ids["PIR-0001"]

    def shoot(name: str, heading: str, *, phone: bool = False) -> None:
        page.set_viewport_size(PHONE if phone else DESKTOP)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    page.goto(server.base + "/login")
    shoot("sign-in", "Sign in")
    sign_in(page, server, "amira@demo.cradle")
    shoot("queue", "Your queue")
    shoot("queue-phone", "Your queue", phone=True)
    page.goto(f"{server.base}/families/{family}")
    shoot("family", "Baby of Chloe Martin")
    page.goto(server.base + "/cover")
    shoot("cover", "Cover")
    sign_out(page)

    sign_in(page, server, "grace@demo.cradle")
    shoot("escalations", "Escalations")
    page.get_by_role("link", name="PIR-0002").click()
    shoot("escalation", "Escalation")
    sign_out(page)

    sign_in(page, server, "sam@demo.cradle")
    shoot("admin-overview", "Overview")
    page.goto(f"{server.base}/admin/families/{server.ids['PIR-0002']}")
    shoot("admin-family", "Ava")
    page.goto(server.base + "/admin/queue")
    shoot("admin-waiting", "Waiting for you")


def test_simulator(page: Page, demo_server: ConsoleServer, tmp_path: Path) -> None:
    """The demo's phone simulator just after a risk message: the alert on staff phones."""
    target = os.environ.get("CRADLE_SCREENSHOTS")
    folder = ROOT / target if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(demo_server.base + "/simulator")
    page.get_by_label("Reply as Chloe Martin").fill("YES")
    page.get_by_role("button", name="Send as Chloe Martin").click()
    page.get_by_label("Reply as Leah Jones").fill("I'm scared I might hurt the baby")
    page.get_by_role("button", name="Send as Leah Jones").click()
    grace = page.locator('[id="+447700900003"]')
    expect(grace.get_by_role("button", name="Acknowledge")).to_be_visible()
    expect(page.locator('[id="+447700900101"] .bubble')).to_have_count(4)
    page.screenshot(path=str(folder / "simulator.png"), full_page=True)
    page.locator(".phone-group", has=grace).screenshot(path=str(folder / "simulator-staff.png"))
