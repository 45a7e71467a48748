"""The retention job removes exactly what policies/retention.toml says, and nothing else."""

from __future__ import annotations

from bot.core.model import ChannelName, InboundMessage
from bot.runtime import pipeline
from bot.runtime.engagement import close_family
from bot.runtime.retention import apply_retention
from bot.runtime.scheduler import tick
from bot.store import audit
from tests.conftest import Live
from tests.e2e.console_client import text_from
from tests.e2e.history import add_practitioner, family_with_history, text_in
from tests.e2e.tables import differences, snapshot

LONG_AGO = "2024-09-03T10:00:00Z"  # a Tuesday morning: the team is open
CLOSED_LONG_AGO = "2024-09-10T10:00:00Z"
NOW = "2026-11-24T10:00:00Z"  # 26 months later: past 24 months, not past 27


async def test_retention_removes_exactly_what_the_policy_says(live: Live, monkeypatch) -> None:
    # One row a transaction: the pass goes on batch after batch, and reports once.
    monkeypatch.setattr("bot.runtime.retention.BATCH", 1)
    live.at(LONG_AGO)
    amira = await add_practitioner(live)
    old = await family_with_history(
        live, amira, "PIR-OLD", "Chloe Martin", "07700 900101", "Thanks, Tuesday suits us"
    )
    recent = await family_with_history(
        live, amira, "PIR-NEW", "Jade Fox", "07700 900102", "We will be there"
    )
    await family_with_history(live, amira, "PIR-OPEN", "Ana Nowak", "07700 900103", "Okay")
    risky = await family_with_history(
        live, amira, "PIR-RISK", "Lee Hart", "07700 900104", "See you soon",
        risk="i cant do this anymore, i want to end it all tonight",
    )  # fmt: skip
    await text_in(live, "07700 900999", "Who is this please")  # a number matched to no family
    _, open_ = await live.api("GET", "/api/v1/escalations?status=open")
    (escalation,) = open_["escalations"]
    # Acknowledged but not closed: the escalation is still open work.
    status, _ = await live.api(
        "POST", f"/api/v1/escalations/{escalation['id']}/acknowledge", json={"staff_id": amira}
    )
    assert status == 200
    live.at(CLOSED_LONG_AGO)
    for family in (old, risky):
        await close_family(live.service, family.family, "admin")
    live.at("2026-11-03T10:00:00Z")
    await close_family(live.service, recent.family, "admin")
    unassigned = await live.service.db.fetch_all(
        "SELECT id FROM queue_items WHERE audience = 'unassigned'"
    )
    assert len(unassigned) == 1
    async with live.service.db.transaction() as conn:
        await conn.execute(
            "UPDATE queue_items SET status = 'handled' WHERE id = ?", (unassigned[0]["id"],)
        )

    before = snapshot(live.service.db.path)
    await tick(live.service, live.at(NOW))
    after = snapshot(live.service.db.path)

    # Chloe's family: her reply, the text to her and her letter lose their words; the
    # handled queue item goes. The stranger's text loses its words. One audit entry says so.
    assert differences(before, after) == {
        "audit": {"added": 1},
        "inbound": {"changed": 2},
        "letters": {"changed": 1},
        "outbox": {"changed": 1},
        "queue_items": {"deleted": 1},
    }
    changed_inbound = [
        row for key, row in after["inbound"].items() if row != before["inbound"][key]
    ]
    assert {row["family_id"] for row in changed_inbound} == {old.family, None}
    assert all(row["body"] == "" and row["body_removed_at"] for row in changed_inbound)
    # The fact that a text was received is kept: when, from whom, on which channel.
    chloe = next(row for row in changed_inbound if row["family_id"] == old.family)
    assert chloe["received_at"] and chloe["channel"] == "sms" and chloe["risk"] == "none"
    sent = next(row for row in after["outbox"].values() if row["family_id"] == old.family)
    assert sent["body"] == "" and sent["status"] == "delivered" and sent["sent_at"]
    letter = after["letters"][(old.letter,)]
    assert (letter["body"], letter["addressed_to"], letter["status"]) == ("", "", "sent")
    (entry,) = [
        e for e in await audit.recent(live.service.db) if e["action"] == "retention_applied"
    ]
    assert entry["detail"] == {
        "inbound_bodies_removed": 1,
        "letters_bodies_removed": 1,
        "outbox_bodies_removed": 1,
        "queue_items_deleted": 1,
        "unmatched_bodies_removed": 1,
    }

    # Idempotent: a second pass removes nothing and adds nothing to the audit log.
    assert await apply_retention(live.service, live.at(NOW)) == 0
    assert differences(after, snapshot(live.service.db.path)) == {}


async def test_words_nobody_has_read_or_not_yet_triaged_are_never_removed(live: Live) -> None:
    live.at(LONG_AGO)
    amira = await add_practitioner(live)
    old = await family_with_history(
        live, amira, "PIR-OLD", "Chloe Martin", "07700 900101", "Thanks, Tuesday suits us"
    )
    live.at(CLOSED_LONG_AGO)
    await close_family(live.service, old.family, "admin")
    live.at("2024-09-11T10:00:00Z")
    await text_from(live.service, "+447700900101", "Are you still there? Nobody answered")
    unread = await live.service.db.fetch_all(
        "SELECT q.id FROM queue_items q JOIN inbound i ON i.id = q.inbound_id"
        " WHERE q.status = 'open' AND i.body LIKE 'Are you still there%'"
    )
    assert unread, "the message after closure waits for a person"

    await pipeline.receive(
        live.service,
        InboundMessage(
            ChannelName.SMS, "SMlate", "+447700900101", "Please call me", live.service.now()
        ),
    )

    await tick(live.service, live.at(NOW))

    kept = await live.service.db.fetch_all(
        "SELECT body FROM inbound WHERE body_removed_at IS NULL ORDER BY id"
    )
    assert [row["body"] for row in kept] == [
        "Are you still there? Nobody answered",
        "Please call me",
    ]
    removed = await live.service.db.fetch_all(
        "SELECT body FROM inbound WHERE body_removed_at IS NOT NULL"
    )
    assert [row["body"] for row in removed] == [""]


async def test_a_running_service_applies_retention_at_most_hourly(live: Live) -> None:
    amira = await add_practitioner(live)

    async def closed_long_ago(reference: str, number: str) -> None:
        live.at(LONG_AGO)
        family = await family_with_history(live, amira, reference, "Ana Nowak", number, "Okay")
        live.at(CLOSED_LONG_AGO)
        await close_family(live.service, family.family, "admin")

    await closed_long_ago("PIR-A", "07700 900101")
    # its reply, the text to it, its letter and its handled queue item
    assert (await tick(live.service, live.at(NOW))).counts["retention"] == 4
    await closed_long_ago("PIR-B", "07700 900102")
    assert (await tick(live.service, live.at("2026-11-24T10:50:00Z"))).counts["retention"] == 0
    assert (await tick(live.service, live.at("2026-11-24T11:00:00Z"))).counts["retention"] == 4
