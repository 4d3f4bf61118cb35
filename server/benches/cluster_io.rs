//! Writes and reads a 1 GiB file through the cluster API and prints throughput and peak
//! memory, next to a baseline measured in the same run: copying the same file to three files
//! and syncing (`cp` x3 + `sync`). Twice: with three storage node processes as the regions,
//! then with three S3 engines (SeaweedFS, started by `scripts/engines.sh weed`), and the
//! ratio of the two.
//!
//! Run: `scripts/bench.sh` (or `cargo bench -p server --bench cluster_io`). `BENCH_MIB` changes
//! the size (default 1024).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::time::Instant;

use futures::StreamExt;
use support::measure::{mb_per_s, memory_mb, reset_peak_memory};
use support::nodes::{data, TestCluster};

#[tokio::main]
async fn main() {
    let mib: usize = std::env::var("BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let size = (mib * 1024 * 1024) as u64;
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source.bin");
    {
        let mut f = std::fs::File::create(&source).unwrap();
        let block = data(8 * 1024 * 1024, 42);
        for _ in 0..(mib / 8).max(1) {
            f.write_all(&block).unwrap();
        }
        f.sync_all().unwrap();
    }
    let size = std::fs::metadata(&source).map_or(size, |m| m.len());
    println!(
        "cluster_io: {} MiB through 3 regions on loopback (nodes, then S3 engines)",
        size / 1024 / 1024
    );

    // Baseline: three plain copies and a sync.
    let started = Instant::now();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("cp \"$0\" \"$1/a\" && cp \"$0\" \"$1/b\" && cp \"$0\" \"$1/c\" && sync")
        .arg(&source)
        .arg(work.path())
        .status()
        .unwrap();
    assert!(status.success());
    let baseline = started.elapsed().as_secs_f64();
    for f in ["a", "b", "c"] {
        let _ = std::fs::remove_file(work.path().join(f));
    }

    println!(
        "baseline cp x3 + sync: {baseline:>7.2} s  ({:>7.1} MB/s of source)",
        mb_per_s(size, baseline)
    );
    let nodes = run(&source, size, "nodes").await;
    let s3 = run(&source, size, "s3").await;
    println!(
        "ratio node write/baseline: {:.2}x (target <= 1.5x)",
        nodes.write / baseline
    );
    println!(
        "S3 regions against node regions: write {:.2}x the time, read {:.2}x the time",
        s3.write / nodes.write,
        s3.read / nodes.read
    );
}

struct Run {
    write: f64,
    read: f64,
}

/// Writes and reads the file through a cluster whose regions are `regions`.
async fn run(source: &std::path::Path, size: u64, regions: &str) -> Run {
    let c = TestCluster::start_as(regions).await;
    reset_peak_memory();
    let rss_before = memory_mb("self", "VmRSS");
    let file = tokio::fs::File::open(source).await.unwrap();
    let started = Instant::now();
    let meta = c.cluster.write("bench-object", file).await.unwrap();
    let write = started.elapsed().as_secs_f64();
    assert_eq!(meta.size, size);

    let started = Instant::now();
    let mut read = c.cluster.read("bench-object", None).await.unwrap();
    let mut got = 0u64;
    while let Some(chunk) = read.stream.next().await {
        got += chunk.unwrap().len() as u64;
    }
    let read_secs = started.elapsed().as_secs_f64();
    assert_eq!(got, size);
    println!(
        "{regions:>5} write:  {write:>7.2} s  ({:>7.1} MB/s, 3 replicas, durable)",
        mb_per_s(size, write)
    );
    println!(
        "{regions:>5} read:   {read_secs:>7.2} s  ({:>7.1} MB/s, checked segment by segment)",
        mb_per_s(size, read_secs)
    );
    println!(
        "{regions:>5} peak memory of this process during both: {:.1} MB (at the start: {rss_before:.1} MB)",
        memory_mb("self", "VmHWM")
    );
    Run {
        write,
        read: read_secs,
    }
}
