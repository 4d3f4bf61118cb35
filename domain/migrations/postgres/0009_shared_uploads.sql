-- Uploads that any app server can carry on (several servers on one database): nothing about
-- an upload lives in one process any more.
-- A chunk being received holds the upload's claim (`receiving`, a random token) until
-- `receiving_until`, renewed while its bytes arrive; a retry on another server waits for it to
-- end or lapse.
ALTER TABLE uploads ADD COLUMN receiving TEXT;
ALTER TABLE uploads ADD COLUMN receiving_until BIGINT;
-- Each block's BLAKE3 chaining value at its place in the file (32 bytes), so the file's hash
-- is merged from its blocks' wherever each was received. NULL for blocks stored before this.
ALTER TABLE blocks ADD COLUMN cv BYTEA;
