//! The HTTP API: typed server functions under `/api/...`, shared by the browser and curl.

pub mod auth;
pub mod client;
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod context;
pub mod drive;
mod error;
pub mod shares;
pub mod skillshare;

pub use error::ApiError;

pub use model::Ack;
