//! Chunked, resumable uploads. `start` reserves the declared size against the quota; each
//! chunk streams into the cluster as one block and is recorded only once two nodes hold it;
//! `finish` turns the upload into a file. Chunks arrive in order, each exactly as long as the
//! plan says, so bytes stored can never exceed what was reserved.

mod chunk_body;
mod claim;
mod file_hash;
mod open_ended;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use sqlx::AnyConnection;
use tokio::io::{AsyncRead, AsyncReadExt};
use uuid::Uuid;

use chunk_body::ChunkBody;
use claim::{Claim, LEASE_SECS};

use super::entries::{collision, file_named, free_name, live_folder, name_taken};
use super::garbage::discard_blocks;
use super::usage::{adjust, check_items, count_items, reserve};
use super::versions;
use super::OpenShare;
use super::{
    names, ChunkReceived, Drive, DriveError, Entry, OnConflict, PendingUpload, UploadStart,
    UploadTicket, CHUNK_SIZE,
};
use crate::db::{to_i64, to_u64};
use crate::ids::{UploadId, UserId};

#[derive(sqlx::FromRow)]
struct Upload {
    id: UploadId,
    user_id: UserId,
    parent_id: String,
    name: String,
    name_key: String,
    mime: String,
    size: i64,
    fingerprint: String,
    chunk_size: i64,
    next_chunk: i64,
    expires_at: i64,
    /// 0 or 1: flags are integers on both databases.
    single_request: i64,
    /// The claim of a chunk being received, and until when it holds (see `claim`).
    receiving: Option<String>,
    receiving_until: Option<i64>,
    /// The drop link it came through ('' for the owner's own).
    share_id: String,
    on_conflict: OnConflict,
}

/// Who is uploading: the owner, or a stranger through one of the owner's drop links. Each
/// sees and touches only the uploads it started.
#[derive(Debug, Clone, Copy)]
pub struct Uploader<'a> {
    pub user_id: &'a UserId,
    /// The drop link ('' for the owner).
    pub share_id: &'a str,
}

impl<'a> From<&'a UserId> for Uploader<'a> {
    fn from(user_id: &'a UserId) -> Self {
        Uploader {
            user_id,
            share_id: "",
        }
    }
}

impl Uploader<'_> {
    fn is_drop(&self) -> bool {
        !self.share_id.is_empty()
    }
}

/// Unfinished uploads one drop link may have at once (they count against the owner's too):
/// strangers cannot take every upload slot the owner has.
const MAX_UNFINISHED_PER_DROP: i64 = 10;

impl Upload {
    fn is_receiving(&self, now: i64) -> bool {
        self.receiving.is_some() && self.receiving_until.is_some_and(|until| until >= now)
    }

    fn chunk_size(&self) -> u64 {
        to_u64(self.chunk_size)
    }

    fn next_chunk(&self) -> u64 {
        to_u64(self.next_chunk)
    }

    fn size(&self) -> u64 {
        to_u64(self.size)
    }

    fn chunks(&self) -> u64 {
        self.size().div_ceil(self.chunk_size())
    }

    /// The exact length of chunk `index`.
    fn chunk_len(&self, index: u64) -> u64 {
        let chunk = self.chunk_size();
        chunk.min(self.size() - index * chunk)
    }

    fn ticket(&self) -> UploadTicket {
        UploadTicket {
            upload_id: self.id.to_string(),
            chunk_size: self.chunk_size(),
            chunks: self.chunks(),
            next_chunk: self.next_chunk(),
            expires_at: self.expires_at,
        }
    }
}

/// Through the browser or the HTTP API, an empty file is almost always a mistake (a failed
/// export, a placeholder). WebDAV clients make empty files on purpose (a new document, a
/// lock on a new name), so `webdav` takes them.
fn refuse_empty(request: &UploadStart) -> Result<(), DriveError> {
    if request.size == 0 {
        return Err(DriveError::Invalid(format!(
            "\"{}\" is empty (0 bytes): there is nothing to upload.",
            request.name.trim()
        )));
    }
    Ok(())
}

impl Drive {
    /// How long an upload may go without new bytes before it is dropped.
    fn silence(&self, single_request: bool) -> Duration {
        match single_request {
            true => self.settings.single_request_silence,
            false => self.settings.upload_expiry,
        }
    }

    /// When an upload that gets no more bytes from now on is dropped.
    fn expiry(&self, single_request: bool) -> i64 {
        self.clock.now() + to_i64(self.silence(single_request).as_secs())
    }

    async fn upload(&self, by: Uploader<'_>, id: &UploadId) -> Result<Upload, DriveError> {
        sqlx::query_as("SELECT * FROM uploads WHERE id = $1 AND user_id = $2 AND share_id = $3")
            .bind(id)
            .bind(by.user_id)
            .bind(by.share_id)
            .fetch_optional(&self.db)
            .await?
            .ok_or(DriveError::NotFound(
                "upload (it may have expired or been cancelled)",
            ))
    }

    /// Starts an upload, or resumes the user's unfinished upload of the same name and size
    /// into the same folder (so a reload picks up where it stopped).
    pub async fn start_upload(
        &self,
        user_id: &UserId,
        request: &UploadStart,
    ) -> Result<UploadTicket, DriveError> {
        refuse_empty(request)?;
        self.begin_upload(user_id.into(), request, false).await
    }

    /// Starts (or resumes) an upload through a drop link into its folder. A refusal for room
    /// says only that the drop is full, and a name already there is not told: the file gets a
    /// numbered name when it finishes.
    pub async fn start_drop_upload(
        &self,
        share: &OpenShare,
        request: &UploadStart,
    ) -> Result<UploadTicket, DriveError> {
        refuse_empty(request)?;
        let request = share.drop_request(request)?;
        self.begin_upload(share.uploader(), &request, false).await
    }

    async fn begin_upload(
        &self,
        by: Uploader<'_>,
        request: &UploadStart,
        single_request: bool,
    ) -> Result<UploadTicket, DriveError> {
        let user_id = by.user_id;
        // A chunked upload may pick up an earlier attempt; a single request never does, nor
        // an upload through a drop link: everyone holding the link is one uploader to the
        // server, and one stranger must not pick up (or end) another's upload of a same-named
        // file. A drop's upload resumes by its id while the page that started it is open.
        let resume = !single_request && !by.is_drop();
        let name = names::clean(&request.name)?;
        let parent = request.folder_id.clone().unwrap_or_default();
        let mut tx = self.write_tx().await?;
        live_folder(&mut tx, user_id, &parent).await?;
        if request.on_conflict == OnConflict::Fail
            && name_taken(&mut tx, user_id, &parent, &name).await?
        {
            return Err(DriveError::name_taken(&name.display));
        }
        let earlier: Vec<Upload> = sqlx::query_as(
            "SELECT * FROM uploads
             WHERE user_id = $1 AND parent_id = $2 AND name_key = $3 AND single_request = 0
               AND share_id = $4",
        )
        .bind(user_id)
        .bind(&parent)
        .bind(&name.key)
        .bind(by.share_id)
        .fetch_all(&mut *tx)
        .await?;
        let fingerprint = request.fingerprint.clone().unwrap_or_default();
        if fingerprint.len() > 200 {
            return Err(DriveError::Invalid(
                "The fingerprint is limited to 200 bytes.".into(),
            ));
        }
        for upload in earlier {
            if resume && upload.size() == request.size && upload.fingerprint == fingerprint {
                let expires_at = self.expiry(false);
                // The choice made when starting again holds (Replace, then Keep both).
                sqlx::query("UPDATE uploads SET expires_at = $1, on_conflict = $2 WHERE id = $3")
                    .bind(expires_at)
                    .bind(request.on_conflict)
                    .bind(&upload.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(UploadTicket {
                    expires_at,
                    ..upload.ticket()
                });
            }
            // The same name with another size or file is a new version: the old attempt goes,
            // unless a chunk of it is arriving right now (another tab sending another file of
            // that name). Then both go on, and the one finishing second gets a numbered name.
            if resume && !upload.is_receiving(self.clock.now()) {
                drop_upload(&mut tx, &upload, None, Some(self.clock.now())).await?;
            }
        }
        // Counted under the drive's write lock: starts racing each other cannot pass the limit.
        let unfinished: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        let room = check_items(&mut tx, user_id, 1, self.settings.max_items).await;
        if by.is_drop() {
            // A stranger learns only that the drop cannot take it.
            room.map_err(|_| DriveError::DropFull)?;
            let through_link: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE share_id = $1")
                    .bind(by.share_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if through_link >= MAX_UNFINISHED_PER_DROP
                || unfinished >= self.settings.max_unfinished_uploads
            {
                return Err(DriveError::Conflict(
                    "This file drop is busy with other uploads: try again later.".into(),
                ));
            }
            reserve(&mut tx, user_id, request.size)
                .await
                .map_err(|e| match e {
                    DriveError::QuotaExceeded { .. } => DriveError::DropFull,
                    other => other,
                })?;
        } else {
            room?;
            if unfinished >= self.settings.max_unfinished_uploads {
                return Err(DriveError::Conflict(format!(
                    "You have {unfinished} unfinished uploads, the most an account may have at \
                     once: finish or cancel some before starting another."
                )));
            }
            reserve(&mut tx, user_id, request.size).await?;
        }
        let upload = Upload {
            id: UploadId::from(Uuid::new_v4().simple().to_string()),
            user_id: user_id.to_owned(),
            parent_id: parent,
            mime: names::media_type(&name.display, request.mime.as_deref()),
            name: name.display,
            name_key: name.key,
            size: i64::try_from(request.size).unwrap_or(i64::MAX),
            fingerprint,
            chunk_size: to_i64(CHUNK_SIZE),
            next_chunk: 0,
            expires_at: self.expiry(single_request),
            single_request: i64::from(single_request),
            receiving: None,
            receiving_until: None,
            share_id: by.share_id.to_owned(),
            on_conflict: request.on_conflict,
        };
        sqlx::query(
            "INSERT INTO uploads (id, user_id, parent_id, name, name_key, mime, size, fingerprint,
                                  chunk_size, next_chunk, created_at, expires_at, single_request,
                                  share_id, on_conflict)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, $14)",
        )
        .bind(&upload.id)
        .bind(user_id)
        .bind(&upload.parent_id)
        .bind(&upload.name)
        .bind(&upload.name_key)
        .bind(&upload.mime)
        .bind(upload.size)
        .bind(&upload.fingerprint)
        .bind(upload.chunk_size)
        .bind(self.clock.now())
        .bind(upload.expires_at)
        .bind(upload.single_request)
        .bind(&upload.share_id)
        .bind(upload.on_conflict)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(upload.ticket())
    }

    /// Stores chunk `index`, whose bytes `body` streams. `announced` is the length the client
    /// declared (Content-Length), checked before any byte is read.
    pub async fn put_chunk<'a>(
        &self,
        by: impl Into<Uploader<'a>>,
        upload_id: &UploadId,
        index: u64,
        announced: Option<u64>,
        body: impl AsyncRead + Unpin + Send,
    ) -> Result<ChunkReceived, DriveError> {
        // A retry right after a dropped connection can arrive before the server has noticed
        // the drop: wait for the earlier attempt to end rather than refuse.
        let by = by.into();
        let claim = self.claim_upload(by, upload_id, index).await?;
        let upload = self.upload(by, upload_id).await?;
        let (next, chunks) = (upload.next_chunk(), upload.chunks());
        if index >= chunks {
            return Err(DriveError::Invalid(format!(
                "This upload has {chunks} chunks, numbered from 0; there is no chunk {index}."
            )));
        }
        if index < next {
            return Err(DriveError::Conflict(format!(
                "Chunk {index} was already received; send chunk {next} next."
            )));
        }
        if index > next {
            return Err(DriveError::Invalid(format!(
                "Chunk {index} is out of order: send chunk {next} next."
            )));
        }
        let expected = upload.chunk_len(index);
        if let Some(n) = announced.filter(|n| *n != expected) {
            return Err(DriveError::Invalid(format!(
                "Chunk {index} must be exactly {expected} bytes; this one is {n}."
            )));
        }

        let object_id = Uuid::new_v4().simple().to_string();
        let arrived = Arc::new(AtomicU64::new(0));
        let mut reader = ChunkBody {
            inner: body,
            expected,
            seen: 0,
            hasher: file_hash::chunk_hasher(index, upload.chunk_size(), chunks),
            ended_short: false,
            arrived: arrived.clone(),
        };
        let written = tokio::select! {
            written = self.cluster.write(&object_id, &mut reader) => written,
            never = self.keep_alive(&upload, &claim, &arrived) => match never {},
            () = chunk_body::too_slow(&arrived, self.settings.min_upload_rate) => {
                return Err(DriveError::TooSlow(format!(
                    "Chunk {index} arrived slower than {}/s for {} s and was cut off; nothing of it \
                     was kept. Send it again.",
                    model::drive::human_bytes(self.settings.min_upload_rate),
                    chunk_body::RATE_WINDOW.as_secs()
                )));
            }
        };
        if let Err(e) = written {
            return Err(match reader.seen.cmp(&expected) {
                std::cmp::Ordering::Greater => DriveError::Invalid(format!(
                    "Chunk {index} is larger than announced ({expected} bytes); nothing was kept."
                )),
                std::cmp::Ordering::Less if reader.ended_short => DriveError::Invalid(format!(
                    "Chunk {index} ended after {} of {expected} bytes; nothing was kept. Send it again.",
                    reader.seen
                )),
                _ => e.into(),
            });
        }

        let cv = reader
            .hasher
            .as_ref()
            .map(|h| file_hash::chunk_value(h, chunks).to_vec());
        let recorded = self
            .record_chunk(&upload, &claim, index, &object_id, expected, cv)
            .await;
        if !matches!(recorded, Ok(true)) {
            // Stored but not recorded (cancelled or expired meanwhile, or a database error):
            // the block is garbage, not a leak.
            sqlx::query("INSERT INTO garbage (object_id) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(&object_id)
                .execute(&self.db)
                .await?;
            recorded?;
            return Err(DriveError::NotFound(
                "upload (it was cancelled or expired while this chunk arrived)",
            ));
        }
        Ok(ChunkReceived {
            next_chunk: index + 1,
            received_bytes: (index * upload.chunk_size() + expected),
        })
    }

    /// While a chunk's bytes keep arriving, holds its claim and pushes the upload's expiry on,
    /// so a slow chunk (one app server receiving it, another one sweeping) is not taken for a
    /// silent upload: the expiry counts from when the last bytes arrived. Runs until dropped.
    async fn keep_alive(
        &self,
        upload: &Upload,
        claim: &Claim,
        arrived: &AtomicU64,
    ) -> std::convert::Infallible {
        // Several times within the claim's lease (the expiry's silence is longer).
        let every = Duration::from_secs(to_u64(LEASE_SECS / 3).max(1));
        let mut last = 0;
        loop {
            tokio::time::sleep(every).await;
            let now = arrived.load(Ordering::Relaxed);
            if now == last {
                continue;
            }
            last = now;
            let expires_at = self.expiry(upload.single_request != 0);
            if let Err(e) = claim.renew(self.clock.now(), expires_at).await {
                tracing::warn!(upload = %upload.id, error = %e, "could not renew an upload's claim");
            }
        }
    }

    /// Records chunk `index` as block `object_id` (with its hash's chaining value `cv`) and
    /// moves the upload on, if the upload is still there, still waiting for that chunk, and
    /// still claimed by this request (a claim that lapsed may have gone to a retry).
    async fn record_chunk(
        &self,
        upload: &Upload,
        claim: &Claim,
        index: u64,
        object_id: &str,
        size: u64,
        cv: Option<Vec<u8>>,
    ) -> Result<bool, DriveError> {
        let upload_id = upload.id.as_str();
        let mut tx = self.write_tx().await?;
        let advanced = sqlx::query(
            "UPDATE uploads SET next_chunk = next_chunk + 1, expires_at = $1, receiving = NULL
             WHERE id = $2 AND next_chunk = $3 AND receiving = $4",
        )
        .bind(self.expiry(upload.single_request != 0))
        .bind(upload_id)
        .bind(to_i64(index))
        .bind(&claim.token)
        .execute(&mut *tx)
        .await?;
        if advanced.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO blocks (file_id, idx, object_id, size, cv) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(upload_id)
        .bind(to_i64(index))
        .bind(object_id)
        .bind(to_i64(size))
        .bind(cv)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The user's unfinished uploads, oldest first.
    pub async fn pending_uploads(
        &self,
        user_id: &UserId,
    ) -> Result<Vec<PendingUpload>, DriveError> {
        let uploads: Vec<Upload> = sqlx::query_as(
            "SELECT * FROM uploads WHERE user_id = $1 AND single_request = 0 AND share_id = ''
             ORDER BY created_at",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        Ok(uploads
            .into_iter()
            .map(|u| PendingUpload {
                received_bytes: (u.next_chunk() * u.chunk_size()).min(u.size()),
                size: u.size(),
                upload_id: u.id.into_string(),
                name: u.name,
                folder_id: (!u.parent_id.is_empty()).then_some(u.parent_id),
                expires_at: u.expires_at,
            })
            .collect())
    }

    /// Turns a complete upload into a file.
    pub async fn finish_upload<'a>(
        &self,
        by: impl Into<Uploader<'a>>,
        upload_id: &UploadId,
    ) -> Result<Entry, DriveError> {
        let by = by.into();
        let user_id = by.user_id;
        let upload = self.upload(by, upload_id).await?;
        let (next, chunks) = (upload.next_chunk(), upload.chunks());
        if next < chunks {
            return Err(DriveError::Invalid(format!(
                "The upload is missing chunks {next} to {}; send them, then finish.",
                chunks - 1
            )));
        }
        let checksum = match self.merged_hash(&upload).await? {
            Some(hash) => hash,
            None => self.checksum_of_blocks(upload_id.as_str()).await?,
        };
        let mut tx = self.write_tx().await?;
        // Taking the upload row decides a race with cancel or expiry: only one of them gets it.
        let claimed =
            sqlx::query("DELETE FROM uploads WHERE id = $1 AND user_id = $2 AND next_chunk = $3")
                .bind(&upload.id)
                .bind(user_id)
                .bind(to_i64(chunks))
                .execute(&mut *tx)
                .await?;
        if claimed.rows_affected() == 0 {
            return Err(DriveError::NotFound("upload (it was cancelled or expired)"));
        }
        // The folder may be in the trash or gone meanwhile: then the file goes to the top.
        let parent = match live_folder(&mut tx, user_id, &upload.parent_id).await {
            Ok(_) => upload.parent_id.as_str(),
            Err(DriveError::NotFound(_)) => "",
            Err(e) => return Err(e),
        };
        let requested = names::Name {
            display: upload.name.clone(),
            key: upload.name_key.clone(),
        };
        let t = self.clock.now();
        let replacing = match upload.on_conflict {
            OnConflict::Replace => file_named(&mut tx, user_id, parent, &requested).await?,
            _ => None,
        };
        let replaced = replacing.is_some();
        let file_id = match replacing {
            Some(file_id) => {
                // The old content becomes a version; the file keeps its id (and its links).
                versions::keep_current(&mut tx, &file_id, t).await?;
                sqlx::query("UPDATE blocks SET file_id = $1 WHERE file_id = $2")
                    .bind(&file_id)
                    .bind(&upload.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE entries SET size = $1, mime = $2, checksum = $3, modified_at = $4,
                                        share_id = $5
                     WHERE id = $6",
                )
                .bind(upload.size)
                .bind(&upload.mime)
                .bind(&checksum)
                .bind(t)
                .bind(&upload.share_id)
                .bind(&file_id)
                .execute(&mut *tx)
                .await?;
                versions::keep_newest(&mut tx, &file_id, self.settings.versions_keep).await?;
                file_id
            }
            None => {
                // Something may have taken the name since the start (or the upload keeps
                // both): then the file gets a numbered one ("report (1).pdf") rather than
                // leaving the bytes stuck.
                let name = free_name(&mut tx, user_id, parent, requested).await?;
                sqlx::query(
                    "INSERT INTO entries (id, user_id, parent_id, kind, name, name_key, size, mime,
                                          checksum, created_at, modified_at, share_id)
                     VALUES ($1, $2, $3, 'file', $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&upload.id)
                .bind(user_id)
                .bind(parent)
                .bind(&name.display)
                .bind(&name.key)
                .bind(upload.size)
                .bind(&upload.mime)
                .bind(&checksum)
                .bind(t)
                .bind(t)
                .bind(&upload.share_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| collision(e, &name.display))?;
                count_items(&mut tx, user_id, 1).await?;
                upload.id.to_string()
            }
        };
        adjust(&mut tx, user_id, upload.size, -upload.size).await?;
        tx.commit().await?;
        if replaced {
            // Versions beyond the newest `versions_keep` went.
            self.tidy().await;
        }
        self.entry(user_id, &file_id).await
    }

    /// The file's BLAKE3 merged from its blocks' chaining values, when every block has one.
    async fn merged_hash(&self, upload: &Upload) -> Result<Option<String>, DriveError> {
        let values: Vec<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT cv FROM blocks WHERE file_id = $1 ORDER BY idx")
                .bind(&upload.id)
                .fetch_all(&self.db)
                .await?;
        let values: Option<Vec<[u8; 32]>> = values
            .into_iter()
            .map(|v| v.and_then(|v| v.try_into().ok()))
            .collect();
        Ok(values.and_then(|v| file_hash::file_hash(&v, upload.chunk_size(), upload.size())))
    }

    /// BLAKE3 of an upload's blocks in order, read back from the cluster (for blocks stored
    /// before their chaining values were kept).
    async fn checksum_of_blocks(&self, file_id: &str) -> Result<String, DriveError> {
        let mut hasher = blake3::Hasher::new();
        for object in self.block_objects(file_id).await? {
            let mut read = self.cluster.read(&object, None).await?;
            while let Some(bytes) = read.stream.next().await {
                hasher.update(&bytes?);
            }
        }
        Ok(hasher.finalize().to_hex().to_string())
    }

    /// Stops an upload: its blocks are deleted and its reservation released.
    pub async fn cancel_upload<'a>(
        &self,
        by: impl Into<Uploader<'a>>,
        upload_id: &UploadId,
    ) -> Result<(), DriveError> {
        let upload = self.upload(by.into(), upload_id).await?;
        let mut tx = self.write_tx().await?;
        let dropped = drop_upload(&mut tx, &upload, None, None).await?;
        tx.commit().await?;
        if !dropped {
            return Err(DriveError::NotFound(
                "upload (it has just finished or expired)",
            ));
        }
        self.tidy().await;
        Ok(())
    }

    /// Uploads a whole file from one streamed body of `size` bytes (the single-request form
    /// of the protocol), through the same chunks. On failure nothing is kept.
    pub async fn upload_whole(
        &self,
        user_id: &UserId,
        request: &UploadStart,
        body: impl AsyncRead + Unpin + Send,
    ) -> Result<Entry, DriveError> {
        refuse_empty(request)?;
        self.receive_whole(user_id.into(), request, body).await
    }

    /// `upload_whole` through a drop link, into its folder.
    pub async fn drop_whole(
        &self,
        share: &OpenShare,
        request: &UploadStart,
        body: impl AsyncRead + Unpin + Send,
    ) -> Result<Entry, DriveError> {
        refuse_empty(request)?;
        let request = share.drop_request(request)?;
        self.receive_whole(share.uploader(), &request, body).await
    }

    async fn receive_whole(
        &self,
        by: Uploader<'_>,
        request: &UploadStart,
        mut body: impl AsyncRead + Unpin + Send,
    ) -> Result<Entry, DriveError> {
        let ticket = self.begin_upload(by, request, true).await?;
        let upload_id = UploadId::from(ticket.upload_id.as_str());
        let mut sent = Ok(());
        for index in 0..ticket.chunks {
            let len = ticket
                .chunk_size
                .min(request.size - index * ticket.chunk_size);
            let chunk = (&mut body).take(len);
            if let Err(e) = self.put_chunk(by, &upload_id, index, None, chunk).await {
                sent = Err(e);
                break;
            }
        }
        let outcome = match sent {
            Ok(()) => self.finish_upload(by, &upload_id).await,
            Err(e) => Err(e),
        };
        if outcome.is_err() {
            let _ = self.cancel_upload(by, &upload_id).await;
        }
        outcome
    }

    /// Drops uploads that saw no chunk before their expiry.
    pub(super) async fn expire_uploads(&self) -> Result<(), DriveError> {
        let expired: Vec<Upload> = sqlx::query_as("SELECT * FROM uploads WHERE expires_at < $1")
            .bind(self.clock.now())
            .fetch_all(&self.db)
            .await?;
        for upload in expired {
            let mut tx = self.write_tx().await?;
            let now = Some(self.clock.now());
            let dropped = drop_upload(&mut tx, &upload, now, now).await?;
            tx.commit().await?;
            if dropped {
                tracing::info!(upload = %upload.id, "expired an abandoned upload");
            }
        }
        Ok(())
    }
}

/// Deletes the upload, lists its blocks as garbage and releases its reservation.
/// Only an upload still there (with `expired_before`, still expired; with `idle_at`, receiving
/// no chunk at that time) is dropped: a finish, cancel, renewal or chunk that got there first
/// wins, and its blocks are left alone.
async fn drop_upload(
    conn: &mut AnyConnection,
    upload: &Upload,
    expired_before: Option<i64>,
    idle_at: Option<i64>,
) -> Result<bool, DriveError> {
    let deleted = sqlx::query(
        "DELETE FROM uploads WHERE id = $1 AND expires_at < $2
           AND ($3 IS NULL OR receiving IS NULL OR receiving_until < $3)",
    )
    .bind(&upload.id)
    .bind(expired_before.unwrap_or(i64::MAX))
    .bind(idle_at)
    .execute(&mut *conn)
    .await?;
    if deleted.rows_affected() == 0 {
        return Ok(false);
    }
    discard_blocks(conn, upload.id.as_str()).await?;
    adjust(conn, &upload.user_id, 0, -upload.size).await?;
    Ok(true)
}
