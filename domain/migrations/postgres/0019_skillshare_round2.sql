-- SkillShare round 2: reschedules, teacher cancellations, reviews, unavailable ranges,
-- calendar feeds and reminders.
ALTER TABLE bookings ADD COLUMN cancelled_by TEXT CHECK (cancelled_by IN ('student', 'teacher'));
-- Where the session stood before its latest reschedule.
ALTER TABLE bookings ADD COLUMN previous_start_at BIGINT;
-- The calendar event's SEQUENCE, raised by every reschedule and cancellation.
ALTER TABLE bookings ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
-- When the current start was set (booked or moved): reminders whose moment had passed by
-- then are not sent.
ALTER TABLE bookings ADD COLUMN scheduled_at BIGINT NOT NULL DEFAULT 0;
-- The student's zone when they booked, for reminders and calendar texts.
ALTER TABLE bookings ADD COLUMN student_time_zone TEXT NOT NULL DEFAULT 'UTC';
UPDATE bookings SET scheduled_at = created_at;
UPDATE bookings SET cancelled_by = 'student' WHERE status = 'cancelled';

CREATE TABLE reviews (
    id         TEXT PRIMARY KEY,
    -- One review per booking.
    booking_id TEXT NOT NULL UNIQUE REFERENCES bookings(id) ON DELETE CASCADE,
    teacher_id TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    student_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stars      BIGINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at  BIGINT,
    reply      TEXT,
    replied_at BIGINT
);
CREATE INDEX reviews_by_teacher ON reviews(teacher_id, created_at);

-- Ranges a teacher is away, on top of the weekly hours.
CREATE TABLE unavailable (
    id         TEXT PRIMARY KEY,
    teacher_id TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    from_at    BIGINT NOT NULL,
    to_at      BIGINT NOT NULL CHECK (to_at > from_at),
    created_at BIGINT NOT NULL
);
CREATE INDEX unavailable_by_teacher ON unavailable(teacher_id, to_at);

-- A feed's address is derived from the user id and this generation; revoking raises it.
CREATE TABLE calendar_feeds (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    generation BIGINT NOT NULL
);

-- One row per reminder mail: inserting it is the claim, so a restart or a second server
-- never sends it twice. A moved booking has a new start and so new reminders.
CREATE TABLE booking_reminders (
    booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    start_at   BIGINT NOT NULL,
    lead_secs  BIGINT NOT NULL,
    recipient  TEXT NOT NULL CHECK (recipient IN ('student', 'teacher')),
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (booking_id, start_at, lead_secs, recipient)
);
