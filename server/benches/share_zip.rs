//! A shared folder of 1 GiB (16 files of 64 MiB) downloaded as one zip through its link,
//! streamed as it is built (stored entries, ZIP64), on the release server with its three
//! storage nodes; against downloading the same files one by one through the same link in
//! the same run. Prints throughput (target >= 300 MB/s), the ratio to the file downloads, and
//! the server's memory while the zip streams (target: flat, growth < 100 MB).
//!
//! Run: `scripts/bench.sh` (or `cargo bench -p server --bench share_zip`). `BENCH_MIB` changes
//! the folder's size (default 1024).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Figures for people: MB as floats, rounded into counters.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;
use support::measure::{mb_per_s, memory_mb};
use support::nodes::data;
use support::TestServer;

const FILE_MIB: u64 = 64;

/// Downloads `url` into `sink`; the bytes it took.
async fn fetch(http: &reqwest::Client, url: &str, mut sink: impl Write) -> u64 {
    let response = http.get(url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let mut body = response.bytes_stream();
    let mut got = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        got += chunk.len() as u64;
        sink.write_all(&chunk).unwrap();
    }
    got
}

#[tokio::main]
async fn main() {
    let mib: u64 = std::env::var("BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let files = (mib / FILE_MIB).max(1);
    let server = TestServer::start().await;
    let email = server.verified_user("Zip Bench").await;
    let token = server.login(&email).await;
    let folder = server
        .post("/api/files/folder", json!({"name": "Bench"}), Some(&token))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for n in 0..files {
        let mut bytes = data(usize::try_from(FILE_MIB * 1024 * 1024).unwrap(), 7);
        bytes[..8].copy_from_slice(&n.to_le_bytes());
        let r = server
            .http
            .put(format!(
                "{}/api/files/upload?name=part{n:02}.bin&folder_id={folder}",
                server.base
            ))
            .bearer_auth(&token)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "upload {n}: {}", r.status());
        ids.push(
            r.json::<serde_json::Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let total = files * FILE_MIB * 1024 * 1024;
    let link = server
        .post(
            "/api/shares/create",
            json!({"item_id": folder, "kind": "download"}),
            Some(&token),
        )
        .await
        .json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    println!(
        "share_zip: a {} MiB folder of {files} files, through its link",
        total / 1024 / 1024
    );

    // Baseline: the same files, one download each.
    let started = Instant::now();
    let mut fetched = 0;
    for id in &ids {
        fetched += fetch(
            &server.http,
            &format!("{link}/download?file={id}"),
            std::io::sink(),
        )
        .await;
    }
    let files_secs = started.elapsed().as_secs_f64();
    assert_eq!(fetched, total);

    // The zip, written to disk to be checked after; the server's memory sampled meanwhile.
    let pid = server.pid().to_string();
    let before = memory_mb(&pid, "VmRSS");
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = {
        let (peak, pid) = (peak.clone(), pid.clone());
        tokio::spawn(async move {
            loop {
                let now = (memory_mb(&pid, "VmRSS") * 1024.0) as u64;
                peak.fetch_max(now, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("bench.zip");
    let started = Instant::now();
    let zipped = fetch(
        &server.http,
        &format!("{link}/zip"),
        std::io::BufWriter::new(std::fs::File::create(&path).unwrap()),
    )
    .await;
    let zip_secs = started.elapsed().as_secs_f64();
    sampling.abort();
    let peak = peak.load(Ordering::Relaxed) as f64 / 1024.0;

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(archive.len(), usize::try_from(files).unwrap());
    let mut stored = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
        stored += entry.size();
    }
    assert_eq!(stored, total);

    let zip_rate = mb_per_s(zipped, zip_secs);
    let files_rate = mb_per_s(fetched, files_secs);
    println!("files one by one (baseline): {files_secs:>6.2} s  ({files_rate:>7.1} MB/s)");
    println!("zip of the folder:           {zip_secs:>6.2} s  ({zip_rate:>7.1} MB/s, {zipped} bytes, entries checked)");
    println!("zip / files:                 {:.2}x", zip_rate / files_rate);
    println!("zip throughput:              {zip_rate:.0} MB/s (target >= 300 MB/s)");
    println!(
        "server memory while zipping: {before:.1} MB before, peak {peak:.1} MB, growth {:.1} MB (target < 100 MB)",
        peak - before
    );
}
