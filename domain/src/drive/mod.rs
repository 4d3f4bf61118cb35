//! The drive: each user's files and folders, on the storage cluster, within a quota.
//!
//! A file is a list of blocks (the chunks it was uploaded in), each block its own replicated
//! cluster object. So a chunk streams straight into the cluster, memory stays flat whatever
//! the size, and an interrupted upload resumes at the first block the server lacks.

mod download;
mod entries;
mod error;
mod garbage;
pub mod names;
mod trash;
mod uploads;
mod usage;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use download::{OpenFile, SignedLink};
pub use error::DriveError;
pub use model::drive::*;
pub use usage::set_quota;

use crate::cluster::Cluster;
use crate::db::Db;
use crate::secrets::Secrets;

#[derive(Debug, Clone)]
pub struct DriveSettings {
    /// An upload with no chunk for this long is dropped and its reservation released.
    pub upload_expiry: Duration,
    /// Items stay in the trash this long, then are deleted for good.
    pub trash_retention: Duration,
    /// How often expired uploads, old trash and unreferenced blocks are cleared.
    pub sweep_interval: Duration,
    /// How long a signed download link works.
    pub link_lifetime: Duration,
}

impl Default for DriveSettings {
    fn default() -> Self {
        DriveSettings {
            upload_expiry: Duration::from_secs(24 * 3600),
            trash_retention: Duration::from_secs(30 * 24 * 3600),
            sweep_interval: Duration::from_secs(60),
            link_lifetime: Duration::from_secs(60),
        }
    }
}

pub struct Drive {
    db: Db,
    cluster: Arc<Cluster>,
    secrets: Arc<Secrets>,
    settings: DriveSettings,
    /// Uploads with a chunk arriving right now, and the running BLAKE3 of each upload (lost
    /// on restart, then recomputed from the stored blocks when the upload finishes).
    uploads: Mutex<HashMap<String, uploads::Progress>>,
}

impl Drive {
    pub fn new(
        db: Db,
        cluster: Arc<Cluster>,
        secrets: Arc<Secrets>,
        settings: DriveSettings,
    ) -> Arc<Drive> {
        Arc::new(Drive {
            db,
            cluster,
            secrets,
            settings,
            uploads: Mutex::new(HashMap::new()),
        })
    }

    /// Starts the sweeper: expired uploads, trash past retention, unreferenced blocks.
    pub fn start_background(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(me.settings.sweep_interval);
            loop {
                tick.tick().await;
                if let Err(e) = me.sweep().await {
                    tracing::warn!(error = ?e, "drive sweep stopped early");
                }
            }
        });
    }

    /// A transaction that takes the write lock up front, so two of them never deadlock on
    /// upgrading a read lock (SQLite would fail one at once instead of waiting).
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.db.begin_with("BEGIN IMMEDIATE").await
    }

    /// One pass of the sweeper.
    pub async fn sweep(&self) -> Result<(), DriveError> {
        self.expire_uploads().await?;
        self.purge_old_trash().await?;
        self.collect_garbage().await
    }
}

#[cfg(test)]
mod tests;
