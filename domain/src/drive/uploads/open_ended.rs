//! Files whose length is not told up front (a WebDAV PUT in chunked transfer encoding). Read
//! one chunk ahead: each chunk's length is known before it is sent, so the reservation grows
//! by what arrives (the quota is checked as bytes arrive) and the chunks go through the same
//! `put_chunk` as any upload. One chunk is held in memory per such upload, and must arrive at
//! the drive's minimum upload rate like any chunk (a stalled client holds no memory for long).

use tokio::io::{AsyncRead, AsyncReadExt};

use super::super::usage::reserve;
use super::{Drive, DriveError, Entry, UploadStart, Uploader, CHUNK_SIZE};
use crate::db::to_i64;
use crate::ids::{UploadId, UserId};

/// Up to `limit` bytes of `body` (fewer only at its end), after `first` if given.
async fn read_up_to(
    body: &mut (impl AsyncRead + Unpin),
    first: Option<u8>,
    limit: u64,
) -> Result<Vec<u8>, DriveError> {
    let mut buf = Vec::with_capacity(usize::try_from(limit).unwrap_or(0));
    buf.extend(first);
    let rest = limit - u64::try_from(buf.len()).unwrap_or(0);
    body.take(rest)
        .read_to_end(&mut buf)
        .await
        .map_err(broke_off)?;
    Ok(buf)
}

/// The next byte of `body`, if any: whether another chunk follows.
async fn peek(body: &mut (impl AsyncRead + Unpin)) -> Result<Option<u8>, DriveError> {
    let mut byte = [0u8; 1];
    Ok(match body.read(&mut byte).await.map_err(broke_off)? {
        0 => None,
        _ => Some(byte[0]),
    })
}

fn broke_off(e: std::io::Error) -> DriveError {
    DriveError::Invalid(format!(
        "The file broke off before its end ({e}); nothing was kept."
    ))
}

fn len(buf: &[u8]) -> u64 {
    u64::try_from(buf.len()).unwrap_or(u64::MAX)
}

impl Drive {
    /// The next chunk's bytes (after `first`), at no less than the minimum upload rate.
    async fn next_chunk(
        &self,
        body: &mut (impl AsyncRead + Unpin),
        first: Option<u8>,
    ) -> Result<Vec<u8>, DriveError> {
        let rate = self.settings.min_upload_rate.max(1);
        let patience = std::time::Duration::from_secs(CHUNK_SIZE.div_ceil(rate));
        tokio::time::timeout(patience, read_up_to(body, first, CHUNK_SIZE))
            .await
            .map_err(|_| {
                DriveError::TooSlow(format!(
                    "The file arrived slower than {}/s and was cut off; nothing of it was kept.",
                    model::drive::human_bytes(rate)
                ))
            })?
    }

    /// Stores `body` as the file `request` names (its `size` is ignored): a known `size`
    /// streams straight through, an unknown one is read a chunk ahead. Any length, 0 included.
    pub(in crate::drive) async fn receive_file(
        &self,
        user_id: &UserId,
        request: &UploadStart,
        size: Option<u64>,
        mut body: impl AsyncRead + Unpin + Send,
    ) -> Result<Entry, DriveError> {
        let by = Uploader::from(user_id);
        if let Some(size) = size {
            let request = UploadStart {
                size,
                ..request.clone()
            };
            return self.receive_whole(by, &request, body).await;
        }
        let first = self.next_chunk(&mut body, None).await?;
        let Some(next) = peek(&mut body).await? else {
            let request = UploadStart {
                size: len(&first),
                ..request.clone()
            };
            return self.receive_whole(by, &request, first.as_slice()).await;
        };
        // Announced as one byte longer than what is known to be there, so the chunks so far
        // are whole ones; it grows as more arrives.
        let request = UploadStart {
            size: CHUNK_SIZE + 1,
            ..request.clone()
        };
        let ticket = self.begin_upload(by, &request, true).await?;
        let upload_id = UploadId::from(ticket.upload_id.as_str());
        let outcome = match self
            .send_ahead(by, &upload_id, first, next, &mut body)
            .await
        {
            Ok(()) => self.finish_upload(by, &upload_id).await,
            Err(e) => Err(e),
        };
        if outcome.is_err() {
            let _ = self.cancel_upload(by, &upload_id).await;
        }
        outcome
    }

    /// Sends `chunk` (chunk 0) and the rest of `body`, whose next byte is `next`, growing the
    /// upload's announced size before each chunk.
    async fn send_ahead(
        &self,
        by: Uploader<'_>,
        upload_id: &UploadId,
        mut chunk: Vec<u8>,
        next: u8,
        body: &mut (impl AsyncRead + Unpin + Send),
    ) -> Result<(), DriveError> {
        let mut index = 0u64;
        let mut announced = CHUNK_SIZE + 1;
        let mut next = Some(next);
        loop {
            self.put_chunk(by, upload_id, index, None, chunk.as_slice())
                .await?;
            let Some(first) = next else {
                return Ok(());
            };
            index += 1;
            chunk = self.next_chunk(body, Some(first)).await?;
            next = peek(body).await?;
            let known = index * CHUNK_SIZE + len(&chunk) + u64::from(next.is_some());
            self.grow_upload(by, upload_id, known - announced).await?;
            announced = known;
        }
    }

    /// Adds `bytes` to an unfinished upload's size and its reservation, within the quota.
    async fn grow_upload(
        &self,
        by: Uploader<'_>,
        upload_id: &UploadId,
        bytes: u64,
    ) -> Result<(), DriveError> {
        let mut tx = self.write_tx().await?;
        reserve(&mut tx, by.user_id, bytes).await?;
        let grown =
            sqlx::query("UPDATE uploads SET size = size + $1 WHERE id = $2 AND user_id = $3")
                .bind(to_i64(bytes))
                .bind(upload_id)
                .bind(by.user_id)
                .execute(&mut *tx)
                .await?;
        if grown.rows_affected() == 0 {
            return Err(DriveError::NotFound("upload (it expired while it arrived)"));
        }
        tx.commit().await?;
        Ok(())
    }
}
