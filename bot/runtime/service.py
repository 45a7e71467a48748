"""The running service: settings, clock, database, policies, wording and transports in one place."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.base import Transport
from bot.channels.simulator import SimulatorTelegram, SimulatorTransport
from bot.clock import Clock, parse_instant
from bot.config import Settings
from bot.core import templates
from bot.core.model import ChannelName
from bot.core.policy import Policies, load_policies
from bot.core.triage import TriageRules, load_triage_rules
from bot.core.wording import Wording
from bot.store import templates as template_store
from bot.store.db import Database, open_database
from bot.store.inbound import IntakeWriter

log = logging.getLogger(__name__)


def load_wording(messages_dir: Path, policies: Policies) -> Wording:
    catalogue = templates.load_catalogue(messages_dir)
    texts = templates.load_defaults(messages_dir)
    team = policies.team
    return Wording(texts, catalogue, {"team_name": team.sender_name, "team_phone": team.phone})


@dataclass
class Service:
    settings: Settings
    clock: Clock
    db: Database
    policies: Policies
    rules: TriageRules
    default_wording: Wording
    transports: dict[ChannelName, Transport]
    intake: IntakeWriter = field(init=False)
    wording: Wording = field(init=False)
    _inbound_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # When slow scheduled jobs last ran in this process, by name (see the retention job).
    last_runs: dict[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.intake = IntakeWriter(self.db)
        self.wording = self.default_wording

    @classmethod
    async def create(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        transports: dict[ChannelName, Transport] | None = None,
    ) -> Service:
        """Validate policies and wording first: a bad file stops the start, never a half policy."""
        policies = load_policies(settings.policies_dir)
        rules = load_triage_rules(settings.policies_dir)
        wording = load_wording(settings.messages_dir, policies)
        if clock is None:
            clock = Clock(parse_instant(settings.now) if settings.now else None)
            if clock.frozen:
                log.warning(
                    "the clock is frozen at %s (CRADLE_NOW): for tests and demonstrations only",
                    settings.now,
                )
        db = await open_database(settings.database)
        if transports is None:
            transports = await build_transports(settings)
        service = cls(settings, clock, db, policies, rules, wording, transports)
        await service.reload_wording()
        return service

    async def reload_wording(self) -> None:
        """Lay administrators' saved versions over the file defaults."""
        overrides = await template_store.current_overrides(self.db)
        self.wording = self.default_wording.with_texts(overrides)

    def now(self) -> datetime:
        return self.clock.now()

    def team_timezone(self) -> ZoneInfo:
        return self.policies.hours.timezone

    def wake_inbound(self) -> None:
        self._inbound_ready.set()

    def wake_outbox(self) -> None:
        self._outbox_ready.set()

    async def start_background(self) -> None:
        from bot.runtime import dispatcher, pipeline, scheduler

        self.intake.start()
        self._tasks = [
            asyncio.create_task(pipeline.run(self, self._inbound_ready), name="inbound"),
            asyncio.create_task(dispatcher.run(self, self._outbox_ready), name="outbox"),
            asyncio.create_task(scheduler.run(self), name="scheduler"),
        ]
        self.wake_inbound()  # anything stored before a crash is processed now
        self.wake_outbox()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        await self.intake.stop()
        for transport in self.transports.values():
            await transport.close()
        await self.db.close()


async def build_transports(settings: Settings) -> dict[ChannelName, Transport]:
    """SMS through Twilio when configured, else the simulator; Telegram when a bot token is set.

    The demo never has credentials (`cradle demo` ignores them): both go to the simulator.
    """
    transports: dict[ChannelName, Transport] = {}
    if settings.twilio_enabled:
        from bot.channels.twilio_sms import TwilioTransport

        transports[ChannelName.SMS] = TwilioTransport(settings)
    elif settings.demo or settings.simulator:
        transports[ChannelName.SMS] = SimulatorTransport()
    else:
        # Never pretend a text was delivered: without a provider, texts wait in the outbox.
        log.warning(
            "SMS is not configured: texts wait in the outbox until Twilio is set up"
            " (CRADLE_SIMULATOR=true shows them at /simulator instead, for training)"
        )
    if settings.telegram_enabled:
        from bot.channels.telegram import TelegramTransport  # aiogram is slow to import: only here

        transports[ChannelName.TELEGRAM] = TelegramTransport(settings)
    elif settings.demo:
        # Staff linked to Telegram see their alerts, with Acknowledge, on the simulator's phones.
        transports[ChannelName.TELEGRAM] = SimulatorTelegram()
    return transports
