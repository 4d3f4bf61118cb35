//! Data types that cross the wire (every one of them lives here): produced on the server and
//! shown by the pages in the browser. Serde only, so it builds for wasm too; the server alone
//! turns on the `sqlx` feature to read rows straight into some of them.

pub mod auth;
pub mod cluster;
pub mod drive;
pub mod skillshare;

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
