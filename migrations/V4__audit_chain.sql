-- The audit log becomes a hash chain, like the revisions: each entry's hash covers its content
-- and the previous entry's hash, so a removed, altered or reordered entry is detected
-- (Store::verify_audit_chain). Entries written before this version have NULL hashes and are
-- reported as unchained.
ALTER TABLE audit_log ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_log ADD COLUMN hash BLOB;
