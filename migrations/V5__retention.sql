-- Liaison on-device schema, version 5: retention (issue 5). A synced record past its device
-- retention period leaves the tablet (the force server keeps it). Its revisions stay in the
-- chain as tombstones: body and reason erased, every column the chain links by (id, seq,
-- prev_hash, hash, ...) kept, erased_ms set. verify_chain then still checks every link, and
-- the full hash wherever a body remains.

ALTER TABLE revisions ADD COLUMN erased_ms INTEGER;   -- NULL: the body is here
CREATE INDEX revisions_erased ON revisions (record_id) WHERE erased_ms IS NOT NULL;

-- Erasure must be logged: the guard below looks for the erasure entry by record.
CREATE INDEX audit_log_by_record ON audit_log (record_id, action);

-- The only update a revision may ever take: into a tombstone, once, with nothing but body and
-- reason changing, after its record has left the current state and after an erasure entry for
-- that record is in the audit log (written first, in the same transaction).
DROP TRIGGER revisions_are_immutable;
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
WHEN NOT (
    OLD.erased_ms IS NULL AND NEW.erased_ms IS NOT NULL
    AND NEW.body = '' AND NEW.reason IS NULL
    AND NEW.pos = OLD.pos AND NEW.id = OLD.id AND NEW.record_id = OLD.record_id
    AND NEW.parent_id IS OLD.parent_id AND NEW.kind = OLD.kind AND NEW.author = OLD.author
    AND NEW.device_id = OLD.device_id AND NEW.device_seq = OLD.device_seq
    AND NEW.recorded_ms = OLD.recorded_ms AND NEW.hlc = OLD.hlc
    AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
    AND NOT EXISTS (SELECT 1 FROM records WHERE record_id = OLD.record_id)
    AND EXISTS (SELECT 1 FROM audit_log WHERE record_id = OLD.record_id AND action = 'erasure')
)
BEGIN SELECT RAISE(ABORT, 'revisions are immutable: write a new revision instead (only retention may erase a synced record, after logging it)'); END;
