-- File versions: when an upload replaces a file, the old content becomes a version of it (its
-- blocks move to the version's id). Versions count against the quota until they go (after
-- VERSIONS_DAYS, or beyond the newest VERSIONS_KEEP of a file).
CREATE TABLE versions (
    id          TEXT PRIMARY KEY,
    file_id     TEXT NOT NULL,
    -- 1 for a file's first replaced content, and on: the order they were made in (several
    -- can be made within one second).
    number      BIGINT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    size        BIGINT NOT NULL,
    mime        TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    -- When this content was uploaded, and when it stopped being the file's.
    created_at  BIGINT NOT NULL,
    replaced_at BIGINT NOT NULL,
    -- The drop link it came through ('' for the owner).
    share_id    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX versions_by_file ON versions(file_id, number);
CREATE INDEX versions_by_age ON versions(replaced_at);

-- What an upload does when its name is taken: 'fail', 'replace' (the old content becomes a
-- version) or 'keep_both' (a numbered name).
ALTER TABLE uploads ADD COLUMN on_conflict TEXT NOT NULL DEFAULT 'fail';
