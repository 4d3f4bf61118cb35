//! SkillShare Connect API: the public catalogue, booking (bearer), and teaching (bearer).

pub use model::skillshare::{
    Booking, BookingStatus, CalendarFeed, CancelledBy, Course, CourseDraft, CourseFilter,
    CourseList, CourseSlots, Level, Rating, Review, StartTime, Teacher, TeacherDraft,
    TeacherProfile, TeacherSort, Teaching, Unavailable, Window,
};

#[cfg(feature = "ssr")]
use super::context::{current_user, state};
use super::ApiError;
use crate::api;

/// The logged-in user as a student (name and email for the confirmation mail).
#[cfg(feature = "ssr")]
async fn student() -> Result<(super::context::AppState, domain::skillshare::Student), ApiError> {
    let (state, user) = current_user().await?;
    let profile = state.accounts.profile(&user.user_id).await?;
    let student = domain::skillshare::Student {
        id: profile.id,
        name: profile.name,
        email: profile.email,
    };
    Ok((state, student))
}

api! { ("skillshare/teachers")
    /// Every teacher with specialties, rate, rating and next free slot; `sort` is `name`
    /// (the default), `rating`, `price` or `next_free`.
    pub async fn teachers(#[server(default)] sort: Option<TeacherSort>) -> Result<Vec<Teacher>, ApiError> {
        Ok(state()?.marketplace.teachers(sort.unwrap_or_default()).await?)
    }
}

api! { (GET "skillshare/teachers")
    pub async fn teachers_get(#[server(default)] sort: Option<TeacherSort>) -> Result<Vec<Teacher>, ApiError> {
        teachers(sort).await
    }
}

api! { ("skillshare/teacher")
    /// One teacher's profile with availability and courses.
    pub async fn teacher_details(id: String) -> Result<TeacherProfile, ApiError> {
        Ok(state()?.marketplace.teacher(&id).await?)
    }
}

api! { ("skillshare/courses")
    /// Courses, filtered by skill, level, maximum price (cents) and text (`q`).
    pub async fn courses(
        #[server(default)] skill: Option<String>,
        #[server(default)] level: Option<Level>,
        #[server(default)] max_price_cents: Option<i64>,
        #[server(default)] q: Option<String>,
    ) -> Result<CourseList, ApiError> {
        let market = state()?.marketplace;
        let filter = CourseFilter { skill, level, max_price_cents, text: q };
        Ok(CourseList {
            courses: market.courses(&filter).await?,
            skills: market.skills().await?,
        })
    }
}

api! { (GET "skillshare/courses")
    pub async fn courses_get(
        #[server(default)] skill: Option<String>,
        #[server(default)] level: Option<Level>,
        #[server(default)] max_price_cents: Option<i64>,
        #[server(default)] q: Option<String>,
    ) -> Result<CourseList, ApiError> {
        courses(skill, level, max_price_cents, q).await
    }
}

api! { ("skillshare/slots")
    /// A course with its teacher and free starts over the next 28 days.
    pub async fn free_slots(course_id: String) -> Result<CourseSlots, ApiError> {
        let market = state()?.marketplace;
        let course = market.course(&course_id).await?;
        let teacher = market.teacher(&course.teacher_id).await?.teacher;
        let slots = market.free_slots(&course_id).await?;
        Ok(CourseSlots { course, teacher, slots })
    }
}

api! { ("skillshare/booking")
    /// Books `course_id` at `start` (RFC 3339 or unix seconds). `time_zone` (IANA) sets how
    /// times read in the confirmation email. 409 if the slot was just taken.
    pub async fn book(
        course_id: String,
        start: StartTime,
        #[server(default)] time_zone: Option<String>,
    ) -> Result<Booking, ApiError> {
        let (state, student) = student().await?;
        let start = domain::skillshare::parse_start(&start)?;
        let tz = domain::skillshare::viewer_tz(time_zone.as_deref());
        Ok(state.marketplace.book(&student, &course_id, start, tz).await?)
    }
}

api! { ("skillshare/bookings")
    /// Your bookings, soonest first (upcoming and past, with their status).
    pub async fn my_bookings() -> Result<Vec<Booking>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.bookings_of(&user.user_id).await?)
    }
}

api! { (GET "skillshare/bookings")
    pub async fn my_bookings_get() -> Result<Vec<Booking>, ApiError> {
        my_bookings().await
    }
}

api! { ("skillshare/bookings/cancel")
    /// Cancels your booking `id`: free up to 24 hours before the start.
    pub async fn cancel_booking(
        id: String,
        #[server(default)] reason: Option<String>,
        #[server(default)] time_zone: Option<String>,
    ) -> Result<Booking, ApiError> {
        let (state, student) = student().await?;
        let tz = domain::skillshare::viewer_tz(time_zone.as_deref());
        let reason = reason.unwrap_or_default();
        Ok(state.marketplace.cancel(&student, &id.into(), &reason, tz).await?)
    }
}

api! { ("skillshare/bookings/reschedule")
    /// Moves your booking to `start`, another free slot of the same course, while it starts
    /// more than 24 hours from now. Answers the moved booking; 409 if the slot was just taken.
    pub async fn reschedule_booking(
        booking_id: String,
        start: StartTime,
        #[server(default)] time_zone: Option<String>,
    ) -> Result<Booking, ApiError> {
        let (state, student) = student().await?;
        let start = domain::skillshare::parse_start(&start)?;
        let tz = domain::skillshare::viewer_tz(time_zone.as_deref());
        Ok(state.marketplace.reschedule(&student, &booking_id.into(), start, tz).await?)
    }
}

api! { ("skillshare/review")
    /// Reviews a session of yours that has ended: 1 to 5 stars, an optional text.
    pub async fn add_review(
        booking_id: String,
        stars: i64,
        #[server(default)] text: Option<String>,
    ) -> Result<Review, ApiError> {
        let (state, user) = current_user().await?;
        let text = text.unwrap_or_default();
        Ok(state.marketplace.review(&user.user_id, &booking_id.into(), stars, &text).await?)
    }
}

api! { ("skillshare/review/edit")
    /// Changes your review, within 7 days of writing it.
    pub async fn edit_review(
        review_id: String,
        stars: i64,
        #[server(default)] text: Option<String>,
    ) -> Result<Review, ApiError> {
        let (state, user) = current_user().await?;
        let text = text.unwrap_or_default();
        Ok(state.marketplace.edit_review(&user.user_id, &review_id, stars, &text).await?)
    }
}

api! { ("skillshare/review/reply")
    /// The teacher's one reply to a review of their session.
    pub async fn reply_to_review(review_id: String, text: String) -> Result<Review, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.reply_to_review(&user.user_id, &review_id, &text).await?)
    }
}

api! { ("skillshare/calendar")
    /// The address of your private calendar feed.
    pub async fn my_calendar_feed() -> Result<CalendarFeed, ApiError> {
        let (state, user) = current_user().await?;
        let url = state.marketplace.calendar_feed_url(&user.user_id, &state.config.public_url).await?;
        Ok(CalendarFeed { url })
    }
}

api! { ("skillshare/calendar/revoke")
    /// Ends your calendar feed's address and answers a new one.
    pub async fn revoke_calendar_feed() -> Result<CalendarFeed, ApiError> {
        let (state, user) = current_user().await?;
        let url = state.marketplace.revoke_calendar_feed(&user.user_id, &state.config.public_url).await?;
        Ok(CalendarFeed { url })
    }
}

api! { ("skillshare/teaching")
    /// Your teacher profile (if any), the bookings of your courses, and your unavailable
    /// ranges with the bookings inside them.
    pub async fn my_teaching() -> Result<Teaching, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.teaching(&user.user_id).await?)
    }
}

api! { ("skillshare/teaching/cancel")
    /// Cancels a booking of your course, at any time, with a reason the student is sent.
    pub async fn teacher_cancel_booking(booking_id: String, reason: String) -> Result<Booking, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.teacher_cancel(&user.user_id, &booking_id.into(), &reason).await?)
    }
}

api! { ("skillshare/teaching/unavailable")
    /// Marks `from`..`to` (RFC 3339) unavailable; answers the range with the bookings inside.
    pub async fn mark_unavailable(from: StartTime, to: StartTime) -> Result<Unavailable, ApiError> {
        let (state, user) = current_user().await?;
        let from = domain::skillshare::parse_start(&from)?;
        let to = domain::skillshare::parse_start(&to)?;
        Ok(state.marketplace.mark_unavailable(&user.user_id, from, to).await?)
    }
}

api! { ("skillshare/teaching/unavailable/remove")
    /// Makes an unavailable range bookable again (within the weekly hours).
    pub async fn remove_unavailable(id: String) -> Result<(), ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.remove_unavailable(&user.user_id, &id).await?)
    }
}

api! { ("skillshare/teaching/profile")
    /// Creates or updates your teacher profile.
    pub async fn save_teacher_profile(profile: TeacherDraft) -> Result<TeacherProfile, ApiError> {
        let (state, student) = student().await?;
        Ok(state.marketplace.save_profile(&student.id, &student.email, &profile).await?)
    }
}

api! { ("skillshare/teaching/availability")
    /// Replaces your weekly availability (local times in your profile's time zone).
    pub async fn set_availability(windows: Vec<Window>) -> Result<Vec<Window>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.set_availability(&user.user_id, &windows).await?)
    }
}

api! { ("skillshare/teaching/courses")
    /// Publishes a course under your teacher profile.
    pub async fn publish_course(course: CourseDraft) -> Result<Course, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.marketplace.publish_course(&user.user_id, &course).await?)
    }
}
