//! Booking a slot, listing bookings, cancelling.

use chrono_tz::Tz;

use super::catalogue::{self, TeacherRow};
use super::slots::{self, units, Taken, HORIZON_DAYS, MIN_NOTICE_SECS};
use super::{calendar, emails, reviews, unavailable, SkillShareError};
use crate::db::{Db, Tx};
use crate::ids::{BookingId, UserId};
use crate::mail::{Mail, Mailer};
use model::skillshare::{Booking, BookingStatus, CancelledBy};

/// Free cancellation, and rescheduling, end this long before the start.
pub const FREE_CANCELLATION_SECS: i64 = 24 * 3600;

/// Who is booking.
#[derive(Clone)]
pub struct Student {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

/// Checks the requested start against the rules, the teacher's week and their unavailable
/// ranges; the database then decides, atomically, whether the time is still free.
async fn check_start(
    db: &Db,
    teacher: &TeacherRow,
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
    let windows = catalogue::windows(db, &teacher.teacher.id).await?;
    let away = Taken {
        away: unavailable::ranges(db, &teacher.teacher.id, now).await?,
        ..Taken::default()
    };
    let possible = slots::free_starts(teacher.tz, &windows, duration_minutes * 60, &away, now);
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

/// An advisory lock key for `what` of `id`.
fn lock_key(what: &[u8], id: &str) -> i64 {
    let digest = <sha2::Sha256 as sha2::Digest>::digest([what, id.as_bytes()].concat());
    i64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// A transaction for booking or moving: on PostgreSQL (SQLite serialises every writer) it
/// holds the student's lock, so the count of their upcoming bookings cannot be passed by
/// bookings made at once, then the teacher's, so two moves swapping times (each freeing units
/// the other takes) wait in turn instead of deadlocking. The units' primary key still decides
/// who gets a time.
async fn booking_tx(db: &Db, student: &UserId, teacher_id: &str) -> Result<Tx, sqlx::Error> {
    let keys = [
        lock_key(b"bookings of ", student.as_str()),
        lock_key(b"time of teacher ", teacher_id),
    ];
    crate::db::write_tx_locking(db, &keys).await
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
    check_start(db, &teacher, course.duration_minutes, start, now).await?;

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
        cancelled_by: None,
        previous_start_at: None,
        sequence: 0,
        review: None,
    };
    let mut tx = booking_tx(db, &student.id, &booking.teacher_id).await?;
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
        "INSERT INTO bookings (id, student_id, course_id, teacher_id, start_at, end_at, status,
                               created_at, scheduled_at, student_time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
    )
    .bind(&booking.id)
    .bind(&student.id)
    .bind(&booking.course_id)
    .bind(&booking.teacher_id)
    .bind(booking.start_at)
    .bind(booking.end_at)
    .bind(booking.status)
    .bind(now)
    .bind(student_tz.name())
    .execute(&mut *tx)
    .await?;
    hold_units(&mut tx, &booking).await?;
    tx.commit().await?;

    let parties = Parties {
        student: student.clone(),
        student_tz,
        teacher,
    };
    let mails = [
        emails::booked_for_student(&student.email, &booking, student_tz),
        emails::booked_for_teacher(&parties.teacher.contact_email, &booking, parties.teacher.tz),
    ];
    send_to_both(mailer, mails, &booking, &parties, now).await;
    Ok(booking)
}

/// Takes the booking's units of the teacher's time; a unit already held means the slot was
/// just taken (dropping the transaction then rolls everything back).
async fn hold_units(tx: &mut Tx, booking: &Booking) -> Result<(), SkillShareError> {
    for unit in units(booking.start_at, booking.end_at - booking.start_at) {
        let held = sqlx::query(
            "INSERT INTO booked_units (teacher_id, unit_start, booking_id) VALUES ($1, $2, $3)",
        )
        .bind(&booking.teacher_id)
        .bind(unit)
        .bind(&booking.id)
        .execute(&mut **tx)
        .await;
        match held {
            Ok(_) => {}
            Err(e) if crate::db::is_unique_violation(&e) => return Err(SkillShareError::SlotTaken),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Frees the teacher's time a booking held.
async fn release_units(tx: &mut Tx, booking_id: &str) -> Result<(), SkillShareError> {
    sqlx::query("DELETE FROM booked_units WHERE booking_id = $1")
        .bind(booking_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The two people of a booking, as its mails and calendar entries need them.
pub(super) struct Parties {
    pub student: Student,
    pub student_tz: Tz,
    pub teacher: TeacherRow,
}

pub(super) async fn parties(db: &Db, booking_id: &str) -> Result<Parties, SkillShareError> {
    let (student_id, name, email, zone, teacher_id): (String, String, String, String, String) =
        sqlx::query_as(
            "SELECT u.id, u.name, u.email, b.student_time_zone, b.teacher_id
             FROM bookings b JOIN users u ON u.id = b.student_id WHERE b.id = $1",
        )
        .bind(booking_id)
        .fetch_optional(db)
        .await?
        .ok_or(SkillShareError::NotFound("booking"))?;
    Ok(Parties {
        student: Student {
            id: student_id.into(),
            name,
            email,
        },
        student_tz: zone.parse().unwrap_or(Tz::UTC),
        teacher: catalogue::teacher_by_id(db, &teacher_id).await?,
    })
}

/// Sends the student's and the teacher's mail, each with the booking's calendar invitation
/// for its recipient. The change stands even if a mail cannot be sent right now; the failure
/// is logged.
async fn send_to_both(
    mailer: &Mailer,
    [to_student, to_teacher]: [Mail; 2],
    booking: &Booking,
    parties: &Parties,
    now: i64,
) {
    let student = calendar::Invitee {
        name: &parties.student.name,
        email: &parties.student.email,
    };
    let teacher = calendar::Invitee {
        name: &parties.teacher.teacher.display_name,
        email: &parties.teacher.contact_email,
    };
    for (mut mail, invitee) in [(to_student, student), (to_teacher, teacher)] {
        mail.invite = Some(calendar::invite(
            booking,
            parties,
            &invitee,
            mailer.sender(),
            now,
        ));
        if let Err(e) = mailer.send(mail).await {
            tracing::warn!(booking = %booking.id, error = ?e, "booking email not sent");
        }
    }
}

const BOOKING_SELECT: &str = "SELECT b.id, b.course_id, c.title AS course_title, b.teacher_id, \
     t.display_name AS teacher_name, u.name AS student_name, b.start_at, b.end_at, b.status, \
     b.created_at, b.cancelled_at, b.cancel_reason, b.cancelled_by, b.previous_start_at, \
     b.sequence \
     FROM bookings b JOIN courses c ON c.id = b.course_id JOIN teachers t ON t.id = b.teacher_id \
     JOIN users u ON u.id = b.student_id";

/// Whose bookings to list.
pub enum BookingsOf<'a> {
    Student(&'a str),
    Teacher(&'a str),
}

/// Bookings of a student, or of a teacher's courses, soonest first, with their reviews.
pub async fn list(db: &Db, of: BookingsOf<'_>) -> Result<Vec<Booking>, SkillShareError> {
    let (column, id) = match of {
        BookingsOf::Student(id) => ("b.student_id", id),
        BookingsOf::Teacher(id) => ("b.teacher_id", id),
    };
    let mut rows: Vec<Booking> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE {column} = $1 ORDER BY b.start_at"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    let mut reviews = reviews::of_bookings(db, column, id).await?;
    for booking in &mut rows {
        booking.review = reviews.remove(&booking.id);
    }
    Ok(rows)
}

/// One booking, if `column` (`b.student_id` or `b.teacher_id`) is `owner`: another person's
/// booking reads as not found.
pub(super) async fn one(
    db: &Db,
    id: &str,
    column: &str,
    owner: &str,
) -> Result<Booking, SkillShareError> {
    let row: Option<Booking> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.id = $1 AND {column} = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await?;
    row.ok_or(SkillShareError::NotFound("booking"))
}

/// Confirmed bookings not yet ended in which the user is the student or the teacher.
const UPCOMING_OF_USER: &str = "WHERE b.status = $1 AND b.end_at > $2 \
     AND (b.student_id = $3 OR t.user_id = $3) ORDER BY b.start_at LIMIT 1000";

/// The user's upcoming sessions, as a student and as a teacher, with the people of each:
/// a calendar feed's content, in a few queries whatever its length.
pub(super) async fn upcoming_with_parties(
    db: &Db,
    user_id: &str,
    now: i64,
) -> Result<Vec<(Booking, Parties)>, SkillShareError> {
    let bookings: Vec<Booking> = sqlx::query_as(&format!("{BOOKING_SELECT} {UPCOMING_OF_USER}"))
        .bind(BookingStatus::Confirmed)
        .bind(now)
        .bind(user_id)
        .fetch_all(db)
        .await?;
    let students: Vec<(String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT b.id, b.student_id, u.email, b.student_time_zone FROM bookings b \
         JOIN users u ON u.id = b.student_id JOIN teachers t ON t.id = b.teacher_id \
         {UPCOMING_OF_USER}"
    ))
    .bind(BookingStatus::Confirmed)
    .bind(now)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let mut students: std::collections::HashMap<String, (String, String, String)> = students
        .into_iter()
        .map(|(booking, id, email, zone)| (booking, (id, email, zone)))
        .collect();
    let mut teachers = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(bookings.len());
    for booking in bookings {
        let Some((id, email, zone)) = students.remove(&booking.id) else {
            continue; // Changed between the two reads: the next poll has it.
        };
        if !teachers.contains_key(&booking.teacher_id) {
            let teacher = catalogue::teacher_by_id(db, &booking.teacher_id).await?;
            teachers.insert(booking.teacher_id.clone(), teacher);
        }
        let Some(teacher) = teachers.get(&booking.teacher_id).cloned() else {
            continue;
        };
        let parties = Parties {
            student: Student {
                id: id.into(),
                name: booking.student_name.clone(),
                email,
            },
            student_tz: zone.parse().unwrap_or(Tz::UTC),
            teacher,
        };
        out.push((booking, parties));
    }
    Ok(out)
}

pub(super) async fn by_id(db: &Db, id: &str) -> Result<Booking, SkillShareError> {
    let row: Option<Booking> = sqlx::query_as(&format!("{BOOKING_SELECT} WHERE b.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.ok_or(SkillShareError::NotFound("booking"))
}

const CHANGED_MEANWHILE: &str =
    "This booking was cancelled or moved meanwhile. Reload your bookings and try again.";

fn invalid<T>(message: impl Into<String>) -> Result<T, SkillShareError> {
    Err(SkillShareError::Invalid(message.into()))
}

/// Refuses changes the student may no longer make themselves: the start is less than 24 hours
/// away. `what` is "cancelled" or "moved".
fn check_student_may_change(b: &Booking, what: &str, now: i64) -> Result<(), SkillShareError> {
    if b.status == BookingStatus::Cancelled {
        return invalid("This booking is already cancelled.");
    }
    if b.start_at <= now {
        return invalid(format!(
            "This session has already started, so it cannot be {what}."
        ));
    }
    let left = b.start_at - now;
    if left <= FREE_CANCELLATION_SECS {
        return invalid(format!(
            "Bookings can be {what} up to 24 hours before the start. This session starts in {} h {} min, so it can no longer be {what} here; please contact your teacher.",
            left / 3600,
            left % 3600 / 60
        ));
    }
    Ok(())
}

/// Marks the booking, as it was read, cancelled and frees its time, in one transaction.
async fn mark_cancelled(
    db: &Db,
    booking: &mut Booking,
    by: CancelledBy,
    reason: String,
    now: i64,
) -> Result<(), SkillShareError> {
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE bookings SET status = $1, cancelled_at = $2, cancel_reason = $3,
                             cancelled_by = $4, sequence = sequence + 1
         WHERE id = $5 AND status = $6 AND sequence = $7",
    )
    .bind(BookingStatus::Cancelled)
    .bind(now)
    .bind(&reason)
    .bind(by)
    .bind(&booking.id)
    .bind(BookingStatus::Confirmed)
    // Only the booking as read and checked: a move meanwhile changed its time.
    .bind(booking.sequence)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return invalid(CHANGED_MEANWHILE);
    }
    release_units(&mut tx, &booking.id).await?;
    tx.commit().await?;
    booking.status = BookingStatus::Cancelled;
    booking.cancelled_at = Some(now);
    booking.cancel_reason = Some(reason);
    booking.cancelled_by = Some(by);
    booking.sequence += 1;
    Ok(())
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
    let mut booking = one(db, booking_id.as_str(), "b.student_id", student.id.as_str()).await?;
    check_student_may_change(&booking, "cancelled", now)?;
    mark_cancelled(db, &mut booking, CancelledBy::Student, reason, now).await?;
    let mut parties = parties(db, &booking.id).await?;
    parties.student_tz = student_tz;
    let mails = [
        emails::cancelled(&student.email, &student.name, &booking, student_tz),
        emails::cancelled(
            &parties.teacher.contact_email,
            &parties.teacher.teacher.display_name,
            &booking,
            parties.teacher.tz,
        ),
    ];
    send_to_both(mailer, mails, &booking, &parties, now).await;
    Ok(booking)
}

/// A teacher cancels a booking of their course, at any time before it ends, with a reason the
/// student is sent. It does not count against the student (their limit counts only confirmed
/// upcoming bookings).
pub async fn teacher_cancel(
    db: &Db,
    mailer: &Mailer,
    user_id: &UserId,
    booking_id: &BookingId,
    reason: &str,
    now: i64,
) -> Result<Booking, SkillShareError> {
    let teacher = catalogue::teacher_by_user(db, user_id)
        .await?
        .ok_or(SkillShareError::NoTeacherProfile)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return invalid("Tell the student why you cancel: the reason is sent to them.");
    }
    let reason: String = reason.chars().take(500).collect();
    let mut booking = one(db, booking_id.as_str(), "b.teacher_id", &teacher.teacher.id).await?;
    if booking.status == BookingStatus::Cancelled {
        return invalid("This booking is already cancelled.");
    }
    if booking.end_at <= now {
        return invalid("This session has already ended.");
    }
    mark_cancelled(db, &mut booking, CancelledBy::Teacher, reason, now).await?;
    let parties = parties(db, &booking.id).await?;
    let mails = [
        emails::cancelled(
            &parties.student.email,
            &parties.student.name,
            &booking,
            parties.student_tz,
        ),
        emails::cancelled(
            &teacher.contact_email,
            &teacher.teacher.display_name,
            &booking,
            teacher.tz,
        ),
    ];
    send_to_both(mailer, mails, &booking, &parties, now).await;
    Ok(booking)
}

/// Moves the student's booking to another free start of the same course, while it starts more
/// than 24 hours from now: in one transaction the old time is freed and the new one taken, or
/// nothing changes.
pub async fn reschedule(
    db: &Db,
    mailer: &Mailer,
    student: &Student,
    booking_id: &BookingId,
    start: i64,
    student_tz: Tz,
    now: i64,
) -> Result<Booking, SkillShareError> {
    let old = one(db, booking_id.as_str(), "b.student_id", student.id.as_str()).await?;
    check_student_may_change(&old, "moved", now)?;
    if start == old.start_at {
        return invalid("The session is already at that time. Pick another slot.");
    }
    let teacher = catalogue::teacher_by_id(db, &old.teacher_id).await?;
    let duration = old.end_at - old.start_at;
    check_start(db, &teacher, duration / 60, start, now).await?;
    let booking = Booking {
        start_at: start,
        end_at: start + duration,
        previous_start_at: Some(old.start_at),
        sequence: old.sequence + 1,
        ..old.clone()
    };

    let mut tx = booking_tx(db, &student.id, &booking.teacher_id).await?;
    // Only the booking as read above: a cancel or another move meanwhile wins.
    let changed = sqlx::query(
        "UPDATE bookings SET start_at = $1, end_at = $2, previous_start_at = $3,
                             sequence = sequence + 1, scheduled_at = $4, student_time_zone = $5
         WHERE id = $6 AND status = $7 AND start_at = $8 AND sequence = $9",
    )
    .bind(booking.start_at)
    .bind(booking.end_at)
    .bind(old.start_at)
    .bind(now)
    .bind(student_tz.name())
    .bind(&booking.id)
    .bind(BookingStatus::Confirmed)
    .bind(old.start_at)
    .bind(old.sequence)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return invalid(CHANGED_MEANWHILE);
    }
    release_units(&mut tx, &booking.id).await?;
    hold_units(&mut tx, &booking).await?;
    tx.commit().await?;

    let parties = Parties {
        student: student.clone(),
        student_tz,
        teacher,
    };
    let mails = [
        emails::rescheduled(
            &student.email,
            &student.name,
            &booking,
            old.start_at,
            student_tz,
        ),
        emails::rescheduled(
            &parties.teacher.contact_email,
            &parties.teacher.teacher.display_name,
            &booking,
            old.start_at,
            parties.teacher.tz,
        ),
    ];
    send_to_both(mailer, mails, &booking, &parties, now).await;
    Ok(booking)
}
