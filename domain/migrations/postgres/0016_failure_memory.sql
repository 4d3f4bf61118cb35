-- Wrong passwords are remembered for a day after the last one (logins, and share links per
-- client address): the sweeper then forgets them, so the table does not grow without end and
-- a few old typos do not count towards a lock months later.
ALTER TABLE login_failures ADD COLUMN last_failed_at BIGINT NOT NULL DEFAULT 0;
