-- SkillShare Connect: teachers, their weekly availability, courses and bookings.
-- Times are UTC unix seconds; availability is wall-clock minutes in the teacher's time zone.

CREATE TABLE teachers (
    id                TEXT PRIMARY KEY,
    -- NULL for the seeded catalogue; a user has at most one teacher profile.
    user_id           TEXT UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    display_name      TEXT NOT NULL,
    bio               TEXT NOT NULL,
    specialties       TEXT NOT NULL,            -- JSON array of strings
    hourly_rate_cents INTEGER NOT NULL CHECK (hourly_rate_cents >= 0),
    time_zone         TEXT NOT NULL,            -- IANA name, e.g. Europe/Madrid
    contact_email     TEXT NOT NULL,
    created_at        INTEGER NOT NULL
);

CREATE TABLE availability (
    teacher_id   TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),   -- 0 = Monday
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute < end_minute),
    PRIMARY KEY (teacher_id, weekday, start_minute)
);

CREATE TABLE courses (
    id               TEXT PRIMARY KEY,
    teacher_id       TEXT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    skill            TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0 AND duration_minutes % 30 = 0),
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    created_at       INTEGER NOT NULL
);
CREATE INDEX courses_by_teacher ON courses(teacher_id);
CREATE INDEX courses_by_skill ON courses(skill);

CREATE TABLE bookings (
    id            TEXT PRIMARY KEY,
    student_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    course_id     TEXT NOT NULL REFERENCES courses(id),
    teacher_id    TEXT NOT NULL REFERENCES teachers(id),
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    created_at    INTEGER NOT NULL,
    cancelled_at  INTEGER,
    cancel_reason TEXT
);
CREATE INDEX bookings_by_student ON bookings(student_id, start_at);
CREATE INDEX bookings_by_teacher ON bookings(teacher_id, start_at);

-- Each active booking holds the 30-minute units of its teacher's time it covers. The primary
-- key is what makes a double booking impossible, overlapping or not, however many requests
-- race: the database refuses the second insert. Cancelling deletes the units.
CREATE TABLE booked_units (
    teacher_id TEXT NOT NULL REFERENCES teachers(id),
    unit_start INTEGER NOT NULL,
    booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    PRIMARY KEY (teacher_id, unit_start)
);
