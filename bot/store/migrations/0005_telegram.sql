-- Telegram: raw updates stored before the webhook answers, one-time link tokens,
-- escalation alerts that carry buttons, and chats that stopped accepting messages.

-- Every update as Telegram sent it, keyed by bot and update_id so a repeat acts once.
-- The raw JSON is cleared once processed: the inbound table keeps what staff need.
CREATE TABLE telegram_updates (
    bot_id INTEGER NOT NULL,
    update_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    processed_at TEXT,
    error TEXT,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX telegram_updates_pending ON telegram_updates(processed_at) WHERE processed_at IS NULL;

-- One-time, expiring links: a deep-link token for a parent, or a short code for staff.
-- Only a hash is stored.
CREATE TABLE telegram_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES parents(id),
    staff_id INTEGER REFERENCES staff(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    chat_id INTEGER,
    CHECK ((parent_id IS NULL) != (staff_id IS NULL))
);
CREATE INDEX telegram_links_parent ON telegram_links(parent_id);
CREATE INDEX telegram_links_staff ON telegram_links(staff_id);

-- Outbox rows that are escalation alerts on Telegram: they are sent with Acknowledge buttons.
CREATE TABLE telegram_alerts (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id),
    escalation_id INTEGER NOT NULL REFERENCES escalations(id)
);
CREATE INDEX telegram_alerts_escalation ON telegram_alerts(escalation_id);

-- Set when Telegram refuses delivery (the person blocked the bot); cleared when they link again.
ALTER TABLE parents ADD COLUMN telegram_unreachable_at TEXT;
ALTER TABLE staff ADD COLUMN telegram_unreachable_at TEXT;
-- Staff who asked (/messages on) to hear of new items in their queue on Telegram.
ALTER TABLE staff ADD COLUMN telegram_queue_notices INTEGER NOT NULL DEFAULT 0;
CREATE INDEX staff_telegram ON staff(telegram_chat_id);
