//! Domain services of the cloud drive: plain Rust, no web framework types, so they are
//! unit-tested with `cargo test` and shared by the server functions, routes and CLI.

pub mod auth;
pub mod background;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod db;
pub mod drive;
pub mod error;
pub mod ids;
pub mod leader;
pub mod mail;
pub mod rate_limit;
pub mod secrets;
pub mod skillshare;

pub use config::Config;
