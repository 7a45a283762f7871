-- The force console (the embedded SQLite schema's version 5, in server/src/storage/console_sqlite.rs,
-- in PostgreSQL's types): staff and their sessions (by the hash of the cookie), the directory of
-- officers (in `officers`, which already keeps their assignment version), each tablet's last
-- contact, review decisions, and each operation's current team.

CREATE TABLE staff (
    username        TEXT PRIMARY KEY,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'gold', 'silver', 'bronze', 'supervisor', 'officer')),
    officer         TEXT,
    password_hash   TEXT    NOT NULL,
    created_ms      BIGINT  NOT NULL,
    failed_attempts BIGINT  NOT NULL DEFAULT 0,
    locked_until_ms BIGINT,
    disabled        BOOLEAN NOT NULL DEFAULT false
);
-- A username is one account whatever its case (SQLite: COLLATE NOCASE); every lookup is by
-- lower(username).
CREATE UNIQUE INDEX staff_by_lower_username ON staff (lower(username));

CREATE TABLE console_sessions (
    token_hash   BYTEA PRIMARY KEY,
    username     TEXT   NOT NULL REFERENCES staff (username),  -- as spelt in staff
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_ms);

ALTER TABLE officers
    ADD COLUMN listed     BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN name       TEXT    NOT NULL DEFAULT '',
    ADD COLUMN rank       TEXT    NOT NULL DEFAULT '',
    ADD COLUMN role       TEXT    NOT NULL DEFAULT '',
    ADD COLUMN team       TEXT    NOT NULL DEFAULT '',
    ADD COLUMN supervisor TEXT;

ALTER TABLE devices
    ADD COLUMN last_contact_ms BIGINT,
    ADD COLUMN app_version     TEXT,
    ADD COLUMN waiting         BIGINT;

CREATE TABLE review_decisions (
    record_id UUID   NOT NULL,
    review_ms BIGINT NOT NULL,
    decision  TEXT   NOT NULL CHECK (decision IN ('retain', 'erase', 'extend')),
    rationale TEXT   NOT NULL,
    by_staff  TEXT   NOT NULL,
    at_ms     BIGINT NOT NULL,
    PRIMARY KEY (record_id, review_ms)
);

-- An operation's log (the console's live picture) reads its scope in server order.
CREATE INDEX revisions_by_scope ON revisions (scope_operation, pos);

-- The team of each operation's current revision, to know whom an edit takes off it.
CREATE TABLE operations_team (
    operation_id UUID PRIMARY KEY REFERENCES operations (id),
    team         TEXT[] NOT NULL
);
