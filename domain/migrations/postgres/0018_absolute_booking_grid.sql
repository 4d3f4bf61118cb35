-- Bookings hold 15-minute units on an absolute UTC grid, not 30-minute units counted from
-- their own start: two overlapping bookings of one teacher then always share a unit, whatever
-- zone each was made in. Units of confirmed bookings are derived again on the new grid. Two
-- bookings that already overlap (the fault this fixes) both stay; the later one's shared
-- units are left to the earlier one.
DELETE FROM booked_units;
WITH RECURSIVE held(booking_id, teacher_id, unit_start, end_at, created_at) AS (
    SELECT id, teacher_id, (start_at / 900) * 900, end_at, created_at
    FROM bookings WHERE status = 'confirmed'
    UNION ALL
    SELECT booking_id, teacher_id, unit_start + 900, end_at, created_at
    FROM held WHERE unit_start + 900 < end_at
)
INSERT INTO booked_units (teacher_id, unit_start, booking_id)
-- (`WHERE true`: SQLite needs a WHERE before an upsert clause after a SELECT.)
SELECT teacher_id, unit_start, booking_id FROM held WHERE true ORDER BY created_at, booking_id
ON CONFLICT DO NOTHING;
