//! Free slots: a teacher's weekly availability (wall-clock, in their time zone) laid over the
//! coming weeks, minus what is booked, minus what is too soon. Pure functions, no database.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// Bookings start on a 30-minute grid of the teacher's wall clock.
pub const STEP_SECS: i64 = 30 * 60;
/// A booking holds every 15-minute unit of UTC time it touches. The grid is absolute (not
/// counted from the booking's start), so any two bookings of one teacher that overlap hold a
/// unit in common, whatever zone each was made in: a teacher moving from +05:30 to +05:45
/// cannot get overlapping bookings.
pub const UNIT_SECS: i64 = 15 * 60;
/// The least notice a teacher gets: 2 hours.
pub const MIN_NOTICE_SECS: i64 = 2 * 3600;
/// How far ahead students can book.
pub const HORIZON_DAYS: i64 = 28;

pub use model::skillshare::Window;

/// What keeps a teacher from being booked beyond their weekly hours.
#[derive(Debug, Default)]
pub struct Taken {
    /// Units held by bookings.
    pub units: HashSet<i64>,
    /// Ranges marked unavailable (UTC seconds, end exclusive).
    pub away: Vec<(i64, i64)>,
}

impl Taken {
    fn blocks(&self, start: i64, duration_secs: i64) -> bool {
        let end = start + duration_secs;
        units(start, duration_secs).any(|u| self.units.contains(&u))
            || self.away.iter().any(|&(from, to)| start < to && from < end)
    }
}

/// The units (their UTC starts) a booking of `duration_secs` from `start` touches.
pub fn units(start: i64, duration_secs: i64) -> impl Iterator<Item = i64> {
    let first = start.div_euclid(UNIT_SECS);
    let last = (start + duration_secs.max(1) - 1).div_euclid(UNIT_SECS);
    (first..=last).map(|k| k * UNIT_SECS)
}

/// Every start (UTC seconds, ascending) at which a session of `duration_secs` fits inside the
/// availability, between `now + MIN_NOTICE` and `now + HORIZON`, without touching what is
/// `taken`. Local times that do not exist or happen twice (DST changes) are skipped.
pub fn free_starts(
    tz: Tz,
    windows: &[Window],
    duration_secs: i64,
    taken: &Taken,
    now: i64,
) -> Vec<i64> {
    let earliest = now + MIN_NOTICE_SECS;
    let latest = now + HORIZON_DAYS * 86_400;
    let Some(today) = tz.timestamp_opt(now, 0).single().map(|t| t.date_naive()) else {
        return Vec::new();
    };
    let duration_min = duration_secs / 60;
    let mut starts = Vec::new();
    for day in 0..=HORIZON_DAYS {
        let date = today + Duration::days(day);
        let weekday = u8::try_from(date.weekday().num_days_from_monday()).unwrap_or(0);
        for w in windows.iter().filter(|w| w.weekday == weekday) {
            let mut minute = i64::from(w.start_minute);
            while minute + duration_min <= i64::from(w.end_minute) {
                let local = date.and_time(NaiveTime::MIN) + Duration::minutes(minute);
                if let Some(start) = tz
                    .from_local_datetime(&local)
                    .single()
                    .map(|t| t.timestamp())
                {
                    let fits =
                        start >= earliest && start <= latest && !taken.blocks(start, duration_secs);
                    if fits {
                        starts.push(start);
                    }
                }
                minute += STEP_SECS / 60;
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    const MONDAY_9_TO_11: Window = Window {
        weekday: 0,
        start_minute: 9 * 60,
        end_minute: 11 * 60,
    };

    #[test]
    fn slots_follow_the_teachers_wall_clock() {
        // Sunday 2026-03-22 12:00 UTC; Madrid is UTC+1 in winter.
        let now = utc(2026, 3, 22, 12, 0);
        let tz: Tz = "Europe/Madrid".parse().unwrap();
        let starts = free_starts(tz, &[MONDAY_9_TO_11], 3600, &Taken::default(), now);
        // Monday 09:00, 09:30, 10:00 local = 08:00, 08:30, 09:00 UTC.
        assert_eq!(
            &starts[..3],
            &[
                utc(2026, 3, 23, 8, 0),
                utc(2026, 3, 23, 8, 30),
                utc(2026, 3, 23, 9, 0)
            ]
        );
        // After the spring change (29 March) Madrid is UTC+2: Monday 09:00 is 07:00 UTC.
        let march_30: Vec<i64> = starts
            .iter()
            .copied()
            .filter(|&s| (utc(2026, 3, 30, 0, 0)..utc(2026, 3, 31, 0, 0)).contains(&s))
            .collect();
        assert_eq!(
            march_30,
            vec![
                utc(2026, 3, 30, 7, 0),
                utc(2026, 3, 30, 7, 30),
                utc(2026, 3, 30, 8, 0)
            ]
        );
    }

    #[test]
    fn overlapping_bookings_share_a_unit_whatever_their_zone() {
        // 10:00-11:00 at +05:30 is 04:30-05:30 UTC; 10:00-11:00 at +05:45 is 04:15-05:15.
        let kolkata: HashSet<i64> = units(utc(2026, 3, 2, 4, 30), 3600).collect();
        let kathmandu: HashSet<i64> = units(utc(2026, 3, 2, 4, 15), 3600).collect();
        assert!(!kolkata.is_disjoint(&kathmandu));
        // Back to back, they share none.
        let after: HashSet<i64> = units(utc(2026, 3, 2, 5, 30), 3600).collect();
        assert!(kolkata.is_disjoint(&after));
    }

    #[test]
    fn taken_units_block_overlapping_starts() {
        let now = utc(2026, 3, 1, 12, 0);
        let tz: Tz = "UTC".parse().unwrap();
        let taken = Taken {
            units: units(utc(2026, 3, 2, 10, 0), 1800).collect(),
            ..Taken::default()
        };
        let starts = free_starts(tz, &[MONDAY_9_TO_11], 3600, &taken, now);
        let monday: Vec<_> = starts
            .iter()
            .filter(|&&s| s < utc(2026, 3, 3, 0, 0))
            .collect();
        // 09:00 fits (09:00-10:00); 09:30 and 10:00 would overlap 10:00-10:30.
        assert_eq!(monday, vec![&utc(2026, 3, 2, 9, 0)]);
    }

    #[test]
    fn unavailable_ranges_block_every_start_they_touch() {
        let now = utc(2026, 3, 1, 12, 0);
        let tz: Tz = "UTC".parse().unwrap();
        // Away from Monday 09:45 to 10:15: a one-hour session fits at none of 09:00..10:00.
        let taken = Taken {
            away: vec![(utc(2026, 3, 2, 9, 45), utc(2026, 3, 2, 10, 15))],
            ..Taken::default()
        };
        let starts = free_starts(tz, &[MONDAY_9_TO_11], 3600, &taken, now);
        assert!(starts.iter().all(|&s| s >= utc(2026, 3, 3, 0, 0)));
        // A range ending as a session starts leaves it bookable.
        let taken = Taken {
            away: vec![(utc(2026, 3, 2, 8, 0), utc(2026, 3, 2, 9, 0))],
            ..Taken::default()
        };
        let starts = free_starts(tz, &[MONDAY_9_TO_11], 3600, &taken, now);
        assert_eq!(starts[0], utc(2026, 3, 2, 9, 0));
    }

    #[test]
    fn nothing_inside_the_notice_period_or_beyond_the_horizon() {
        let now = utc(2026, 3, 2, 8, 0); // Monday 08:00 UTC
        let tz: Tz = "UTC".parse().unwrap();
        let starts = free_starts(tz, &[MONDAY_9_TO_11], 1800, &Taken::default(), now);
        assert_eq!(
            starts[0],
            utc(2026, 3, 2, 10, 0),
            "09:00 and 09:30 are under 2 hours away"
        );
        assert!(starts.iter().all(|&s| s <= now + HORIZON_DAYS * 86_400));
        // Later Mondays within 28 days: 9, 16 and 23 March (30 March 09:00 is past the horizon).
        assert_eq!(
            starts
                .iter()
                .filter(|&&s| s >= utc(2026, 3, 3, 0, 0))
                .count(),
            3 * 4
        );
    }

    #[test]
    fn runs_with_the_real_clock() {
        let tz: Tz = "Asia/Tokyo".parse().unwrap();
        let all_week: Vec<Window> = (0..7)
            .map(|d| Window {
                weekday: d,
                start_minute: 0,
                end_minute: 1440,
            })
            .collect();
        let now = Utc::now().timestamp();
        let starts = free_starts(tz, &all_week, 3600, &Taken::default(), now);
        assert!(starts.first().is_some_and(|&s| s >= now + MIN_NOTICE_SECS));
    }
}
