-- The order texts reached and left phones: one ever-rising number across both directions.
-- Times are stored to the second, and a frozen or fast clock gives many texts the same one;
-- a reply stored in the same second as the message it answers must still come after it.
-- Triggers keep it, so no sending or receiving path can forget to.

CREATE TABLE text_order (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_id INTEGER UNIQUE REFERENCES inbound(id),
    outbox_id INTEGER UNIQUE REFERENCES outbox(id)
);

-- What was there before, in the best order the stored seconds allow.
INSERT INTO text_order (inbound_id, outbox_id)
SELECT inbound_id, outbox_id FROM (
    SELECT id AS inbound_id, NULL AS outbox_id, received_at AS at, 0 AS side, id FROM inbound
    UNION ALL
    SELECT NULL, id, COALESCE(sent_at, created_at), 1, id FROM outbox
        WHERE status IN ('sent', 'delivered', 'undelivered')
    ORDER BY at, side, id
);

CREATE TRIGGER text_order_inbound AFTER INSERT ON inbound
BEGIN
    INSERT INTO text_order (inbound_id) VALUES (NEW.id);
END;

-- A text has left once the provider took it (sent, or delivered at once by the simulator).
CREATE TRIGGER text_order_outbox AFTER UPDATE OF status ON outbox
WHEN NEW.status IN ('sent', 'delivered') AND OLD.status NOT IN ('sent', 'delivered', 'undelivered')
BEGIN
    INSERT OR IGNORE INTO text_order (outbox_id) VALUES (NEW.id);
END;
