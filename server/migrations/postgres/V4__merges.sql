-- Merges (issue 12; the SQLite schema's version 7): a merge revision names, beside its parent
-- (the head kept), the other head it resolves. A head is then a revision no other revision of
-- its record names as parent or as merged; the index finds the revisions merged.
ALTER TABLE revisions ADD COLUMN merge_id UUID;
CREATE INDEX revisions_merge ON revisions (merge_id) WHERE merge_id IS NOT NULL;
