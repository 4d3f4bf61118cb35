//! A shared folder as one zip, streamed as it is built: no temporary copy, memory flat
//! whatever the size. Entries are stored (files are mostly compressed already, and storing
//! keeps it at disk speed), with ZIP64 on every entry so files and archives past 4 GiB open in
//! every unzip (the `zip` crate's stream mode writes data descriptors, as a body cannot seek).

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use app::api::context::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use domain::drive::{DownloadCount, Drive, Entry, OpenShare};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use zip::write::{SimpleFileOptions, ZipWriter};
use zip::CompressionMethod;

use super::{refused, Downloading, FolderQuery};
use crate::drive::content_disposition;

/// What the zip writer has produced and not yet sent; drained after every write, so it holds
/// at most one read's bytes plus a header.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<BytesMut>>);

impl Pending {
    fn take(&self) -> Option<Bytes> {
        let mut bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        (!bytes.is_empty()).then(|| bytes.split().freeze())
    }
}

impl Write for Pending {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type Sender = mpsc::Sender<io::Result<Bytes>>;

/// Sends what the writer produced; waits while the client is slower (back-pressure).
async fn send(pending: &Pending, tx: &Sender) -> io::Result<()> {
    if let Some(bytes) = pending.take() {
        tx.send(Ok(bytes))
            .await
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
    }
    Ok(())
}

fn options(entry: &Entry) -> SimpleFileOptions {
    let when = chrono::DateTime::from_timestamp(entry.modified_at, 0).unwrap_or_default();
    use chrono::{Datelike, Timelike};
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(when.year()).unwrap_or(1980),
        u8::try_from(when.month()).unwrap_or(1),
        u8::try_from(when.day()).unwrap_or(1),
        u8::try_from(when.hour()).unwrap_or(0),
        u8::try_from(when.minute()).unwrap_or(0),
        u8::try_from(when.second()).unwrap_or(0),
    )
    .unwrap_or_default();
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true)
        .last_modified_time(stamp)
}

/// Writes the folder's tree into the zip, file by file, as the client takes it.
/// The link's download `count` is kept once the last file's bytes are out: from there on the
/// client holds every file (stored entries read without the central directory).
async fn write_zip(
    drive: Arc<Drive>,
    share: OpenShare,
    top: String,
    tree: Vec<(String, Entry)>,
    count: Option<DownloadCount>,
    tx: Sender,
) -> io::Result<()> {
    let pending = Pending::default();
    let mut zip = ZipWriter::new_stream(pending.clone());
    let broken = |e: zip::result::ZipError| io::Error::other(e);
    for (path, entry) in tree {
        let name = format!("{top}/{path}");
        if entry.is_folder() {
            zip.add_directory(name, options(&entry)).map_err(broken)?;
            continue;
        }
        // Revoked, or moved out of the folder, since the zip began: it stops here.
        drive.still_shared(&share).await.map_err(io::Error::other)?;
        let file = drive
            .open_shared(&share, Some(&entry.id))
            .await
            .map_err(io::Error::other)?;
        zip.start_file(name, options(&entry)).map_err(broken)?;
        let size = domain::db::to_u64(entry.size);
        let mut bytes = file.read(0..size);
        let mut written = 0u64;
        while let Some(chunk) = bytes.next().await {
            let chunk = chunk.map_err(io::Error::other)?;
            written += chunk.len() as u64;
            zip.write_all(&chunk)?;
            send(&pending, &tx).await?;
        }
        if written != size {
            return Err(io::Error::other(format!(
                "{path}: {written} of {size} bytes read"
            )));
        }
    }
    if let Some(count) = count {
        count.finished();
    }
    zip.finish().map_err(broken)?;
    send(&pending, &tx).await
}

pub(super) async fn download(
    State(state): State<AppState>,
    Downloading(visit): Downloading,
    Query(query): Query<FolderQuery>,
) -> Response {
    let share = &visit.share;
    let planned = async {
        let (folder, _) = state
            .drive
            .shared_entry(share, query.folder.as_deref())
            .await?;
        if !folder.is_folder() {
            return Err(domain::drive::DriveError::NotFound("folder"));
        }
        let tree = state.drive.shared_tree(share, &folder).await?;
        let item = format!("zip:{}", folder.id);
        let count = state
            .drive
            .count_download(share, &item, &visit.client, true)
            .await?;
        Ok((folder, tree, count))
    };
    let (folder, tree, count) = match planned.await {
        Ok(planned) => planned,
        Err(e) => return refused(e),
    };
    let (tx, rx) = mpsc::channel(4);
    let errors = tx.clone();
    let (drive, top) = (state.drive.clone(), folder.name.clone());
    tokio::spawn(async move {
        if let Err(e) = write_zip(drive, visit.share, top, tree, count, tx).await {
            if e.kind() != io::ErrorKind::BrokenPipe {
                tracing::warn!(error = %e, "a shared folder's zip broke off");
            }
            // The body ends with an error, so the client sees a failed download, not a short zip.
            let _ = errors.send(Err(e)).await;
        }
    });
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&format!("{}.zip", folder.name))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
