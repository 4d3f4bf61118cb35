//! Writes: the bytes stream to every reachable node at once through small bounded channels
//! while their BLAKE3 is computed, so memory stays flat whatever the size. The write succeeds
//! when at least two nodes hold the whole object durably with the right checksum; a missing
//! copy goes on the repair queue. Fewer than two leaves nothing behind.

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::blob_store::BlobError;
use super::replicas::{self, ReplicaState};
use super::store::{valid_id, ObjectMeta};
use super::{Cluster, ClusterError, Node, SEGMENT, WRITE_QUORUM};

/// Per-node queue depth: at most SEGMENT * (DEPTH + 2) bytes per node in flight.
const DEPTH: usize = 4;

/// Why the copy loop stopped early.
enum Stop {
    /// The input failed (the client went away): nothing is stored.
    Input(std::io::Error),
    /// Fewer than two nodes are still taking data.
    TooFewNodes,
}

struct Target<'a> {
    node: &'a Node,
    tx: Option<mpsc::Sender<Result<Bytes, std::io::Error>>>,
    upload: tokio::task::JoinHandle<Result<ObjectMeta, BlobError>>,
}

impl Cluster {
    pub async fn write(
        &self,
        id: &str,
        mut body: impl AsyncRead + Unpin + Send,
    ) -> Result<ObjectMeta, ClusterError> {
        if !valid_id(id) {
            return Err(ClusterError::InvalidId);
        }
        let mut reachable = self.up_nodes_nearest_first();
        if reachable.len() < WRITE_QUORUM {
            // The health view may be a check behind (a busy node answered late): try them all,
            // and let the write itself find out which nodes take data.
            reachable = self.nodes.iter().collect();
        }
        let mut targets: Vec<Target> = reachable
            .into_iter()
            .map(|node| {
                let (tx, rx) = mpsc::channel(DEPTH);
                let store = node.store.clone();
                let id = id.to_owned();
                let upload = tokio::spawn(async move {
                    store
                        .put(&id, Box::pin(ReceiverStream::new(rx)), None)
                        .await
                });
                Target {
                    node,
                    tx: Some(tx),
                    upload,
                }
            })
            .collect();

        let mut hasher = blake3::Hasher::new();
        // `fill` hands out whole segments (the last may be short): each is hashed on its own too.
        let mut segment_hashes = Vec::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; SEGMENT];
        let stopped = loop {
            let n = match fill(&mut body, &mut buf).await {
                Ok(0) => break None,
                Ok(n) => n,
                Err(e) => break Some(Stop::Input(e)),
            };
            hasher.update(&buf[..n]);
            segment_hashes.extend_from_slice(blake3::hash(&buf[..n]).as_bytes());
            size += n as u64;
            let chunk = Bytes::copy_from_slice(&buf[..n]);
            for t in targets.iter_mut() {
                // A node whose upload failed has dropped its end: stop feeding it.
                if let Some(tx) = &t.tx {
                    if tx.send(Ok(chunk.clone())).await.is_err() {
                        t.tx = None;
                    }
                }
            }
            if targets.iter().filter(|t| t.tx.is_some()).count() < WRITE_QUORUM {
                break Some(Stop::TooFewNodes);
            }
        };
        for t in targets.iter_mut() {
            if let Some(tx) = t.tx.take() {
                if stopped.is_some() {
                    // Fail the upload so the node discards its temp file.
                    let _ = tx.send(Err(std::io::Error::other("write abandoned"))).await;
                }
                // Dropping the sender ends the body.
            }
        }
        let checksum = hasher.finalize().to_hex().to_string();

        let mut stored = Vec::new();
        let mut missing = Vec::new();
        for t in targets {
            match t.upload.await {
                Ok(Ok(meta)) if meta.checksum == checksum && meta.size == size => {
                    stored.push(t.node)
                }
                Ok(Ok(_)) => {
                    // A node that stored different bytes must not keep them.
                    let _ = t.node.store.delete(id).await;
                    missing.push(t.node.spec.name.clone());
                }
                Ok(Err(e)) => {
                    tracing::warn!(node = %t.node.spec.name, error = %e, object = id, "replica write failed");
                    missing.push(t.node.spec.name.clone());
                }
                Err(e) => {
                    tracing::warn!(node = %t.node.spec.name, error = %e, object = id, "replica task failed");
                    missing.push(t.node.spec.name.clone());
                }
            }
        }
        if stopped.is_some() || stored.len() < WRITE_QUORUM {
            for node in &stored {
                let _ = node.store.delete(id).await;
            }
            return Err(match stopped {
                Some(Stop::Input(e)) => ClusterError::Interrupted(e.to_string()),
                Some(Stop::TooFewNodes) | None => ClusterError::Unavailable,
            });
        }
        // Nodes that were down never got a channel: they are missing too.
        for n in &self.nodes {
            let name = &n.spec.name;
            if !stored.iter().any(|s| &s.spec.name == name) && !missing.contains(name) {
                missing.push(name.clone());
            }
        }
        let meta = ObjectMeta {
            id: id.to_owned(),
            size,
            checksum,
        };
        let segment_hashes = (size > SEGMENT as u64).then_some(segment_hashes.as_slice());
        self.record_write(&meta, segment_hashes, &stored, &missing)
            .await?;
        Ok(meta)
    }

    async fn record_write(
        &self,
        meta: &ObjectMeta,
        segment_hashes: Option<&[u8]>,
        stored: &[&Node],
        missing: &[String],
    ) -> Result<(), ClusterError> {
        let t = self.clock.now();
        let mut tx = self.db.begin().await?;
        replicas::record_object(&mut *tx, meta, segment_hashes, t).await?;
        for node in stored {
            replicas::record_replica(&mut *tx, &meta.id, &node.spec.name, ReplicaState::Ok, t)
                .await?;
        }
        for node in missing {
            replicas::record_replica(&mut *tx, &meta.id, node, ReplicaState::Missing, t).await?;
            replicas::queue_repair(&mut *tx, &meta.id, node, t).await?;
        }
        tx.commit().await?;
        if !missing.is_empty() {
            self.repair_needed.notify_one();
        }
        Ok(())
    }
}

/// Reads until `buf` is full or the input ends, so chunks are large and few.
async fn fill(body: &mut (impl AsyncRead + Unpin), buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = body.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}
