-- The web console: sign-in attempts, kept so that password guessing is slowed down.

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    email TEXT NOT NULL,        -- as typed, lower-cased: the account being tried
    remote TEXT NOT NULL,       -- the address the attempt came from
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, at);
CREATE INDEX login_attempts_remote ON login_attempts(remote, at);
