//! Zips streamed as they are built (a shared folder, or several items of one's drive): no
//! temporary copy, memory flat whatever the size. Entries are stored (files are mostly compressed already, and storing
//! keeps it at disk speed), with ZIP64 on every entry so files and archives past 4 GiB open in
//! every unzip (the `zip` crate's stream mode writes data descriptors, as a body cannot seek).

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use domain::drive::{DownloadCount, Drive, DriveError, Entry, OpenFile, OpenShare};
use domain::ids::UserId;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use zip::write::{SimpleFileOptions, ZipWriter};
use zip::CompressionMethod;

use crate::drive::{content_disposition, Tally};

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
/// Whose files go in, and how each is checked as it is reached.
pub(crate) enum Source {
    /// The owner's own (each must still be in their drive, outside the trash).
    Owner(UserId),
    /// Through a link (which must still work, and the file still be inside what it shares).
    Link(Box<OpenShare>),
}

impl Source {
    async fn open(&self, drive: &Drive, entry: &Entry) -> Result<OpenFile, DriveError> {
        match self {
            Source::Owner(owner) => drive.open(owner, &entry.id.as_str().into()).await,
            Source::Link(share) => {
                drive.still_shared(share).await?;
                drive.open_shared(share, Some(&entry.id)).await
            }
        }
    }
}

/// Writes the entries (path in the archive, and what is there) into the zip, file by file,
/// as the client takes them. A link's download `count` is kept once the last file's bytes are
/// out: from there on the client holds every file (stored entries read without the central
/// directory).
async fn write_zip(
    drive: Arc<Drive>,
    source: Source,
    entries: Vec<(String, Entry)>,
    count: Option<DownloadCount>,
    tx: Sender,
) -> io::Result<()> {
    let pending = Pending::default();
    let mut zip = ZipWriter::new_stream(pending.clone());
    let broken = |e: zip::result::ZipError| io::Error::other(e);
    for (path, entry) in entries {
        if entry.is_folder() {
            zip.add_directory(path, options(&entry)).map_err(broken)?;
            continue;
        }
        // Revoked, trashed, or moved out of reach since the zip began: it stops here.
        let file = source
            .open(&drive, &entry)
            .await
            .map_err(io::Error::other)?;
        zip.start_file(path.as_str(), options(&entry))
            .map_err(broken)?;
        // The size of the content as opened (a file replaced since the zip was planned is
        // sent whole, as it is now).
        let size = domain::db::to_u64(file.entry.size);
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

/// The zip of `entries` as a response named `name`.zip, its body written as it is sent.
pub(crate) fn zip_response(
    drive: Arc<Drive>,
    source: Source,
    entries: Vec<(String, Entry)>,
    tally: Tally,
    name: &str,
) -> Response {
    let (tx, rx) = mpsc::channel(4);
    let errors = tx.clone();
    let Tally { count, slot } = tally;
    tokio::spawn(async move {
        if let Err(e) = write_zip(drive, source, entries, count, tx).await {
            if e.kind() != io::ErrorKind::BrokenPipe {
                tracing::warn!(error = %e, "a zip broke off");
            }
            // The body ends with an error, so the client sees a failed download, not a short zip.
            let _ = errors.send(Err(e)).await;
        }
    });
    // The link's slot goes when the body does (sent, or the client gone).
    let body = ReceiverStream::new(rx).map(move |item| {
        let _held = &slot;
        item
    });
    let mut response = Response::new(Body::from_stream(body));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&format!("{name}.zip"))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
