-- The debrief notes of operations (issue 13): went well, even better if, recommendations and
-- sign-off, entered in the console; the report itself is made from the records each time.
CREATE TABLE debriefs (
    operation_id  UUID PRIMARY KEY,
    notes         TEXT NOT NULL,      -- liaison_core::report::DebriefNotes as JSON
    by_staff      TEXT NOT NULL,
    at_ms         BIGINT NOT NULL
);
