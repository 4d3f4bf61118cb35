-- A single-request upload (one streamed body, `curl -T`) cannot be resumed by its client: once
-- its bytes stop arriving it is dropped after a short silence, not the 24 hours a chunked
-- upload keeps, and it is not listed among the uploads a user can resume. `expires_at` is
-- renewed while bytes arrive and with every chunk stored: about the time the last bytes
-- arrived, plus that silence.
ALTER TABLE uploads ADD COLUMN single_request INTEGER NOT NULL DEFAULT 0;
