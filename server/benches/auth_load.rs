//! Does a burst of logins stall other requests? Starts the release server with the default
//! bcrypt cost, measures the home page's latency at rest, then while 50 two-factor logins run
//! at once, and prints both with their ratio.
//!
//! Run: `scripts/bench.sh` (or `cargo bench -p server --bench auth_load`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::future::join_all;
use support::TestServer;

const LOGINS: usize = 50;
const AT_REST_SAMPLES: usize = 300;

struct Stats {
    samples: usize,
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn stats(mut latencies: Vec<Duration>) -> Stats {
    latencies.sort();
    let at = |percent: usize| latencies[(latencies.len() - 1) * percent / 100];
    Stats {
        samples: latencies.len(),
        p50: at(50),
        p95: at(95),
        max: *latencies.last().unwrap(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn home_latency(s: &TestServer) -> Duration {
    let start = Instant::now();
    let home = s.get("/", None).await;
    assert_eq!(home.status, 200);
    start.elapsed()
}

#[tokio::main]
async fn main() {
    let s = TestServer::start_with(&[("BCRYPT_COST", "12")]).await;
    println!(
        "auth_load: {LOGINS} concurrent logins, bcrypt cost 12, {} cores",
        cores()
    );

    let mut users = Vec::with_capacity(LOGINS);
    for i in 0..LOGINS {
        users.push(s.verified_user(&format!("Bench User {i}")).await);
    }

    for _ in 0..20 {
        home_latency(&s).await; // warm up
    }
    let mut at_rest = Vec::with_capacity(AT_REST_SAMPLES);
    for _ in 0..AT_REST_SAMPLES {
        at_rest.push(home_latency(&s).await);
    }

    // All logins in flight at once; meanwhile the home page is fetched again and again.
    let done = AtomicBool::new(false);
    let burst_started = Instant::now();
    let logins = async {
        let tokens = join_all(users.iter().map(|email| s.login(email))).await;
        done.store(true, Ordering::SeqCst);
        (tokens.len(), burst_started.elapsed())
    };
    let measure = async {
        let mut during = Vec::new();
        while !done.load(Ordering::SeqCst) {
            during.push(home_latency(&s).await);
        }
        during
    };
    let ((logged_in, burst), during) = tokio::join!(logins, measure);

    let rest = stats(at_rest);
    let busy = stats(during);
    println!(
        "logins: {logged_in} two-factor logins finished in {:.2} s",
        burst.as_secs_f64()
    );
    for (label, st) in [
        ("home page at rest", &rest),
        ("home page during logins", &busy),
    ] {
        println!(
            "{label:<24} n={:<4} p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms",
            st.samples,
            ms(st.p50),
            ms(st.p95),
            ms(st.max)
        );
    }
    println!(
        "ratio during/at rest: p50 {:.2}x, p95 {:.2}x",
        ms(busy.p50) / ms(rest.p50),
        ms(busy.p95) / ms(rest.p95)
    );
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
