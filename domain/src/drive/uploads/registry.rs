//! What this process remembers of uploads between chunks: which upload has a chunk arriving
//! right now, and the running BLAKE3 of the chunks so far. Both are hints: lost on restart,
//! the checksum is recomputed from the stored blocks when the upload finishes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::drive::DriveError;
use crate::ids::UploadId;

/// How long a chunk waits for an earlier attempt at the same upload to end.
const CLAIM_WAIT: Duration = Duration::from_secs(10);
/// How often a waiting chunk looks again.
const CLAIM_POLL: Duration = Duration::from_millis(50);

#[derive(Default)]
struct Progress {
    /// A chunk is arriving right now.
    busy: bool,
    /// BLAKE3 of the chunks before the number it is paired with.
    hasher: Option<(u64, blake3::Hasher)>,
}

#[derive(Default)]
pub(crate) struct Registry {
    uploads: Mutex<HashMap<UploadId, Progress>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<UploadId, Progress>> {
        self.uploads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new upload: its running hash starts here.
    pub fn started(&self, id: &UploadId) {
        self.lock().entry(id.clone()).or_default().hasher = Some((0, blake3::Hasher::new()));
    }

    /// Whether a chunk of the upload is arriving right now (in this process).
    pub fn is_receiving(&self, id: &UploadId) -> bool {
        self.lock().get(id).is_some_and(|p| p.busy)
    }

    /// The running hash, if it covers the chunks before `through`.
    pub fn hash_through(&self, id: &UploadId, through: u64) -> Option<blake3::Hasher> {
        let uploads = self.lock();
        let (covered, hasher) = uploads.get(id)?.hasher.as_ref()?;
        (*covered == through).then(|| hasher.clone())
    }

    pub fn forget(&self, id: &UploadId) {
        self.lock().remove(id);
    }

    /// Marks the upload busy, waiting up to `CLAIM_WAIT` for a chunk still arriving (a retry
    /// right after a dropped connection can arrive before the server noticed the drop).
    /// Returns the mark, which clears itself, and the running hash if it covers the chunks
    /// before `index`.
    pub async fn claim<'a>(
        &'a self,
        id: &UploadId,
        index: u64,
    ) -> Result<(Receiving<'a>, Option<blake3::Hasher>), DriveError> {
        let deadline = tokio::time::Instant::now() + CLAIM_WAIT;
        loop {
            let claimed = {
                let mut uploads = self.lock();
                let p = uploads.entry(id.clone()).or_default();
                (!p.busy).then(|| {
                    p.busy = true;
                    p.hasher
                        .as_ref()
                        .filter(|(through, _)| *through == index)
                        .map(|(_, h)| h.clone())
                })
            };
            if let Some(hasher) = claimed {
                let mark = Receiving {
                    registry: self,
                    id: id.clone(),
                };
                return Ok((mark, hasher));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(DriveError::Conflict(format!(
                    "Chunk {index} is already being received."
                )));
            }
            tokio::time::sleep(CLAIM_POLL).await;
        }
    }
}

/// An upload's "chunk arriving" mark; dropping it clears the mark however the request ends.
pub(crate) struct Receiving<'a> {
    registry: &'a Registry,
    id: UploadId,
}

impl Receiving<'_> {
    /// The chunks before `through` are stored: remember their running hash (or that there is
    /// none to trust).
    pub fn stored(&self, through: u64, hasher: Option<blake3::Hasher>) {
        if let Some(p) = self.registry.lock().get_mut(&self.id) {
            p.hasher = hasher.map(|h| (through, h));
        }
    }
}

impl Drop for Receiving<'_> {
    fn drop(&mut self) {
        let mut uploads = self.registry.lock();
        match uploads.get_mut(&self.id) {
            // Nothing worth keeping (and no entry left behind for made-up ids).
            Some(p) if p.hasher.is_none() => {
                uploads.remove(&self.id);
            }
            Some(p) => p.busy = false,
            None => {}
        }
    }
}
