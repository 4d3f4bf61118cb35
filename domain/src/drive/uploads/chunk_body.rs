//! A chunk's request body on its way into the cluster: counted against the length the plan
//! gives it, and hashed.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

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

/// The span over which a chunk's rate is measured.
pub const RATE_WINDOW: Duration = Duration::from_secs(30);

/// Completes once fewer than `min_rate` bytes a second have arrived (`arrived` counts them)
/// over the last `RATE_WINDOW`, looking once a second; never with a rate of 0.
pub(super) async fn too_slow(arrived: &AtomicU64, min_rate: u64) {
    if min_rate == 0 {
        return std::future::pending().await;
    }
    let window = RATE_WINDOW.as_secs();
    let mut seen: VecDeque<u64> = VecDeque::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        seen.push_back(arrived.load(Ordering::Relaxed));
        if u64::try_from(seen.len()).unwrap_or(u64::MAX) > window {
            let then = seen.pop_front().unwrap_or_default();
            let now = seen.back().copied().unwrap_or_default();
            if now.saturating_sub(then) < min_rate.saturating_mul(window) {
                return;
            }
        }
    }
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
