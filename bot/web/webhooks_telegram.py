"""Placeholder: routes land here."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
