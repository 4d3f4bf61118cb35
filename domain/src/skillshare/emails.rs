//! Booking emails. Each person sees times in their own time zone when we know it.

use chrono::TimeZone;
use chrono_tz::Tz;

use crate::mail::{compose, Mail};
use model::skillshare::{Booking, CancelledBy};

const PRODUCT: &str = "SkillShare Connect";

/// "Tuesday 3 March 2026, 09:00 (CET)".
pub fn when(start: i64, tz: Tz) -> String {
    match tz.timestamp_opt(start, 0).single() {
        Some(t) => t.format("%A %-d %B %Y, %H:%M (%Z)").to_string(),
        None => format!("{start} (UTC seconds)"),
    }
}

pub fn booked_for_student(to: &str, b: &Booking, tz: Tz) -> Mail {
    compose(
        to,
        format!(
            "{PRODUCT}: booked \"{}\" on {}",
            b.course_title,
            when(b.start_at, tz)
        ),
        &[
            format!("Hello {},", b.student_name),
            format!(
                "Your session \"{}\" with {} is booked for {}, {} minutes.",
                b.course_title,
                b.teacher_name,
                when(b.start_at, tz),
                (b.end_at - b.start_at) / 60
            ),
            "You can move or cancel it for free up to 24 hours before the start, from My bookings. \
             The attached invitation adds it to your calendar."
                .into(),
        ],
    )
}

pub fn booked_for_teacher(to: &str, b: &Booking, tz: Tz) -> Mail {
    compose(
        to,
        format!(
            "{PRODUCT}: new booking of \"{}\" on {}",
            b.course_title,
            when(b.start_at, tz)
        ),
        &[
            format!("Hello {},", b.teacher_name),
            format!(
                "{} booked \"{}\" for {}.",
                b.student_name,
                b.course_title,
                when(b.start_at, tz)
            ),
        ],
    )
}

pub fn cancelled(to: &str, greeting: &str, b: &Booking, tz: Tz) -> Mail {
    let reason = b
        .cancel_reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| format!(" Reason given: {r}"))
        .unwrap_or_default();
    let by = match b.cancelled_by {
        Some(CancelledBy::Teacher) => "the teacher",
        _ => "the student",
    };
    compose(
        to,
        format!(
            "{PRODUCT}: cancelled \"{}\" on {}",
            b.course_title,
            when(b.start_at, tz)
        ),
        &[
            format!("Hello {greeting},"),
            format!(
                "The session \"{}\" of {} with {} on {} was cancelled by {by}.{reason}",
                b.course_title,
                b.student_name,
                b.teacher_name,
                when(b.start_at, tz)
            ),
            "The time is free again for other bookings.".into(),
        ],
    )
}

pub fn rescheduled(to: &str, greeting: &str, b: &Booking, old_start: i64, tz: Tz) -> Mail {
    compose(
        to,
        format!(
            "{PRODUCT}: \"{}\" moved to {}",
            b.course_title,
            when(b.start_at, tz)
        ),
        &[
            format!("Hello {greeting},"),
            format!(
                "{} moved the session \"{}\" with {} from {} to {}.",
                b.student_name,
                b.course_title,
                b.teacher_name,
                when(old_start, tz),
                when(b.start_at, tz)
            ),
            "The attached invitation updates the event in your calendar.".into(),
        ],
    )
}

/// "24 hours", "1 hour", "30 minutes": how long until a start `left_secs` away, to the
/// nearest hour from 90 minutes on, else to the minute.
pub fn starts_in(left_secs: i64) -> String {
    let minutes = (left_secs + 30) / 60;
    match minutes {
        90.. => format!("{} hours", (minutes + 30) / 60),
        55..=89 => "1 hour".to_owned(),
        1 => "1 minute".to_owned(),
        _ => format!("{minutes} minutes"),
    }
}

pub fn reminder(to: &str, greeting: &str, b: &Booking, left_secs: i64, tz: Tz) -> Mail {
    let lead = starts_in(left_secs);
    compose(
        to,
        format!("{PRODUCT}: \"{}\" starts in {lead}", b.course_title),
        &[
            format!("Hello {greeting},"),
            format!(
                "A reminder: the session \"{}\" of {} with {} starts on {}, {} minutes.",
                b.course_title,
                b.student_name,
                b.teacher_name,
                when(b.start_at, tz),
                (b.end_at - b.start_at) / 60
            ),
        ],
    )
}
