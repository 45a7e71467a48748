"""Monitoring: GET /metrics (Prometheus) and GET /readyz.

/metrics answers a bearer token (CRADLE_METRICS_TOKEN) or, with no token set, only
requests made directly on this machine: a request passed on by a reverse proxy (it
carries X-Forwarded-For or Forwarded) is refused even from loopback.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.runtime.service import Service
from bot.store import metrics as store
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

# The outbox is falling behind when a text that is due has waited longer than this.
OUTBOX_BEHIND = timedelta(minutes=10)
# The inbound pipeline is falling behind when a stored message waits longer than this.
INBOUND_BEHIND = timedelta(minutes=2)
LOCAL = {"127.0.0.1", "::1"}
PROXIED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")

REGISTRY = web.AppKey("metrics_registry", CollectorRegistry)
LATENCY = web.AppKey("webhook_latency", Histogram)
FIGURES = web.AppKey("metrics_figures", dict)


class _DatabaseFigures:
    """Counted at scrape time from the database (see bot/store/metrics.py)."""

    def __init__(self) -> None:
        self.latest: store.Figures | None = None

    def collect(self):  # noqa: ANN201 - prometheus_client's collector protocol
        f = self.latest or store.Figures()
        inbound = CounterMetricFamily(
            "cradle_inbound_received", "Messages received from parents", labels=["channel"]
        )
        for channel, n in sorted(f.inbound_by_channel.items()):
            inbound.add_metric([channel], n)
        yield inbound
        triaged = CounterMetricFamily(
            "cradle_inbound_triaged", "Messages triaged, by risk level", labels=["level"]
        )
        for level in ("none", "concern", "emergency"):
            triaged.add_metric([level], f.triaged_by_level.get(level, 0))
        yield triaged
        yield GaugeMetricFamily(
            "cradle_inbound_unprocessed", "Messages stored, not yet processed",
            value=f.inbound_unprocessed,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "cradle_inbound_oldest_unprocessed_seconds",
            "Age of the oldest message stored but not yet processed",
            value=f.oldest_unprocessed_seconds,
        )
        opened = GaugeMetricFamily(
            "cradle_escalations_open", "Escalations not yet acknowledged", labels=["level"]
        )
        overdue = GaugeMetricFamily(
            "cradle_escalations_overdue",
            "Escalations not acknowledged by their deadline",
            labels=["level"],
        )
        for level in ("concern", "emergency"):
            opened.add_metric([level], f.escalations_open.get(level, 0))
            overdue.add_metric([level], f.escalations_overdue.get(level, 0))
        yield opened
        yield overdue
        depth = GaugeMetricFamily(
            "cradle_outbox_texts", "Texts in the outbox, by status", labels=["status"]
        )
        for status, n in sorted(f.outbox_by_status.items()):
            depth.add_metric([status], n)
        yield depth
        yield GaugeMetricFamily(
            "cradle_outbox_due", "Texts due to be sent and not yet sent", value=f.outbox_due
        )
        yield GaugeMetricFamily(
            "cradle_outbox_oldest_due_seconds",
            "How long the oldest text that is due has been waiting",
            value=f.oldest_due_seconds,
        )
        sends = CounterMetricFamily(
            "cradle_sends",
            "Texts handed to a provider, by last known status and error code",
            labels=["channel", "status", "error_code"],
        )
        for (channel, status, code), n in sorted(f.sends_by_status_and_error.items()):
            sends.add_metric([channel, status, code], n)
        yield sends


def install(app: web.Application) -> None:
    registry = CollectorRegistry()
    app[REGISTRY] = registry
    app[LATENCY] = Histogram(
        "cradle_webhook_seconds",
        "Time to answer a webhook (stored durably before the answer)",
        ["provider"],
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    )
    collector = _DatabaseFigures()
    registry.register(collector)
    app[FIGURES] = {"collector": collector}
    app.middlewares.append(webhook_timer)
    app.router.add_routes(routes)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def webhook_timer(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/webhooks/"):
        return await handler(request)
    started = time.perf_counter()
    try:
        return await handler(request)
    finally:
        provider = request.path.split("/")[2] or "unknown"
        request.app[LATENCY].labels(provider).observe(time.perf_counter() - started)


def _allowed(request: web.Request, token: str | None) -> bool:
    if token:
        given = request.headers.get("Authorization", "")
        return given.startswith("Bearer ") and secrets.compare_digest(given[7:], token)
    if any(header in request.headers for header in PROXIED):
        return False
    return request.remote in LOCAL


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    service: Service = request.app[SERVICE]
    if not _allowed(request, service.settings.metrics_token):
        return web.Response(status=403, text="metrics need CRADLE_METRICS_TOKEN or a local call\n")
    collector: _DatabaseFigures = request.app[FIGURES]["collector"]
    collector.latest = await store.figures(service.db, service.now())
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """200 when the database answers and nothing is falling behind; 503 saying why."""
    service: Service = request.app[SERVICE]
    try:
        found = await store.figures_for_readiness(service.db, service.now())
    except Exception:
        return web.json_response(
            {"status": "not ready", "reason": "the database does not answer"}, status=503
        )
    reasons = []
    if found.oldest_due_seconds > OUTBOX_BEHIND.total_seconds():
        minutes = int(found.oldest_due_seconds // 60)
        reasons.append(
            f"the outbox is falling behind: {found.outbox_due} text(s) due,"
            f" the oldest waiting {minutes} minutes"
        )
    if found.oldest_unprocessed_seconds > INBOUND_BEHIND.total_seconds():
        minutes = int(found.oldest_unprocessed_seconds // 60)
        reasons.append(
            f"incoming messages are not being processed: {found.inbound_unprocessed} waiting,"
            f" the oldest for {minutes} minutes"
        )
    if reasons:
        return web.json_response({"status": "not ready", "reason": "; ".join(reasons)}, status=503)
    return web.json_response({"status": "ready", "outbox_due": found.outbox_due})
