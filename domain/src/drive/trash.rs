//! Delete moves to the trash; the trash restores, empties, and forgets after its retention.
//! Trashed items still count against the quota until they are gone for good.

use super::entries::{collision, entry_from_row, live_folder, live_path};
use super::usage::{adjust, binned_cte, count_items, BINNED_BYTES};
use super::{Drive, DriveError, Entry};
use crate::ids::{EntryId, UserId};

impl Drive {
    /// Moves a file or folder (with everything in it) to the trash.
    pub async fn trash(&self, user_id: &UserId, id: &EntryId) -> Result<Entry, DriveError> {
        let id = id.as_str();
        // Checked and moved under the drive's write lock, so that emptying the trash at the
        // same moment sees the item either before or after, never halfway.
        let mut tx = self.write_tx().await?;
        live_path(&mut tx, user_id, id).await?;
        // Its links die with it, and stay dead if it comes back.
        super::shares::revoke_under(&mut tx, id, self.clock.now()).await?;
        sqlx::query("UPDATE entries SET trashed_at = $1 WHERE id = $2 AND trashed_at IS NULL")
            .bind(self.clock.now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.entry(user_id, id).await
    }

    /// What the user put in the trash, most recent first.
    pub async fn trash_list(&self, user_id: &UserId) -> Result<Vec<Entry>, DriveError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM entries e WHERE e.user_id = $1 AND e.trashed_at IS NOT NULL
             ORDER BY e.trashed_at DESC, e.name_key",
            self.columns()
        ))
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    /// Puts an item back where it was, or at the top of the drive if that folder is gone.
    pub async fn restore(&self, user_id: &UserId, id: &EntryId) -> Result<Entry, DriveError> {
        let id = id.as_str();
        let entry = self.entry(user_id, id).await?;
        if entry.trashed_at.is_none() {
            return Err(DriveError::NotFound("item in the trash"));
        }
        let mut tx = self.write_tx().await?;
        let parent = entry.parent_id.clone().unwrap_or_default();
        let parent = match live_folder(&mut tx, user_id, &parent).await {
            Ok(_) => parent,
            Err(DriveError::NotFound(_)) => String::new(),
            Err(e) => return Err(e),
        };
        // Still in the trash (not restored or purged meanwhile): then it comes back.
        let restored =
            sqlx::query("UPDATE entries SET trashed_at = NULL, parent_id = $1 WHERE id = $2 AND trashed_at IS NOT NULL")
                .bind(&parent)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| collision(e, &entry.name))?;
        if restored.rows_affected() == 0 {
            return Err(DriveError::NotFound("item in the trash"));
        }
        tx.commit().await?;
        self.entry(user_id, id).await
    }

    /// Deletes everything in the user's trash for good; returns the bytes freed.
    pub async fn empty_trash(&self, user_id: &UserId) -> Result<i64, DriveError> {
        self.delete_for_good(user_id, "$2 IS NULL", None).await
    }

    /// Deletes one item of the trash for good; returns the bytes freed.
    pub async fn delete_from_trash(
        &self,
        user_id: &UserId,
        id: &EntryId,
    ) -> Result<i64, DriveError> {
        let id = id.as_str();
        if self.entry(user_id, id).await?.trashed_at.is_none() {
            return Err(DriveError::NotFound("item in the trash"));
        }
        self.delete_for_good(user_id, "id = $2", Some(id)).await
    }

    /// Trash older than the retention, for every user.
    pub(super) async fn purge_old_trash(&self) -> Result<(), DriveError> {
        let cutoff = self.clock.now() - crate::db::to_i64(self.settings.trash_retention.as_secs());
        let users: Vec<UserId> = sqlx::query_scalar(
            "SELECT DISTINCT user_id FROM entries WHERE trashed_at IS NOT NULL AND trashed_at < $1",
        )
        .bind(cutoff)
        .fetch_all(&self.db)
        .await?;
        for user in users {
            let freed = self
                .delete_for_good(
                    &user,
                    "trashed_at < CAST($2 AS BIGINT)",
                    Some(&cutoff.to_string()),
                )
                .await?;
            tracing::info!(user = %user, freed, "purged trash past its retention");
        }
        Ok(())
    }

    /// Deletes the trashed items matching `roots` (with `?2` bound to `arg`) and everything
    /// inside them, in one transaction: entries, blocks (to the garbage list), usage.
    async fn delete_for_good(
        &self,
        user_id: &UserId,
        roots: &str,
        arg: Option<&str>,
    ) -> Result<i64, DriveError> {
        let cte = binned_cte(roots);
        let mut tx = self.write_tx().await?;
        let freed: i64 = sqlx::query_scalar(&format!(
            "{cte} SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM ({BINNED_BYTES}) AS bytes"
        ))
        .bind(user_id)
        .bind(arg)
        .fetch_one(&mut *tx)
        .await?;
        let items: i64 = sqlx::query_scalar(&format!("{cte} SELECT COUNT(*) FROM binned"))
            .bind(user_id)
            .bind(arg)
            .fetch_one(&mut *tx)
            .await?;
        // Blocks of the files and of their versions (the versions go with their files).
        let binned_blocks = "SELECT id FROM binned
                             UNION ALL SELECT id FROM versions WHERE file_id IN (SELECT id FROM binned)";
        for statement in [
            format!(
                "INSERT INTO garbage (object_id)
                 SELECT object_id FROM blocks WHERE file_id IN ({binned_blocks})
                 ON CONFLICT DO NOTHING"
            ),
            format!("DELETE FROM blocks WHERE file_id IN ({binned_blocks})"),
            "INSERT INTO garbage (object_id)
             SELECT object_id FROM thumbnails WHERE file_id IN (SELECT id FROM binned)
               AND object_id <> ''
             ON CONFLICT DO NOTHING"
                .into(),
            "DELETE FROM thumbnails WHERE file_id IN (SELECT id FROM binned)".into(),
            "DELETE FROM versions WHERE file_id IN (SELECT id FROM binned)".into(),
            "DELETE FROM shares WHERE entry_id IN (SELECT id FROM binned)".into(),
            "DELETE FROM entries WHERE id IN (SELECT id FROM binned)".into(),
        ] {
            sqlx::query(&format!("{cte} {statement}"))
                .bind(user_id)
                .bind(arg)
                .execute(&mut *tx)
                .await?;
        }
        adjust(&mut tx, user_id, -freed, 0).await?;
        count_items(&mut tx, user_id, -items).await?;
        tx.commit().await?;
        if freed > 0 {
            self.tidy().await;
        }
        Ok(freed)
    }
}
