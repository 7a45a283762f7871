-- Which stored revisions name which file (an attachment or its thumbnail, issue 16), kept by
-- the database itself as revisions arrive: what a device may upload, and which colleagues may
-- fetch a file (those who may see a revision naming it), found without reading every body.
-- As storage/sqlite.rs's SCHEMA_V9.
CREATE TABLE revision_media (
    sha256  TEXT   NOT NULL,
    pos     BIGINT NOT NULL,
    size    BIGINT NOT NULL,
    PRIMARY KEY (sha256, pos)
);
CREATE INDEX revision_media_by_pos ON revision_media (pos);

CREATE FUNCTION liaison_media_named(body TEXT)
RETURNS TABLE (sha256 TEXT, size BIGINT) LANGUAGE sql IMMUTABLE AS $$
    SELECT f.sha256, f.size FROM (
        SELECT a ->> 'sha256' AS sha256, (a ->> 'size')::BIGINT AS size
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body::jsonb -> 'attachments') = 'array'
                                         THEN body::jsonb -> 'attachments' ELSE '[]'::jsonb END) a
        UNION ALL
        SELECT a -> 'thumbnail' ->> 'sha256', (a -> 'thumbnail' ->> 'size')::BIGINT
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body::jsonb -> 'attachments') = 'array'
                                         THEN body::jsonb -> 'attachments' ELSE '[]'::jsonb END) a
         WHERE jsonb_typeof(a -> 'thumbnail') = 'object'
    ) f
$$;

CREATE FUNCTION liaison_name_media() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body LIKE '%"attachments":%' THEN
        INSERT INTO revision_media (sha256, pos, size)
            SELECT m.sha256, NEW.pos, m.size FROM liaison_media_named(NEW.body) m
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER revisions_name_media AFTER INSERT ON revisions
    FOR EACH ROW EXECUTE FUNCTION liaison_name_media();

INSERT INTO revision_media (sha256, pos, size)
    SELECT m.sha256, r.pos, m.size
      FROM revisions r, liaison_media_named(r.body) m
     WHERE r.body LIKE '%"attachments":%'
    ON CONFLICT DO NOTHING;
