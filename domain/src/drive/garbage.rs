//! Deleting blocks nothing refers to any more. They are listed in `garbage` by the same
//! transaction that dropped their file or upload, and deleted from the nodes here.

use sqlx::AnyConnection;

use super::{Drive, DriveError};
use crate::cluster::ClusterError;

/// Moves the blocks of `file_id` (a file or an upload) to the garbage list.
pub(super) async fn discard_blocks(
    conn: &mut AnyConnection,
    file_id: &str,
) -> Result<(), DriveError> {
    sqlx::query(
        "INSERT INTO garbage (object_id) SELECT object_id FROM blocks WHERE file_id = $1
         ON CONFLICT DO NOTHING",
    )
    .bind(file_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM blocks WHERE file_id = $1")
        .bind(file_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Drive {
    /// Deletes what a change that has committed left as garbage; a failure is only logged (the
    /// change stands, and the sweeper tries again), never the change's answer.
    pub(super) async fn tidy(&self) {
        if let Err(e) = self.collect_garbage().await {
            tracing::warn!(error = %e, "garbage left for the sweeper");
        }
    }

    /// Deletes listed objects from the cluster (down nodes delete theirs when they return).
    pub(super) async fn collect_garbage(&self) -> Result<(), DriveError> {
        // A block whose recording was reported failed may have been recorded all the same (a
        // database connection lost during the commit): what a block refers to is never garbage.
        sqlx::query(
            "DELETE FROM garbage
             WHERE EXISTS (SELECT 1 FROM blocks b WHERE b.object_id = garbage.object_id)",
        )
        .execute(&self.db)
        .await?;
        let ids: Vec<String> = sqlx::query_scalar("SELECT object_id FROM garbage LIMIT 1000")
            .fetch_all(&self.db)
            .await?;
        for id in ids {
            match self.cluster.delete(&id).await {
                Ok(()) | Err(ClusterError::NotFound) => {
                    sqlx::query("DELETE FROM garbage WHERE object_id = $1")
                        .bind(&id)
                        .execute(&self.db)
                        .await?;
                }
                Err(e) => tracing::warn!(object = %id, error = %e, "block delete will be retried"),
            }
        }
        Ok(())
    }
}
