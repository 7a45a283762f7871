-- An author-only record reaches its author's devices whoever wrote the revision (a
-- supervisor's acknowledgement of an escalation, made in the console, must reach the officer
-- who raised it), so pull finds such records by their binding's author; and the console's
-- alerts read revisions by kind; and handovers name an officer's successor, who (with the
-- officer's team) sees their neighbourhood and liaison work.
CREATE INDEX record_bindings_author ON record_bindings (author, record_id) WHERE scope = 'author';
CREATE INDEX revisions_kind ON revisions (kind, pos);
CREATE INDEX revisions_parent ON revisions (parent_id) WHERE parent_id IS NOT NULL;
-- Team-mates and successors now see older neighbourhood work: every device pulls again from
-- the start once (receiving is idempotent).
UPDATE officers SET assignment_version = assignment_version + 1;
CREATE TABLE handovers (
    from_officer TEXT NOT NULL,
    to_officer   TEXT NOT NULL,
    by_staff     TEXT NOT NULL,
    at_ms        BIGINT NOT NULL,
    PRIMARY KEY (from_officer, to_officer)
);
CREATE INDEX handovers_to ON handovers (to_officer);
CREATE INDEX officers_team ON officers (team);
