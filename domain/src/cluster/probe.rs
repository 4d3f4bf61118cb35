//! The write test: an end-to-end check that the cluster accepts and serves data.

use std::sync::Arc;

use futures::StreamExt;
use rand::RngCore;
use serde::Serialize;

use super::replicas;
use super::{Cluster, ClusterError};

/// The object the write test keeps (overwritten by each test, so they do not pile up).
pub const PROBE_ID: &str = "probe-object";

#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub bytes: u64,
    pub write_ms: u64,
    pub read_ms: u64,
    pub copies: usize,
}

impl Cluster {
    /// Writes 1 MiB of random bytes, reads them back and compares.
    pub async fn probe(self: &Arc<Self>) -> Result<ProbeReport, ClusterError> {
        let mut bytes = vec![0u8; 1024 * 1024];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let started = std::time::Instant::now();
        self.write(PROBE_ID, &bytes[..]).await?;
        let write_ms = millis(started);
        let started = std::time::Instant::now();
        let mut read = self.read(PROBE_ID, None).await?;
        let mut back = Vec::with_capacity(bytes.len());
        while let Some(chunk) = read.stream.next().await {
            back.extend_from_slice(&chunk?);
        }
        if back != bytes {
            return Err(ClusterError::Internal(
                "write test read back different bytes".into(),
            ));
        }
        let copies = replicas::good_replicas(&self.db, PROBE_ID).await?.len();
        Ok(ProbeReport {
            bytes: bytes.len() as u64,
            write_ms,
            read_ms: millis(started),
            copies,
        })
    }
}

fn millis(since: std::time::Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
