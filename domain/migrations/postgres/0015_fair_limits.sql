-- Files and folders each account holds (the trash included), kept by the transactions that add
-- and remove them, so the limit on items (MAX_ITEMS) is checked without counting the drive.
ALTER TABLE users ADD COLUMN item_count BIGINT NOT NULL DEFAULT 0;
UPDATE users SET item_count = (SELECT COUNT(*) FROM entries WHERE entries.user_id = users.id);

-- Downloads through a link under way right now (across app servers): each holds a row,
-- renewed while its bytes flow and gone when it ends; a crashed server's lapse.
CREATE TABLE share_streams (
    id       TEXT PRIMARY KEY,
    share_id TEXT NOT NULL,
    until    BIGINT NOT NULL
);
CREATE INDEX share_streams_by_share ON share_streams(share_id, until);
