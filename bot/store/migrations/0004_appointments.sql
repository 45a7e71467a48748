-- Appointments, their reminders, the answers parents give, letters to print,
-- school-run times, and the bookkeeping for engagement and closure.

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    practitioner_id INTEGER REFERENCES staff(id),
    kind TEXT NOT NULL CHECK (kind IN ('first', 'session', 'review')),
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 60,
    place TEXT NOT NULL CHECK (place IN ('home', 'clinic', 'video', 'phone')),
    address TEXT NOT NULL DEFAULT '',        -- where the clinic is; empty for the others
    status TEXT NOT NULL DEFAULT 'booked'
        CHECK (status IN ('booked', 'cancelled', 'attended', 'did_not_attend')),
    cancelled_by TEXT CHECK (cancelled_by IN ('family', 'team')),
    cancel_reason TEXT NOT NULL DEFAULT '',
    cancelled_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,      -- goes up at each change: texts about an older one are not sent
    booked_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    outcome_at TEXT
);
CREATE INDEX appointments_family ON appointments(family_id, starts_at);
CREATE INDEX appointments_practitioner ON appointments(practitioner_id, starts_at)
    WHERE status = 'booked';
CREATE INDEX appointments_booked_at ON appointments(booked_at);
CREATE INDEX appointments_cancelled_at ON appointments(cancelled_at) WHERE cancelled_at IS NOT NULL;

-- Who is expected at an appointment, and what each of them last answered.
CREATE TABLE appointment_parents (
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    parent_id INTEGER NOT NULL REFERENCES parents(id),
    answer TEXT CHECK (answer IN ('confirm', 'cancel', 'change')),
    answered_at TEXT,
    inbound_id INTEGER REFERENCES inbound(id),
    PRIMARY KEY (appointment_id, parent_id)
) WITHOUT ROWID;
CREATE INDEX appointment_parents_parent ON appointment_parents(parent_id);

-- Reminders are planned when an appointment is booked or changed, and queued by `cradle tick`
-- when due: the tick reads only pending rows that are due, through the partial index.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    version INTEGER NOT NULL,
    offset_days INTEGER NOT NULL,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'queued', 'skipped', 'withdrawn')),
    done_at TEXT,
    UNIQUE (appointment_id, version, offset_days)
);
CREATE INDEX reminders_due ON reminders(due_at) WHERE status = 'pending';

-- Letters waiting to be printed and posted (appointment letters), or drafted for a
-- practitioner to check (refer-back letters to the referrer).
CREATE TABLE letters (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('appointment', 'refer_back')),
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
    withdrawn_at TEXT
);
CREATE INDEX letters_status ON letters(status, created_at);
CREATE INDEX letters_family ON letters(family_id);

-- School drop-off and pick-up times (HH:MM, team time) for families with older children.
ALTER TABLE families ADD COLUMN school_drop_off TEXT;
ALTER TABLE families ADD COLUMN school_pick_up TEXT;
-- When the engagement time limit passed and the family went back to the referrer.
ALTER TABLE families ADD COLUMN referred_back_at TEXT;
-- Whether the follow-up about six months after closure may be sent to this family.
ALTER TABLE families ADD COLUMN follow_up_after_closure INTEGER NOT NULL DEFAULT 1;
CREATE INDEX families_engagement ON families(first_contact_at)
    WHERE status = 'open' AND engaged_at IS NULL AND first_contact_at IS NOT NULL;
CREATE INDEX families_closed ON families(closed_at) WHERE status = 'closed';
