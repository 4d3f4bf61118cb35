//! Time as stored in the database: UTC unix seconds, from a clock the services are given, so
//! tests move time instead of waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock; or, for tests, a clock that stands still (`manual`) or runs ahead of the
/// wall clock (`movable`) by as much as `advance` says.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// A manual clock's starting time (the wall clock's when `None`).
    start: Option<i64>,
    /// How far `advance` has moved it.
    ahead: Arc<AtomicI64>,
    movable: bool,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock standing at `at` until `advance` moves it.
    pub fn manual(at: i64) -> Clock {
        Clock {
            start: Some(at),
            movable: true,
            ..Clock::default()
        }
    }

    /// The wall clock, plus however far `advance` moved it: for a test server whose tests
    /// move its time. Never in a release build (see `server`'s `DEBUG_CLOCK`).
    pub fn movable() -> Clock {
        Clock {
            movable: true,
            ..Clock::default()
        }
    }

    /// Seconds since the Unix epoch, UTC.
    pub fn now(&self) -> i64 {
        self.start.unwrap_or_else(system_now) + self.ahead.load(Ordering::SeqCst)
    }

    pub fn is_movable(&self) -> bool {
        self.movable
    }

    /// Moves a manual or movable clock forward; the wall clock cannot be moved.
    pub fn advance(&self, secs: i64) {
        if self.movable {
            self.ahead.fetch_add(secs, Ordering::SeqCst);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_test_clocks_move() {
        let wall = Clock::system();
        wall.advance(3600);
        assert!((wall.now() - system_now()).abs() <= 1);
        let manual = Clock::manual(1_000);
        let copy = manual.clone();
        manual.advance(5);
        assert_eq!(
            (manual.now(), copy.now()),
            (1_005, 1_005),
            "clones share the time"
        );
        let movable = Clock::movable();
        movable.advance(86_400);
        assert!((movable.now() - system_now() - 86_400).abs() <= 1);
    }
}
