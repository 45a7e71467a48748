-- Escalations: a risk message raised to humans, with a deadline, climbing a chain until acknowledged.

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    inbound_id INTEGER REFERENCES inbound(id),
    family_id INTEGER REFERENCES families(id),
    parent_id INTEGER REFERENCES parents(id),
    level TEXT NOT NULL CHECK (level IN ('emergency', 'concern')),
    reasons TEXT NOT NULL DEFAULT '[]',
    chain TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
    created_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES staff(id),
    action_taken TEXT,
    closed_at TEXT,
    closed_by INTEGER REFERENCES staff(id)
);
CREATE INDEX escalations_due ON escalations(status, deadline);

-- Who was told about an escalation, at which step, by which channel.
CREATE TABLE escalation_notices (
    id INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations(id),
    step INTEGER NOT NULL,
    staff_id INTEGER REFERENCES staff(id),
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (escalation_id, step, recipient, channel)
);

-- Cover while a practitioner is on leave: their queue and escalations go to a colleague.
CREATE TABLE cover (
    id INTEGER PRIMARY KEY,
    practitioner_id INTEGER NOT NULL REFERENCES staff(id),
    cover_id INTEGER NOT NULL REFERENCES staff(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
