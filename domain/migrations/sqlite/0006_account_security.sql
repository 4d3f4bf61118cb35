-- Accounts hardened: codes and limits keyed by the normalised email (known and unknown
-- addresses behave alike), sign-ups that cannot be squatted, an authenticator app.
-- Times are UTC unix seconds. Codes, tokens and recovery codes are stored hashed only.

-- Emailed one-time codes (and login steps waiting for an authenticator app code, with no
-- hash). A verification code per registration may be live at once; other purposes keep one.
DROP TABLE one_time_codes;
CREATE TABLE auth_codes (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    purpose    TEXT NOT NULL
               CHECK (purpose IN ('verify_email', 'login', 'password_reset', 'confirm')),
    code_hash  TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    tries      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX auth_codes_by_email ON auth_codes(email, purpose);

-- Sign-ups not verified yet. Each keeps its own password and name: the account is created,
-- verified, from the one whose password comes with a mailed code.
CREATE TABLE registrations (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX registrations_by_email ON registrations(email, created_at);
INSERT INTO registrations (id, email, name, password_hash, created_at)
    SELECT id, lower(email), name, password_hash, created_at FROM users WHERE verified_at IS NULL;
DELETE FROM users WHERE verified_at IS NULL;

-- Rolling-window limits (wrong codes, codes mailed): one row per event. A transaction counts
-- for a key only after it has written the key's row in limit_keys, which serialises counting.
CREATE TABLE limit_keys (
    key        TEXT PRIMARY KEY,
    touched_at INTEGER NOT NULL
);
CREATE TABLE limit_events (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX limit_events_by_key ON limit_events(key, at);

-- Requests per client (IPv4 address or IPv6 /64) per minute: one upsert per request.
CREATE TABLE request_counts (
    client       TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (client, window_start)
);

-- Authenticator app (TOTP): secrets sealed with an AEAD under a key derived from secret.key.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
-- The last 30-second step accepted, so a code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);
