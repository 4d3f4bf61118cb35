//! SkillShare Connect: teachers, courses, availability and bookings.

use serde::{Deserialize, Serialize};

/// A weekly window of availability, in the teacher's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Window {
    /// 0 = Monday ... 6 = Sunday.
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub weekday: u8,
    /// Minutes after local midnight.
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub start_minute: u16,
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i64"))]
    pub end_minute: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}
#[cfg(feature = "sqlx")]
crate::any_text_type!(Level);

impl Level {
    pub const ALL: [Level; 3] = [Level::Beginner, Level::Intermediate, Level::Advanced];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teacher {
    pub id: String,
    pub display_name: String,
    pub bio: String,
    pub specialties: Vec<String>,
    pub hourly_rate_cents: i64,
    pub time_zone: String,
    /// The earliest bookable start (UTC seconds) for a one-hour session, if any.
    pub next_free_slot: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Course {
    pub id: String,
    pub teacher_id: String,
    pub teacher_name: String,
    pub title: String,
    pub description: String,
    pub skill: String,
    pub level: Level,
    pub duration_minutes: i64,
    pub price_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherProfile {
    pub teacher: Teacher,
    pub availability: Vec<Window>,
    pub courses: Vec<Course>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CourseFilter {
    pub skill: Option<String>,
    pub level: Option<Level>,
    pub max_price_cents: Option<i64>,
    /// Words to find in the title, description, skill or teacher's name.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Confirmed,
    Cancelled,
}
#[cfg(feature = "sqlx")]
crate::any_text_type!(BookingStatus);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Booking {
    pub id: String,
    pub course_id: String,
    pub course_title: String,
    pub teacher_id: String,
    pub teacher_name: String,
    pub student_name: String,
    pub start_at: i64,
    pub end_at: i64,
    pub status: BookingStatus,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
}

/// What a teacher sets on their own profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherDraft {
    pub display_name: String,
    pub bio: String,
    pub specialties: Vec<String>,
    pub hourly_rate_cents: i64,
    pub time_zone: String,
}

/// What a teacher fills in to publish a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseDraft {
    pub title: String,
    pub description: String,
    pub skill: String,
    pub level: Level,
    pub duration_minutes: i64,
    pub price_cents: i64,
}

/// When a booking starts, as clients send it: RFC 3339 text (`"2026-12-01T15:00:00Z"`) or UTC
/// unix seconds (`1796137200`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StartTime {
    Unix(i64),
    Text(String),
}

/// The catalogue page: courses and the skills to filter by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseList {
    pub courses: Vec<Course>,
    /// Every skill on offer, for the filter.
    pub skills: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseSlots {
    pub course: Course,
    pub teacher: Teacher,
    /// Free starts, UTC unix seconds, ascending.
    pub slots: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teaching {
    pub profile: Option<TeacherProfile>,
    pub bookings: Vec<Booking>,
}
