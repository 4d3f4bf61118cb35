//! Reviews: one per booking, by its student once the session has ended, editable for 7 days;
//! the teacher replies once. A teacher's rating is summed up from them.

use std::collections::HashMap;

use super::booking;
use super::catalogue;
use super::teaching::text;
use super::SkillShareError;
use crate::db::Db;
use crate::ids::{BookingId, UserId};
use model::skillshare::{BookingStatus, Rating, Review};

/// How long a student may edit their review.
pub const EDIT_SECS: i64 = 7 * 86_400;
/// The longest review or reply.
const MAX_TEXT: usize = 2000;
/// How many reviews a teacher's page shows.
pub const LATEST: i64 = 20;

const REVIEW_SELECT: &str = "SELECT r.id, r.booking_id, r.teacher_id, c.title AS course_title, \
     u.name AS student_name, r.stars, r.text, r.created_at, r.edited_at, r.reply, r.replied_at, \
     r.created_at + 604800 AS editable_until \
     FROM reviews r JOIN bookings b ON b.id = r.booking_id JOIN courses c ON c.id = b.course_id \
     JOIN users u ON u.id = r.student_id";

/// Reviews are public: they show the student's first name only.
fn public(mut review: Review) -> Review {
    review.student_name = review
        .student_name
        .split_whitespace()
        .next()
        .unwrap_or("A student")
        .to_owned();
    review
}

fn check_stars(stars: i64) -> Result<(), SkillShareError> {
    if (1..=5).contains(&stars) {
        Ok(())
    } else {
        Err(SkillShareError::Invalid("Give 1 to 5 stars.".into()))
    }
}

/// The optional text of a review: trimmed, at most 2,000 characters.
fn review_text(value: &str) -> Result<String, SkillShareError> {
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    text("The review", value, MAX_TEXT)
}

async fn one(db: &Db, id: &str) -> Result<Review, SkillShareError> {
    let row: Option<Review> = sqlx::query_as(&format!("{REVIEW_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(public).ok_or(SkillShareError::NotFound("review"))
}

/// The reviews of the bookings whose `column` (`b.student_id` or `b.teacher_id`) is `owner`,
/// by booking id.
pub async fn of_bookings(
    db: &Db,
    column: &str,
    owner: &str,
) -> Result<HashMap<String, Review>, SkillShareError> {
    let rows: Vec<Review> = sqlx::query_as(&format!("{REVIEW_SELECT} WHERE {column} = $1"))
        .bind(owner)
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.booking_id.clone(), public(r)))
        .collect())
}

/// The teacher's latest reviews, newest first.
pub async fn latest(db: &Db, teacher_id: &str) -> Result<Vec<Review>, SkillShareError> {
    let rows: Vec<Review> = sqlx::query_as(&format!(
        "{REVIEW_SELECT} WHERE r.teacher_id = $1 ORDER BY r.created_at DESC, r.id LIMIT {LATEST}"
    ))
    .bind(teacher_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(public).collect())
}

/// Every teacher's rating (or one teacher's), by teacher id; teachers without reviews are
/// absent.
pub async fn ratings(
    db: &Db,
    teacher_id: Option<&str>,
) -> Result<HashMap<String, Rating>, SkillShareError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT teacher_id, stars, COUNT(*) FROM reviews
         WHERE ($1 IS NULL OR teacher_id = $1) GROUP BY teacher_id, stars",
    )
    .bind(teacher_id)
    .fetch_all(db)
    .await?;
    let mut ratings: HashMap<String, Rating> = HashMap::new();
    for (teacher, stars, count) in rows {
        let rating = ratings.entry(teacher).or_default();
        if let Some(slot) = usize::try_from(stars - 1)
            .ok()
            .and_then(|i| rating.histogram.get_mut(i))
        {
            *slot += count;
        }
    }
    for rating in ratings.values_mut() {
        rating.count = rating.histogram.iter().sum();
        let total: i64 = (1..).zip(rating.histogram).map(|(s, n)| s * n).sum();
        // Counts are far below 2^52: the division is exact enough.
        #[allow(clippy::cast_precision_loss)]
        let average = total as f64 / rating.count.max(1) as f64;
        rating.average = average;
    }
    Ok(ratings)
}

/// The student's review of their session, once it has ended.
pub async fn review(
    db: &Db,
    student: &UserId,
    booking_id: &BookingId,
    stars: i64,
    text: &str,
    now: i64,
) -> Result<Review, SkillShareError> {
    let booking = booking::one(db, booking_id.as_str(), "b.student_id", student.as_str()).await?;
    if booking.status == BookingStatus::Cancelled {
        return Err(SkillShareError::Invalid(
            "This session was cancelled, so there is nothing to review.".into(),
        ));
    }
    if booking.end_at > now {
        return Err(SkillShareError::Invalid(
            "You can review this session once it has ended.".into(),
        ));
    }
    check_stars(stars)?;
    let text = review_text(text)?;
    let id = uuid::Uuid::new_v4().to_string();
    let added = sqlx::query(
        "INSERT INTO reviews (id, booking_id, teacher_id, student_id, stars, text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&booking.id)
    .bind(&booking.teacher_id)
    .bind(student)
    .bind(stars)
    .bind(&text)
    .bind(now)
    .execute(db)
    .await;
    match added {
        Ok(_) => one(db, &id).await,
        Err(e) if crate::db::is_unique_violation(&e) => Err(SkillShareError::AlreadyReviewed),
        Err(e) => Err(e.into()),
    }
}

/// The student changes their review, within 7 days of writing it.
pub async fn edit(
    db: &Db,
    student: &UserId,
    review_id: &str,
    stars: i64,
    text: &str,
    now: i64,
) -> Result<Review, SkillShareError> {
    let written: Option<(String, i64)> =
        sqlx::query_as("SELECT student_id, created_at FROM reviews WHERE id = $1")
            .bind(review_id)
            .fetch_optional(db)
            .await?;
    match written {
        Some((owner, _)) if owner != student.as_str() => {
            return Err(SkillShareError::NotFound("review"))
        }
        None => return Err(SkillShareError::NotFound("review")),
        Some((_, created_at)) if created_at + EDIT_SECS <= now => {
            return Err(SkillShareError::Invalid(
                "Reviews can be edited for 7 days after they are written; this one can no longer be changed.".into(),
            ))
        }
        Some(_) => {}
    }
    check_stars(stars)?;
    let text = review_text(text)?;
    sqlx::query("UPDATE reviews SET stars = $1, text = $2, edited_at = $3 WHERE id = $4")
        .bind(stars)
        .bind(&text)
        .bind(now)
        .bind(review_id)
        .execute(db)
        .await?;
    one(db, review_id).await
}

/// The teacher's one reply to a review of their session.
pub async fn reply(
    db: &Db,
    user_id: &UserId,
    review_id: &str,
    text_value: &str,
    now: i64,
) -> Result<Review, SkillShareError> {
    let teacher = catalogue::teacher_by_user(db, user_id)
        .await?
        .ok_or(SkillShareError::NoTeacherProfile)?;
    let reply = text("The reply", text_value, MAX_TEXT)?;
    let changed = sqlx::query(
        "UPDATE reviews SET reply = $1, replied_at = $2
         WHERE id = $3 AND teacher_id = $4 AND reply IS NULL",
    )
    .bind(&reply)
    .bind(now)
    .bind(review_id)
    .bind(&teacher.teacher.id)
    .execute(db)
    .await?
    .rows_affected();
    let review = one(db, review_id).await?;
    if review.teacher_id != teacher.teacher.id {
        return Err(SkillShareError::NotFound("review"));
    }
    if changed == 0 {
        return Err(SkillShareError::Invalid(
            "You already replied to this review.".into(),
        ));
    }
    Ok(review)
}
