//! Which request is receiving a chunk of an upload. It lives in the database, not in the
//! process, so that any app server can take any chunk: a claim is a random token with a short
//! lease, renewed while the chunk's bytes arrive. A retry (on this server or another, say after
//! a dropped connection the server has not noticed yet, or a server that died) waits for the
//! claim to end or lapse rather than being refused at once.

use std::time::Duration;

use uuid::Uuid;

use super::super::{Drive, DriveError};
use super::Uploader;
use crate::db::Db;
use crate::ids::UploadId;

/// How long a claim holds without news of its bytes: a retry after a server died waits this.
pub(super) const LEASE_SECS: i64 = 6;
/// How long a chunk waits for an earlier attempt at the same upload to end.
const CLAIM_WAIT: Duration = Duration::from_secs(10);
/// How often a waiting chunk looks again.
const CLAIM_POLL: Duration = Duration::from_millis(100);

/// The right to store the upload's next chunk; dropping it gives it back however the request
/// ends (recording the chunk gives it back too).
pub(super) struct Claim {
    db: Db,
    pub upload: UploadId,
    pub token: String,
}

impl Drive {
    /// Claims the upload for chunk `index`, waiting up to `CLAIM_WAIT` for another claim.
    pub(super) async fn claim_upload(
        &self,
        by: Uploader<'_>,
        upload_id: &UploadId,
        index: u64,
    ) -> Result<Claim, DriveError> {
        let token = Uuid::new_v4().simple().to_string();
        let deadline = tokio::time::Instant::now() + CLAIM_WAIT;
        loop {
            let now = self.clock.now();
            let taken = sqlx::query(
                "UPDATE uploads SET receiving = $1, receiving_until = $2
                 WHERE id = $3 AND user_id = $4 AND share_id = $5
                   AND (receiving IS NULL OR receiving_until < $6)",
            )
            .bind(&token)
            .bind(now + LEASE_SECS)
            .bind(upload_id)
            .bind(by.user_id)
            .bind(by.share_id)
            .bind(now)
            .execute(&self.db)
            .await?;
            if taken.rows_affected() == 1 {
                return Ok(Claim {
                    db: self.db.clone(),
                    upload: upload_id.clone(),
                    token,
                });
            }
            // Not there at all (or someone else's): say so now rather than after the wait.
            self.upload(by, upload_id).await?;
            if tokio::time::Instant::now() >= deadline {
                return Err(DriveError::Conflict(format!(
                    "Chunk {index} is already being received."
                )));
            }
            tokio::time::sleep(CLAIM_POLL).await;
        }
    }
}

impl Claim {
    /// The chunk's bytes are still arriving: hold the claim (and the upload) a while longer.
    pub async fn renew(&self, now: i64, expires_at: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE uploads SET receiving_until = $1, expires_at = $2
             WHERE id = $3 AND receiving = $4",
        )
        .bind(now + LEASE_SECS)
        .bind(expires_at)
        .bind(&self.upload)
        .bind(&self.token)
        .execute(&self.db)
        .await?;
        Ok(())
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let (db, upload, token) = (self.db.clone(), self.upload.clone(), self.token.clone());
        let release = async move {
            let released =
                sqlx::query("UPDATE uploads SET receiving = NULL WHERE id = $1 AND receiving = $2")
                    .bind(&upload)
                    .bind(&token)
                    .execute(&db)
                    .await;
            if let Err(e) = released {
                // The lease lapses by itself.
                tracing::warn!(upload = %upload, error = %e, "could not release an upload's claim");
            }
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(release);
        }
    }
}
