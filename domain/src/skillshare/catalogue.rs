//! Reading the catalogue: teachers, courses, availability and free slots.

use std::collections::HashSet;

use chrono_tz::Tz;

use super::reviews;
use super::slots;
use super::SkillShareError;
use crate::db::Db;
use crate::ids::UserId;
use model::skillshare::{
    Course, CourseFilter, Level, Teacher, TeacherProfile, TeacherSort, Window,
};

/// The teacher facts booking needs beyond what the catalogue shows.
#[derive(Clone)]
pub(super) struct TeacherRow {
    pub teacher: Teacher,
    pub user_id: Option<String>,
    pub contact_email: String,
    pub tz: Tz,
}

const TEACHER_COLUMNS: &str = "id, display_name, bio, specialties, hourly_rate_cents, time_zone, \
                               user_id, contact_email";

/// A `teachers` row; its specialties are a JSON list.
#[derive(sqlx::FromRow)]
struct TeacherRecord {
    id: String,
    display_name: String,
    bio: String,
    specialties: String,
    hourly_rate_cents: i64,
    time_zone: String,
    user_id: Option<String>,
    contact_email: String,
}

impl From<TeacherRecord> for TeacherRow {
    fn from(r: TeacherRecord) -> TeacherRow {
        TeacherRow {
            tz: r.time_zone.parse().unwrap_or(Tz::UTC),
            teacher: Teacher {
                id: r.id,
                display_name: r.display_name,
                bio: r.bio,
                specialties: serde_json::from_str(&r.specialties).unwrap_or_default(),
                hourly_rate_cents: r.hourly_rate_cents,
                time_zone: r.time_zone,
                next_free_slot: None,
                rating_average: None,
                rating_count: 0,
            },
            user_id: r.user_id,
            contact_email: r.contact_email,
        }
    }
}

/// The teacher whose `column` (`id` or `user_id`) equals `value`.
async fn teacher_where(
    db: &Db,
    column: &str,
    value: &str,
) -> Result<Option<TeacherRow>, SkillShareError> {
    let row: Option<TeacherRecord> = sqlx::query_as(&format!(
        "SELECT {TEACHER_COLUMNS} FROM teachers WHERE {column} = $1"
    ))
    .bind(value)
    .fetch_optional(db)
    .await?;
    Ok(row.map(TeacherRow::from))
}

pub(super) async fn teacher_by_id(db: &Db, id: &str) -> Result<TeacherRow, SkillShareError> {
    teacher_where(db, "id", id)
        .await?
        .ok_or(SkillShareError::NotFound("teacher"))
}

pub(super) async fn teacher_by_user(
    db: &Db,
    user_id: &UserId,
) -> Result<Option<TeacherRow>, SkillShareError> {
    teacher_where(db, "user_id", user_id.as_str()).await
}

pub(super) async fn windows(db: &Db, teacher_id: &str) -> Result<Vec<Window>, SkillShareError> {
    Ok(sqlx::query_as(
        "SELECT weekday, start_minute, end_minute FROM availability
         WHERE teacher_id = $1 ORDER BY weekday, start_minute",
    )
    .bind(teacher_id)
    .fetch_all(db)
    .await?)
}

async fn taken_units(
    db: &Db,
    teacher_id: &str,
    from: i64,
) -> Result<HashSet<i64>, SkillShareError> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT unit_start FROM booked_units WHERE teacher_id = $1 AND unit_start >= $2",
    )
    .bind(teacher_id)
    // Units of sessions that began before `from` and are still on (up to 4 hours long).
    .bind(from - 4 * 3600)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Free starts for a session of `duration_minutes` with this teacher.
pub(super) async fn free_starts(
    db: &Db,
    teacher: &TeacherRow,
    duration_minutes: i64,
    now: i64,
) -> Result<Vec<i64>, SkillShareError> {
    let windows = windows(db, &teacher.teacher.id).await?;
    let taken = slots::Taken {
        units: taken_units(db, &teacher.teacher.id, now).await?,
        away: super::unavailable::ranges(db, &teacher.teacher.id, now).await?,
    };
    Ok(slots::free_starts(
        teacher.tz,
        &windows,
        duration_minutes * 60,
        &taken,
        now,
    ))
}

/// Every teacher, in the order asked for (by name within equal keys).
pub async fn teachers(
    db: &Db,
    sort: TeacherSort,
    now: i64,
) -> Result<Vec<Teacher>, SkillShareError> {
    let rows: Vec<TeacherRecord> = sqlx::query_as(&format!(
        "SELECT {TEACHER_COLUMNS} FROM teachers ORDER BY display_name"
    ))
    .fetch_all(db)
    .await?;
    let ratings = reviews::ratings(db, None).await?;
    let mut teachers = Vec::with_capacity(rows.len());
    for row in rows.into_iter().map(TeacherRow::from) {
        let next = free_starts(db, &row, 60, now).await?.first().copied();
        let rating = ratings.get(&row.teacher.id);
        teachers.push(Teacher {
            next_free_slot: next,
            rating_average: rating.map(|r| r.average),
            rating_count: rating.map_or(0, |r| r.count),
            ..row.teacher
        });
    }
    // Stable sorts: equal keys keep the name order. Missing ratings and slots go last.
    match sort {
        TeacherSort::Name => {}
        TeacherSort::Rating => teachers.sort_by(|a, b| {
            let stars = |t: &Teacher| t.rating_average.unwrap_or(-1.0);
            stars(b)
                .total_cmp(&stars(a))
                .then(b.rating_count.cmp(&a.rating_count))
        }),
        TeacherSort::Price => teachers.sort_by_key(|t| t.hourly_rate_cents),
        TeacherSort::NextFree => teachers.sort_by_key(|t| t.next_free_slot.unwrap_or(i64::MAX)),
    }
    Ok(teachers)
}

pub async fn teacher_profile(
    db: &Db,
    id: &str,
    now: i64,
) -> Result<TeacherProfile, SkillShareError> {
    let row = teacher_by_id(db, id).await?;
    let next = free_starts(db, &row, 60, now).await?.first().copied();
    let rating = reviews::ratings(db, Some(id))
        .await?
        .remove(id)
        .unwrap_or_default();
    Ok(TeacherProfile {
        availability: windows(db, id).await?,
        courses: courses(db, &CourseFilter::default(), Some(id)).await?,
        teacher: Teacher {
            next_free_slot: next,
            rating_average: (rating.count > 0).then_some(rating.average),
            rating_count: rating.count,
            ..row.teacher
        },
        reviews: reviews::latest(db, id).await?,
        rating,
    })
}

const COURSE_SELECT: &str = "SELECT c.id, c.teacher_id, t.display_name AS teacher_name, c.title, \
     c.description, \
     c.skill, c.level, c.duration_minutes, c.price_cents \
     FROM courses c JOIN teachers t ON t.id = c.teacher_id";

/// Courses matching the filter (optionally of one teacher), by title.
pub async fn courses(
    db: &Db,
    filter: &CourseFilter,
    teacher_id: Option<&str>,
) -> Result<Vec<Course>, SkillShareError> {
    let text = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            format!(
                "%{}%",
                t.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    let skill = filter
        .skill
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let rows: Vec<Course> = sqlx::query_as(&format!(
        "{COURSE_SELECT}
         WHERE ($1 IS NULL OR lower(c.skill) = lower($1))
           AND ($2 IS NULL OR c.level = $2)
           AND ($3 IS NULL OR c.price_cents <= $3)
           AND ($4 IS NULL OR lower(c.title) LIKE lower($4) ESCAPE '\\'
                OR lower(c.description) LIKE lower($4) ESCAPE '\\'
                OR lower(c.skill) LIKE lower($4) ESCAPE '\\' OR lower(t.display_name) LIKE lower($4) ESCAPE '\\')
           AND ($5 IS NULL OR c.teacher_id = $5)
         ORDER BY c.title"
    ))
    .bind(skill)
    .bind(filter.level.map(Level::as_str))
    .bind(filter.max_price_cents)
    .bind(text)
    .bind(teacher_id)
    .fetch_all(db)
    .await?;
    Ok(rows)
}

pub async fn course(db: &Db, id: &str) -> Result<Course, SkillShareError> {
    sqlx::query_as(&format!("{COURSE_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(SkillShareError::NotFound("course"))
}

/// The skills courses are offered in, for the filter.
pub async fn skills(db: &Db) -> Result<Vec<String>, SkillShareError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT skill FROM courses ORDER BY skill")
            .fetch_all(db)
            .await?,
    )
}
