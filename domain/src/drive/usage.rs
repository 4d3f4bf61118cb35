//! Usage against quota. `users.used_bytes` and `reserved_bytes` change only inside the
//! transactions that add or remove bytes, so they are always the sum of what is stored.

use sqlx::AnyConnection;

use super::{Drive, DriveError, Usage};
use crate::db::Db;
use crate::ids::UserId;

/// Files in the trash or inside a trashed folder (`binned(id, kind, size)`), for user `?1`,
/// limited to trashed items matching `{roots}`.
pub(super) fn binned_cte(roots: &str) -> String {
    format!(
        "WITH RECURSIVE binned(id, kind, size) AS (
             SELECT id, kind, size FROM entries
             WHERE user_id = $1 AND trashed_at IS NOT NULL AND ({roots})
             UNION
             SELECT e.id, e.kind, e.size FROM entries e JOIN binned b ON e.parent_id = b.id
         )"
    )
}

/// The sizes of the files in `binned` and of their versions (which go with them), one row each.
pub(super) const BINNED_BYTES: &str = "SELECT size FROM binned WHERE kind = 'file'
     UNION ALL SELECT v.size FROM versions v WHERE v.file_id IN (SELECT id FROM binned)";

impl Drive {
    pub async fn usage(&self, user_id: &UserId) -> Result<Usage, DriveError> {
        usage(&mut *self.db.acquire().await?, user_id).await
    }
}

/// Sets one user's quota (the per-user override of `DEFAULT_QUOTA_BYTES`). Files already
/// stored stay, even if they now exceed it; new uploads are refused until there is room.
pub async fn set_quota(db: &Db, email: &str, quota_bytes: i64) -> Result<(), DriveError> {
    if quota_bytes < 0 {
        return Err(DriveError::Invalid("A quota cannot be negative.".into()));
    }
    let done = sqlx::query("UPDATE users SET quota_bytes = $1 WHERE email = $2")
        .bind(quota_bytes)
        .bind(email.trim().to_lowercase())
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(DriveError::NotFound("account with that email"));
    }
    Ok(())
}

pub(super) async fn usage(conn: &mut AnyConnection, user_id: &UserId) -> Result<Usage, DriveError> {
    let (quota_bytes, used_bytes, reserved_bytes): (i64, i64, i64) =
        sqlx::query_as("SELECT quota_bytes, used_bytes, reserved_bytes FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(DriveError::NotFound("account"))?;
    let trash_bytes: i64 = sqlx::query_scalar(&format!(
        "{} SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM ({BINNED_BYTES}) AS bytes",
        binned_cte("1 = 1")
    ))
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Usage {
        quota_bytes,
        used_bytes,
        trash_bytes,
        reserved_bytes,
    })
}

/// Holds `bytes` of the user's quota for an upload, if they fit: one conditional UPDATE, so
/// concurrent uploads cannot together overshoot.
pub(super) async fn reserve(
    conn: &mut AnyConnection,
    user_id: &UserId,
    bytes: u64,
) -> Result<(), DriveError> {
    let bytes_i64 = i64::try_from(bytes).unwrap_or(i64::MAX);
    let done = sqlx::query(
        "UPDATE users SET reserved_bytes = reserved_bytes + $1
         WHERE id = $2 AND $1 <= quota_bytes - used_bytes - reserved_bytes",
    )
    .bind(bytes_i64)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let now = usage(conn, user_id).await?;
    Err(DriveError::QuotaExceeded {
        needed: bytes,
        free: now.free_bytes(),
        trash: now.trash_bytes,
    })
}

/// Moves bytes between the user's counters: `reserved` released, `used` added (negative to
/// free).
pub(super) async fn adjust(
    conn: &mut AnyConnection,
    user_id: &UserId,
    used: i64,
    reserved: i64,
) -> Result<(), DriveError> {
    sqlx::query(
        "UPDATE users SET used_bytes = used_bytes + $1, reserved_bytes = reserved_bytes + $2
         WHERE id = $3",
    )
    .bind(used)
    .bind(reserved)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Refuses `adding` more files or folders when the account would then hold more than `max`
/// (the trash and unfinished uploads included): folders cost no quota, so without this an
/// account could make them without end.
pub(super) async fn check_items(
    conn: &mut AnyConnection,
    user_id: &UserId,
    adding: i64,
    max: i64,
) -> Result<(), DriveError> {
    let (items, uploads): (i64, i64) = sqlx::query_as(
        "SELECT item_count, (SELECT COUNT(*) FROM uploads WHERE user_id = $1)
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DriveError::NotFound("account"))?;
    if items + uploads + adding > max {
        return Err(DriveError::TooManyItems { items, max });
    }
    Ok(())
}

/// Counts files or folders added (or, negative, removed for good).
pub(super) async fn count_items(
    conn: &mut AnyConnection,
    user_id: &UserId,
    delta: i64,
) -> Result<(), DriveError> {
    sqlx::query("UPDATE users SET item_count = item_count + $1 WHERE id = $2")
        .bind(delta)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
