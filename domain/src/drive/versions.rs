//! Versions: when an upload replaces a file, the old content is kept as a version of it. A
//! version can be downloaded, restored (the current content becomes a version in turn) or
//! deleted; it goes by itself after `versions_kept_for`, or once its file has
//! `versions_keep` newer ones. Versions count against the quota until they go.

use sqlx::AnyConnection;
use uuid::Uuid;

use super::garbage::discard_blocks;
use super::usage::adjust;
use super::{Drive, DriveError, Entry, Version};
use crate::ids::{EntryId, UserId};

/// Makes the file's current content a version (its blocks move to the version), as of `now`.
pub(super) async fn keep_current(
    conn: &mut AnyConnection,
    file_id: &str,
    now: i64,
) -> Result<(), DriveError> {
    let version_id = Uuid::new_v4().simple().to_string();
    sqlx::query(
        "INSERT INTO versions (id, file_id, number, user_id, size, mime, checksum, created_at,
                               replaced_at, share_id)
         SELECT $1, id,
                (SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE file_id = $3),
                user_id, size, mime, checksum, modified_at, $2, share_id
         FROM entries WHERE id = $3 AND kind = 'file'",
    )
    .bind(&version_id)
    .bind(now)
    .bind(file_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE blocks SET file_id = $1 WHERE file_id = $2")
        .bind(&version_id)
        .bind(file_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes the versions of file `from` versions of file `to`, numbered after its own (a file
/// moved onto another brings its history).
pub(super) async fn adopt(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> Result<(), DriveError> {
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) FROM versions WHERE file_id = $1")
            .bind(to)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query("UPDATE versions SET file_id = $1, number = number + $2 WHERE file_id = $3")
        .bind(to)
        .bind(last)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A version about to go: its id, owner and size.
type Doomed = (String, UserId, i64);

/// Deletes these versions: blocks to the garbage, bytes back to their owners.
async fn drop_versions(conn: &mut AnyConnection, doomed: &[Doomed]) -> Result<(), DriveError> {
    for (id, user, size) in doomed {
        discard_blocks(conn, id).await?;
        sqlx::query("DELETE FROM versions WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        adjust(conn, user, -size, 0).await?;
    }
    Ok(())
}

/// Keeps only the newest `keep` versions of the file.
pub(super) async fn keep_newest(
    conn: &mut AnyConnection,
    file_id: &str,
    keep: i64,
) -> Result<(), DriveError> {
    let doomed: Vec<Doomed> = sqlx::query_as(
        "SELECT id, user_id, size FROM versions WHERE file_id = $1
         ORDER BY number DESC LIMIT $3 OFFSET $2",
    )
    .bind(file_id)
    .bind(keep.max(0))
    // SQLite takes an OFFSET only after a LIMIT, and PostgreSQL no negative one: all of them.
    .bind(i64::MAX)
    .fetch_all(&mut *conn)
    .await?;
    drop_versions(conn, &doomed).await
}

impl Drive {
    /// A version of one of the user's files.
    async fn version(&self, user_id: &UserId, id: &str) -> Result<(Version, String), DriveError> {
        let version: Option<Version> = sqlx::query_as(
            "SELECT id, number, size, mime, created_at, replaced_at, share_id
             FROM versions WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.db)
        .await?;
        let version = version.ok_or(DriveError::NotFound("version"))?;
        let file_id: String = sqlx::query_scalar("SELECT file_id FROM versions WHERE id = $1")
            .bind(&version.id)
            .fetch_one(&self.db)
            .await?;
        Ok((version, file_id))
    }

    /// A file's versions, newest first.
    pub async fn versions(
        &self,
        user_id: &UserId,
        file_id: &EntryId,
    ) -> Result<Vec<Version>, DriveError> {
        let file = self.entry(user_id, file_id.as_str()).await?;
        if file.is_folder() {
            return Err(DriveError::NotFound("file"));
        }
        Ok(sqlx::query_as(
            "SELECT id, number, size, mime, created_at, replaced_at, share_id FROM versions
             WHERE file_id = $1 ORDER BY number DESC",
        )
        .bind(file_id)
        .fetch_all(&self.db)
        .await?)
    }

    /// Makes a version the file's content again; the current content becomes a version.
    pub async fn restore_version(
        &self,
        user_id: &UserId,
        version_id: &str,
    ) -> Result<Entry, DriveError> {
        let (_, file_id) = self.version(user_id, version_id).await?;
        let mut tx = self.write_tx().await?;
        super::entries::live_path(&mut tx, user_id, &file_id).await?;
        // Restored or deleted meanwhile (before this transaction took the lock): nothing changes.
        let still: Option<i64> = sqlx::query_scalar("SELECT 1 FROM versions WHERE id = $1")
            .bind(version_id)
            .fetch_optional(&mut *tx)
            .await?;
        if still.is_none() {
            return Err(DriveError::NotFound("version"));
        }
        let now = self.clock.now();
        keep_current(&mut tx, &file_id, now).await?;
        sqlx::query("UPDATE blocks SET file_id = $1 WHERE file_id = $2")
            .bind(&file_id)
            .bind(version_id)
            .execute(&mut *tx)
            .await?;
        let restored = sqlx::query(
            "UPDATE entries SET (size, mime, checksum, share_id) =
                 (SELECT size, mime, checksum, share_id FROM versions WHERE id = $1),
               modified_at = $2
             WHERE id = $3",
        )
        .bind(version_id)
        .bind(now)
        .bind(&file_id)
        .execute(&mut *tx)
        .await?;
        let gone = sqlx::query("DELETE FROM versions WHERE id = $1")
            .bind(version_id)
            .execute(&mut *tx)
            .await?;
        if restored.rows_affected() != 1 || gone.rows_affected() != 1 {
            return Err(DriveError::NotFound("version"));
        }
        keep_newest(&mut tx, &file_id, self.settings.versions_keep).await?;
        tx.commit().await?;
        self.tidy().await;
        self.entry(user_id, &file_id).await
    }

    /// Deletes a version for good; its bytes are freed.
    pub async fn delete_version(
        &self,
        user_id: &UserId,
        version_id: &str,
    ) -> Result<i64, DriveError> {
        let (version, _) = self.version(user_id, version_id).await?;
        let mut tx = self.write_tx().await?;
        let doomed: Vec<Doomed> =
            sqlx::query_as("SELECT id, user_id, size FROM versions WHERE id = $1")
                .bind(version_id)
                .fetch_all(&mut *tx)
                .await?;
        if doomed.is_empty() {
            // Restored or deleted meanwhile.
            return Err(DriveError::NotFound("version"));
        }
        drop_versions(&mut tx, &doomed).await?;
        tx.commit().await?;
        self.tidy().await;
        Ok(version.size)
    }

    /// Opens a version for reading, named as its file.
    pub(super) async fn open_version(
        &self,
        user_id: &UserId,
        version_id: &str,
    ) -> Result<(Entry, Vec<(String, i64)>), DriveError> {
        let (version, file_id) = self.version(user_id, version_id).await?;
        let file = self.entry(user_id, &file_id).await?;
        let blocks: Vec<(String, i64)> =
            sqlx::query_as("SELECT object_id, size FROM blocks WHERE file_id = $1 ORDER BY idx")
                .bind(version_id)
                .fetch_all(&self.db)
                .await?;
        let entry = Entry {
            id: version.id,
            size: version.size,
            mime: version.mime,
            created_at: version.created_at,
            modified_at: version.created_at,
            ..file
        };
        Ok((entry, blocks))
    }

    /// Drops versions past `versions_kept_for`, for every user.
    pub(super) async fn expire_versions(&self) -> Result<(), DriveError> {
        let cutoff =
            self.clock.now() - crate::db::to_i64(self.settings.versions_kept_for.as_secs());
        let mut tx = self.write_tx().await?;
        let doomed: Vec<Doomed> =
            sqlx::query_as("SELECT id, user_id, size FROM versions WHERE replaced_at < $1")
                .bind(cutoff)
                .fetch_all(&mut *tx)
                .await?;
        drop_versions(&mut tx, &doomed).await?;
        tx.commit().await?;
        if !doomed.is_empty() {
            tracing::info!(
                dropped = doomed.len(),
                "dropped versions past their retention"
            );
            self.tidy().await;
        }
        Ok(())
    }
}
