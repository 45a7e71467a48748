-- Safe contact: a parent whose phone is not safe to text (read by someone else), urgent
-- queue items, each expected parent's reply to a joint appointment, and the people an
-- escalation reached.

-- Not safe to text: who marked it (a member of staff's name, or "the parent's own text"),
-- when, and why. Nothing automated goes to this parent while it is set.
ALTER TABLE parents ADD COLUMN unsafe_to_text_at TEXT;
ALTER TABLE parents ADD COLUMN unsafe_to_text_by TEXT NOT NULL DEFAULT '';
ALTER TABLE parents ADD COLUMN unsafe_to_text_reason TEXT NOT NULL DEFAULT '';

-- Urgent queue items come first in every queue.
ALTER TABLE queue_items ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;

-- One parent of a joint appointment said NO while another is still expected: the
-- appointment stands and the administrator decides. Cleared when it is changed or cancelled.
ALTER TABLE appointments ADD COLUMN needs_review_at TEXT;
ALTER TABLE appointments ADD COLUMN needs_review_reason TEXT NOT NULL DEFAULT '';
