"""Running the web app and the background workers together until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.runtime.service import Service
from bot.web.app import make_app

log = logging.getLogger(__name__)


async def start_site(service: Service, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(make_app(service), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


async def serve_forever(service: Service, host: str, port: int, on_ready=None) -> None:  # noqa: ANN001
    await service.start_background()
    runner = await start_site(service, host, port)
    if on_ready:
        on_ready()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # pragma: no cover - not on this platform
            pass
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await runner.cleanup()
        await service.close()
