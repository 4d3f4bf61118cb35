-- The storage cluster's view of what it stores, where, and what needs doing.

CREATE TABLE objects (
    id         TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    checksum     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- One row per (object, node): the last known state of that replica.
CREATE TABLE replicas (
    object_id  TEXT NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    node       TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('ok', 'missing', 'corrupt')),
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (object_id, node)
);

-- Replicas to (re)create, retried with backoff.
CREATE TABLE repair_queue (
    object_id  TEXT NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    node       TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (object_id, node)
);

-- Deletes a node missed while it was down; applied when it returns.
CREATE TABLE pending_deletes (
    object_id TEXT NOT NULL,
    node      TEXT NOT NULL,
    PRIMARY KEY (object_id, node)
);

-- Verification runs ("scrubs") and what they found.
CREATE TABLE verifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    objects     INTEGER NOT NULL DEFAULT 0,
    healthy     INTEGER NOT NULL DEFAULT 0,
    missing     INTEGER NOT NULL DEFAULT 0,
    corrupt     INTEGER NOT NULL DEFAULT 0,
    unreachable INTEGER NOT NULL DEFAULT 0
);
