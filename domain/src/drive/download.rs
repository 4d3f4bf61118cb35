//! Downloads: short-lived signed links (a browser link cannot carry the bearer header), and a
//! file's bytes as one stream over its blocks, for the whole file or a byte range.

use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::StreamExt;

use super::{Drive, DriveError, Entry};
use crate::clock::now;
use crate::cluster::ByteRange;

/// The query of a signed download URL.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SignedLink {
    pub expires: i64,
    pub sig: String,
}

fn invalid_link() -> DriveError {
    DriveError::Forbidden("This download link is not valid. Get a new one from your drive.".into())
}

pub struct FileRead {
    pub entry: Entry,
    /// First byte served.
    pub start: u64,
    /// One past the last byte served.
    pub end: u64,
    /// A range was asked for and is served (HTTP 206).
    pub partial: bool,
    pub stream: BoxStream<'static, Result<Bytes, DriveError>>,
}

impl Drive {
    pub(super) fn link_mac(&self, user_id: &str, file_id: &str, expires: i64) -> String {
        self.secrets.mac(&[
            b"download",
            user_id.as_bytes(),
            file_id.as_bytes(),
            expires.to_string().as_bytes(),
        ])
    }

    /// A file the user can see; folders cannot be downloaded.
    async fn live_file(&self, user_id: &str, file_id: &str) -> Result<Entry, DriveError> {
        let entry = self.live_entry(user_id, file_id).await?;
        if entry.is_folder() {
            return Err(DriveError::Invalid(
                "Folders cannot be downloaded, only files.".into(),
            ));
        }
        Ok(entry)
    }

    /// A URL that downloads the file for the next minute or so, without the bearer header.
    pub async fn download_link(
        &self,
        user_id: &str,
        file_id: &str,
    ) -> Result<model::drive::DownloadLink, DriveError> {
        self.live_file(user_id, file_id).await?;
        let expires_at = now() + self.settings.link_lifetime.as_secs() as i64;
        let sig = self.link_mac(user_id, file_id, expires_at);
        Ok(model::drive::DownloadLink {
            url: format!("/api/files/download/{file_id}?expires={expires_at}&sig={sig}"),
            expires_at,
        })
    }

    /// The owner of the file, if the link is genuine and current.
    pub async fn check_link(&self, file_id: &str, link: &SignedLink) -> Result<String, DriveError> {
        // An unknown id reads like a bad signature: a link must not tell which ids exist.
        let owner = self.owner_of(file_id).await.map_err(|_| invalid_link())?;
        let genuine = crate::secrets::same_secret(
            link.sig.as_bytes(),
            self.link_mac(&owner, file_id, link.expires).as_bytes(),
        );
        if !genuine {
            return Err(invalid_link());
        }
        if link.expires < now() {
            return Err(DriveError::Forbidden(
                "This download link has expired. Get a new one from your drive.".into(),
            ));
        }
        Ok(owner)
    }

    /// Streams the user's file (not in the trash), or the part of it an HTTP `Range` value
    /// asks for: `bytes=N-`, `bytes=N-M` or `bytes=-N` (the last N). Other values (several
    /// ranges, other units) get the whole file, as HTTP allows.
    pub async fn open(
        &self,
        user_id: &str,
        file_id: &str,
        range: Option<&str>,
    ) -> Result<FileRead, DriveError> {
        let entry = self.live_file(user_id, file_id).await?;
        let size = entry.size as u64;
        let range = range.map(str::trim).and_then(|value| {
            match value.strip_prefix("bytes=-").map(str::parse::<u64>) {
                // "The last 0 bytes" is unsatisfiable: a start past the end says so.
                Some(Ok(0)) => Some(ByteRange {
                    start: size,
                    end: None,
                }),
                Some(Ok(last)) => Some(ByteRange {
                    start: size.saturating_sub(last),
                    end: None,
                }),
                Some(Err(_)) => None,
                None => ByteRange::parse(value),
            }
        });
        let partial = range.is_some();
        let (start, end) = match range {
            None => (0, size),
            Some(r) if r.start < size && r.end.is_none_or(|e| e >= r.start) => {
                (r.start, r.end.map_or(size, |e| e.min(size - 1) + 1))
            }
            Some(_) => {
                return Err(crate::cluster::ClusterError::RangeNotSatisfiable { size }.into())
            }
        };
        let blocks: Vec<(String, i64)> =
            sqlx::query_as("SELECT object_id, size FROM blocks WHERE file_id = ? ORDER BY idx")
                .bind(file_id)
                .fetch_all(&self.db)
                .await?;
        // The part of each block inside [start, end), as a range within the block.
        let mut parts = Vec::new();
        let mut offset = 0u64;
        for (object, block_size) in blocks {
            let (from, to) = (offset, offset + block_size as u64);
            if to > start && from < end {
                parts.push((object, start.max(from) - from, end.min(to) - from - 1));
            }
            offset = to;
        }
        let cluster = self.cluster.clone();
        let stream = stream::iter(parts)
            .then(move |(object, first, last)| {
                let cluster = cluster.clone();
                async move {
                    let range = ByteRange {
                        start: first,
                        end: Some(last),
                    };
                    cluster.read(&object, Some(range)).await
                }
            })
            .flat_map(|opened| match opened {
                Ok(read) => read.stream.map(|b| b.map_err(DriveError::from)).boxed(),
                Err(e) => stream::once(async move { Err(e.into()) }).boxed(),
            })
            .boxed();
        Ok(FileRead {
            entry,
            start,
            end,
            partial,
            stream,
        })
    }
}
