-- Caseload: tasks for people, the family's professional network, letters to any recipient,
-- and answers to the follow-up after closure.

-- A parent who prefers a phone call instead of texts gets a call task and no automated text.
ALTER TABLE parents ADD COLUMN calls_instead_of_texts INTEGER NOT NULL DEFAULT 0;

-- Work for a person with a due date and an outcome: phone a parent, check the due date,
-- ask for consent to share, send a letter, record an appointment's outcome.
-- owner_id NULL: the administrator's list. dedupe_key stops the scheduler making one twice.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN
        ('call_parent', 'check_due_date', 'ask_consent', 'send_letter', 'record_outcome')),
    family_id INTEGER NOT NULL REFERENCES families(id),
    parent_id INTEGER REFERENCES parents(id),
    owner_id INTEGER REFERENCES staff(id),
    reason TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL,                       -- YYYY-MM-DD, team time
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    outcome TEXT NOT NULL DEFAULT '',
    counts_as_attempt INTEGER NOT NULL DEFAULT 0,  -- a call logged: a contact attempt
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT
);
CREATE INDEX tasks_open_owner ON tasks(owner_id, due_on) WHERE status = 'open';
CREATE INDEX tasks_family ON tasks(family_id);

-- The professionals around a family, and whether the parents consent to sharing with them.
CREATE TABLE professionals (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    kind TEXT NOT NULL CHECK (kind IN
        ('gp', 'health_visitor', 'midwife', 'social_worker', 'referrer', 'other')),
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    secure_email TEXT NOT NULL DEFAULT '',
    consent_to_share INTEGER NOT NULL DEFAULT 0,
    consent_recorded_at TEXT,
    consent_recorded_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX professionals_family ON professionals(family_id);

-- The referrer may be invited to the first appointment.
ALTER TABLE appointments ADD COLUMN referrer_invited INTEGER NOT NULL DEFAULT 0;
-- What the practitioner wrote after the appointment, for the letters that follow it.
ALTER TABLE appointments ADD COLUMN summary TEXT NOT NULL DEFAULT '';

-- Letters of every kind, each to one recipient with its address block.
CREATE TABLE letters_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('appointment', 'refer_back', 'after_appointment',
        'self_referral', 'referrer_update', 'invitation')),
    family_id INTEGER NOT NULL REFERENCES families(id),
    appointment_id INTEGER REFERENCES appointments(id),
    appointment_version INTEGER,
    locale TEXT NOT NULL,
    addressed_to TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('draft', 'waiting', 'sent', 'withdrawn')),
    created_at TEXT NOT NULL,
    sent_at TEXT,
    sent_by TEXT,
    withdrawn_at TEXT,
    body_removed_at TEXT,
    professional_id INTEGER REFERENCES professionals(id)
);
INSERT INTO letters_new (id, kind, family_id, appointment_id, appointment_version, locale,
    addressed_to, body, status, created_at, sent_at, sent_by, withdrawn_at, body_removed_at)
    SELECT id, kind, family_id, appointment_id, appointment_version, locale,
    addressed_to, body, status, created_at, sent_at, sent_by, withdrawn_at, body_removed_at
    FROM letters;
DROP TABLE letters;
ALTER TABLE letters_new RENAME TO letters;
CREATE INDEX letters_status ON letters(status, created_at);
CREATE INDEX letters_family ON letters(family_id);

-- Answers to the questions of the follow-up after closure, one row per question answered.
CREATE TABLE follow_up_answers (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    parent_id INTEGER NOT NULL REFERENCES parents(id),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    inbound_id INTEGER REFERENCES inbound(id),
    answered_at TEXT NOT NULL,
    UNIQUE (family_id, parent_id, question)
);
