-- Liaison on-device schema, version 1.
-- Evidence lives in `revisions` (immutable, hash-chained per device) and `audit_log`
-- (append-only). `records` and `search_index` are derived state: they can be rebuilt from
-- `revisions` at any time (Store::rebuild) and are the only tables written in place.

-- This device's identity and the highest hybrid logical clock it has seen.
CREATE TABLE device_identity (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   BLOB    NOT NULL CHECK (length(device_id) = 16),
    created_ms  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE revisions (
    pos          INTEGER PRIMARY KEY,              -- local arrival order
    id           BLOB    NOT NULL UNIQUE CHECK (length(id) = 16),   -- UUIDv7
    record_id    BLOB    NOT NULL CHECK (length(record_id) = 16),
    parent_id    BLOB,
    kind         TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    device_id    BLOB    NOT NULL CHECK (length(device_id) = 16),
    device_seq   INTEGER NOT NULL CHECK (device_seq >= 1),
    recorded_ms  INTEGER NOT NULL,                 -- device wall clock at save
    hlc          INTEGER NOT NULL,                 -- hybrid logical clock, (ms << 16) | counter
    reason       TEXT,                             -- why an edit was made; NULL for a creation
    body         TEXT    NOT NULL,                 -- canonical JSON of the record
    prev_hash    BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash         BLOB    NOT NULL CHECK (length(hash) = 32),
    UNIQUE (device_id, device_seq)
);
CREATE INDEX revisions_by_record ON revisions (record_id);

CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are immutable: write a new revision instead'); END;
CREATE TRIGGER revisions_are_never_deleted BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are never deleted in place'); END;

-- Current state, one row per record, derived from its revisions.
CREATE TABLE records (
    rowid         INTEGER PRIMARY KEY,             -- also the search_index rowid
    record_id     BLOB    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL,
    operation_id  BLOB,
    head_pos      INTEGER NOT NULL REFERENCES revisions (pos),
    title         TEXT    NOT NULL,
    author        TEXT    NOT NULL,                -- who created it
    occurred_ms   INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL,
    sector        TEXT,
    revision_count INTEGER NOT NULL,
    open_heads    INTEGER NOT NULL DEFAULT 1       -- > 1: concurrent edits not yet resolved
);
CREATE INDEX records_by_operation ON records (operation_id, occurred_ms);
CREATE INDEX records_by_kind ON records (kind, occurred_ms);

-- The searchable text of each record's current revision, computed from its body. The FTS
-- index below stores no copy of the text: it reads it back through this view for snippets.
CREATE VIEW search_source AS
SELECT r.rowid AS rowid,
       r.title AS title,
       CASE r.kind
         WHEN 'contact_note' THEN concat_ws(' ', json_extract(v.body, '$.body.spoke_with'), json_extract(v.body, '$.body.summary'), json_extract(v.body, '$.body.follow_up'))
         WHEN 'rumour_report' THEN concat_ws(' ', json_extract(v.body, '$.body.content'), json_extract(v.body, '$.body.heard_at'), json_extract(v.body, '$.body.source_detail'), json_extract(v.body, '$.body.findings'),
              (SELECT group_concat(concat_ws(' ', json_extract(a.value, '$.told'), json_extract(a.value, '$.message')), ' ') FROM json_each(v.body, '$.body.control_actions') a))
         WHEN 'negotiation_outcome' THEN concat_ws(' ', json_extract(v.body, '$.body.parties'), json_extract(v.body, '$.body.police_position'), json_extract(v.body, '$.body.other_position'), json_extract(v.body, '$.body.agreed'), json_extract(v.body, '$.body.compliance_note'),
              (SELECT group_concat(c.value, ' ') FROM json_each(v.body, '$.body.conditions') c))
         WHEN 'tension_reading' THEN json_extract(v.body, '$.body.note')
         WHEN 'escalation' THEN concat_ws(' ', json_extract(v.body, '$.body.summary'), json_extract(v.body, '$.body.told'), json_extract(v.body, '$.body.response'))
         WHEN 'person' THEN concat_ws(' ', json_extract(v.body, '$.body.other_contact'), json_extract(v.body, '$.body.notes'))
         WHEN 'group' THEN json_extract(v.body, '$.body.description')
         WHEN 'venue' THEN concat_ws(' ', json_extract(v.body, '$.body.address'), json_extract(v.body, '$.body.notes'))
         WHEN 'agency' THEN concat_ws(' ', json_extract(v.body, '$.body.services'), json_extract(v.body, '$.body.referral_route'))
         WHEN 'operation' THEN concat_ws(' ', json_extract(v.body, '$.body.briefing'), json_extract(v.body, '$.body.command_structure'))
         WHEN 'tasking' THEN concat_ws(' ', json_extract(v.body, '$.body.briefing_ref'), json_extract(v.body, '$.body.details'), json_extract(v.body, '$.body.result'))
         WHEN 'abstraction' THEN concat_ws(' ', json_extract(v.body, '$.body.from_duty'), json_extract(v.body, '$.body.reason'), json_extract(v.body, '$.body.authorised_by'))
         WHEN 'referral' THEN concat_ws(' ', json_extract(v.body, '$.body.person'), json_extract(v.body, '$.body.reason'), json_extract(v.body, '$.body.outcome'))
         WHEN 'intelligence_submission' THEN json_extract(v.body, '$.body.detail')
         ELSE ''
       END AS text
FROM records r JOIN revisions v ON v.pos = r.head_pos;

CREATE VIRTUAL TABLE search_index USING fts5 (
    title, text,
    content = 'search_source', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Who did what with which record, and why. Append-only.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    officer    TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    record_id  BLOB,
    detail     TEXT    NOT NULL,
    purpose    TEXT    NOT NULL
);
CREATE TRIGGER audit_log_is_append_only_u BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_append_only_d BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
