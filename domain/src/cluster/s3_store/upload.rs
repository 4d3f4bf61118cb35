//! A multipart upload in progress, for objects larger than one part.

use bytes::Bytes;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{MultipartId, PutPayloadMut};
use tokio::task::JoinSet;

use super::{BlobError, S3Store, COMPLETE_TIMEOUT, OP_TIMEOUT, PART};

/// One multipart upload in progress: parts upload in their own tasks while the next one fills.
/// Dropped before it completed or was aborted (the write was cancelled), it aborts itself in
/// the background, so no parts are left behind.
pub(super) struct Upload<'a> {
    s3: &'a S3Store,
    key: Path,
    id: MultipartId,
    tasks: JoinSet<object_store::Result<(usize, PartId)>>,
    /// One slot per part sent, filled as each finishes.
    parts: Vec<Option<PartId>>,
    buffer: PutPayloadMut,
    open: bool,
}

impl<'a> Upload<'a> {
    pub(super) fn new(s3: &'a S3Store, key: Path, id: MultipartId) -> Upload<'a> {
        Upload {
            s3,
            key,
            id,
            tasks: JoinSet::new(),
            parts: Vec::new(),
            buffer: PutPayloadMut::new(),
            open: true,
        }
    }

    /// Adds bytes, sending every part that fills (all parts but the last are exactly `PART`).
    pub(super) fn push(&mut self, mut bytes: Bytes) {
        while !bytes.is_empty() {
            let room = PART.saturating_sub(self.buffer.content_length());
            if bytes.len() < room {
                self.buffer.push(bytes);
                return;
            }
            self.buffer.push(bytes.split_to(room));
            self.send_buffer();
        }
    }

    /// Sends the last, short part.
    pub(super) fn flush(&mut self) {
        if !self.buffer.is_empty() {
            self.send_buffer();
        }
    }

    fn send_buffer(&mut self) {
        let part = std::mem::take(&mut self.buffer).freeze();
        let index = self.parts.len();
        self.parts.push(None);
        let (store, key, id) = (self.s3.store.clone(), self.key.clone(), self.id.clone());
        self.tasks.spawn(async move {
            store
                .put_part(&key, &id, index, part)
                .await
                .map(|part| (index, part))
        });
    }

    /// Waits until at most `max` parts are still uploading; the first failed part fails it.
    pub(super) async fn settle(&mut self, max: usize) -> Result<(), BlobError> {
        while self.tasks.len() > max {
            match self.tasks.join_next().await {
                Some(Ok(Ok((index, part)))) => {
                    if let Some(slot) = self.parts.get_mut(index) {
                        *slot = Some(part);
                    }
                }
                Some(Ok(Err(e))) => return Err(self.s3.error(e)),
                Some(Err(e)) => {
                    return Err(BlobError::Unreachable(format!("part upload stopped: {e}")))
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Makes the object visible (all parts must have settled); aborts on failure.
    pub(super) async fn complete(&mut self) -> Result<(), BlobError> {
        let parts: Option<Vec<PartId>> = std::mem::take(&mut self.parts).into_iter().collect();
        let Some(parts) = parts else {
            self.abort().await;
            return Err(BlobError::Status(
                500,
                "a part of the upload did not finish".into(),
            ));
        };
        let completing = self.s3.store.complete_multipart(&self.key, &self.id, parts);
        match self.s3.bounded(completing, COMPLETE_TIMEOUT).await {
            Ok(_) => {
                self.open = false;
                Ok(())
            }
            Err(e) => {
                self.abort().await;
                Err(e)
            }
        }
    }

    /// Stops the parts still uploading and discards the ones uploaded.
    pub(super) async fn abort(&mut self) {
        self.tasks.shutdown().await;
        let aborting = self.s3.store.abort_multipart(&self.key, &self.id);
        if let Err(e) = self.s3.bounded(aborting, OP_TIMEOUT).await {
            tracing::warn!(region = %self.s3.region, key = %self.key, error = %e, "multipart upload not aborted; a bucket lifecycle rule will have to remove its parts");
        }
        self.open = false;
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let (store, key, id) = (self.s3.store.clone(), self.key.clone(), self.id.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = tokio::time::timeout(OP_TIMEOUT, store.abort_multipart(&key, &id)).await;
            });
        }
    }
}
