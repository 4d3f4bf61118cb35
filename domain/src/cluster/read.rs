//! Reads, nearest healthy replica first, one segment (1 MiB) at a time: each segment is
//! checked against its recorded BLAKE3 before any of its bytes are served. A replica that
//! fails a segment is marked corrupt and queued for repair, and the segment is fetched again
//! from the next replica at the same offset; a replica that breaks off is left the same way.
//! With no intact copy of a segment the read fails there: a wrong byte is never served.
//!
//! The fetching runs in its own task, a few segments ahead of the reader, so a download keeps
//! the network busy while it writes (and memory stays at those few segments).

use std::collections::{HashSet, VecDeque};
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::blob_store::{BlobError, GetBody};
use super::replicas::ReplicaState;
use super::store::ObjectMeta;
use super::verify::check_copy;
use super::{replicas, Cluster, ClusterError, Node, SEGMENT};

/// Segments fetched and checked ahead of the reader.
const AHEAD: usize = 4;
/// A replica that sends nothing for this long is left for the next one.
const STALL: Duration = Duration::from_secs(10);

pub struct ObjectRead {
    pub meta: ObjectMeta,
    /// First byte served.
    pub start: u64,
    /// One past the last byte served.
    pub end: u64,
    pub stream: BoxStream<'static, Result<Bytes, ClusterError>>,
}

/// What each segment is checked against.
enum Expected {
    /// The recorded hash of each segment.
    Segments(Vec<[u8; 32]>),
    /// An object recorded before segment hashes: a replica is used only once its whole copy
    /// re-hashes right where it lives. A whole read records the segment hashes it saw, so the
    /// next read checks segments like any other.
    Legacy {
        verified: HashSet<String>,
        seen: Vec<u8>,
    },
}

/// Why a replica could not give a segment.
enum Failed {
    /// It answered with something else than the segment: bad bytes, too few, none.
    Copy(ReplicaState),
    /// It could not be reached, or stalled (it may be fine later).
    Unavailable(BlobError),
}

struct SegmentReader {
    cluster: Arc<Cluster>,
    meta: ObjectMeta,
    expected: Expected,
    replicas: VecDeque<Node>,
    /// The stream from the first replica, positioned at `at`, with bytes already received
    /// past `at`.
    current: Option<(GetBody, BytesMut)>,
    at: u64,
}

impl SegmentReader {
    fn segment_len(&self, index: u64) -> u64 {
        (self.meta.size - index * SEGMENT as u64).min(SEGMENT as u64)
    }

    /// Serves the segments covering `range`, cut to it, until the reader goes away.
    async fn run(mut self, range: Range<u64>, tx: mpsc::Sender<Result<Bytes, ClusterError>>) {
        let (first, last) = (
            range.start / SEGMENT as u64,
            range.end.div_ceil(SEGMENT as u64),
        );
        // A whole read of a legacy object records its segment hashes at the end.
        let whole = first == 0 && last * SEGMENT as u64 >= self.meta.size;
        for index in first..last {
            let segment = match self.segment(index).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            if let (true, Expected::Legacy { seen, .. }) = (whole, &mut self.expected) {
                seen.extend_from_slice(blake3::hash(&segment).as_bytes());
            }
            let part = segment.slice(within(index * SEGMENT as u64, segment.len(), &range));
            if tx.send(Ok(part)).await.is_err() {
                return; // the reader went away
            }
        }
        if let (true, Expected::Legacy { seen, .. }) = (whole, &self.expected) {
            let db = &self.cluster.db;
            if let Err(e) = replicas::backfill_segment_hashes(db, &self.meta.id, seen).await {
                tracing::warn!(object = %self.meta.id, error = %e, "segment hashes not recorded");
            }
        }
    }

    /// Segment `index`, whole and checked, from the first replica that has it right.
    async fn segment(&mut self, index: u64) -> Result<Bytes, ClusterError> {
        let start = index * SEGMENT as u64;
        let len = self.segment_len(index);
        while let Some(node) = self.replicas.front().cloned() {
            let fetched = match self.usable(&node).await {
                Ok(()) => self.fetch(&node, start, len).await,
                Err(failed) => Err(failed),
            };
            match fetched {
                Ok(bytes) if self.intact(index, &bytes) => return Ok(bytes),
                Ok(_) => bad_copy(&self.cluster, &self.meta.id, &node, ReplicaState::Corrupt).await,
                Err(Failed::Copy(state)) => {
                    bad_copy(&self.cluster, &self.meta.id, &node, state).await
                }
                Err(Failed::Unavailable(e)) => {
                    tracing::warn!(node = %node.spec.name, object = %self.meta.id, offset = start, error = %e, "replica unavailable, continuing from the next");
                }
            }
            self.replicas.pop_front();
            self.current = None;
        }
        tracing::error!(object = %self.meta.id, segment = index, "no intact copy of this segment");
        Err(ClusterError::NoIntactCopy)
    }

    /// Whether the replica may be read from: always, except a legacy object's replica whose
    /// whole copy has not been re-hashed yet in this read.
    async fn usable(&mut self, node: &Node) -> Result<(), Failed> {
        let Expected::Legacy { verified, .. } = &mut self.expected else {
            return Ok(());
        };
        if verified.contains(&node.spec.name) {
            return Ok(());
        }
        match check_copy(node, &self.meta).await {
            Ok(ReplicaState::Ok) => {
                verified.insert(node.spec.name.clone());
                Ok(())
            }
            Ok(state) => Err(Failed::Copy(state)),
            Err(e) => Err(Failed::Unavailable(e)),
        }
    }

    /// `len` bytes at `start` from `node`, continuing its open stream when it is there.
    async fn fetch(&mut self, node: &Node, start: u64, len: u64) -> Result<Bytes, Failed> {
        if self.at != start {
            self.current = None;
        }
        let (mut stream, mut buffer) = match self.current.take() {
            Some(open) => open,
            None => match node.store.get_from(&self.meta.id, start).await {
                Ok(stream) => (stream, BytesMut::new()),
                Err(BlobError::NotFound) => return Err(Failed::Copy(ReplicaState::Missing)),
                Err(e) => return Err(Failed::Unavailable(e)),
            },
        };
        let want = usize::try_from(len).unwrap_or(SEGMENT);
        while buffer.len() < want {
            match tokio::time::timeout(STALL, stream.next()).await {
                Ok(Some(Ok(chunk))) => buffer.extend_from_slice(&chunk),
                Ok(Some(Err(e))) => return Err(Failed::Unavailable(e)),
                // A copy shorter than the object is a bad copy.
                Ok(None) => return Err(Failed::Copy(ReplicaState::Corrupt)),
                Err(_) => return Err(Failed::Unavailable(BlobError::TimedOut)),
            }
        }
        let segment = buffer.split_to(want).freeze();
        self.at = start + len;
        self.current = Some((stream, buffer));
        Ok(segment)
    }

    fn intact(&self, index: u64, bytes: &Bytes) -> bool {
        match &self.expected {
            Expected::Segments(hashes) => usize::try_from(index)
                .ok()
                .and_then(|i| hashes.get(i))
                .is_some_and(|h| blake3::hash(bytes) == blake3::Hash::from_bytes(*h)),
            Expected::Legacy { .. } => true,
        }
    }
}

/// Records a replica found bad (and queues its repair); the read goes on without it.
async fn bad_copy(cluster: &Cluster, id: &str, node: &Node, state: ReplicaState) {
    tracing::error!(node = %node.spec.name, object = id, ?state, "replica is bad; reading another, repairing this one");
    if let Err(e) = cluster.record_check(id, &node.spec.name, state).await {
        tracing::warn!(object = id, error = %e, "bad replica not recorded");
    }
}

/// The part of the segment starting at `start` (`len` bytes) that lies in `range`, as offsets
/// into the segment (in memory, so they fit in usize).
fn within(start: u64, len: usize, range: &Range<u64>) -> Range<usize> {
    let from = range.start.saturating_sub(start);
    let to = range.end.saturating_sub(start).min(len as u64);
    usize::try_from(from).unwrap_or(len).min(len)..usize::try_from(to).unwrap_or(len)
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
    /// against the object's size; anything past the end is cut off). Errors, a missing intact
    /// copy included, arrive in the stream, before any byte of the segment they concern.
    pub async fn read(
        self: &Arc<Self>,
        id: &str,
        range: Option<Range<u64>>,
    ) -> Result<ObjectRead, ClusterError> {
        let meta = self.meta(id).await?;
        let range = range.unwrap_or(0..meta.size);
        let end = range.end.min(meta.size);
        let start = range.start.min(end);
        let replicas = self.replicas_for_reading(id).await?;
        let expected = match replicas::segment_hashes(&self.db, id).await? {
            Some(hashes) => Expected::Segments(
                hashes
                    .chunks_exact(32)
                    .filter_map(|h| <[u8; 32]>::try_from(h).ok())
                    .collect(),
            ),
            None if meta.size <= SEGMENT as u64 => Expected::Segments(
                blake3::Hash::from_hex(&meta.checksum)
                    .map(|h| vec![*h.as_bytes()])
                    .unwrap_or_default(),
            ),
            None => Expected::Legacy {
                verified: HashSet::new(),
                seen: Vec::new(),
            },
        };
        let (tx, rx) = mpsc::channel(AHEAD);
        let reader = SegmentReader {
            cluster: self.clone(),
            meta: meta.clone(),
            expected,
            replicas,
            current: None,
            at: 0,
        };
        if start < end {
            tokio::spawn(reader.run(start..end, tx));
        }
        Ok(ObjectRead {
            meta,
            start,
            end,
            stream: ReceiverStream::new(rx).boxed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_cut_from_the_segments_it_touches() {
        // Segments of 8 bytes at 0, 8 and 16 (the last one 3 bytes), ranges across them.
        assert_eq!(within(0, 8, &(2..5)), 2..5);
        assert_eq!(within(0, 8, &(3..12)), 3..8);
        assert_eq!(within(8, 8, &(3..12)), 0..4);
        assert_eq!(within(16, 3, &(0..19)), 0..3);
        assert_eq!(within(8, 8, &(8..16)), 0..8);
        assert_eq!(within(8, 8, &(10..10)), 2..2);
    }
}
