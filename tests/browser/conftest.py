"""Chromium (Debian's) driving the real console on loopback.

The server runs on its own event loop in a daemon thread, so the browser tests stay plain
`def` with Playwright's sync API. Texts are sent and messages processed only when a test
asks (`server.dispatch()`, `server.text_from(...)`), as in the e2e tests.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from bot import demo
from bot.clock import Clock, parse_instant
from bot.core.model import ChannelName, InboundMessage
from bot.runtime import dispatcher, pipeline
from bot.runtime.service import Service
from bot.server import start_site
from tests.conftest import OPEN_TIME, free_port, make_settings
from tests.e2e.console_client import seed_demo

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}


class ConsoleServer:
    """The service with the demo team, serving on loopback from a thread of its own."""

    def __init__(self, folder: Path, *, as_demo: bool = False) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.service, self._runner, self.ids = self.run(self._start(folder, as_demo))
        self._count = 0

    async def _start(self, folder: Path, as_demo: bool) -> tuple[Service, Any, dict[str, int]]:
        settings = make_settings(folder, self.port)
        if as_demo:
            settings = replace(settings, demo=True)
        service = await Service.create(settings, Clock(parse_instant(OPEN_TIME)))
        if as_demo:
            service.policies = demo.demo_policies(service.policies)
        runner = await start_site(service, "127.0.0.1", self.port)
        ids = await seed_demo(service)
        if as_demo:  # as `cradle demo` runs: its appointment, and the workers in the background
            await demo.book_first_appointment(service, ids["PIR-0001"])
            await service.start_background()
        await dispatcher.dispatch_once(service)  # first contact reaches the phones
        return service, runner, ids

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=30)

    def text_from(self, number: str, body: str) -> None:
        """A parent's text arrives and is processed, as through the SMS webhook."""
        self._count += 1
        message = InboundMessage(
            channel=ChannelName.SMS,
            external_id=f"BROWSER{self._count}",
            sender=number,
            body=body,
            received_at=self.service.now(),
        )

        async def receive() -> None:
            await pipeline.receive(self.service, message)
            await pipeline.process_pending(self.service)

        self.run(receive())

    def arrive(self, number: str, body: str) -> None:
        """A parent's text is stored, as by the SMS webhook; the running workers do the rest."""
        self._count += 1
        message = InboundMessage(
            channel=ChannelName.SMS,
            external_id=f"BROWSER{self._count}",
            sender=number,
            body=body,
            received_at=self.service.now(),
        )
        self.run(pipeline.receive(self.service, message))

    def dispatch(self) -> int:
        return self.run(dispatcher.dispatch_once(self.service))

    def at(self, instant: str) -> None:
        self.service.clock.set(parse_instant(instant))

    def stop(self) -> None:
        async def stop() -> None:
            await self._runner.cleanup()
            await self.service.close()

        self.run(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """One browser for the browser tests, stopped before any other test runs.

    Playwright's sync API keeps an event loop running while it is started; pytest-playwright's
    session-wide fixtures would leave it running under the async tests that follow.
    """
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed: run `make browser-deps`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def browser(chromium: Browser) -> Browser:
    """pytest-playwright's name for it, so its session-wide browser is never started."""
    return chromium


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    opened = chromium.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    running = ConsoleServer(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[ConsoleServer]:
    """As `cradle demo` runs: simulated Telegram for staff, time travel, workers running."""
    running = ConsoleServer(tmp_path, as_demo=True)
    yield running
    running.stop()


def sign_in(page: Page, server: ConsoleServer, email: str) -> None:
    page.goto(server.base + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
