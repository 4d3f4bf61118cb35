//! The metadata database under load, SQLite against PostgreSQL, and a chunked upload spread
//! over two app servers against one. Each figure is measured in the same run as its baseline:
//! - 50 two-factor logins at once, then 20 bookings at once (20 students, 20 free slots of one
//!   course), then 20 bookings of one slot (one wins), on a server on SQLite (the baseline)
//!   and on one on PostgreSQL. bcrypt cost 4, so that the database's part is not lost in
//!   hashing (`auth_load` measures logins at the real cost);
//! - a 512 MiB chunked upload through one app server (the baseline), then through two on one
//!   PostgreSQL database, chunks alternating between them.
//!
//! Needs PostgreSQL: `TEST_PG_ADMIN_URL` (scripts/bench.sh starts one with
//! `scripts/engines.sh`). `BENCH_MIB` changes the upload's size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Instant;

use futures::future::join_all;
use serde_json::json;
use support::measure::mb_per_s;
use support::{Database, TestServer};

const LOGINS: usize = 50;
const BOOKINGS: usize = 20;
const COURSE: &str = "c-guitar-first-chords";
const CHUNK: usize = 8 * 1024 * 1024;

struct Load {
    logins: f64,
    bookings: f64,
    one_slot: f64,
}

#[tokio::main]
async fn main() {
    let Database::Postgres { admin_url } = Database::from_env() else {
        panic!("db_load needs PostgreSQL: run it through scripts/bench.sh (TEST_PG_ADMIN_URL)");
    };
    let postgres = Database::Postgres { admin_url };
    println!("db_load: {LOGINS} logins, {BOOKINGS} bookings at once; SQLite, then PostgreSQL");
    let sqlite = load(&Database::Sqlite).await;
    let pg = load(&postgres).await;
    for (what, a, b) in [
        ("50 logins", sqlite.logins, pg.logins),
        ("20 bookings", sqlite.bookings, pg.bookings),
        ("20 on one slot", sqlite.one_slot, pg.one_slot),
    ] {
        println!(
            "{what:<15} SQLite {:>7.1} ms   PostgreSQL {:>7.1} ms   ratio {:.2}x",
            a * 1000.0,
            b * 1000.0,
            b / a
        );
    }

    let mib: usize = std::env::var("BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let (one, two) = spread_upload(&postgres, mib).await;
    let size = (mib * 1024 * 1024) as u64;
    println!(
        "upload {mib} MiB: one app server {one:.2} s ({:.1} MB/s), two alternating {two:.2} s ({:.1} MB/s), ratio {:.2}x",
        mb_per_s(size, one),
        mb_per_s(size, two),
        two / one
    );
}

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_server"))
}

async fn load(database: &Database) -> Load {
    let s = TestServer::start_on(binary(), database, &[("BCRYPT_COST", "4")]).await;
    let mut users = Vec::with_capacity(LOGINS);
    for i in 0..LOGINS {
        users.push(s.verified_user(&format!("Load User {i}")).await);
    }
    let started = Instant::now();
    let tokens = join_all(users.iter().map(|email| s.login(email))).await;
    let logins = started.elapsed().as_secs_f64();

    let slots = s
        .post("/api/skillshare/slots", json!({"course_id": COURSE}), None)
        .await
        .json()["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect::<Vec<_>>();
    let book = |token: String, start: i64| {
        let s = &s;
        async move {
            s.post(
                "/api/skillshare/booking",
                json!({"course_id": COURSE, "start": start}),
                Some(&token),
            )
            .await
        }
    };
    // Every other slot: a one-hour lesson also holds the next half hour.
    let free: Vec<i64> = slots.iter().copied().step_by(4).collect();
    let started = Instant::now();
    let answers = join_all((0..BOOKINGS).map(|i| book(tokens[i].clone(), free[i]))).await;
    let bookings = started.elapsed().as_secs_f64();
    let booked = answers.iter().filter(|a| a.status == 200).count();
    assert!(booked >= BOOKINGS - 2, "{booked} of {BOOKINGS} booked");

    let contested = free[BOOKINGS + 1];
    let started = Instant::now();
    let answers =
        join_all((0..BOOKINGS).map(|i| book(tokens[BOOKINGS + i].clone(), contested))).await;
    let one_slot = started.elapsed().as_secs_f64();
    assert_eq!(answers.iter().filter(|a| a.status == 200).count(), 1);
    Load {
        logins,
        bookings,
        one_slot,
    }
}

/// Seconds to upload `mib` MiB through one server, then through two alternating.
async fn spread_upload(postgres: &Database, mib: usize) -> (f64, f64) {
    let a = TestServer::start_on(binary(), postgres, &[]).await;
    let b = a.sibling(&[]).await;
    let email = a.verified_user("Spread Uploader").await;
    let token = a.login(&email).await;
    let data = support::nodes::data(mib * 1024 * 1024, 5);
    let mut secs = Vec::new();
    for (name, servers) in [("one.bin", [&a, &a]), ("two.bin", [&a, &b])] {
        let started = Instant::now();
        let upload = a.start_upload(&token, name, data.len()).await;
        for (i, chunk) in data.chunks(CHUNK).enumerate() {
            let sent = servers[i % 2]
                .put_chunk(&token, &upload, i, chunk.to_vec())
                .await;
            assert_eq!(sent.status, 200);
        }
        servers[1].finish_upload(&token, &upload).await;
        secs.push(started.elapsed().as_secs_f64());
    }
    (secs[0], secs[1])
}
