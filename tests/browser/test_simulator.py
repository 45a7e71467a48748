"""The phone simulator as a newcomer uses it in `cradle demo`, in chromium.

The demo server runs its workers in the background, as `cradle demo` does: a text typed on
a phone is processed, answered and delivered without the test stepping in.
"""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, expect

from bot.store import escalations
from tests.browser.conftest import DESKTOP, ConsoleServer
from tests.conftest import ROOT

CHLOE = "+447700900101"
DAN = "+447700900102"
LEAH = "+447700900201"
AMIRA = "+447700900001"
GRACE = "+447700900003"  # the duty clinician; her Telegram is linked in the demo
RISK = "I'm scared I might hurt the baby"
WORRYING = "I can't cope anymore, she won't stop crying"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def phone(page: Page, number: str):  # noqa: ANN201
    return page.locator(f'[id="{number}"]')


def reply_as(page: Page, name: str, text: str) -> None:
    page.get_by_label(f"Reply as {name}").fill(text)
    page.get_by_role("button", name=f"Send as {name}").click()


def mark_page(page: Page) -> None:
    """A mark that a reload would wipe: the test then knows the page was never reloaded."""
    page.evaluate("window.notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"


def test_a_half_typed_reply_and_its_cursor_survive_a_new_text(
    page: Page, demo_server: ConsoleServer
) -> None:
    page.goto(demo_server.base + "/simulator")
    mark_page(page)
    box = page.get_by_label("Reply as Chloe Martin")
    box.fill("Yes, Thursday is fi")
    box.evaluate("box => box.setSelectionRange(5, 5)")
    before = phone(page, CHLOE).locator(".bubble.in").count()

    demo_server.arrive(CHLOE, "HELP")  # Cradle answers on her phone while she is typing

    expect(phone(page, CHLOE).locator(".bubble.in")).to_have_count(before + 1)
    expect(phone(page, CHLOE).locator(".bubble.in").last).to_contain_text("To talk to us")
    expect(page.locator("[data-live-status]")).to_have_text("New text on Chloe Martin's phone.")
    expect(box).to_have_value("Yes, Thursday is fi")
    expect(box).to_be_focused()
    assert box.evaluate("box => [box.selectionStart, box.selectionEnd]") == [5, 5]
    assert_not_reloaded(page)


def test_texts_are_shown_in_the_order_they_happened_within_one_second(
    page: Page, demo_server: ConsoleServer
) -> None:
    # The demo server's clock is frozen: every text here carries the same second.
    page.goto(demo_server.base + "/simulator")
    thread = phone(page, CHLOE).locator(".thread")
    expect(thread.locator(".bubble")).to_have_count(2)  # first contact, then the booking
    reply_as(page, "Chloe Martin", "YES")
    expect(thread.locator(".bubble")).to_have_count(4)
    directions = thread.locator(".bubble").evaluate_all(
        "bubbles => bubbles.map(b => b.dataset.direction)"
    )
    assert directions == ["in", "in", "out", "in"]
    expect(thread.locator(".bubble").nth(1)).to_contain_text("Reply YES")
    expect(thread.locator(".bubble").nth(2)).to_contain_text("YES")
    expect(thread.locator(".bubble").nth(3)).to_contain_text("Thank you for letting us know")
    # The newest text is in view: the thread is scrolled to its end.
    assert thread.evaluate("t => t.scrollHeight - t.scrollTop - t.clientHeight") < 48
    expect(page.get_by_label("Reply as Chloe Martin")).to_have_value("")


def test_a_risk_message_reaches_the_duty_clinicians_phone_within_five_seconds(
    page: Page, demo_server: ConsoleServer
) -> None:
    page.goto(demo_server.base + "/simulator")
    mark_page(page)
    grace = phone(page, GRACE)
    expect(grace).to_contain_text("Duty clinician")
    expect(grace.locator(".bubble")).to_have_count(0)

    reply_as(page, "Leah Jones", RISK)

    urgent = grace.locator(".bubble.in", has_text="Cradle URGENT")
    expect(urgent).to_have_count(2, timeout=5_000)  # by text, and on Telegram
    assert_not_reloaded(page)
    expect(urgent.first).to_contain_text("family PIR-0002")
    expect(urgent.first).not_to_contain_text("hurt")  # no clinical detail in a staff alert
    expect(phone(page, AMIRA).locator(".bubble.in", has_text="Cradle URGENT")).to_have_count(1)

    alert = grace.locator(".bubble.telegram")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Telegram: Acknowledged.")).to_be_visible()
    expect(grace.locator(".bubble.telegram")).to_contain_text("Acknowledged")
    expect(grace.get_by_role("button", name="Acknowledge")).to_have_count(0)

    rows = demo_server.run(escalations.notices(demo_server.service.db, 1))
    assert {row["channel"] for row in rows} >= {"sms", "telegram"}
    row = demo_server.run(escalations.get(demo_server.service.db, 1))
    assert row is not None and row.status == "acknowledged"


def test_the_simulator_has_no_accessibility_violations(
    chromium: Browser, demo_server: ConsoleServer
) -> None:
    assert AXE.exists(), "axe-core is not installed: run `make node-deps`"
    demo_server.arrive(LEAH, RISK)  # staff phones with alerts and an Acknowledge button
    # The page's Content-Security-Policy allows only its own scripts; axe is the test's.
    context = chromium.new_context(viewport=DESKTOP, locale="en-GB", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(demo_server.base + "/simulator")
        expect(phone(page, GRACE).get_by_role("button", name="Acknowledge")).to_be_visible()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        violations = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert violations == [], json.dumps(violations, indent=1)
    finally:
        context.close()


def test_time_travel_sends_the_next_days_reminders_and_climbs_escalations(
    page: Page, demo_server: ConsoleServer
) -> None:
    page.goto(demo_server.base + "/simulator")
    reply_as(page, "Leah Jones", WORRYING)  # a concern: her practitioner first, Grace later
    expect(phone(page, AMIRA).locator(".bubble", has_text="Cradle Concern")).to_have_count(1)
    expect(phone(page, GRACE).locator(".bubble")).to_have_count(0)
    expect(phone(page, CHLOE).locator(".bubble", has_text="A reminder")).to_have_count(0)

    page.get_by_role("button", name="Jump to Wednesday 10:00").click()

    expect(page.get_by_text("It is now Wednesday 25 November, 10:00")).to_contain_text(
        "queued 2 reminders and no engagement follow-ups; 1 escalation climbed"
    )
    for number in (CHLOE, DAN):
        reminder = phone(page, number).locator(".bubble.in", has_text="A reminder")
        expect(reminder).to_have_count(1)
        expect(reminder).to_contain_text("Wed 25 Nov 10:00")
    expect(phone(page, GRACE).locator(".bubble", has_text="Cradle Concern")).to_have_count(2)
    # The clock went on from there: a reply now comes after the reminder it answers.
    expect(page.get_by_role("button", name="Jump to Thursday 10:00")).to_be_visible()
    reply_as(page, "Chloe Martin", "YES")
    bubbles = phone(page, CHLOE).locator(".bubble")
    expect(bubbles.last).to_contain_text("Thank you for letting us know")
    expect(bubbles.nth(-2)).to_contain_text("Sent Wed 25 Nov 10:00")

    # Two more days: families who have not replied (Kasia's, Ayesha's) are followed up.
    ayesha = phone(page, "+447700900401").locator(".bubble.in")
    expect(ayesha).to_have_count(1)
    page.get_by_role("button", name="Jump to Thursday 10:00").click()
    page.get_by_role("button", name="Jump to Friday 10:00").click()
    expect(page.get_by_text("It is now Friday 27 November, 10:00")).to_contain_text(
        "2 engagement follow-ups"
    )
    expect(ayesha).to_have_count(2)
    expect(ayesha.last).to_contain_text("Fri 27 Nov 10:00")


def test_every_reply_box_and_send_button_stays_inside_its_phone(
    page: Page, demo_server: ConsoleServer
) -> None:
    page.goto(demo_server.base + "/simulator")
    for width in (390, 768, 1280, 1600):
        page.set_viewport_size({"width": width, "height": 900})
        outside = page.evaluate(
            """() => [...document.querySelectorAll('.phone')].flatMap(phone => {
                const frame = phone.getBoundingClientRect();
                return [...phone.querySelectorAll('input:not([type=hidden]), button, .bubble')]
                  .filter(el => {
                    const box = el.getBoundingClientRect();
                    return box.left < frame.left || box.right > frame.right;
                  })
                  .map(el => `${phone.querySelector('.phone-owner').textContent}: ${el.tagName}`);
            })"""
        )
        assert outside == [], (width, outside)
