//! The seam between the cluster and where a region keeps its copies. Replication, the write
//! quorum, failover reads, verification and repair are written once against `BlobStore`; a
//! storage node of this project (`NodeClient`) is the first implementation, and an S3 bucket
//! can be another.

use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::store::ObjectMeta;
pub use model::cluster::PeerView;

/// The bytes of an object being stored. `Sync` because HTTP clients (reqwest) ask for it.
pub type PutBody = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + Sync>>;
/// The bytes of an object being read.
pub type GetBody = BoxStream<'static, Result<Bytes, BlobError>>;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("store unreachable: {0}")]
    Unreachable(String),
    #[error("store did not answer in time")]
    TimedOut,
    #[error("object not in this store")]
    NotFound,
    #[error("store answered {0}: {1}")]
    Status(u16, String),
}

/// What a store says about itself when asked for its health.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoreHealth {
    pub objects: u64,
    pub bytes: u64,
    pub capacity_bytes: u64,
}

/// A store's copy as it is now: what was recorded when it was written, and what its bytes
/// hash to when read again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RehashReport {
    pub recorded: ObjectMeta,
    pub actual_checksum: String,
    pub actual_size: u64,
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Where the store is, for /nodes and logs: never carries a credential.
    fn location(&self) -> &str;

    async fn health(&self, timeout: Duration) -> Result<StoreHealth, BlobError>;

    /// The store's own view of the other stores, where it has one (storage nodes ping peers).
    async fn peers(&self, _timeout: Duration) -> Vec<PeerView> {
        Vec::new()
    }

    /// Stores `body` as `id`; with `checksum`, the store keeps it only if it hashes to that.
    async fn put(
        &self,
        id: &str,
        body: PutBody,
        checksum: Option<&str>,
    ) -> Result<ObjectMeta, BlobError>;

    /// The object's bytes from `offset` on (never bytes from anywhere else).
    async fn get_from(&self, id: &str, offset: u64) -> Result<GetBody, BlobError>;

    async fn head(&self, id: &str) -> Result<ObjectMeta, BlobError>;

    /// Deletes the object; one that is not there counts as deleted.
    async fn delete(&self, id: &str) -> Result<(), BlobError>;

    /// One page of the store's objects with ids after `after`, in id order.
    async fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<ObjectMeta>, BlobError>;

    /// Reads the object again and hashes what is stored now.
    async fn rehash(&self, id: &str) -> Result<RehashReport, BlobError>;

    /// A storage node's base URL, when the store is one (nodes copy from each other directly).
    fn node_url(&self) -> Option<&str> {
        None
    }

    /// Copies the object from `source` into this store, keeping it only if it hashes to
    /// `checksum`: straight from the source where both can (node to node), else through here.
    async fn copy_from(
        &self,
        id: &str,
        source: &dyn BlobStore,
        checksum: &str,
    ) -> Result<ObjectMeta, BlobError> {
        if let Some(from) = source.node_url() {
            if let Some(pulled) = self.pull(id, from, checksum).await {
                return pulled;
            }
        }
        copy_through(self, id, source, checksum).await
    }

    /// Has the store copy the object itself from the storage node at `from`; `None` where it
    /// cannot (only nodes can).
    async fn pull(
        &self,
        _id: &str,
        _from: &str,
        _checksum: &str,
    ) -> Option<Result<ObjectMeta, BlobError>> {
        None
    }
}

/// Copies an object between two stores through this process, one bounded channel's worth of
/// bytes at a time.
async fn copy_through<T: BlobStore + ?Sized>(
    target: &T,
    id: &str,
    source: &dyn BlobStore,
    checksum: &str,
) -> Result<ObjectMeta, BlobError> {
    let mut bytes = source.get_from(id, 0).await?;
    let (tx, rx) = mpsc::channel(4);
    let pump = async move {
        while let Some(chunk) = bytes.next().await {
            let chunk = chunk.map_err(std::io::Error::other);
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                break;
            }
        }
    };
    let (stored, ()) = futures::join!(
        target.put(id, Box::pin(ReceiverStream::new(rx)), Some(checksum)),
        pump
    );
    stored
}
