-- Liaison on-device schema, version 2: the state of sync with the force server.
-- The outbox itself is not a table: it is this device's own revisions that are neither
-- acknowledged nor quarantined, so a revision can never be saved without being queued.

-- One row: who this device is to the server, and how far sync has got.
CREATE TABLE sync_state (
    singleton            INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url           TEXT,
    device_token         TEXT,                  -- issued once at enrollment
    officer              TEXT,                  -- the officer the device was enrolled for
    acked_seq            INTEGER NOT NULL DEFAULT 0,  -- own revisions 1..=acked_seq are on the server (or quarantined)
    pull_cursor          TEXT,                  -- opaque, exclusive; NULL before the first pull
    last_attempt_ms      INTEGER,
    last_success_ms      INTEGER,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    revoked              INTEGER NOT NULL DEFAULT 0   -- the server said this device was revoked
);
INSERT INTO sync_state (singleton) VALUES (1);

-- Own revisions above acked_seq that the server already holds (urgent ones go first, so the
-- server can hold seq 40 before seq 12). Rows at or below acked_seq are removed.
CREATE TABLE sync_pushed (
    device_seq INTEGER PRIMARY KEY
);

-- Revisions the server refused (push) or that could not be stored here (pull), with why.
-- Shown to the officer; never retried automatically.
CREATE TABLE sync_quarantine (
    revision_id BLOB    PRIMARY KEY CHECK (length(revision_id) = 16),
    device_seq  INTEGER,                        -- own revisions only
    direction   TEXT    NOT NULL CHECK (direction IN ('push', 'pull')),
    reason      TEXT    NOT NULL,               -- stable code
    message     TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL
);

-- The outbox is read in lanes by kind (operations, then escalations and rumours, then the
-- rest), each in chain order: this index lets the small lanes be found without walking the
-- whole outbox for every batch.
CREATE INDEX revisions_outbox_lanes ON revisions (device_id, kind, device_seq);
