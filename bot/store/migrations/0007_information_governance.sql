-- Information governance: retention removes the words of texts and letters but keeps the
-- fact that they existed; erasure removes a parent's personal data and records that it did.

ALTER TABLE inbound ADD COLUMN body_removed_at TEXT;
ALTER TABLE outbox ADD COLUMN body_removed_at TEXT;
ALTER TABLE letters ADD COLUMN body_removed_at TEXT;
ALTER TABLE parents ADD COLUMN erased_at TEXT;
CREATE INDEX families_finished ON families(coalesce(closed_at, referred_back_at))
    WHERE status IN ('closed', 'referred_back');
CREATE INDEX inbound_unmatched ON inbound(received_at) WHERE family_id IS NULL;
