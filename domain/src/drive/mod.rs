//! The drive: each user's files and folders, on the storage cluster, within a quota.
//!
//! A file is a list of blocks (the chunks it was uploaded in), each block its own replicated
//! cluster object. So a chunk streams straight into the cluster, memory stays flat whatever
//! the size, and an interrupted upload resumes at the first block the server lacks.

mod bundle;
mod download;
mod entries;
mod error;
mod garbage;
pub mod names;
mod paging;
mod previews;
mod shares;
mod trash;
mod uploads;
mod usage;
mod versions;
pub mod webdav;

use std::sync::Arc;
use std::time::Duration;

pub use bundle::MAX_SELECTED;
pub use download::{OpenFile, SignedLink};
pub use error::DriveError;
pub use model::drive::*;
pub use previews::{make_thumbnail, THUMBNAIL_SIDE};
pub use shares::{DownloadCount, OpenShare, SharedFolder, StreamSlot};
pub use uploads::Uploader;
pub use usage::set_quota;

use crate::auth::password::Hasher;
use crate::background::{Background, Ran, Schedule};
use crate::clock::Clock;
use crate::cluster::Cluster;
use crate::db::Db;
use crate::secrets::Secrets;

/// The advisory lock key (PostgreSQL) that the drive's write transactions share.
const DRIVE_WRITE_LOCK: i64 = 0x0064_7269_7665; // "drive"

#[derive(Debug, Clone)]
pub struct DriveSettings {
    /// A chunked upload with no chunk for this long is dropped and its reservation released.
    pub upload_expiry: Duration,
    /// A single-request upload whose bytes stop arriving (its client or an app server died)
    /// is dropped after this long without a chunk stored: its client cannot resume it.
    pub single_request_silence: Duration,
    /// Items stay in the trash this long, then are deleted for good.
    pub trash_retention: Duration,
    /// How often expired uploads, old trash and unreferenced blocks are cleared.
    pub sweep_interval: Duration,
    /// How long a signed download link works.
    pub link_lifetime: Duration,
    /// Unfinished uploads one account may have at once: each holds a reservation and a row
    /// until it finishes or expires, so an account cannot start them without end.
    pub max_unfinished_uploads: i64,
    /// Bytes per second a chunk must deliver over any `uploads::RATE_WINDOW` (0: no floor): a
    /// client trickling bytes would otherwise hold a connection and a claim for as long as it
    /// likes.
    pub min_upload_rate: u64,
    /// Rows in one page of a listing (`LIST_PAGE_SIZE`).
    pub list_page: i64,
    /// Files and folders one account may hold, the trash included (`MAX_ITEMS`).
    pub max_items: i64,
    /// Downloads through one link that may run at once (`MAX_LINK_DOWNLOADS`).
    pub max_link_downloads: i64,
    /// A version goes this long after it was replaced (`VERSIONS_DAYS`)...
    pub versions_kept_for: Duration,
    /// ...or once a file has this many newer ones (`VERSIONS_KEEP`), whichever comes first.
    pub versions_keep: i64,
}

impl Default for DriveSettings {
    fn default() -> Self {
        DriveSettings {
            upload_expiry: Duration::from_secs(24 * 3600),
            single_request_silence: Duration::from_secs(5 * 60),
            trash_retention: Duration::from_secs(30 * 24 * 3600),
            sweep_interval: Duration::from_secs(60),
            link_lifetime: Duration::from_secs(60),
            max_unfinished_uploads: 50,
            min_upload_rate: 64 * 1024,
            list_page: 200,
            max_items: 1_000_000,
            max_link_downloads: 8,
            versions_kept_for: Duration::from_secs(30 * 24 * 3600),
            versions_keep: 10,
        }
    }
}

pub struct Drive {
    db: Db,
    cluster: Arc<Cluster>,
    secrets: Arc<Secrets>,
    settings: DriveSettings,
    /// bcrypt for link passwords, sharing the accounts' pool of hashing slots.
    hasher: Hasher,
    /// Images being decoded for thumbnails: one per core at a time.
    decode_slots: Arc<tokio::sync::Semaphore>,
    clock: Clock,
}

impl Drive {
    pub fn new(
        db: Db,
        cluster: Arc<Cluster>,
        secrets: Arc<Secrets>,
        settings: DriveSettings,
        hasher: Hasher,
        clock: Clock,
    ) -> Arc<Drive> {
        Arc::new(Drive {
            db,
            cluster,
            secrets,
            settings,
            hasher,
            decode_slots: previews::decode_slots(),
            clock,
        })
    }

    /// Registers the sweeper (expired uploads, trash past retention, old versions, unreferenced
    /// blocks), on the leader only.
    pub fn start_jobs(self: &Arc<Self>, jobs: &Arc<Background>) {
        let me = self.clone();
        jobs.start(
            Schedule {
                name: "drive sweeper",
                every: self.settings.sweep_interval,
                leader_only: true,
                wake: None,
            },
            move || {
                let me = me.clone();
                async move { me.sweep().await.map(|()| Ran::Done) }
            },
        );
    }

    /// A transaction that takes the drive's write lock up front: its quota and name checks
    /// see every earlier writer, and (on SQLite) two of them never deadlock on upgrading a
    /// read lock.
    async fn write_tx(&self) -> Result<crate::db::Tx, sqlx::Error> {
        crate::db::write_tx(&self.db, DRIVE_WRITE_LOCK).await
    }

    /// One pass of the sweeper.
    pub async fn sweep(&self) -> Result<(), DriveError> {
        self.expire_uploads().await?;
        self.purge_old_trash().await?;
        self.expire_grants().await?;
        self.expire_versions().await?;
        self.collect_garbage().await
    }
}

#[cfg(test)]
mod tests;
