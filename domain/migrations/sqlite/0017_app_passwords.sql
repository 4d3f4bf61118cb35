-- App passwords: what WebDAV clients log in with (Basic auth), since they cannot answer a
-- second factor. 160 random bits each, so an HMAC under the server key is enough to store
-- (bcrypt on every request would make /dav/ slow and a CPU-exhaustion target).
CREATE TABLE app_passwords (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_mac TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX app_passwords_by_user ON app_passwords (user_id);

-- WebDAV locks, in the database so that they hold across app servers. A lock covers a path of
-- its owner's drive (and below it when deep); expired ones are ignored and swept.
CREATE TABLE dav_locks (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    -- The locked URL as the client wrote it (the lockroot it is shown).
    root TEXT NOT NULL,
    principal TEXT,
    owner_xml TEXT,
    timeout_secs INTEGER,
    expires_at INTEGER,
    shared INTEGER NOT NULL,
    deep INTEGER NOT NULL
);
CREATE INDEX dav_locks_by_user ON dav_locks (user_id, path);

-- Dead properties (PROPPATCH) of an entry, kept with it through renames and moves.
CREATE TABLE dav_props (
    entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT,
    xml BLOB,
    PRIMARY KEY (entry_id, namespace, name)
);
