//! A chunk's request body on its way into the cluster: counted against the length the plan
//! gives it, and hashed.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// A chunk's body: hashed as it passes, and refused (as an I/O error, so the cluster keeps
/// nothing) the moment it runs longer or ends shorter than expected.
pub(super) struct ChunkBody<R> {
    pub inner: R,
    pub expected: u64,
    pub seen: u64,
    pub hasher: Option<blake3::Hasher>,
    /// The body ended cleanly before `expected` bytes (rather than breaking off).
    pub ended_short: bool,
    /// `seen`, for whoever watches the upload from outside (the keep-alive).
    pub arrived: Arc<AtomicU64>,
}

impl<R: AsyncRead + Unpin> AsyncRead for ChunkBody<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let new = &buf.filled()[before..];
        if new.is_empty() {
            this.ended_short = this.seen < this.expected;
            return Poll::Ready(if this.ended_short {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            } else {
                Ok(())
            });
        }
        this.seen += new.len() as u64;
        this.arrived.store(this.seen, Ordering::Relaxed);
        if this.seen > this.expected {
            return Poll::Ready(Err(std::io::ErrorKind::InvalidData.into()));
        }
        if let Some(h) = this.hasher.as_mut() {
            h.update(new);
        }
        Poll::Ready(Ok(()))
    }
}
