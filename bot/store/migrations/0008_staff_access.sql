-- Staff access you can trust: sign-in counters, server-side sessions, account lifecycle and
-- API tokens that belong to someone and can expire.

-- Sign-in attempts counted before the password is checked (see bot/store/sessions.py).
-- key is 'account:<email, lower-cased>' or 'address:<client address>'.
CREATE TABLE login_counters (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,      -- attempts not yet cleared by a successful sign-in
    window_start TEXT NOT NULL      -- when this window of counting began
);

-- A signed-in session. The cookie carries a random id; only its SHA-256 is kept here,
-- so a copy of the database cannot be turned into a session.
CREATE TABLE staff_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,        -- the absolute end: it never slides
    address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    ended_at TEXT,
    ended_reason TEXT                -- signed_out, ended_by_administrator, deactivated, ...
);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id, ended_at);

-- A password set by an administrator (a reset) must be changed at the next sign-in.
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN deactivated_at TEXT;

-- API tokens may belong to a member of staff (revoked when they leave) and may expire.
ALTER TABLE api_tokens ADD COLUMN staff_id INTEGER REFERENCES staff(id);
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;

CREATE INDEX audit_at ON audit(at);
