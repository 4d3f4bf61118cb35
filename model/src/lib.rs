//! Data types that cross the wire: produced by the domain services on the server and shown
//! by the pages in the browser. Only serde here, so it builds for wasm too.

pub mod cluster;
pub mod drive;
pub mod skillshare;
