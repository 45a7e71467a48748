"""What a phone shows: every text it received and sent, in the order they happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, from_ts

_THREAD = """
SELECT t.seq, 'in' AS direction, o.channel, o.body, COALESCE(o.sent_at, o.created_at) AS at,
       a.escalation_id, e.status AS escalation_status
FROM outbox o
JOIN text_order t ON t.outbox_id = o.id
LEFT JOIN telegram_alerts a ON a.outbox_id = o.id
LEFT JOIN escalations e ON e.id = a.escalation_id
WHERE o.channel = ? AND o.recipient = ? AND o.status IN ('sent', 'delivered')
UNION ALL
SELECT t.seq, 'out', i.channel, i.body, i.received_at, NULL, NULL
FROM inbound i
JOIN text_order t ON t.inbound_id = i.id
WHERE i.channel = ? AND i.sender = ?
"""


@dataclass(frozen=True)
class PhoneText:
    seq: int  # arrival order across both directions and every channel of the phone
    direction: str  # "in": reached the phone; "out": sent from it
    channel: str
    body: str
    at: datetime
    escalation_id: int | None = None  # a Telegram escalation alert: it carries buttons
    escalation_status: str | None = None


async def thread(db: Database, addresses: list[tuple[str, str]]) -> list[PhoneText]:
    """Texts to and from these (channel, address) pairs, oldest first by arrival order."""
    if not addresses:
        return []
    parts, params = [], []
    for channel, address in addresses:
        parts.append(_THREAD)
        params += [channel, address, channel, address]
    rows = await db.fetch_all(" UNION ALL ".join(parts) + " ORDER BY seq", params)
    texts = []
    for row in rows:
        at = from_ts(row["at"])
        assert at is not None
        texts.append(
            PhoneText(
                seq=row["seq"],
                direction=row["direction"],
                channel=row["channel"],
                body=row["body"],
                at=at,
                escalation_id=row["escalation_id"],
                escalation_status=row["escalation_status"],
            )
        )
    return texts
