//! Ranges a teacher is away (a holiday), on top of their weekly hours: no new booking starts
//! or runs into one. Bookings made before stay; the teacher sees them listed inside the range
//! and cancels or keeps each.

use super::booking::{self, BookingsOf};
use super::catalogue;
use super::SkillShareError;
use crate::db::Db;
use crate::ids::UserId;
use model::skillshare::{BookingStatus, Unavailable};

/// The longest range one mark covers; longer absences take several.
const MAX_DAYS: i64 = 366;
/// How far ahead a range may end.
const AHEAD_DAYS: i64 = 2 * 366;
/// Ranges a teacher may have that have not ended (each is checked against every free slot).
const MAX_ACTIVE: i64 = 100;

/// The teacher's ranges that have not ended by `now`, as (from, to) UTC seconds.
pub async fn ranges(
    db: &Db,
    teacher_id: &str,
    now: i64,
) -> Result<Vec<(i64, i64)>, SkillShareError> {
    Ok(sqlx::query_as(
        "SELECT from_at, to_at FROM unavailable WHERE teacher_id = $1 AND to_at > $2
         ORDER BY from_at",
    )
    .bind(teacher_id)
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// The ranges that have not ended, each with the confirmed bookings inside it.
pub async fn list(
    db: &Db,
    teacher_id: &str,
    now: i64,
) -> Result<Vec<Unavailable>, SkillShareError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT id, from_at, to_at FROM unavailable WHERE teacher_id = $1 AND to_at > $2
         ORDER BY from_at",
    )
    .bind(teacher_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let bookings = booking::list(db, BookingsOf::Teacher(teacher_id)).await?;
    Ok(rows
        .into_iter()
        .map(|(id, from, to)| Unavailable {
            id,
            from,
            to,
            bookings: bookings
                .iter()
                .filter(|b| b.status == BookingStatus::Confirmed)
                .filter(|b| b.start_at < to && from < b.end_at)
                .cloned()
                .collect(),
        })
        .collect())
}

pub async fn mark(
    db: &Db,
    user_id: &UserId,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Unavailable, SkillShareError> {
    let invalid = |m: &str| Err(SkillShareError::Invalid(m.to_owned()));
    let teacher = catalogue::teacher_by_user(db, user_id)
        .await?
        .ok_or(SkillShareError::NoTeacherProfile)?;
    if to <= from {
        return invalid("The end of the range must come after its start.");
    }
    if to <= now {
        return invalid("That range is already over. Pick dates to come.");
    }
    if to > now + AHEAD_DAYS * 86_400 {
        return invalid("A range can end at most two years ahead.");
    }
    // (`to` is bounded above, so `to - from` cannot overflow once `from` is bounded below.)
    if from < to - MAX_DAYS * 86_400 {
        return invalid("A range can cover at most a year. Mark longer absences in parts.");
    }
    let active: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM unavailable WHERE teacher_id = $1 AND to_at > $2")
            .bind(&teacher.teacher.id)
            .bind(now)
            .fetch_one(db)
            .await?;
    if active >= MAX_ACTIVE {
        return Err(SkillShareError::Invalid(format!(
            "You have {active} ranges marked, the most at once. Remove some, or mark one longer range."
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO unavailable (id, teacher_id, from_at, to_at, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(&teacher.teacher.id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(db)
    .await?;
    list(db, &teacher.teacher.id, now)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(SkillShareError::NotFound("unavailable range"))
}

/// Makes a range bookable again (within the weekly hours). Another teacher's reads as not found.
pub async fn remove(db: &Db, user_id: &UserId, id: &str) -> Result<(), SkillShareError> {
    let removed = sqlx::query(
        "DELETE FROM unavailable WHERE id = $1
         AND teacher_id = (SELECT id FROM teachers WHERE user_id = $2)",
    )
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(SkillShareError::NotFound("unavailable range"));
    }
    Ok(())
}
