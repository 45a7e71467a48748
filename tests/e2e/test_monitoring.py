"""/metrics moves with real traffic; /readyz says when the outbox falls behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.runtime import dispatcher, pipeline
from tests.builders import family_json, parent_json
from tests.conftest import Live
from tests.stand_ins.twilio_api import TwilioLive, running_with_twilio

METRICS_TOKEN = "metrics-token-7c1e"
CHLOE, JADE = "+447700900101", "+447700900102"


@pytest.fixture
async def cradle(tmp_path: Path) -> AsyncIterator[TwilioLive]:
    async with running_with_twilio(tmp_path, CRADLE_METRICS_TOKEN=METRICS_TOKEN) as running:
        yield running


async def scrape(cradle: TwilioLive) -> dict[tuple, float]:
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    async with cradle.live.http.get(cradle.live.base + "/metrics", headers=headers) as r:
        assert r.status == 200
        text = await r.text()
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict[tuple, float], name: str, **labels: str) -> float:
    return found.get((name, *sorted(labels.items())), 0.0)


async def readyz(live: Live) -> tuple[int, dict]:
    async with live.http.get(live.base + "/readyz") as r:
        return r.status, await r.json()


async def family(cradle: TwilioLive, reference: str, mobile: str) -> dict:
    _, amira = await cradle.live.api("POST", "/api/v1/practitioners", json={"name": "A Shah"})
    status, created = await cradle.live.api(
        "POST", "/api/v1/families",
        json=family_json(reference, parents=[parent_json(mobile=mobile)],
                         practitioner_id=amira["id"]),
    )  # fmt: skip
    assert status == 201, created
    return created


async def test_metrics_numbers_move_with_real_traffic(cradle: TwilioLive) -> None:
    start = await scrape(cradle)
    assert value(start, "cradle_inbound_received_total", channel="sms") == 0
    assert value(start, "cradle_outbox_due") == 0

    await family(cradle, "PIR-1", "07700 900101")
    await family(cradle, "PIR-2", "07700 900102")
    queued = await scrape(cradle)
    assert value(queued, "cradle_outbox_due") == 2
    assert value(queued, "cradle_outbox_texts", status="queued") == 2

    cradle.twilio.fail_for(JADE, "21211")
    await dispatcher.dispatch_once(cradle.service)
    (sent,) = [r for r in cradle.twilio.created if r.to == CHLOE]
    assert (await cradle.hooks.status(sent.sid, "delivered"))[0] == 200
    assert value(await scrape(cradle), "cradle_outbox_due") == 0
    await cradle.hooks.sms(CHLOE, "Thanks, see you then")
    await cradle.hooks.sms(CHLOE, "i cant do this anymore, i want to end it all tonight")
    await pipeline.process_pending(cradle.service)

    after = await scrape(cradle)
    assert value(after, "cradle_outbox_due") >= 1  # the safety reply, waiting to go
    assert value(after, "cradle_sends_total", channel="sms", status="delivered", error_code="") == 1
    failed = value(after, "cradle_sends_total", channel="sms", status="failed", error_code="21211")
    assert failed == 1
    assert value(after, "cradle_inbound_received_total", channel="sms") == 2
    assert value(after, "cradle_inbound_triaged_total", level="none") == 1
    assert value(after, "cradle_inbound_triaged_total", level="emergency") == 1
    assert value(after, "cradle_escalations_open", level="emergency") == 1
    assert value(after, "cradle_escalations_overdue", level="emergency") == 0
    # Three signed webhooks were answered (a status callback and two texts), each timed.
    assert value(after, "cradle_webhook_seconds_count", provider="twilio") == 3

    cradle.service.clock.set(cradle.service.now() + timedelta(hours=1))
    later = await scrape(cradle)
    assert value(later, "cradle_escalations_overdue", level="emergency") == 1


async def test_metrics_need_the_token(cradle: TwilioLive) -> None:
    url = cradle.live.base + "/metrics"
    async with cradle.live.http.get(url) as r:
        assert r.status == 403
    async with cradle.live.http.get(url, headers={"Authorization": "Bearer wrong"}) as r:
        assert r.status == 403


async def test_without_a_token_metrics_answer_local_calls_but_not_proxied_ones(live: Live) -> None:
    async with live.http.get(live.base + "/metrics") as r:
        assert r.status == 200
        assert "cradle_outbox_due" in await r.text()
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    async with live.http.get(live.base + "/metrics", headers=proxied) as r:
        assert r.status == 403


async def test_readyz_says_when_the_outbox_falls_behind(cradle: TwilioLive) -> None:
    assert (await readyz(cradle.live))[0] == 200
    await family(cradle, "PIR-1", "07700 900101")  # a welcome text, due now, not yet sent
    assert (await readyz(cradle.live))[0] == 200
    cradle.service.clock.set(cradle.service.now() + timedelta(minutes=11))
    status, body = await readyz(cradle.live)
    assert status == 503
    assert body["reason"].startswith("the outbox is falling behind: 1 text(s) due")
    await dispatcher.dispatch_once(cradle.service)
    assert (await readyz(cradle.live))[0] == 200
    async with cradle.live.http.get(cradle.live.base + "/healthz") as r:
        assert r.status == 200


async def test_readyz_says_when_incoming_messages_are_not_processed(cradle: TwilioLive) -> None:
    await cradle.hooks.sms(CHLOE, "hello")
    cradle.service.clock.set(cradle.service.now() + timedelta(minutes=5))
    status, body = await readyz(cradle.live)
    assert status == 503 and "incoming messages are not being processed" in body["reason"]
    await pipeline.process_pending(cradle.service)
    assert (await readyz(cradle.live))[0] == 200
