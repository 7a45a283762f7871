-- Liaison on-device schema, version 3 (the app's drafts; V2 belongs to sync).
-- A draft is what an officer has typed into a capture form but not yet saved. It is not
-- evidence: no revision refers to it, it is overwritten as the officer types and deleted when
-- the record is saved or the draft discarded. It lives in the database (not in the webview's
-- storage) so it survives the app being closed or killed, with the same durability as a save.
CREATE TABLE drafts (
    key        TEXT    PRIMARY KEY,                -- e.g. "capture:<operation>:contact_note"
    officer    TEXT    NOT NULL,
    saved_ms   INTEGER NOT NULL,
    content    TEXT    NOT NULL                    -- the form's state as JSON, opaque to the store
);
