//! Downloads: short-lived signed links (a browser link cannot carry the bearer header), and a
//! file's bytes as one stream over its blocks, for the whole file or a byte range.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::StreamExt;

use super::{Drive, DriveError, Entry};
use crate::cluster::{Cluster, ClusterError};
use crate::ids::{EntryId, UserId};

/// The query of a signed download URL.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SignedLink {
    pub expires: i64,
    pub sig: String,
}

/// How long the preview pane's link works (a video watched and sought for this long).
const PREVIEW_LINK_LIFETIME: std::time::Duration = std::time::Duration::from_secs(4 * 3600);

fn invalid_link() -> DriveError {
    DriveError::Forbidden("This download link is not valid. Get a new one from your drive.".into())
}

/// A file opened for reading: its entry (size, name, type) and where its blocks are.
#[derive(Clone)]
pub struct OpenFile {
    pub entry: Entry,
    /// Each block's object and size, in order.
    blocks: Vec<(String, u64)>,
    cluster: Arc<Cluster>,
}

impl Drive {
    pub(super) fn link_mac(&self, user_id: &UserId, file_id: &str, expires: i64) -> String {
        self.secrets.mac(&[
            b"download",
            user_id.as_str().as_bytes(),
            file_id.as_bytes(),
            expires.to_string().as_bytes(),
        ])
    }

    /// A signed URL of an image's thumbnail, valid until the end of the next hour (the same
    /// URL all hour, so browsers cache the image); `None` for other entries.
    pub(super) fn thumbnail_link(&self, user_id: &UserId, entry: &Entry) -> Option<String> {
        if entry.is_folder() || !super::has_thumbnail(&entry.mime) {
            return None;
        }
        let hour = 3600;
        let expires = (self.clock.now() / hour + 2) * hour;
        let sig = self.thumbnail_mac(user_id, &entry.id, expires);
        Some(format!(
            "/api/files/thumbnail/{}?expires={expires}&sig={sig}",
            entry.id
        ))
    }

    fn thumbnail_mac(&self, user_id: &UserId, file_id: &str, expires: i64) -> String {
        self.secrets.mac(&[
            b"thumbnail",
            user_id.as_str().as_bytes(),
            file_id.as_bytes(),
            expires.to_string().as_bytes(),
        ])
    }

    /// The thumbnail a signed URL names, if the signature is genuine and current.
    pub async fn signed_thumbnail(
        &self,
        file_id: &EntryId,
        link: &SignedLink,
    ) -> Result<Vec<u8>, DriveError> {
        let owner = self.owner_of(file_id).await.map_err(|_| invalid_link())?;
        let genuine = crate::secrets::same_secret(
            link.sig.as_bytes(),
            self.thumbnail_mac(&owner, file_id.as_str(), link.expires)
                .as_bytes(),
        );
        if !genuine || link.expires < self.clock.now() {
            return Err(invalid_link());
        }
        self.thumbnail(&owner, file_id).await
    }

    /// A file the user can see; folders cannot be downloaded.
    async fn live_file(&self, user_id: &UserId, file_id: &str) -> Result<Entry, DriveError> {
        let entry = self.live_entry(user_id, file_id).await?;
        if entry.is_folder() {
            return Err(DriveError::Invalid(
                "Folders cannot be downloaded, only files.".into(),
            ));
        }
        Ok(entry)
    }

    /// A signature that lets the file be downloaded for the next minute or so without the
    /// bearer header (the web layer puts it in the link's URL).
    pub async fn download_link(
        &self,
        user_id: &UserId,
        file_id: &EntryId,
    ) -> Result<SignedLink, DriveError> {
        self.signed_link(user_id, file_id, self.settings.link_lifetime)
            .await
    }

    /// A link for the preview pane's players, which fetch ranges as the person seeks: for
    /// `PREVIEW_LINK_LIFETIME`.
    pub async fn preview_link(
        &self,
        user_id: &UserId,
        file_id: &EntryId,
    ) -> Result<SignedLink, DriveError> {
        self.signed_link(user_id, file_id, PREVIEW_LINK_LIFETIME)
            .await
    }

    async fn signed_link(
        &self,
        user_id: &UserId,
        file_id: &EntryId,
        lifetime: std::time::Duration,
    ) -> Result<SignedLink, DriveError> {
        let file_id = file_id.as_str();
        self.open(user_id, &file_id.into()).await?;
        let expires = self.clock.now() + crate::db::to_i64(lifetime.as_secs());
        let sig = self.link_mac(user_id, file_id, expires);
        Ok(SignedLink { expires, sig })
    }

    /// The owner of the file, if the link is genuine and current.
    pub async fn check_link(
        &self,
        file_id: &EntryId,
        link: &SignedLink,
    ) -> Result<UserId, DriveError> {
        // An unknown id reads like a bad signature: a link must not tell which ids exist.
        let owner = self.owner_of(file_id).await.map_err(|_| invalid_link())?;
        let file_id = file_id.as_str();
        let genuine = crate::secrets::same_secret(
            link.sig.as_bytes(),
            self.link_mac(&owner, file_id, link.expires).as_bytes(),
        );
        if !genuine {
            return Err(invalid_link());
        }
        if link.expires < self.clock.now() {
            return Err(DriveError::Forbidden(
                "This download link has expired. Get a new one from your drive.".into(),
            ));
        }
        Ok(owner)
    }

    /// Opens the user's file (not in the trash), or a version of one, for reading.
    pub async fn open(&self, user_id: &UserId, file_id: &EntryId) -> Result<OpenFile, DriveError> {
        let file_id = file_id.as_str();
        let (entry, blocks) = match self.live_file(user_id, file_id).await {
            Ok(entry) => {
                let blocks: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT object_id, size FROM blocks WHERE file_id = $1 ORDER BY idx",
                )
                .bind(file_id)
                .fetch_all(&self.db)
                .await?;
                (entry, blocks)
            }
            Err(DriveError::NotFound(what)) => match self.open_version(user_id, file_id).await {
                Ok(version) => version,
                Err(DriveError::NotFound(_)) => return Err(DriveError::NotFound(what)),
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        };
        Ok(OpenFile {
            entry,
            blocks: blocks
                .into_iter()
                .map(|(object, size)| (object, crate::db::to_u64(size)))
                .collect(),
            cluster: self.cluster.clone(),
        })
    }
}

impl OpenFile {
    /// The bytes in `range` (within the file's size, as the caller has checked), as one
    /// stream over the blocks it touches.
    pub fn read(self, range: Range<u64>) -> BoxStream<'static, Result<Bytes, DriveError>> {
        // The part of each block inside the range, as a range within the block.
        let mut parts = Vec::new();
        let mut offset = 0u64;
        for (object, block_size) in self.blocks {
            let block = offset..offset + block_size;
            if block.end > range.start && block.start < range.end {
                let within = range.start.max(block.start) - block.start
                    ..range.end.min(block.end) - block.start;
                parts.push((object, within));
            }
            offset = block.end;
        }
        let cluster = self.cluster;
        // The cluster checks every segment before serving it. The next block's read starts in
        // its own task while this one is being sent (a future would only move when polled,
        // which the body writer does not do while it writes), so it is ready when needed.
        stream::iter(parts)
            .map(move |(object, within)| {
                let cluster = cluster.clone();
                let task = tokio::spawn(async move { cluster.read(&object, Some(within)).await });
                async move {
                    task.await
                        .unwrap_or_else(|e| Err(ClusterError::Internal(e.into())))
                }
            })
            .buffered(2)
            .flat_map(|opened| match opened {
                Ok(read) => read.stream.map(|b| b.map_err(DriveError::from)).boxed(),
                Err(e) => stream::once(async move { Err(e.into()) }).boxed(),
            })
            .boxed()
    }
}
