//! Booking a slot, listing bookings, cancelling.

use chrono_tz::Tz;

use super::catalogue::{self, TeacherRow};
use super::slots::{self, units, HORIZON_DAYS, MIN_NOTICE_SECS};
use super::{emails, SkillShareError};
use crate::db::Db;
use crate::ids::{BookingId, UserId};
use crate::mail::Mailer;
use model::skillshare::{Booking, BookingStatus};

/// Free cancellation ends this long before the start.
pub const FREE_CANCELLATION_SECS: i64 = 24 * 3600;

/// Who is booking.
pub struct Student {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

/// Checks the requested start against the rules and the teacher's week; the database then
/// decides, atomically, whether the time is still free.
fn check_start(
    teacher: &TeacherRow,
    windows: &[slots::Window],
    duration_minutes: i64,
    start: i64,
    now: i64,
) -> Result<(), SkillShareError> {
    let invalid = |m: &str| Err(SkillShareError::Invalid(m.to_owned()));
    if start <= now {
        return invalid("That time has already passed. Pick a slot in the future.");
    }
    if start < now + MIN_NOTICE_SECS {
        return invalid("Sessions must be booked at least 2 hours ahead. Pick a later slot.");
    }
    if start > now + HORIZON_DAYS * 86_400 {
        return invalid("You can book up to 28 days ahead. Pick an earlier slot.");
    }
    let no_bookings = Default::default();
    let possible = slots::free_starts(
        teacher.tz,
        windows,
        duration_minutes * 60,
        &no_bookings,
        now,
    );
    if possible.binary_search(&start).is_err() {
        return invalid("The teacher is not available at that time. Pick one of the free slots.");
    }
    Ok(())
}

/// What a student asks to book, and the limit they book under.
pub struct Request<'a> {
    pub student: &'a Student,
    pub course_id: &'a str,
    pub start: i64,
    pub student_tz: Tz,
    pub now: i64,
    pub max_active: i64,
}

/// Serialises one student's bookings on PostgreSQL (SQLite serialises every writer), so the
/// count of their upcoming bookings cannot be passed by bookings made at once.
fn student_lock(student: &Student) -> i64 {
    const BOOKINGS: &[u8] = b"bookings of ";
    let digest =
        <sha2::Sha256 as sha2::Digest>::digest([BOOKINGS, student.id.as_str().as_bytes()].concat());
    i64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

pub async fn book(
    db: &Db,
    mailer: &Mailer,
    request: Request<'_>,
) -> Result<Booking, SkillShareError> {
    let Request {
        student,
        course_id,
        start,
        student_tz,
        now,
        max_active,
    } = request;
    let course = catalogue::course(db, course_id).await?;
    let teacher = catalogue::teacher_by_id(db, &course.teacher_id).await?;
    if teacher.user_id.as_deref() == Some(student.id.as_str()) {
        return Err(SkillShareError::OwnCourse);
    }
    let windows = catalogue::windows(db, &teacher.teacher.id).await?;
    check_start(&teacher, &windows, course.duration_minutes, start, now)?;

    let booking = Booking {
        id: uuid::Uuid::new_v4().to_string(),
        course_id: course.id,
        course_title: course.title,
        teacher_id: teacher.teacher.id.clone(),
        teacher_name: teacher.teacher.display_name.clone(),
        student_name: student.name.clone(),
        start_at: start,
        end_at: start + course.duration_minutes * 60,
        status: BookingStatus::Confirmed,
        created_at: now,
        cancelled_at: None,
        cancel_reason: None,
    };
    let mut tx = crate::db::write_tx(db, student_lock(student)).await?;
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE student_id = $1 AND status = $2 AND start_at > $3",
    )
    .bind(&student.id)
    .bind(BookingStatus::Confirmed)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if held >= max_active {
        return Err(SkillShareError::TooManyBookings {
            held,
            max: max_active,
        });
    }
    sqlx::query(
        "INSERT INTO bookings (id, student_id, course_id, teacher_id, start_at, end_at, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&booking.id)
    .bind(&student.id)
    .bind(&booking.course_id)
    .bind(&booking.teacher_id)
    .bind(booking.start_at)
    .bind(booking.end_at)
    .bind(booking.status)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for unit in units(booking.start_at, booking.end_at - booking.start_at) {
        let held = sqlx::query(
            "INSERT INTO booked_units (teacher_id, unit_start, booking_id) VALUES ($1, $2, $3)",
        )
        .bind(&booking.teacher_id)
        .bind(unit)
        .bind(&booking.id)
        .execute(&mut *tx)
        .await;
        match held {
            Ok(_) => {}
            // Dropping the transaction rolls the booking back.
            Err(e) if crate::db::is_unique_violation(&e) => return Err(SkillShareError::SlotTaken),
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;

    // The booking stands even if a mail cannot be sent right now; the failure is logged.
    let mails = [
        emails::booked_for_student(&student.email, &booking, student_tz),
        emails::booked_for_teacher(&teacher.contact_email, &booking, teacher.tz),
    ];
    for mail in mails {
        if let Err(e) = mailer.send(mail).await {
            tracing::warn!(booking = %booking.id, error = ?e, "booking email not sent");
        }
    }
    Ok(booking)
}

const BOOKING_SELECT: &str = "SELECT b.id, b.course_id, c.title AS course_title, b.teacher_id, \
     t.display_name AS teacher_name, u.name AS student_name, b.start_at, b.end_at, b.status, \
     b.created_at, b.cancelled_at, b.cancel_reason \
     FROM bookings b JOIN courses c ON c.id = b.course_id JOIN teachers t ON t.id = b.teacher_id \
     JOIN users u ON u.id = b.student_id";

/// Whose bookings to list.
pub enum BookingsOf<'a> {
    Student(&'a str),
    Teacher(&'a str),
}

/// Bookings of a student, or of a teacher's courses, soonest first.
pub async fn list(db: &Db, of: BookingsOf<'_>) -> Result<Vec<Booking>, SkillShareError> {
    let (column, id) = match of {
        BookingsOf::Student(id) => ("b.student_id", id),
        BookingsOf::Teacher(id) => ("b.teacher_id", id),
    };
    let rows: Vec<Booking> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE {column} = $1 ORDER BY b.start_at"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows)
}

/// Cancels the student's own upcoming booking, free until 24 hours before the start; the
/// slot is free again at once. Another student's booking reads as not found.
pub async fn cancel(
    db: &Db,
    mailer: &Mailer,
    student: &Student,
    booking_id: &BookingId,
    reason: &str,
    student_tz: Tz,
    now: i64,
) -> Result<Booking, SkillShareError> {
    let reason: String = reason.trim().chars().take(500).collect();
    let row: Option<Booking> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.id = $1 AND b.student_id = $2"
    ))
    .bind(booking_id)
    .bind(&student.id)
    .fetch_optional(db)
    .await?;
    let mut booking = row.ok_or(SkillShareError::NotFound("booking"))?;
    if booking.status == BookingStatus::Cancelled {
        return Err(SkillShareError::Invalid(
            "This booking is already cancelled.".into(),
        ));
    }
    if booking.start_at <= now {
        return Err(SkillShareError::Invalid(
            "This session has already started, so it cannot be cancelled.".into(),
        ));
    }
    let left = booking.start_at - now;
    if left < FREE_CANCELLATION_SECS {
        return Err(SkillShareError::Invalid(format!(
            "Bookings can be cancelled up to 24 hours before the start. This session starts in {} h {} min, so it can no longer be cancelled here; please contact your teacher.",
            left / 3600,
            left % 3600 / 60
        )));
    }
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE bookings SET status = $1, cancelled_at = $2, cancel_reason = $3
         WHERE id = $4 AND status = $5",
    )
    .bind(BookingStatus::Cancelled)
    .bind(now)
    .bind(&reason)
    .bind(&booking.id)
    .bind(BookingStatus::Confirmed)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(SkillShareError::Invalid(
            "This booking is already cancelled.".into(),
        ));
    }
    sqlx::query("DELETE FROM booked_units WHERE booking_id = $1")
        .bind(&booking.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    booking.status = BookingStatus::Cancelled;
    booking.cancelled_at = Some(now);
    booking.cancel_reason = Some(reason);

    let teacher = catalogue::teacher_by_id(db, &booking.teacher_id).await?;
    let mails = [
        emails::cancelled(&student.email, &student.name, &booking, student_tz),
        emails::cancelled(
            &teacher.contact_email,
            &teacher.teacher.display_name,
            &booking,
            teacher.tz,
        ),
    ];
    for mail in mails {
        if let Err(e) = mailer.send(mail).await {
            tracing::warn!(booking = %booking.id, error = ?e, "cancellation email not sent");
        }
    }
    Ok(booking)
}
