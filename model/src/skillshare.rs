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
    /// Mean stars of the teacher's reviews, when there are any.
    #[serde(default)]
    pub rating_average: Option<f64>,
    #[serde(default)]
    pub rating_count: i64,
}

/// How the teacher list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeacherSort {
    #[default]
    Name,
    /// Best rated first; teachers without reviews last.
    Rating,
    /// Lowest hourly rate first.
    Price,
    /// Soonest free slot first; teachers without one last.
    NextFree,
}

impl TeacherSort {
    pub const ALL: [TeacherSort; 4] = [
        TeacherSort::Name,
        TeacherSort::Rating,
        TeacherSort::Price,
        TeacherSort::NextFree,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TeacherSort::Name => "name",
            TeacherSort::Rating => "rating",
            TeacherSort::Price => "price",
            TeacherSort::NextFree => "next_free",
        }
    }

    pub fn parse(s: &str) -> Option<TeacherSort> {
        TeacherSort::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A teacher's reviews summed up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Mean stars, 0 when there are no reviews.
    pub average: f64,
    pub count: i64,
    /// How many reviews gave 1, 2, 3, 4 and 5 stars.
    pub histogram: [i64; 5],
}

/// A student's review of one session, with the teacher's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Review {
    pub id: String,
    pub booking_id: String,
    pub teacher_id: String,
    pub course_title: String,
    /// The student's first name only: reviews are public.
    pub student_name: String,
    pub stars: i64,
    pub text: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    /// The student may edit it until then (UTC seconds).
    pub editable_until: i64,
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
    pub rating: Rating,
    /// The latest reviews, newest first.
    pub reviews: Vec<Review>,
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

/// Who cancelled a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Student,
    Teacher,
}
#[cfg(feature = "sqlx")]
crate::any_text_type!(CancelledBy);

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
    pub cancelled_by: Option<CancelledBy>,
    /// Where the session stood before its latest reschedule.
    pub previous_start_at: Option<i64>,
    /// Counts changes of time or status: the `SEQUENCE` of its calendar event.
    pub sequence: i64,
    /// The student's review, once written.
    #[cfg_attr(feature = "sqlx", sqlx(skip))]
    #[serde(default)]
    pub review: Option<Review>,
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
    /// Date ranges marked unavailable that have not ended yet.
    pub unavailable: Vec<Unavailable>,
}

/// A range of time (a holiday) a teacher is not bookable, on top of the weekly hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unavailable {
    pub id: String,
    /// UTC seconds, start inclusive, end exclusive.
    pub from: i64,
    pub to: i64,
    /// Confirmed bookings inside the range, for the teacher to cancel or keep.
    pub bookings: Vec<Booking>,
}

/// A user's private calendar feed (their upcoming sessions as a student and as a teacher).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarFeed {
    pub url: String,
}
