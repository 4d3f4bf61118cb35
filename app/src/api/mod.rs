//! The HTTP API: typed server functions under `/api/...`, shared by the browser and curl.

pub mod auth;
pub mod client;
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod context;
pub mod drive;
mod error;
pub mod skillshare;

pub use error::ApiError;

use serde::{Deserialize, Serialize};

/// A plain acknowledgement with something to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub message: String,
}

impl Ack {
    pub fn new(message: impl Into<String>) -> Ack {
        Ack {
            message: message.into(),
        }
    }
}
