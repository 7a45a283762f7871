-- Liaison on-device schema, version 6: the audit log goes to the force server (issue 5). The
-- server stores each device's audit chain as it stores revisions; entries 1..=audit_acked_id
-- of this device's audit log are on the server.
ALTER TABLE sync_state ADD COLUMN audit_acked_id INTEGER NOT NULL DEFAULT 0;
