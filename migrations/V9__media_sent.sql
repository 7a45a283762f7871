-- Files (attachments and thumbnails) the force server has confirmed it holds whole, by the
-- SHA-256 the records name them by. A file named by an acknowledged own revision and not
-- here is waiting to be uploaded (issue 16).
CREATE TABLE media_sent (
    sha256   TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    sent_ms  INTEGER NOT NULL
);
