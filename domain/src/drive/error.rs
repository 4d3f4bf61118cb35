use model::drive::human_bytes;

use crate::cluster::ClusterError;
use crate::error::{BoxError, ErrorKind, UserFacing};

#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    #[error("{0}")]
    Invalid(String),
    /// Also the answer for another user's ids: as if they did not exist.
    #[error("No such {0}.")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("Something named \u{201c}{0}\u{201d} is already in this folder.")]
    NameTaken(String),
    /// A chunk whose bytes came too slowly, cut off.
    #[error("{0}")]
    TooSlow(String),
    /// A download link that is forged or expired.
    #[error("{0}")]
    Forbidden(String),
    /// Too many wrong link passwords from one client.
    #[error("Too many wrong passwords. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error(
        "Your drive holds {items} files and folders (the trash and unfinished uploads \
         included), the most an account may have ({max}). Delete some, or empty the trash, to \
         add more."
    )]
    TooManyItems { items: i64, max: i64 },
    /// A link serving as many downloads at once as it may.
    #[error("This link is serving {max} downloads at once already. Try again in a moment.")]
    LinkBusy { max: i64 },
    /// No room in the owner's drive for a file sent through their drop link: the stranger
    /// learns nothing of the owner's quota.
    #[error("This file drop is full: it cannot take this file.")]
    DropFull,
    #[error("{}", quota_message(*.needed, *.free, *.trash))]
    QuotaExceeded { needed: u64, free: i64, trash: i64 },
    #[error(transparent)]
    Storage(#[from] ClusterError),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] BoxError),
}

fn quota_message(needed: u64, free: i64, trash: i64) -> String {
    let mut message = format!(
        "Not enough room: this needs {} and your drive has {} left.",
        human_bytes(needed),
        human_bytes(free)
    );
    if trash > 0 {
        message.push_str(&format!(
            " Emptying the trash would free {}.",
            human_bytes(trash)
        ));
    }
    message
}

impl DriveError {
    pub(super) fn internal(e: impl Into<BoxError>) -> DriveError {
        DriveError::Internal(e.into())
    }

    pub(super) fn name_taken(name: &str) -> DriveError {
        DriveError::NameTaken(name.to_owned())
    }
}

impl From<sqlx::Error> for DriveError {
    fn from(e: sqlx::Error) -> Self {
        DriveError::Internal(e.into())
    }
}

impl UserFacing for DriveError {
    fn kind(&self) -> ErrorKind {
        match self {
            DriveError::Invalid(_) => ErrorKind::Invalid,
            DriveError::NotFound(_) => ErrorKind::NotFound,
            DriveError::Conflict(_) => ErrorKind::Conflict,
            DriveError::NameTaken(_) => ErrorKind::NameTaken,
            DriveError::TooManyItems { .. } => ErrorKind::Conflict,
            DriveError::TooSlow(_) => ErrorKind::TooSlow,
            DriveError::Forbidden(_) => ErrorKind::Forbidden,
            DriveError::LinkBusy { .. } => ErrorKind::TooManyRequests {
                retry_after_secs: 10,
            },
            DriveError::Throttled { retry_after_secs } => ErrorKind::TooManyRequests {
                retry_after_secs: *retry_after_secs,
            },
            DriveError::QuotaExceeded { .. } | DriveError::DropFull => {
                ErrorKind::InsufficientStorage
            }
            DriveError::Storage(e) => e.kind(),
            DriveError::Internal(_) => ErrorKind::Internal,
        }
    }
}
