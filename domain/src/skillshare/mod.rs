//! SkillShare Connect: browse teachers and courses, book free slots, cancel, and teach.

mod booking;
mod calendar;
mod catalogue;
mod emails;
mod error;
mod reminders;
mod reviews;
pub mod slots;
mod teaching;
mod unavailable;

use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;

pub use booking::{Student, FREE_CANCELLATION_SECS};
pub use error::SkillShareError;
pub use model::skillshare::*;
pub use reminders::LEADS as REMINDER_LEADS;
pub use reviews::EDIT_SECS as REVIEW_EDIT_SECS;

use crate::background::{Background, Ran, Schedule};
use crate::clock::Clock;
use crate::db::Db;
use crate::ids::{BookingId, UserId};
use crate::mail::Mailer;
use crate::secrets::Secrets;

/// How often due reminders are looked for: they go out at most this late.
const REMINDER_ROUND: Duration = Duration::from_secs(60);

pub struct Marketplace {
    db: Db,
    mailer: Arc<Mailer>,
    /// Derives the calendar feeds' addresses.
    secrets: Arc<Secrets>,
    clock: Clock,
    /// Upcoming bookings one student may hold at once.
    max_active_bookings: i64,
}

/// A time zone name from a browser; unknown or missing names fall back to UTC.
pub fn viewer_tz(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse().ok()).unwrap_or(Tz::UTC)
}

impl Marketplace {
    pub fn new(
        db: Db,
        mailer: Arc<Mailer>,
        secrets: Arc<Secrets>,
        clock: Clock,
        max_active_bookings: i64,
    ) -> Marketplace {
        Marketplace {
            db,
            mailer,
            secrets,
            clock,
            max_active_bookings,
        }
    }

    /// Starts the reminder job. It runs on every app server: claims keep each mail single.
    pub fn start_jobs(self: &Arc<Self>, background: &Arc<Background>) {
        let me = self.clone();
        background.start(
            Schedule {
                name: "booking reminders",
                every: REMINDER_ROUND,
                leader_only: false,
                wake: None,
            },
            move || {
                let me = me.clone();
                async move { me.send_due_reminders().await.map(|_| Ran::Done) }
            },
        );
    }

    /// Sends the reminders that are due; answers how many went out.
    pub async fn send_due_reminders(&self) -> Result<usize, SkillShareError> {
        reminders::send_due(&self.db, &self.mailer, self.clock.now()).await
    }

    pub async fn teachers(&self, sort: TeacherSort) -> Result<Vec<Teacher>, SkillShareError> {
        catalogue::teachers(&self.db, sort, self.clock.now()).await
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

    /// Moves the student's booking to another free start of its course (see `booking`).
    pub async fn reschedule(
        &self,
        student: &Student,
        booking_id: &BookingId,
        start: i64,
        student_tz: Tz,
    ) -> Result<Booking, SkillShareError> {
        booking::reschedule(
            &self.db,
            &self.mailer,
            student,
            booking_id,
            start,
            student_tz,
            self.clock.now(),
        )
        .await
    }

    /// A teacher cancels a booking of their course, with a reason.
    pub async fn teacher_cancel(
        &self,
        user_id: &UserId,
        booking_id: &BookingId,
        reason: &str,
    ) -> Result<Booking, SkillShareError> {
        booking::teacher_cancel(
            &self.db,
            &self.mailer,
            user_id,
            booking_id,
            reason,
            self.clock.now(),
        )
        .await
    }

    pub async fn review(
        &self,
        student: &UserId,
        booking_id: &BookingId,
        stars: i64,
        text: &str,
    ) -> Result<Review, SkillShareError> {
        reviews::review(&self.db, student, booking_id, stars, text, self.clock.now()).await
    }

    pub async fn edit_review(
        &self,
        student: &UserId,
        review_id: &str,
        stars: i64,
        text: &str,
    ) -> Result<Review, SkillShareError> {
        reviews::edit(&self.db, student, review_id, stars, text, self.clock.now()).await
    }

    pub async fn reply_to_review(
        &self,
        user_id: &UserId,
        review_id: &str,
        text: &str,
    ) -> Result<Review, SkillShareError> {
        reviews::reply(&self.db, user_id, review_id, text, self.clock.now()).await
    }

    pub async fn mark_unavailable(
        &self,
        user_id: &UserId,
        from: i64,
        to: i64,
    ) -> Result<Unavailable, SkillShareError> {
        unavailable::mark(&self.db, user_id, from, to, self.clock.now()).await
    }

    pub async fn remove_unavailable(
        &self,
        user_id: &UserId,
        id: &str,
    ) -> Result<(), SkillShareError> {
        unavailable::remove(&self.db, user_id, id).await
    }

    /// The user's teacher profile (if any), the bookings of their courses, and their
    /// unavailable ranges with the bookings inside.
    pub async fn teaching(&self, user_id: &UserId) -> Result<Teaching, SkillShareError> {
        let Some(profile) = self.my_profile(user_id).await? else {
            return Ok(Teaching {
                profile: None,
                bookings: Vec::new(),
                unavailable: Vec::new(),
            });
        };
        let id = profile.teacher.id.clone();
        Ok(Teaching {
            profile: Some(profile),
            bookings: booking::list(&self.db, booking::BookingsOf::Teacher(&id)).await?,
            unavailable: unavailable::list(&self.db, &id, self.clock.now()).await?,
        })
    }

    async fn feed_generation(&self, user_id: &str) -> Result<i64, SkillShareError> {
        let generation: Option<i64> =
            sqlx::query_scalar("SELECT generation FROM calendar_feeds WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.db)
                .await?;
        Ok(generation.unwrap_or(0))
    }

    /// The address of the user's private calendar feed.
    pub async fn calendar_feed_url(
        &self,
        user_id: &UserId,
        public_url: &str,
    ) -> Result<String, SkillShareError> {
        let generation = self.feed_generation(user_id.as_str()).await?;
        Ok(feed_url(
            public_url,
            &calendar::feed_token(&self.secrets, user_id.as_str(), generation),
        ))
    }

    /// Ends the current feed address and answers the new one.
    pub async fn revoke_calendar_feed(
        &self,
        user_id: &UserId,
        public_url: &str,
    ) -> Result<String, SkillShareError> {
        let generation: i64 = sqlx::query_scalar(
            "INSERT INTO calendar_feeds (user_id, generation) VALUES ($1, 1)
             ON CONFLICT (user_id) DO UPDATE SET generation = calendar_feeds.generation + 1
             RETURNING generation",
        )
        .bind(user_id)
        .fetch_one(&self.db)
        .await?;
        Ok(feed_url(
            public_url,
            &calendar::feed_token(&self.secrets, user_id.as_str(), generation),
        ))
    }

    /// The calendar (iCalendar text) a feed token stands for: the user's upcoming sessions as
    /// a student and as a teacher. A wrong or revoked token reads as not found.
    pub async fn calendar_feed(&self, token: &str) -> Result<String, SkillShareError> {
        let not_found = SkillShareError::NotFound("calendar feed");
        let claim =
            calendar::token_claim(token).ok_or(SkillShareError::NotFound("calendar feed"))?;
        let generation = self.feed_generation(claim).await?;
        let user_id = calendar::token_user(&self.secrets, token, generation).ok_or(not_found)?;
        let now = self.clock.now();
        let events = booking::upcoming_with_parties(&self.db, user_id, now).await?;
        Ok(calendar::feed(&events, now))
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
}

/// Where a feed token is served (see `server`'s calendar route).
fn feed_url(public_url: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", public_url.trim_end_matches('/'))
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
