//! SkillShare Connect: browse teachers and courses, book free slots, cancel, and teach.

mod booking;
mod catalogue;
mod emails;
mod error;
pub mod slots;
mod teaching;

use std::sync::Arc;

use chrono_tz::Tz;

pub use booking::{Student, FREE_CANCELLATION_SECS};
pub use error::SkillShareError;
pub use model::skillshare::*;

use crate::clock::Clock;
use crate::db::Db;
use crate::ids::{BookingId, UserId};
use crate::mail::Mailer;

pub struct Marketplace {
    db: Db,
    mailer: Arc<Mailer>,
    clock: Clock,
    /// Upcoming bookings one student may hold at once.
    max_active_bookings: i64,
}

/// A time zone name from a browser; unknown or missing names fall back to UTC.
pub fn viewer_tz(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse().ok()).unwrap_or(Tz::UTC)
}

impl Marketplace {
    pub fn new(db: Db, mailer: Arc<Mailer>, clock: Clock, max_active_bookings: i64) -> Marketplace {
        Marketplace {
            db,
            mailer,
            clock,
            max_active_bookings,
        }
    }

    pub async fn teachers(&self) -> Result<Vec<Teacher>, SkillShareError> {
        catalogue::teachers(&self.db, self.clock.now()).await
    }

    pub async fn teacher(&self, id: &str) -> Result<TeacherProfile, SkillShareError> {
        catalogue::teacher_profile(&self.db, id, self.clock.now()).await
    }

    pub async fn courses(&self, filter: &CourseFilter) -> Result<Vec<Course>, SkillShareError> {
        catalogue::courses(&self.db, filter, None).await
    }

    pub async fn course(&self, id: &str) -> Result<Course, SkillShareError> {
        catalogue::course(&self.db, id).await
    }

    pub async fn skills(&self) -> Result<Vec<String>, SkillShareError> {
        catalogue::skills(&self.db).await
    }

    /// Bookable starts (UTC seconds) for the course, over the next 28 days.
    pub async fn free_slots(&self, course_id: &str) -> Result<Vec<i64>, SkillShareError> {
        let course = catalogue::course(&self.db, course_id).await?;
        let teacher = catalogue::teacher_by_id(&self.db, &course.teacher_id).await?;
        catalogue::free_starts(
            &self.db,
            &teacher,
            course.duration_minutes,
            self.clock.now(),
        )
        .await
    }

    pub async fn book(
        &self,
        student: &Student,
        course_id: &str,
        start: i64,
        student_tz: Tz,
    ) -> Result<Booking, SkillShareError> {
        let request = booking::Request {
            student,
            course_id,
            start,
            student_tz,
            now: self.clock.now(),
            max_active: self.max_active_bookings,
        };
        booking::book(&self.db, &self.mailer, request).await
    }

    pub async fn bookings_of(&self, student: &UserId) -> Result<Vec<Booking>, SkillShareError> {
        booking::list(&self.db, booking::BookingsOf::Student(student.as_str())).await
    }

    pub async fn cancel(
        &self,
        student: &Student,
        booking_id: &BookingId,
        reason: &str,
        student_tz: Tz,
    ) -> Result<Booking, SkillShareError> {
        booking::cancel(
            &self.db,
            &self.mailer,
            student,
            booking_id,
            reason,
            student_tz,
            self.clock.now(),
        )
        .await
    }

    /// The user's own teacher profile, if they have one.
    pub async fn my_profile(
        &self,
        user_id: &UserId,
    ) -> Result<Option<TeacherProfile>, SkillShareError> {
        match catalogue::teacher_by_user(&self.db, user_id).await? {
            Some(row) => Ok(Some(self.teacher(&row.teacher.id).await?)),
            None => Ok(None),
        }
    }

    pub async fn save_profile(
        &self,
        user_id: &UserId,
        contact_email: &str,
        draft: &TeacherDraft,
    ) -> Result<TeacherProfile, SkillShareError> {
        let id = teaching::save_profile(&self.db, user_id, contact_email, draft, self.clock.now())
            .await?;
        self.teacher(&id).await
    }

    pub async fn set_availability(
        &self,
        user_id: &UserId,
        windows: &[Window],
    ) -> Result<Vec<Window>, SkillShareError> {
        teaching::set_availability(&self.db, user_id, windows).await
    }

    pub async fn publish_course(
        &self,
        user_id: &UserId,
        draft: &CourseDraft,
    ) -> Result<Course, SkillShareError> {
        teaching::publish_course(&self.db, user_id, draft, self.clock.now()).await
    }

    /// Bookings of the user's own courses.
    pub async fn teaching_bookings(
        &self,
        user_id: &UserId,
    ) -> Result<Vec<Booking>, SkillShareError> {
        let teacher = catalogue::teacher_by_user(&self.db, user_id)
            .await?
            .ok_or(SkillShareError::NoTeacherProfile)?;
        booking::list(&self.db, booking::BookingsOf::Teacher(&teacher.teacher.id)).await
    }
}

/// A booking start in UTC seconds; text must be RFC 3339 (or a number of seconds).
pub fn parse_start(start: &StartTime) -> Result<i64, SkillShareError> {
    let raw = match start {
        StartTime::Unix(secs) => return Ok(*secs),
        StartTime::Text(raw) => raw.trim(),
    };
    if let Ok(secs) = raw.parse::<i64>() {
        return Ok(secs);
    }
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.timestamp())
        .map_err(|_| {
            SkillShareError::Invalid(format!(
                "{raw:?} is not a time. Use RFC 3339, like 2026-12-01T15:00:00Z."
            ))
        })
}

#[cfg(test)]
mod tests;
