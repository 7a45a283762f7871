-- Liaison on-device schema, version 8: conflicts resolved and refusals corrected (issue 12).
-- A merge revision names a second parent, the other head it resolves: a head is then a
-- revision no other revision names as parent or as merged, so after a merge the record has
-- one head on every device. A revision the server refused, once the officer has corrected
-- it, is marked resolved by the correction and is no longer a head here (it stays in the
-- chain, as evidence of what was tried).
ALTER TABLE revisions ADD COLUMN merge_id BLOB CHECK (merge_id IS NULL OR length(merge_id) = 16);
CREATE INDEX revisions_merge ON revisions (merge_id) WHERE merge_id IS NOT NULL;

ALTER TABLE sync_quarantine ADD COLUMN resolved_by BLOB;   -- the correcting revision

DROP TRIGGER revisions_are_immutable;
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
WHEN NOT (
    OLD.erased_ms IS NULL AND NEW.erased_ms IS NOT NULL
    AND NEW.body = '' AND NEW.reason IS NULL
    AND NEW.pos = OLD.pos AND NEW.id = OLD.id AND NEW.record_id = OLD.record_id
    AND NEW.parent_id IS OLD.parent_id AND NEW.merge_id IS OLD.merge_id
    AND NEW.kind = OLD.kind AND NEW.author = OLD.author
    AND NEW.device_id = OLD.device_id AND NEW.device_seq = OLD.device_seq
    AND NEW.recorded_ms = OLD.recorded_ms AND NEW.hlc = OLD.hlc
    AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
    AND NOT EXISTS (SELECT 1 FROM records WHERE record_id = OLD.record_id)
    AND EXISTS (SELECT 1 FROM audit_log WHERE record_id = OLD.record_id AND action = 'erasure')
)
BEGIN SELECT RAISE(ABORT, 'revisions are immutable: write a new revision instead (only retention may erase a synced record, after logging it)'); END;
