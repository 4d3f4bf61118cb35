//! Reads, nearest healthy replica first.
//! - Objects up to one drive chunk (every block of every file) are fetched whole and checked
//!   against their recorded BLAKE3 before any byte is served; a copy that fails is marked
//!   corrupt and queued for repair, and the next replica is tried. With no intact copy the read
//!   fails: a wrong byte is never served.
//! - Larger objects (written only through the cluster API) stream, continuing from the next
//!   replica at the same offset if a node fails; a whole read is checked at its end.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;
use model::drive::CHUNK_SIZE;

use super::blob_store::BlobError;
use super::store::ObjectMeta;
use super::{replicas, Cluster, ClusterError, Node};

pub struct ObjectRead {
    pub meta: ObjectMeta,
    /// First byte served.
    pub start: u64,
    /// One past the last byte served.
    pub end: u64,
    pub stream: BoxStream<'static, Result<Bytes, ClusterError>>,
}

struct Reader {
    cluster: Arc<Cluster>,
    meta: ObjectMeta,
    offset: u64,
    end: u64,
    replicas: VecDeque<Node>,
    current: Option<BoxStream<'static, Result<Bytes, BlobError>>>,
    /// Only when the whole object is served.
    hasher: Option<blake3::Hasher>,
    done: bool,
}

impl Reader {
    async fn next(&mut self) -> Option<Result<Bytes, ClusterError>> {
        if self.done {
            return None;
        }
        loop {
            if self.offset >= self.end {
                self.done = true;
                self.check_whole_object();
                return None;
            }
            if self.current.is_none() {
                let Some(node) = self.replicas.pop_front() else {
                    self.done = true;
                    tracing::error!(object = %self.meta.id, offset = self.offset, "no replica could serve the rest");
                    return Some(Err(ClusterError::Unavailable));
                };
                match node.store.get_from(&self.meta.id, self.offset).await {
                    Ok(stream) => self.current = Some(stream),
                    Err(e) => {
                        tracing::warn!(node = %node.spec.name, object = %self.meta.id, error = %e, "replica unavailable, trying the next");
                        continue;
                    }
                }
            }
            let Some(current) = self.current.as_mut() else {
                continue;
            };
            match current.next().await {
                Some(Ok(mut bytes)) => {
                    let wanted = usize::try_from(self.end - self.offset).unwrap_or(usize::MAX);
                    if bytes.len() > wanted {
                        bytes.truncate(wanted);
                    }
                    if bytes.is_empty() {
                        continue;
                    }
                    self.offset += bytes.len() as u64;
                    if let Some(h) = self.hasher.as_mut() {
                        h.update(&bytes);
                    }
                    return Some(Ok(bytes));
                }
                Some(Err(e)) => {
                    tracing::warn!(object = %self.meta.id, offset = self.offset, error = %e, "replica failed mid-transfer, continuing from the next");
                    self.current = None;
                }
                None => {
                    // Ended early: a truncated replica. Continue elsewhere.
                    tracing::warn!(object = %self.meta.id, offset = self.offset, "replica ended early, continuing from the next");
                    self.current = None;
                }
            }
        }
    }

    fn check_whole_object(&mut self) {
        let Some(hasher) = self.hasher.take() else {
            return;
        };
        let actual = hasher.finalize().to_hex().to_string();
        if actual != self.meta.checksum {
            tracing::error!(object = %self.meta.id, "served bytes do not match the recorded checksum; verifying replicas");
            let (cluster, id) = (self.cluster.clone(), self.meta.id.clone());
            tokio::spawn(async move {
                let _ = cluster.verify(&id).await;
            });
        }
    }
}

impl Cluster {
    /// The recorded size and checksum of a stored object.
    pub async fn meta(&self, id: &str) -> Result<ObjectMeta, ClusterError> {
        replicas::meta(&self.db, id).await
    }

    /// Names of the nodes a read would try, in order.
    pub async fn read_order(&self, id: &str) -> Result<Vec<String>, ClusterError> {
        Ok(self
            .replicas_for_reading(id)
            .await?
            .into_iter()
            .map(|n| n.spec.name)
            .collect())
    }

    /// Replicas believed good: up nodes nearest first, then the others (they may be back).
    async fn replicas_for_reading(&self, id: &str) -> Result<VecDeque<Node>, ClusterError> {
        let good = replicas::good_replicas(&self.db, id).await?;
        let mut ordered: VecDeque<Node> = self
            .up_nodes_nearest_first()
            .into_iter()
            .filter(|n| good.contains(&n.spec.name))
            .cloned()
            .collect();
        for n in &self.nodes {
            if good.contains(&n.spec.name) && !ordered.iter().any(|o| o.spec.name == n.spec.name) {
                ordered.push_back(n.clone());
            }
        }
        Ok(ordered)
    }

    /// Streams the object, or the bytes of it in `range` (which the caller has checked
    /// against the object's size; anything past the end is cut off).
    pub async fn read(
        self: &Arc<Self>,
        id: &str,
        range: Option<Range<u64>>,
    ) -> Result<ObjectRead, ClusterError> {
        let meta = self.meta(id).await?;
        let range = range.unwrap_or(0..meta.size);
        let end = range.end.min(meta.size);
        let start = range.start.min(end);
        if meta.size <= CHUNK_SIZE {
            let part = self.read_intact(&meta).await?.within(start..end);
            return Ok(ObjectRead {
                meta,
                start,
                end,
                stream: futures::stream::iter(part.into_iter().map(Ok)).boxed(),
            });
        }
        let reader = Reader {
            cluster: self.clone(),
            hasher: (start == 0 && end == meta.size).then(blake3::Hasher::new),
            replicas: self.replicas_for_reading(id).await?,
            meta: meta.clone(),
            offset: start,
            end,
            current: None,
            done: false,
        };
        let stream = futures::stream::unfold(reader, |mut r| async move {
            r.next().await.map(|item| (item, r))
        })
        .boxed();
        Ok(ObjectRead {
            meta,
            start,
            end,
            stream,
        })
    }

    /// The whole object from the first replica whose bytes match the recorded checksum.
    async fn read_intact(&self, meta: &ObjectMeta) -> Result<Fetched, ClusterError> {
        for node in self.replicas_for_reading(&meta.id).await? {
            match fetch_whole(&node, meta).await {
                Ok(fetched) if fetched.matches(meta) => return Ok(fetched),
                Ok(_) => {
                    tracing::error!(node = %node.spec.name, object = %meta.id, "replica failed its checksum; reading another, repairing this one");
                    self.mark_corrupt(&meta.id, &node.spec.name).await?;
                }
                Err(e) => {
                    tracing::warn!(node = %node.spec.name, object = %meta.id, error = %e, "replica unavailable, trying the next");
                }
            }
        }
        Err(ClusterError::NoIntactCopy)
    }
}

/// A replica's bytes as they arrived (kept as received, not copied into one buffer), hashed
/// on the way in.
struct Fetched {
    chunks: Vec<Bytes>,
    len: u64,
    checksum: blake3::Hash,
}

impl Fetched {
    fn matches(&self, meta: &ObjectMeta) -> bool {
        self.len == meta.size && self.checksum.to_hex().as_str() == meta.checksum
    }

    /// The chunks cut to the bytes in `range`.
    fn within(self, range: Range<u64>) -> Vec<Bytes> {
        let mut offset = 0u64;
        let mut out = Vec::new();
        for chunk in self.chunks {
            let chunk_range = offset..offset + chunk.len() as u64;
            offset = chunk_range.end;
            if chunk_range.end <= range.start || chunk_range.start >= range.end {
                continue;
            }
            // Both are offsets into this chunk, a slice of memory: they fit in usize.
            let from = usize::try_from(range.start.saturating_sub(chunk_range.start)).unwrap_or(0);
            let to = usize::try_from(range.end.min(chunk_range.end) - chunk_range.start)
                .unwrap_or(chunk.len());
            out.push(chunk.slice(from..to));
        }
        out
    }
}

/// A replica's bytes, up to one past the recorded size (more is a wrong copy anyway).
async fn fetch_whole(node: &Node, meta: &ObjectMeta) -> Result<Fetched, BlobError> {
    let mut stream = node.store.get_from(&meta.id, 0).await?;
    let mut fetched = Fetched {
        chunks: Vec::new(),
        len: 0,
        checksum: blake3::Hash::from_bytes([0; 32]),
    };
    let mut hasher = blake3::Hasher::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        hasher.update(&chunk);
        fetched.len += chunk.len() as u64;
        fetched.chunks.push(chunk);
        if fetched.len > meta.size {
            break;
        }
    }
    fetched.checksum = hasher.finalize();
    Ok(fetched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched() -> Fetched {
        let chunks = ["abc", "defg", "h"].map(|c| Bytes::from_static(c.as_bytes()));
        Fetched {
            chunks: chunks.to_vec(),
            len: 8,
            checksum: blake3::hash(b"abcdefgh"),
        }
    }

    #[test]
    fn a_range_is_cut_from_the_chunks_as_they_came() {
        let cut = |r: Range<u64>| fetched().within(r).concat();
        assert_eq!(cut(0..8), b"abcdefgh");
        assert_eq!(cut(2..5), b"cde");
        assert_eq!(cut(3..7), b"defg");
        assert_eq!(cut(7..8), b"h");
        assert_eq!(cut(4..4), b"");
        let meta = |checksum: String, size| ObjectMeta {
            id: "x".into(),
            size,
            checksum,
        };
        let right = blake3::hash(b"abcdefgh").to_hex().to_string();
        assert!(fetched().matches(&meta(right.clone(), 8)));
        assert!(!fetched().matches(&meta(right, 9)));
        assert!(!fetched().matches(&meta(blake3::hash(b"x").to_hex().to_string(), 8)));
    }
}
