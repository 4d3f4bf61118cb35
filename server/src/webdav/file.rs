//! Open files for dav-server: a `Reader` streams a file from the cluster from wherever GET
//! seeks; a `Writer` pipes a PUT's body into an upload running beside the request, so the bytes
//! go straight into the cluster and nothing is kept unless the body arrived whole.

use std::io::SeekFrom;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use dav_server::fs::{DavFile, DavMetaData, FsError, FsFuture, FsResult};
use domain::drive::webdav::Node;
use domain::drive::{Drive, DriveError, OpenFile};
use domain::ids::UserId;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use sync_wrapper::SyncWrapper;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::fs::{fs_error, Meta};

fn meta(node: &Node) -> FsFuture<'_, Box<dyn DavMetaData>> {
    let meta: Box<dyn DavMetaData> = Box::new(Meta(node.clone()));
    futures::future::ready(Ok(meta)).boxed()
}

fn refuse<T: Send + 'static>() -> FsFuture<'static, T> {
    futures::future::ready(Err(FsError::Forbidden)).boxed()
}

/// A file being read: a stream from `pos` to the end, opened on first read and again after
/// a seek elsewhere.
pub struct Reader {
    file: OpenFile,
    node: Node,
    pos: u64,
    stream: Option<SyncWrapper<BoxStream<'static, Result<Bytes, DriveError>>>>,
    /// Bytes of the stream not handed out yet.
    pending: Bytes,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reader({} at {})", self.node.id, self.pos)
    }
}

impl Reader {
    pub fn new(file: OpenFile, node: Node) -> Reader {
        Reader {
            file,
            node,
            pos: 0,
            stream: None,
            pending: Bytes::new(),
        }
    }

    async fn read(&mut self, count: usize) -> FsResult<Bytes> {
        loop {
            if !self.pending.is_empty() {
                let out = self.pending.split_to(count.min(self.pending.len()));
                self.pos += u64::try_from(out.len()).unwrap_or(0);
                return Ok(out);
            }
            let size = self.node.size;
            if self.pos >= size {
                return Ok(Bytes::new());
            }
            let (file, pos) = (&self.file, self.pos);
            let stream = self
                .stream
                .get_or_insert_with(|| SyncWrapper::new(file.clone().read(pos..size)))
                .get_mut();
            // An error, or an end before the file's, breaks the response off: dav-server would
            // otherwise fill the rest with zeros.
            match stream.next().await {
                Some(Ok(bytes)) => self.pending = bytes,
                Some(Err(e)) => return Err(fs_error(e)),
                None => return Err(FsError::GeneralFailure),
            }
        }
    }
}

impl DavFile for Reader {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        meta(&self.node)
    }

    fn write_buf(&mut self, _buf: Box<dyn Buf + Send>) -> FsFuture<'_, ()> {
        refuse()
    }

    fn write_bytes(&mut self, _buf: Bytes) -> FsFuture<'_, ()> {
        refuse()
    }

    fn read_bytes(&mut self, count: usize) -> FsFuture<'_, Bytes> {
        self.read(count).boxed()
    }

    fn seek(&mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        let size = i128::from(self.node.size);
        let target = match pos {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::End(n) => size + i128::from(n),
            SeekFrom::Current(n) => i128::from(self.pos) + i128::from(n),
        };
        let Ok(target) = u64::try_from(target) else {
            return futures::future::ready(Err(FsError::GeneralFailure)).boxed();
        };
        if target != self.pos {
            self.pos = target;
            self.stream = None;
            self.pending = Bytes::new();
        }
        futures::future::ready(Ok(target)).boxed()
    }

    fn flush(&mut self) -> FsFuture<'_, ()> {
        futures::future::ready(Ok(())).boxed()
    }
}

/// Body frames (tens of KB each) are gathered into pieces of this size before they cross to
/// the upload task: one hand-over per frame cost a PUT nearly half its speed.
const PIECE: usize = 1024 * 1024;
/// Pieces on their way to the upload: a little slack, and back-pressure beyond it.
const PIECES_IN_FLIGHT: usize = 4;

/// A PUT's body on its way into the drive. `flush` (dav-server's "the body is complete")
/// ends it and waits for the file to be stored; dropped before that, the upload is cancelled
/// and its reservation released.
pub struct Writer {
    frames: Option<mpsc::Sender<std::io::Result<Bytes>>>,
    /// Bytes received and not yet sent on, fewer than `PIECE`.
    gathered: BytesMut,
    upload: Option<JoinHandle<Result<Node, DriveError>>>,
    node: Node,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Writer({})", self.node.name)
    }
}

impl Writer {
    pub fn start(
        drive: Arc<Drive>,
        user_id: UserId,
        parent: Node,
        name: String,
        size: Option<u64>,
    ) -> Writer {
        let (frames, received) = mpsc::channel(PIECES_IN_FLIGHT);
        let body = tokio_util::io::StreamReader::new(tokio_stream::wrappers::ReceiverStream::new(
            received,
        ));
        // Until the file is stored: a file of that name and size.
        let node = Node {
            name: name.clone(),
            folder: false,
            size: size.unwrap_or(0),
            checksum: String::new(),
            ..parent.clone()
        };
        let upload =
            tokio::spawn(
                async move { drive.webdav(&user_id).put(&parent, &name, size, body).await },
            );
        Writer {
            frames: Some(frames),
            gathered: BytesMut::new(),
            upload: Some(upload),
            node,
        }
    }

    /// The upload's outcome, once it has ended; the stored file is what `metadata` answers
    /// from then on (its ETag and time for the PUT's answer).
    async fn outcome(&mut self) -> FsResult<()> {
        let upload = self.upload.take().ok_or(FsError::GeneralFailure)?;
        match upload.await {
            Ok(stored) => {
                self.node = stored.map_err(fs_error)?;
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "a WebDAV upload task failed");
                Err(FsError::GeneralFailure)
            }
        }
    }

    /// Takes a frame; sends a piece on once `PIECE` bytes are gathered (or, `last`, whatever
    /// there is).
    fn take(&mut self, bytes: &[u8], last: bool) -> BoxFuture<'_, FsResult<()>> {
        self.gathered.extend_from_slice(bytes);
        async move {
            let full = self.gathered.len() >= PIECE;
            let rest = last && !self.gathered.is_empty();
            if !full && !rest {
                return Ok(());
            }
            let piece = self.gathered.split().freeze();
            let frames = self.frames.as_ref().ok_or(FsError::GeneralFailure)?;
            if frames.send(Ok(piece)).await.is_err() {
                // The upload stopped taking bytes: it failed, and says why.
                self.frames = None;
                self.outcome().await?;
                return Err(FsError::GeneralFailure);
            }
            Ok(())
        }
        .boxed()
    }
}

impl DavFile for Writer {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        meta(&self.node)
    }

    fn write_buf(&mut self, mut buf: Box<dyn Buf + Send>) -> FsFuture<'_, ()> {
        let bytes = buf.copy_to_bytes(buf.remaining());
        self.take(&bytes, false)
    }

    fn write_bytes(&mut self, buf: Bytes) -> FsFuture<'_, ()> {
        self.take(&buf, false)
    }

    fn read_bytes(&mut self, _count: usize) -> FsFuture<'_, Bytes> {
        refuse()
    }

    fn seek(&mut self, _pos: SeekFrom) -> FsFuture<'_, u64> {
        // Ranged PUTs (partial updates) would rewrite a file in place: not supported.
        futures::future::ready(Err(FsError::NotImplemented)).boxed()
    }

    fn flush(&mut self) -> FsFuture<'_, ()> {
        async move {
            self.take(&[], true).await?;
            // The end of the pieces is the end of the body.
            self.frames = None;
            self.outcome().await
        }
        .boxed()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Dropped before `flush`: the body broke off. An error (not an end) tells the upload
        // to keep nothing, even one whose length was not told.
        if let Some(frames) = self.frames.take() {
            tokio::spawn(async move {
                let broke_off = std::io::Error::other("the request broke off");
                let _ = frames.send(Err(broke_off)).await;
            });
        }
    }
}

/// What a LOCK of an unused name opens: the empty file is made already, and nothing is
/// written to it.
#[derive(Debug)]
pub struct Nothing;

impl DavFile for Nothing {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        futures::future::ready(Err(FsError::NotFound)).boxed()
    }

    fn write_buf(&mut self, _buf: Box<dyn Buf + Send>) -> FsFuture<'_, ()> {
        refuse()
    }

    fn write_bytes(&mut self, _buf: Bytes) -> FsFuture<'_, ()> {
        refuse()
    }

    fn read_bytes(&mut self, _count: usize) -> FsFuture<'_, Bytes> {
        futures::future::ready(Ok(Bytes::new())).boxed()
    }

    fn seek(&mut self, _pos: SeekFrom) -> FsFuture<'_, u64> {
        futures::future::ready(Ok(0)).boxed()
    }

    fn flush(&mut self) -> FsFuture<'_, ()> {
        futures::future::ready(Ok(())).boxed()
    }
}
