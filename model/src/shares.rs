//! Share links: a file or folder opened by anyone holding the link, and file drops (a folder
//! anyone with the link may upload into without seeing it).

use serde::{Deserialize, Serialize};

use crate::drive::EntryKind;

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    /// A page with the name and size (a folder's contents); nothing downloads.
    View,
    /// The page, plus downloads (a folder's files, or the whole folder as a zip).
    Download,
    /// Uploads into a folder, which stays unseen.
    Drop,
}
#[cfg(feature = "sqlx")]
crate::any_text_type!(ShareKind);

impl ShareKind {
    pub fn label(self) -> &'static str {
        match self {
            ShareKind::View => "View only",
            ShareKind::Download => "View and download",
            ShareKind::Drop => "File drop",
        }
    }
}

/// What creating a link asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRequest {
    pub item_id: String,
    pub kind: ShareKind,
    #[serde(default)]
    pub password: Option<String>,
    /// RFC 3339 ("2027-01-31T18:00:00Z"); the link answers 404 from then on.
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub max_downloads: Option<i64>,
}

/// A link just made: its id (to revoke it) and the URL to hand out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareCreated {
    pub id: String,
    pub url: String,
}

/// One of my links, as "Shared by me" lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub id: String,
    pub url: String,
    pub kind: ShareKind,
    pub item_id: String,
    pub item_name: String,
    pub item_kind: EntryKind,
    pub has_password: bool,
    pub expires_at: Option<i64>,
    pub max_downloads: Option<i64>,
    /// Downloads (a zip counts as one); one that broke off early is not counted.
    pub downloads: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}
