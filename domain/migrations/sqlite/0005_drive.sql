-- The drive: each user's files and folders, the blocks files are stored as, uploads in progress.

-- used_bytes: files stored, the trash included. reserved_bytes: held by uploads in progress.
-- A new upload reserves with one conditional UPDATE, so concurrent uploads cannot overshoot.
ALTER TABLE users ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reserved_bytes INTEGER NOT NULL DEFAULT 0;

CREATE TABLE entries (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- '' at the top of the drive (not NULL: NULLs never collide in a unique index).
    parent_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
    name        TEXT NOT NULL,
    -- NFC and lower case: two names with the same key cannot share a folder.
    name_key    TEXT NOT NULL,
    size        INTEGER NOT NULL DEFAULT 0,
    mime        TEXT NOT NULL DEFAULT '',
    checksum    TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    -- Set on the item the user deleted; what is inside a trashed folder keeps NULL.
    trashed_at  INTEGER
);
CREATE UNIQUE INDEX entries_unique_name ON entries(user_id, parent_id, name_key)
    WHERE trashed_at IS NULL;
CREATE INDEX entries_by_parent ON entries(parent_id);
CREATE INDEX entries_trashed ON entries(user_id, trashed_at) WHERE trashed_at IS NOT NULL;

-- An upload in progress. When it finishes, the file entry takes the upload's id, so its
-- blocks need no moving.
CREATE TABLE uploads (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    parent_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    -- What the client says identifies its file (a browser sends the file's last-modified
    -- time): a restart resumes only the same name, size and fingerprint.
    fingerprint TEXT NOT NULL DEFAULT '',
    chunk_size  INTEGER NOT NULL,
    next_chunk  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX uploads_by_user ON uploads(user_id);

-- A file's (or an upload's) bytes: block idx is a cluster object of `size` bytes.
CREATE TABLE blocks (
    file_id   TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    object_id TEXT NOT NULL,
    size      INTEGER NOT NULL,
    PRIMARY KEY (file_id, idx)
);

-- Cluster objects no longer referenced, deleted from the nodes by the sweeper. Written in the
-- same transaction that drops their file, so a crash never leaves them behind for good.
CREATE TABLE garbage (
    object_id TEXT PRIMARY KEY
);
