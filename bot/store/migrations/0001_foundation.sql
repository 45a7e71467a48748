-- Foundation: team, staff, families, parents, messages in and out, queues, audit.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SSZ' so they sort and compare as text.

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('practitioner', 'duty_clinician', 'clinical_lead', 'administrator')),
    email TEXT UNIQUE,
    mobile TEXT,
    telegram_chat_id INTEGER,
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE families (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    baby_name TEXT,
    mother_name TEXT,
    due_date TEXT,
    birth_date TEXT,
    practitioner_id INTEGER REFERENCES staff(id),
    referrer_name TEXT NOT NULL DEFAULT '',
    referrer_role TEXT NOT NULL DEFAULT '',
    referrer_organisation TEXT NOT NULL DEFAULT '',
    referrer_contact TEXT NOT NULL DEFAULT '',
    self_referral INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'referred_back', 'closed')),
    allocated_at TEXT,
    first_contact_at TEXT,
    engaged_at TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX families_practitioner ON families(practitioner_id);

CREATE TABLE parents (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    name TEXT NOT NULL,
    relationship TEXT NOT NULL DEFAULT 'parent',
    mobile TEXT,
    telegram_chat_id INTEGER,
    language TEXT NOT NULL DEFAULT 'en_GB',
    channel TEXT NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'telegram')),
    wants_letters INTEGER NOT NULL DEFAULT 0,
    prefers_phone_call INTEGER NOT NULL DEFAULT 0,
    address TEXT NOT NULL DEFAULT '',
    consent_to_text INTEGER NOT NULL DEFAULT 1,
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    do_not_contact_reason TEXT NOT NULL DEFAULT '',
    opted_out INTEGER NOT NULL DEFAULT 0,
    opted_out_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX parents_family ON parents(family_id);
CREATE INDEX parents_mobile ON parents(mobile);
CREATE INDEX parents_telegram ON parents(telegram_chat_id);

-- Every message a parent sends, stored before the webhook answers.
CREATE TABLE inbound (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    body TEXT NOT NULL,
    media TEXT NOT NULL DEFAULT '[]',
    media_kind TEXT,
    received_at TEXT NOT NULL,
    parent_id INTEGER REFERENCES parents(id),
    family_id INTEGER REFERENCES families(id),
    processed_at TEXT,
    risk TEXT,
    intent TEXT,
    reasons TEXT,
    out_of_hours INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel, external_id)
);
CREATE INDEX inbound_unprocessed ON inbound(processed_at) WHERE processed_at IS NULL;
CREATE INDEX inbound_family ON inbound(family_id);

-- Every outbound text is a row first; a worker sends it.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT UNIQUE,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    parent_id INTEGER REFERENCES parents(id),
    staff_id INTEGER REFERENCES staff(id),
    family_id INTEGER REFERENCES families(id),
    appointment_id INTEGER,
    purpose TEXT NOT NULL,
    template TEXT,
    locale TEXT,
    body TEXT NOT NULL,
    encoding TEXT,
    segments INTEGER,
    urgent INTEGER NOT NULL DEFAULT 0,
    on_behalf_of INTEGER REFERENCES staff(id),
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'withdrawn')),
    not_before TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,
    provider_id TEXT,
    error_code TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    final_at TEXT
);
CREATE INDEX outbox_due ON outbox(status, not_before);
CREATE INDEX outbox_provider ON outbox(provider_id);
CREATE INDEX outbox_family ON outbox(family_id);

-- Work for a human: the practitioner's queue, the administrator's, or the unassigned queue.
CREATE TABLE queue_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('practitioner', 'administrator', 'unassigned')),
    practitioner_id INTEGER REFERENCES staff(id),
    family_id INTEGER REFERENCES families(id),
    parent_id INTEGER REFERENCES parents(id),
    inbound_id INTEGER REFERENCES inbound(id),
    appointment_id INTEGER,
    summary TEXT NOT NULL DEFAULT '',
    out_of_hours INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled')),
    created_at TEXT NOT NULL,
    handled_at TEXT,
    handled_by INTEGER REFERENCES staff(id)
);
CREATE INDEX queue_open ON queue_items(status, audience, practitioner_id);

-- Who did what when. Never message bodies or phone numbers.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON audit(subject_type, subject_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
