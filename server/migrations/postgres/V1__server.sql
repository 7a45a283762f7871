-- The force server's schema for PostgreSQL: the same tables as the embedded SQLite schema
-- (server/src/storage/sqlite.rs, versions 1-4), in PostgreSQL's types. Applied by refinery;
-- a database whose history has a version above the newest file here is refused.

-- A stored revision, device audit entry or server audit entry is never changed or removed.
CREATE FUNCTION liaison_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;

CREATE TABLE server_identity (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id  UUID NOT NULL          -- the name of the server's own chain (operations it creates)
);

CREATE TABLE revisions (
    -- Server order: the pull cursor counts these. Assigned under the revision-order lock,
    -- so a position is never committed after a higher one (see storage/postgres.rs).
    pos             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              UUID    NOT NULL UNIQUE,
    record_id       UUID    NOT NULL,
    parent_id       UUID,
    kind            TEXT    NOT NULL,
    author          TEXT    NOT NULL,
    device_id       UUID    NOT NULL,
    device_seq      BIGINT  NOT NULL,
    recorded_ms     BIGINT  NOT NULL,        -- the device's clock
    hlc             BIGINT  NOT NULL,
    reason          TEXT,
    body            TEXT    NOT NULL,        -- canonical JSON, exactly the hashed bytes
    prev_hash       BYTEA   NOT NULL,
    hash            BYTEA   NOT NULL,
    scope           TEXT    NOT NULL CHECK (scope IN ('operation', 'force', 'author')),
    scope_operation UUID,
    received_ms     BIGINT  NOT NULL,        -- the server's clock, on receipt
    UNIQUE (device_id, device_seq)
);
CREATE INDEX revisions_by_record ON revisions (record_id);
CREATE INDEX revisions_by_operation ON revisions (scope_operation);
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION liaison_refuse('revisions are immutable and never deleted');
CREATE TRIGGER revisions_are_never_truncated BEFORE TRUNCATE ON revisions
    FOR EACH STATEMENT EXECUTE FUNCTION liaison_refuse('revisions are never deleted');

CREATE TABLE devices (
    device_id        UUID PRIMARY KEY,
    officer          TEXT   NOT NULL,
    token_hash       BYTEA  NOT NULL UNIQUE,
    enrolled_ms      BIGINT NOT NULL,
    revoked_ms       BIGINT,
    revoked_reason   TEXT CHECK (revoked_reason IN ('lost', 'stolen', 'retired')),
    acked_seq        BIGINT NOT NULL DEFAULT 0,  -- every revision 1..=acked_seq of this device is held
    final_push_ms    BIGINT,
    audit_acked_id   BIGINT NOT NULL DEFAULT 0,
    audit_acked_hash BYTEA
);

CREATE TABLE enrollment_codes (
    code_hash  BYTEA PRIMARY KEY,
    officer    TEXT   NOT NULL,
    issued_ms  BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT,
    used_by    UUID
);

CREATE TABLE operations (
    id         UUID PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE TABLE assignments (
    operation_id UUID NOT NULL REFERENCES operations (id),
    officer      TEXT NOT NULL,
    PRIMARY KEY (operation_id, officer)
);
CREATE INDEX assignments_by_officer ON assignments (officer);
-- Bumped when an officer's assignments change, so their devices' pull cursors restart.
CREATE TABLE officers (
    officer            TEXT PRIMARY KEY,
    assignment_version BIGINT NOT NULL DEFAULT 0
);

-- A record id is bound to its kind, visibility and first author by its first revision.
CREATE TABLE record_bindings (
    record_id       UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    scope           TEXT NOT NULL CHECK (scope IN ('operation', 'force', 'author')),
    scope_operation UUID,
    author          TEXT NOT NULL
);
CREATE TRIGGER record_bindings_are_immutable BEFORE UPDATE ON record_bindings
    FOR EACH ROW EXECUTE FUNCTION liaison_refuse('record bindings are immutable');

-- Each device's audit log, entry for entry as the device chained it.
CREATE TABLE device_audit (
    device_id   UUID   NOT NULL,
    id          BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    officer     TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    record_id   UUID,
    detail      TEXT   NOT NULL,
    purpose     TEXT   NOT NULL,
    prev_hash   BYTEA  NOT NULL,
    hash        BYTEA  NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (device_id, id)
);
CREATE INDEX device_audit_by_record ON device_audit (record_id);
CREATE TRIGGER device_audit_is_immutable BEFORE UPDATE OR DELETE ON device_audit
    FOR EACH ROW EXECUTE FUNCTION liaison_refuse('device audit entries are immutable and never deleted');

-- The server's own audit log, hash-chained; ids are gap-free (appended under a lock).
CREATE TABLE audit_log (
    id           BIGINT PRIMARY KEY,
    at_ms        BIGINT NOT NULL,
    actor        TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    device_id    UUID,
    operation_id UUID,
    detail       TEXT   NOT NULL,
    purpose      TEXT   NOT NULL,
    prev_hash    BYTEA  NOT NULL,
    hash         BYTEA  NOT NULL
);
CREATE INDEX audit_log_by_operation ON audit_log (operation_id);
CREATE TABLE audit_log_records (
    entry_id  BIGINT NOT NULL REFERENCES audit_log (id),
    record_id UUID   NOT NULL,
    PRIMARY KEY (entry_id, record_id)
);
CREATE INDEX audit_log_records_by_record ON audit_log_records (record_id);
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION liaison_refuse('the audit log is append-only');
CREATE TRIGGER audit_log_records_are_append_only BEFORE UPDATE OR DELETE ON audit_log_records
    FOR EACH ROW EXECUTE FUNCTION liaison_refuse('the audit log is append-only');

-- Records due for review under the retention policy.
CREATE TABLE review_flags (
    record_id      UUID   NOT NULL,
    review_ms      BIGINT NOT NULL,
    kind           TEXT   NOT NULL,
    class          TEXT   NOT NULL,
    operation_id   UUID,
    last_change_ms BIGINT NOT NULL,
    flagged_ms     BIGINT NOT NULL,
    PRIMARY KEY (record_id, review_ms)
);
