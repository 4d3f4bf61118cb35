-- Share links: a file or folder of one user's, opened by anyone holding the link.
-- The link's token is the id followed by an HMAC of the id and `generation` under the server
-- key, so nothing here lets a copy of the database open a link; revoking bumps `generation`.
CREATE TABLE shares (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entry_id      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('view', 'download', 'drop')),
    -- bcrypt, or NULL without a password.
    password_hash TEXT,
    expires_at    BIGINT,
    max_downloads BIGINT,
    downloads     BIGINT NOT NULL DEFAULT 0,
    generation    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX shares_by_user ON shares(user_id, created_at);
CREATE INDEX shares_by_entry ON shares(entry_id);

-- A counted download lets the same client's ranged requests for the same item reuse its count
-- for a minute (a download manager fetching parts), however many requests run at once. Once
-- reused (`reused` 1), the count is never given back: the client may hold every byte by then.
CREATE TABLE share_grants (
    share_id TEXT NOT NULL,
    client   TEXT NOT NULL,
    item     TEXT NOT NULL,
    until    BIGINT NOT NULL,
    reused   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (share_id, client, item)
);
