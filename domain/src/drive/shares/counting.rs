//! Download limits. A download that starts from byte 0 (or a zip) takes one of the link's
//! downloads in one conditional UPDATE, so N requests at once from a limit of 1 get one copy;
//! it gives the count back if it breaks off before its last byte. For the next minute the
//! same client's ranged requests for the same item reuse that count (a download manager
//! fetching parts, a player seeking); a count that was reused is never given back, or a
//! client could fetch the rest by range, break off the first request, and start over.

use super::OpenShare;
use crate::db::Db;
use crate::drive::{Drive, DriveError};

/// How long a counted download's client may fetch more of the same item without counting.
const GRANT_SECS: i64 = 60;
/// How long a running download's slot holds without renewal (a crashed server's lapse).
const SLOT_LEASE_SECS: i64 = 30;
/// How often a running download renews its slot.
const SLOT_RENEW: std::time::Duration = std::time::Duration::from_secs(10);

/// One of a link's slots for downloads running at once: renewed while it is held, given
/// back when dropped.
pub struct StreamSlot {
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A counted download: dropped before `finished`, it gives its count back.
pub struct DownloadCount {
    db: Db,
    share_id: String,
    client: String,
    item: String,
    finished: bool,
}

impl DownloadCount {
    /// The last byte went out: the download counts for good.
    pub fn finished(mut self) {
        self.finished = true;
    }
}

impl Drop for DownloadCount {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let (db, share, client, item) = (
            self.db.clone(),
            std::mem::take(&mut self.share_id),
            std::mem::take(&mut self.client),
            std::mem::take(&mut self.item),
        );
        // Drop cannot wait: the give-back runs on its own (a server stopping right now loses
        // it, and the link keeps one download fewer; never one more).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = give_back(&db, &share, &client, &item).await {
                    tracing::warn!(share = %share, error = %e, "could not give a download back");
                }
            });
        }
    }
}

async fn give_back(db: &Db, share: &str, client: &str, item: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let unused = sqlx::query(
        "DELETE FROM share_grants
         WHERE share_id = $1 AND client = $2 AND item = $3 AND reused = 0",
    )
    .bind(share)
    .bind(client)
    .bind(item)
    .execute(&mut *tx)
    .await?;
    if unused.rows_affected() == 1 {
        sqlx::query("UPDATE shares SET downloads = downloads - 1 WHERE id = $1 AND downloads > 0")
            .bind(share)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Whether `client` holds a live grant on the link (for `item`, or for any item).
pub(super) async fn has_grant(
    db: &Db,
    share: &str,
    client: &str,
    item: Option<&str>,
    now: i64,
) -> Result<bool, DriveError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM share_grants
         WHERE share_id = $1 AND client = $2 AND ($3 IS NULL OR item = $3) AND until >= $4
         LIMIT 1",
    )
    .bind(share)
    .bind(client)
    .bind(item)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

impl Drive {
    /// Counts a download of `item` (a file id, or "zip:<folder id>") through the link.
    /// `from_start`: it starts at byte 0. `Ok(None)`: a ranged request reusing its client's
    /// count. A link with no downloads left is not found, like any dead link.
    pub async fn count_download(
        &self,
        share: &OpenShare,
        item: &str,
        client: &str,
        from_start: bool,
    ) -> Result<Option<DownloadCount>, DriveError> {
        let now = self.clock.now();
        if !from_start {
            let reused = sqlx::query(
                "UPDATE share_grants SET reused = 1
                 WHERE share_id = $1 AND client = $2 AND item = $3 AND until >= $4",
            )
            .bind(&share.id)
            .bind(client)
            .bind(item)
            .bind(now)
            .execute(&self.db)
            .await?;
            if reused.rows_affected() > 0 {
                return Ok(None);
            }
        }
        let mut tx = self.db.begin().await?;
        let counted = sqlx::query(
            "UPDATE shares SET downloads = downloads + 1, last_used_at = $1
             WHERE id = $2 AND revoked_at IS NULL
               AND (max_downloads IS NULL OR downloads < max_downloads)",
        )
        .bind(now)
        .bind(&share.id)
        .execute(&mut *tx)
        .await?;
        if counted.rows_affected() == 0 {
            return Err(super::gone());
        }
        sqlx::query(
            "INSERT INTO share_grants (share_id, client, item, until) VALUES ($1, $2, $3, $4)
             ON CONFLICT (share_id, client, item) DO UPDATE SET until = excluded.until, reused = 0",
        )
        .bind(&share.id)
        .bind(client)
        .bind(item)
        .bind(now + GRANT_SECS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(DownloadCount {
            db: self.db.clone(),
            share_id: share.id.clone(),
            client: client.to_owned(),
            item: item.to_owned(),
            finished: false,
        }))
    }

    /// Takes one of the link's slots for downloads running at once (`max_link_downloads`),
    /// counted under the link's lock so that racing requests cannot pass it.
    pub async fn start_link_stream(&self, share: &OpenShare) -> Result<StreamSlot, DriveError> {
        let now = self.clock.now();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut tx = self.db.begin().await?;
        crate::db::lock_key(&mut tx, &format!("share streams {}", share.id), now).await?;
        let running: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM share_streams WHERE share_id = $1 AND until >= $2",
        )
        .bind(&share.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let max = self.settings.max_link_downloads;
        if running >= max {
            return Err(DriveError::LinkBusy { max });
        }
        sqlx::query("INSERT INTO share_streams (id, share_id, until) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(&share.id)
            .bind(now + SLOT_LEASE_SECS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let (db, clock) = (self.db.clone(), self.clock.clone());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    () = tokio::time::sleep(SLOT_RENEW) => {
                        let renewed = sqlx::query("UPDATE share_streams SET until = $1 WHERE id = $2")
                            .bind(clock.now() + SLOT_LEASE_SECS)
                            .bind(&id)
                            .execute(&db)
                            .await;
                        if let Err(e) = renewed {
                            tracing::warn!(error = %e, "could not renew a link download's slot");
                        }
                    }
                }
            }
            let _ = sqlx::query("DELETE FROM share_streams WHERE id = $1")
                .bind(&id)
                .execute(&db)
                .await;
        });
        Ok(StreamSlot { _stop: stop })
    }

    /// Notes that the link was used (opened, or a file dropped through it): to the minute, so
    /// that strangers opening a page do not each write to the database.
    pub async fn touch_share(&self, share: &OpenShare) -> Result<(), DriveError> {
        sqlx::query(
            "UPDATE shares SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1 - 60)",
        )
        .bind(self.clock.now())
        .bind(&share.id)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Drops grants past their minute, and the slots of downloads whose server stopped.
    pub(in crate::drive) async fn expire_grants(&self) -> Result<(), DriveError> {
        for table in ["share_grants", "share_streams"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE until < $1"))
                .bind(self.clock.now())
                .execute(&self.db)
                .await?;
        }
        Ok(())
    }
}
