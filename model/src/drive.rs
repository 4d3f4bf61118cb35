//! The drive: files and folders, usage against quota, uploads and downloads.

use serde::{Deserialize, Serialize};

/// Uploads travel in chunks of this size (the last one may be shorter).
pub const CHUNK_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Folder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub kind: EntryKind,
    pub name: String,
    /// The folder holding it; `None` at the top of the drive.
    pub parent_id: Option<String>,
    /// Bytes (0 for folders).
    pub size: i64,
    /// Media type (empty for folders).
    pub mime: String,
    pub created_at: i64,
    pub modified_at: i64,
    /// Healthy copies of the file's least-replicated block (3 when fully replicated). `None`
    /// for folders.
    pub copies: Option<u32>,
    /// When it went to the trash, for items in the trash.
    pub trashed_at: Option<i64>,
    /// A signed URL of its thumbnail (images only, in listings), usable in `<img>` for an hour
    /// or so: the same all hour, so the browser caches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
}

impl Entry {
    pub fn is_folder(&self) -> bool {
        self.kind == EntryKind::Folder
    }
}

/// A step of the breadcrumbs: a folder and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crumb {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub quota_bytes: i64,
    /// Stored files, the trash included.
    pub used_bytes: i64,
    /// The part of `used_bytes` that is in the trash.
    pub trash_bytes: i64,
    /// Held for uploads in progress.
    pub reserved_bytes: i64,
}

impl Usage {
    /// What a new upload may still use.
    pub fn free_bytes(&self) -> i64 {
        (self.quota_bytes - self.used_bytes - self.reserved_bytes).max(0)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    Name,
    Size,
    Date,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// The folder to list; the top of the drive when `None`.
    #[serde(default)]
    pub folder_id: Option<String>,
    /// Search the whole drive for names containing this, instead of listing a folder.
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub sort: SortBy,
    #[serde(default)]
    pub descending: bool,
    /// Where the page starts: the previous page's `next_cursor` (the first page without it).
    #[serde(default)]
    pub cursor: Option<String>,
    /// Rows per page (the server's `LIST_PAGE_SIZE` without it; at most 1000).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// From the top of the drive down to the listed folder (empty at the top).
    pub path: Vec<Crumb>,
    /// Folders first, then files, each group in the requested order.
    pub entries: Vec<Entry>,
    pub usage: Usage,
    /// Present when more rows follow: ask again with it as `cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadStart {
    pub name: String,
    pub size: u64,
    #[serde(default)]
    pub folder_id: Option<String>,
    /// The media type the browser reports; guessed from the name when empty.
    #[serde(default)]
    pub mime: Option<String>,
    /// Anything that tells this file from another of the same name and size (a browser sends
    /// its last-modified time). Starting again resumes only when it matches.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// What to do when the folder already holds this name.
    #[serde(default)]
    pub on_conflict: OnConflict,
}

/// What an upload does when its folder already holds the name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Refused (409), so the person uploading can choose.
    #[default]
    Fail,
    /// The file's content is replaced; the old content becomes a version.
    Replace,
    /// The upload gets a numbered name ("report (1).pdf").
    KeepBoth,
}
#[cfg(feature = "sqlx")]
crate::any_text_type!(OnConflict);

/// An earlier content of a file, kept when an upload replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Version {
    pub id: String,
    /// 1 for the file's first replaced content, and on.
    pub number: i64,
    pub size: i64,
    pub mime: String,
    /// When this content was uploaded.
    pub created_at: i64,
    /// When a newer upload (or a restore) replaced it.
    pub replaced_at: i64,
    /// The drop link it came through ('' when the owner uploaded it).
    #[serde(default)]
    pub share_id: String,
}

/// An upload in progress: send chunks `next_chunk..chunks`, then finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTicket {
    pub upload_id: String,
    pub chunk_size: u64,
    pub chunks: u64,
    /// The first chunk the server does not have yet (more than 0 when resuming).
    pub next_chunk: u64,
    /// The upload and its reservation are dropped if no chunk arrives before this time.
    pub expires_at: i64,
}

/// An unfinished upload: starting the same name and size into the same folder resumes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingUpload {
    pub upload_id: String,
    pub name: String,
    pub folder_id: Option<String>,
    pub size: u64,
    pub received_bytes: u64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkReceived {
    pub next_chunk: u64,
    pub received_bytes: u64,
}

/// Where a file's copies are: one line per storage node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCopy {
    pub node: String,
    pub region: String,
    /// Blocks of the file this node holds a verified copy of.
    pub blocks_held: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDetail {
    pub entry: Entry,
    /// BLAKE3 of the whole file, hex.
    pub checksum: String,
    /// The file is stored as this many blocks, each replicated on its own.
    pub blocks: u64,
    pub nodes: Vec<NodeCopy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadLink {
    /// Relative URL, valid until `expires_at`, for this user and file only.
    pub url: String,
    pub expires_at: i64,
}

/// Media types the server makes thumbnails of (the image formats every browser shows).
pub fn has_thumbnail(mime: &str) -> bool {
    matches!(
        mime.split(';').next().unwrap_or_default().trim(),
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    )
}

/// Byte counts for people: "1.5 GB" (decimal units, as drives are sold).
pub fn human_bytes(n: impl TryInto<i64>) -> String {
    let n: i64 = n.try_into().unwrap_or(i64::MAX);
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", n.max(0))
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
