//! The HTTP API: typed server functions under `/api/...`, shared by the browser and curl.

pub mod auth;
pub mod client;
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod context;
pub mod drive;
mod error;
mod resource;
pub mod shares;
pub mod skillshare;

pub use error::ApiError;
pub use resource::{api_resource, ApiResource};

pub use model::Ack;
