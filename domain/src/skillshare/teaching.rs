//! Anyone can teach: a teacher profile, weekly availability, and published courses.

use chrono_tz::Tz;

use super::catalogue;
use super::slots::STEP_SECS;
use super::SkillShareError;
use crate::db::Db;
use crate::ids::UserId;
use model::skillshare::{Course, CourseDraft, TeacherDraft, Window};

fn invalid<T>(message: impl Into<String>) -> Result<T, SkillShareError> {
    Err(SkillShareError::Invalid(message.into()))
}

/// Trims `value` and checks it has 1 to `max` characters and no control characters.
pub(super) fn text(label: &str, value: &str, max: usize) -> Result<String, SkillShareError> {
    let value = value.trim();
    if value.is_empty() {
        return invalid(format!("{label} cannot be empty."));
    }
    if value.chars().count() > max {
        return invalid(format!("{label} can be at most {max} characters."));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return invalid(format!("{label} cannot contain control characters."));
    }
    Ok(value.to_owned())
}

fn validate_teacher(draft: &TeacherDraft) -> Result<TeacherDraft, SkillShareError> {
    let specialties = draft
        .specialties
        .iter()
        .map(|s| text("A specialty", s, 40))
        .collect::<Result<Vec<_>, _>>()?;
    if specialties.is_empty() || specialties.len() > 10 {
        return invalid("List 1 to 10 specialties.");
    }
    if !(0..=100_000).contains(&draft.hourly_rate_cents) {
        return invalid("The hourly rate must be between 0 and 1000.00.");
    }
    if draft.time_zone.parse::<Tz>().is_err() {
        return invalid(format!(
            "Unknown time zone {:?}. Use a name like Europe/Paris or America/New_York.",
            draft.time_zone
        ));
    }
    Ok(TeacherDraft {
        display_name: text("The display name", &draft.display_name, 80)?,
        bio: text("The bio", &draft.bio, 2000)?,
        specialties,
        hourly_rate_cents: draft.hourly_rate_cents,
        time_zone: draft.time_zone.clone(),
    })
}

/// Creates or updates the user's teacher profile; returns its id.
pub async fn save_profile(
    db: &Db,
    user_id: &UserId,
    contact_email: &str,
    draft: &TeacherDraft,
    now: i64,
) -> Result<String, SkillShareError> {
    let d = validate_teacher(draft)?;
    let specialties =
        serde_json::to_string(&d.specialties).map_err(|e| SkillShareError::Internal(e.into()))?;
    let id: String = sqlx::query_scalar(
        "INSERT INTO teachers (id, user_id, display_name, bio, specialties, hourly_rate_cents,
                               time_zone, contact_email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (user_id) DO UPDATE SET
           display_name = excluded.display_name, bio = excluded.bio,
           specialties = excluded.specialties, hourly_rate_cents = excluded.hourly_rate_cents,
           time_zone = excluded.time_zone
         RETURNING id",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user_id)
    .bind(&d.display_name)
    .bind(&d.bio)
    .bind(specialties)
    .bind(d.hourly_rate_cents)
    .bind(&d.time_zone)
    .bind(contact_email)
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok(id)
}

fn validate_windows(windows: &[Window]) -> Result<Vec<Window>, SkillShareError> {
    let step = u16::try_from(STEP_SECS / 60).unwrap_or(30);
    let mut sorted = windows.to_vec();
    sorted.sort_by_key(|w| (w.weekday, w.start_minute));
    for w in &sorted {
        if w.weekday > 6 {
            return invalid("Weekdays go from 0 (Monday) to 6 (Sunday).");
        }
        if w.start_minute >= w.end_minute || w.end_minute > 1440 {
            return invalid("Each time range must end after it starts, within the day.");
        }
        if w.start_minute % step != 0 || w.end_minute % step != 0 {
            return invalid("Times must be on the hour or the half hour.");
        }
    }
    if sorted
        .windows(2)
        .any(|p| p[0].weekday == p[1].weekday && p[1].start_minute < p[0].end_minute)
    {
        return invalid("Time ranges on the same day must not overlap.");
    }
    Ok(sorted)
}

/// Replaces the teacher's weekly availability. Existing bookings stay as they are.
pub async fn set_availability(
    db: &Db,
    user_id: &UserId,
    windows: &[Window],
) -> Result<Vec<Window>, SkillShareError> {
    let windows = validate_windows(windows)?;
    let teacher = catalogue::teacher_by_user(db, user_id)
        .await?
        .ok_or(SkillShareError::NoTeacherProfile)?;
    let mut tx = db.begin().await?;
    // Two saves at once would otherwise merge into one week.
    let key = format!("availability:{}", teacher.teacher.id);
    crate::db::lock_key(&mut tx, &key, 0).await?;
    sqlx::query("DELETE FROM availability WHERE teacher_id = $1")
        .bind(&teacher.teacher.id)
        .execute(&mut *tx)
        .await?;
    for w in &windows {
        sqlx::query(
            "INSERT INTO availability (teacher_id, weekday, start_minute, end_minute)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&teacher.teacher.id)
        .bind(i64::from(w.weekday))
        .bind(i64::from(w.start_minute))
        .bind(i64::from(w.end_minute))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(windows)
}

pub async fn publish_course(
    db: &Db,
    user_id: &UserId,
    draft: &CourseDraft,
    now: i64,
) -> Result<Course, SkillShareError> {
    let teacher = catalogue::teacher_by_user(db, user_id)
        .await?
        .ok_or(SkillShareError::NoTeacherProfile)?;
    let title = text("The title", &draft.title, 120)?;
    let description = text("The description", &draft.description, 2000)?;
    let skill = text("The skill", &draft.skill, 40)?;
    if draft.duration_minutes < 30
        || draft.duration_minutes > 240
        || draft.duration_minutes % 30 != 0
    {
        return invalid("Durations go from 30 to 240 minutes, in steps of 30.");
    }
    if !(0..=1_000_000).contains(&draft.price_cents) {
        return invalid("The price must be between 0 and 10000.00.");
    }
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO courses (id, teacher_id, title, description, skill, level, duration_minutes,
                              price_cents, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&teacher.teacher.id)
    .bind(title)
    .bind(description)
    .bind(skill)
    .bind(draft.level.as_str())
    .bind(draft.duration_minutes)
    .bind(draft.price_cents)
    .bind(now)
    .execute(db)
    .await?;
    catalogue::course(db, &id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(weekday: u8, start: u16, end: u16) -> Window {
        Window {
            weekday,
            start_minute: start,
            end_minute: end,
        }
    }

    #[test]
    fn availability_must_be_on_the_grid_and_not_overlap() {
        assert!(validate_windows(&[w(0, 540, 720), w(0, 780, 1020)]).is_ok());
        assert!(validate_windows(&[w(0, 540, 720), w(0, 700, 800)]).is_err());
        assert!(validate_windows(&[w(0, 545, 720)]).is_err());
        assert!(validate_windows(&[w(7, 540, 720)]).is_err());
        assert!(validate_windows(&[w(0, 720, 540)]).is_err());
    }

    #[test]
    fn teacher_profiles_need_a_real_time_zone() {
        let mut d = TeacherDraft {
            display_name: "T".into(),
            bio: "B".into(),
            specialties: vec!["Chess".into()],
            hourly_rate_cents: 2000,
            time_zone: "Mars/Olympus".into(),
        };
        assert!(validate_teacher(&d).is_err());
        d.time_zone = "Europe/Berlin".into();
        assert!(validate_teacher(&d).is_ok());
    }
}
