//! Uploads and downloads a 1 GiB file through the public HTTP API (chunked upload with the
//! bearer token, signed download link), on the release server with its three storage nodes,
//! and compares with the cluster-level write and read of the same bytes in the same run
//! (three node processes, as in `cluster_io`). Prints throughput, the server's memory, and
//! the ratios to the targets: upload >= 0.5x cluster write, download >= 500 MB/s, server
//! memory growth < 100 MB.
//!
//! Run: `scripts/bench.sh` (or `cargo bench -p server --bench drive_io`). `BENCH_MIB` changes
//! the size (default 1024).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Instant;

use futures::StreamExt;
use serde_json::json;
use support::measure::{mb_per_s, memory_mb};
use support::nodes::TestCluster;
use support::transfer::{download_link, upload_chunked, Payload, CHUNK};
use support::TestServer;

#[tokio::main]
async fn main() {
    let mib: u64 = std::env::var("BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let payload = Payload::new((mib / 8).max(1) * CHUNK);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source.bin");
    {
        let mut f = std::fs::File::create(&source).unwrap();
        for i in 0..payload.blocks() {
            f.write_all(&payload.block(i)).unwrap();
        }
        f.sync_all().unwrap();
    }
    let checksum = payload.checksum().to_hex().to_string();
    let size = payload.size;
    println!(
        "drive_io: {} MiB, HTTP API vs cluster API",
        size / 1024 / 1024
    );

    // Baseline: the cluster API itself, three node processes on loopback.
    let (cluster_write, cluster_read) = {
        let c = TestCluster::start().await;
        let file = tokio::fs::File::open(&source).await.unwrap();
        let started = Instant::now();
        c.cluster.write("bench-object", file).await.unwrap();
        let write = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let mut read = c.cluster.read("bench-object", None).await.unwrap();
        while let Some(chunk) = read.stream.next().await {
            chunk.unwrap();
        }
        (write, started.elapsed().as_secs_f64())
    };

    // The product: the release server binary with its built-in nodes, over HTTP.
    let server = TestServer::start().await;
    let email = server.verified_user("Bench User").await;
    let token = server.login(&email).await;
    let pid = server.pid().to_string();
    let rss_before = memory_mb(&pid, "VmRSS");

    let started = Instant::now();
    let mut file = std::fs::File::open(&source).unwrap();
    let id = upload_chunked(&server, &token, "bench.bin", size, |index| {
        let len = usize::try_from(CHUNK.min(size - index * CHUNK)).unwrap();
        let mut chunk = vec![0u8; len];
        file.seek(SeekFrom::Start(index * CHUNK)).unwrap();
        file.read_exact(&mut chunk).unwrap();
        chunk
    })
    .await;
    let upload = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let (got, downloaded) = download_link(&server, &token, &id).await;
    let download = started.elapsed().as_secs_f64();
    assert_eq!(got, size);
    assert_eq!(downloaded.to_hex().to_string(), checksum);
    let detail = server
        .post("/api/files/detail", json!({"id": id}), Some(&token))
        .await
        .json();
    assert_eq!(detail["checksum"], checksum.as_str());
    let peak = memory_mb(&pid, "VmHWM");

    let up = mb_per_s(size, upload);
    let down = mb_per_s(size, download);
    let cw = mb_per_s(size, cluster_write);
    println!(
        "cluster write (baseline): {cluster_write:>6.2} s  ({cw:>7.1} MB/s, 3 replicas, fsynced)"
    );
    println!(
        "cluster read (baseline):  {cluster_read:>6.2} s  ({:>7.1} MB/s)",
        mb_per_s(size, cluster_read)
    );
    println!("HTTP upload (8 MiB chunks): {upload:>6.2} s  ({up:>7.1} MB/s)");
    println!(
        "HTTP download (signed link): {download:>6.2} s  ({down:>7.1} MB/s, checksum verified)"
    );
    println!("upload / cluster write:   {:.2}x (target >= 0.5x)", up / cw);
    println!("download:                 {down:.0} MB/s (target >= 500 MB/s)");
    println!(
        "server memory: {rss_before:.1} MB before, peak {peak:.1} MB, growth {:.1} MB (target < 100 MB)",
        peak - rss_before
    );
}
