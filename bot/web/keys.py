"""Typed keys for what the app carries."""

from __future__ import annotations

from aiohttp import web

from bot.runtime.service import Service

SERVICE = web.AppKey("service", Service)
