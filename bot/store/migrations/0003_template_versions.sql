-- Administrators' edits to message wording, laid over the defaults in messages/. Never updated, only added.

CREATE TABLE template_versions (
    id INTEGER PRIMARY KEY,
    message TEXT NOT NULL,
    locale TEXT NOT NULL,
    variant TEXT NOT NULL DEFAULT 'standard',
    body TEXT,                      -- NULL when the action is 'reset' (back to the file default)
    action TEXT NOT NULL CHECK (action IN ('edit', 'rollback', 'reset')),
    reason TEXT NOT NULL DEFAULT '',
    author_id INTEGER REFERENCES staff(id),
    created_at TEXT NOT NULL
);
CREATE INDEX template_versions_key ON template_versions(message, locale, variant, id);
