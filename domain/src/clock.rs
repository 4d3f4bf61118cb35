//! Time as stored in the database: UTC unix seconds, from a clock the services are given, so
//! tests move time instead of waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock, or (in tests) a clock that only moves when told to.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock standing at `at` until `advance` moves it.
    pub fn manual(at: i64) -> Clock {
        Clock {
            manual: Some(Arc::new(AtomicI64::new(at))),
        }
    }

    /// Seconds since the Unix epoch, UTC.
    pub fn now(&self) -> i64 {
        match &self.manual {
            Some(at) => at.load(Ordering::SeqCst),
            None => system_now(),
        }
    }

    /// Moves a manual clock forward (the wall clock cannot be moved).
    pub fn advance(&self, secs: i64) {
        if let Some(at) = &self.manual {
            at.fetch_add(secs, Ordering::SeqCst);
        }
    }
}

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

/// Seconds since the Unix epoch, UTC, from the wall clock.
pub fn now() -> i64 {
    system_now()
}
