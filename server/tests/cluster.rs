//! The storage cluster with real regions on loopback: storage node processes, S3 engines, or
//! both (`TEST_REGIONS`, see `support::nodes`); the test command runs this file once for each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use domain::cluster::{ClusterError, ReplicaState};
use futures::StreamExt;
use support::nodes::{data, TestCluster, SECRET};

async fn read_all(c: &TestCluster, id: &str) -> Vec<u8> {
    let mut read = c.cluster.read(id, None).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = read.stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

#[tokio::test]
async fn a_write_with_one_node_down_reads_back_and_is_repaired_when_it_returns() {
    let mut c = TestCluster::start().await;
    c.node("asia").kill();
    c.wait_node_state("asia", false).await;

    let bytes = data(3 * 1024 * 1024 + 17, 1);
    let meta = c.cluster.write("obj-one-down", &bytes[..]).await.unwrap();
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(read_all(&c, "obj-one-down").await, bytes);
    let status = c.cluster.status().await.unwrap();
    assert_eq!((status.two_copies, status.three_copies), (1, 0));
    assert_eq!(status.repair_queue_len, 1);
    assert_eq!(
        c.cluster.repair_all().await.unwrap(),
        1,
        "the one missing replica"
    );

    c.node("asia").start();
    let cluster = c.cluster.clone();
    c.eventually("three copies again", || {
        let cluster = cluster.clone();
        async move {
            let s = cluster.status().await.unwrap();
            s.three_copies == 1 && s.repair_queue_len == 0
        }
    })
    .await;
    assert_eq!(c.node("asia").stored("obj-one-down").await.unwrap(), bytes);
}

#[tokio::test]
async fn a_corrupted_replica_is_detected_and_repaired() {
    let mut c = TestCluster::start().await;
    let bytes = data(512 * 1024, 2);
    c.cluster.write("obj-corrupt", &bytes[..]).await.unwrap();
    c.node("eu-west").flip("obj-corrupt", 1000).await;

    let report = c.cluster.verify("obj-corrupt").await.unwrap();
    let state = |r: &domain::cluster::ObjectReport, n: &str| {
        r.replicas.iter().find(|(name, _)| name == n).unwrap().1
    };
    assert_eq!(state(&report, "eu-west"), ReplicaState::Corrupt);
    assert_eq!(state(&report, "us-east"), ReplicaState::Ok);

    let repaired = c.cluster.repair("obj-corrupt").await.unwrap();
    assert_eq!(repaired.healthy(), 3, "{repaired:?}");
    assert_eq!(
        c.node("eu-west").stored("obj-corrupt").await.unwrap(),
        bytes
    );
}

#[tokio::test]
async fn a_delete_made_while_a_node_is_down_is_applied_when_it_returns() {
    let mut c = TestCluster::start().await;
    c.cluster
        .write("obj-delete", &data(100_000, 3)[..])
        .await
        .unwrap();
    assert!(c.node("us-east").stored("obj-delete").await.is_some());
    c.node("us-east").kill();
    c.wait_node_state("us-east", false).await;

    c.cluster.delete("obj-delete").await.unwrap();
    assert!(matches!(
        c.cluster.meta("obj-delete").await,
        Err(ClusterError::NotFound)
    ));
    assert!(c.node("eu-west").stored("obj-delete").await.is_none());

    c.node("us-east").start();
    assert!(
        c.node("us-east").stored("obj-delete").await.is_some(),
        "the stopped node still has it"
    );
    let returning = c.region("us-east");
    c.eventually("the returning node deletes it", || async move {
        returning.stored("obj-delete").await.is_none()
    })
    .await;
}

#[tokio::test]
async fn a_node_killed_mid_download_does_not_break_the_download() {
    let mut c = TestCluster::start().await;
    let bytes = data(48 * 1024 * 1024, 4);
    c.cluster.write("obj-failover", &bytes[..]).await.unwrap();
    let first = c.cluster.read_order("obj-failover").await.unwrap()[0].clone();

    let mut read = c.cluster.read("obj-failover", None).await.unwrap();
    let mut got = Vec::with_capacity(bytes.len());
    while got.len() < 2 * 1024 * 1024 {
        got.extend_from_slice(&read.stream.next().await.unwrap().unwrap());
    }
    c.node(&first).kill();
    while let Some(chunk) = read.stream.next().await {
        got.extend_from_slice(&chunk.expect("the read fails over instead of failing"));
    }
    assert_eq!(got.len(), bytes.len());
    assert!(got == bytes, "identical bytes after failover");

    // A ranged read from the middle also works with the node gone.
    let mut part = c
        .cluster
        .read("obj-failover", Some(1000..2000))
        .await
        .unwrap();
    let mut slice = Vec::new();
    while let Some(chunk) = part.stream.next().await {
        slice.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(slice, bytes[1000..2000]);
}

/// Hands out `inner`, and SIGKILLs `pid` once `after` bytes have been read.
struct KillAfter<'a> {
    inner: &'a [u8],
    after: usize,
    read: usize,
    pid: Option<u32>,
}

impl tokio::io::AsyncRead for KillAfter<'_> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.read >= self.after {
            if let Some(pid) = self.pid.take() {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            }
        }
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = std::pin::Pin::new(&mut this.inner).poll_read(cx, buf);
        this.read += buf.filled().len() - before;
        poll
    }
}

#[tokio::test]
async fn a_node_dying_mid_write_leaves_two_copies_and_is_repaired_on_return() {
    let mut c = TestCluster::start().await;
    let bytes = data(64 * 1024 * 1024, 6);
    let reader = KillAfter {
        inner: &bytes[..],
        after: 8 * 1024 * 1024,
        read: 0,
        pid: c.node("asia").pid(),
    };
    let meta = c.cluster.write("obj-mid-write", reader).await.unwrap();
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(read_all(&c, "obj-mid-write").await, bytes);
    c.node("asia").kill(); // reap the killed process
    c.node("asia").start();
    assert!(
        c.node("asia").stored("obj-mid-write").await.is_none(),
        "no half object on the dead node"
    );
    assert_eq!(c.node("asia").leftovers(), 0, "partial upload cleaned up");
    let cluster = c.cluster.clone();
    c.eventually("three copies again", || {
        let cluster = cluster.clone();
        async move { cluster.status().await.unwrap().three_copies == 1 }
    })
    .await;
    assert!(c.node("asia").stored("obj-mid-write").await.unwrap() == bytes);
}

#[tokio::test]
async fn a_write_with_two_nodes_down_fails_cleanly() {
    let mut c = TestCluster::start().await;
    c.node("us-east").kill();
    c.node("asia").kill();
    c.wait_node_state("us-east", false).await;
    c.wait_node_state("asia", false).await;

    let err = c
        .cluster
        .write("obj-refused", &data(2_000_000, 5)[..])
        .await
        .unwrap_err();
    assert!(matches!(err, ClusterError::Unavailable), "{err:?}");
    assert!(matches!(
        c.cluster.meta("obj-refused").await,
        Err(ClusterError::NotFound)
    ));
    let survivor = c.node("eu-west");
    assert!(survivor.stored("obj-refused").await.is_none());
    assert_eq!(survivor.leftovers(), 0, "no garbage");
}

#[tokio::test]
async fn a_stalled_node_is_down_after_two_missed_checks_and_writes_do_not_trust_a_stale_view() {
    let mut c = TestCluster::start().await;
    let client = c.new_client().await;
    // Never checked, so every node is believed down: the write tries them all anyway.
    let meta = client
        .write("obj-unchecked", &data(300_000, 8)[..])
        .await
        .unwrap();
    assert_eq!(meta.size, 300_000);
    client.check_health().await;
    assert_eq!(client.status().await.unwrap().three_copies, 1);

    c.node("eu-west").set_paused(true);
    client.check_health().await;
    assert!(
        client.state_of("eu-west").up,
        "one late answer is not an outage"
    );
    client.check_health().await;
    assert!(!client.state_of("eu-west").up, "two in a row are");
    assert!(client.state_of("us-east").up && client.state_of("asia").up);
    c.node("eu-west").set_paused(false);
    client.check_health().await;
    assert!(client.state_of("eu-west").up);
}

#[tokio::test]
async fn a_request_without_the_cluster_secret_is_refused() {
    let mut c = TestCluster::start().await;
    let http = reqwest::Client::new();
    if let support::nodes::Backing::S3(engine) = &c.node("us-east").backing {
        // A bucket refuses whoever does not sign with its key.
        let url = format!("{}/{}/anything", engine.endpoint, engine.bucket);
        assert_eq!(http.get(&url).send().await.unwrap().status(), 403);
        let put = http.put(&url).body("data").send().await.unwrap();
        assert_eq!(put.status(), 403);
        return;
    }
    let url = format!("{}/health", c.node("us-east").spec.url);
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    let wrong = http
        .get(&url)
        .header("x-cluster-secret", "guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let put = http
        .put(format!("{}/objects/sneaky", c.node("us-east").spec.url))
        .body("data")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 401);
    let right = http
        .get(&url)
        .header("x-cluster-secret", SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

/// Reads the object (or `range` of it): the bytes served before the read ended, and how it
/// ended.
async fn read_until_error(
    c: &TestCluster,
    id: &str,
    range: Option<std::ops::Range<u64>>,
) -> (Vec<u8>, Option<ClusterError>) {
    let mut read = c.cluster.read(id, range).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = read.stream.next().await {
        match chunk {
            Ok(bytes) => out.extend_from_slice(&bytes),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

#[tokio::test]
async fn a_large_object_never_streams_a_rotten_byte() {
    let mut c = TestCluster::start().await;
    // No background work during the test: repairs would mend the copies it spoils, and health
    // checks could reorder the replicas between its reads.
    c.jobs.shutdown(std::time::Duration::from_secs(5)).await;
    // Larger than a drive block: streamed, not fetched whole.
    let bytes = data(9 * 1024 * 1024 + 99, 9);
    c.cluster.write("obj-large-rot", &bytes[..]).await.unwrap();
    // One byte flipped in the fourth segment, on two of the three nodes.
    let spot = 3 * 1024 * 1024 + 4321;
    let order = c.cluster.read_order("obj-large-rot").await.unwrap();
    for name in &order[..2] {
        c.node(name).flip("obj-large-rot", spot).await;
    }
    let (whole, ended) = read_until_error(&c, "obj-large-rot", None).await;
    assert!(ended.is_none(), "{ended:?}");
    assert!(whole == bytes, "the whole read is right");
    let (part, _) = read_until_error(
        &c,
        "obj-large-rot",
        Some(spot as u64 - 10..spot as u64 + 10),
    )
    .await;
    assert_eq!(part, bytes[spot - 10..spot + 10]);
    // The two bad copies are known and queued for repair.
    assert_eq!(
        c.cluster.read_order("obj-large-rot").await.unwrap(),
        [order[2].clone()]
    );
    assert_eq!(c.cluster.status().await.unwrap().repair_queue_len, 2);

    // With the last copy spoiled too, the read stops before the bad segment: what was served
    // is right, and it ends with an error instead of a wrong byte.
    c.node(&order[2]).flip("obj-large-rot", spot).await;
    let (served, ended) = read_until_error(&c, "obj-large-rot", None).await;
    assert!(
        matches!(ended, Some(ClusterError::NoIntactCopy)),
        "{ended:?}"
    );
    assert_eq!(
        served.len(),
        3 * 1024 * 1024,
        "every segment before the bad one"
    );
    assert!(served == bytes[..served.len()]);
    let (part, ended) =
        read_until_error(&c, "obj-large-rot", Some(spot as u64..spot as u64 + 1)).await;
    assert!(part.is_empty() && matches!(ended, Some(ClusterError::NoIntactCopy)));
}

#[tokio::test]
async fn repairs_for_a_node_that_is_down_do_not_hold_up_the_others() {
    let mut c = TestCluster::start().await;
    c.node("asia").kill();
    c.wait_node_state("asia", false).await;
    // More repairs waiting for asia than the worker takes in one batch (32).
    for n in 0..40 {
        let id = format!("obj-for-asia-{n}");
        c.cluster.write(&id, &data(1000, n)[..]).await.unwrap();
    }
    // Then us-east's copy of another object rots: its repair is queued behind all of asia's.
    let bytes = data(2000, 99);
    c.cluster
        .write("obj-lost-on-us-east", &bytes[..])
        .await
        .unwrap();
    let mut rotten = bytes.clone();
    rotten[10] ^= 0xff;
    c.node("us-east").spoil("obj-lost-on-us-east", rotten).await;
    let report = c.cluster.verify("obj-lost-on-us-east").await.unwrap();
    assert!(
        report
            .replicas
            .contains(&("us-east".into(), ReplicaState::Corrupt)),
        "{report:?}"
    );

    let (us_east, right) = (c.region("us-east"), &bytes);
    c.eventually("us-east repaired while asia is still down", || async move {
        us_east.stored("obj-lost-on-us-east").await.as_ref() == Some(right)
    })
    .await;
}

#[tokio::test]
async fn a_node_that_stalls_mid_read_is_left_for_the_next() {
    let mut c = TestCluster::start().await;
    let bytes = data(64 * 1024 * 1024, 12);
    c.cluster.write("obj-stall", &bytes[..]).await.unwrap();
    // No health checks during the test: the read alone must notice the stall.
    c.jobs.shutdown(std::time::Duration::from_secs(5)).await;
    let first = c.cluster.read_order("obj-stall").await.unwrap()[0].clone();

    let mut read = c.cluster.read("obj-stall", None).await.unwrap();
    let mut got = Vec::with_capacity(bytes.len());
    got.extend_from_slice(&read.stream.next().await.unwrap().unwrap());
    c.node(&first).set_paused(true);
    let rest = async {
        while let Some(chunk) = read.stream.next().await {
            got.extend_from_slice(&chunk.expect("the read moves to another copy"));
        }
    };
    let finished = tokio::time::timeout(std::time::Duration::from_secs(60), rest).await;
    c.node(&first).set_paused(false);
    assert!(
        finished.is_ok(),
        "the read did not hang on the stalled node"
    );
    assert!(got == bytes, "identical bytes");
}

#[tokio::test]
async fn a_bucket_refusing_its_key_or_missing_is_down_with_the_reason_and_writes_go_on() {
    use domain::cluster::s3_store::S3Credentials;
    use support::nodes::S3Engine;
    let c = TestCluster::start().await;
    let engine = S3Engine::start(&c.dir.path().join("extra-engine"), "real-bucket");
    let key = S3Credentials {
        access_key_id: engine.access_key_id.clone(),
        secret_access_key: engine.secret_access_key.clone(),
    };
    let wrong = S3Credentials {
        secret_access_key: format!("not-{}", engine.secret_access_key),
        ..key.clone()
    };
    let cases = [
        ("real-bucket", wrong, "credentials refused"),
        ("no-such-bucket", key, "does not exist"),
    ];
    for (n, (bucket, credentials, reason)) in cases.into_iter().enumerate() {
        // us-east and asia as the test cluster has them; eu-west this bucket.
        let mut specs: Vec<_> = c.nodes.iter().map(|n| n.spec.clone()).collect();
        specs[1].url = format!("s3://{bucket}?endpoint={}", engine.endpoint);
        let mut s3 = support::nodes::s3_credentials(&c.nodes);
        s3.insert(specs[1].name.clone(), credentials);
        let db = domain::db::open(
            &domain::db::test_url(&c.dir.path().join(format!("meta-bad-{n}"))).await,
        )
        .await
        .unwrap();
        let clock = domain::clock::Clock::system();
        let cluster = domain::cluster::Cluster::connect(db, specs, SECRET, &s3, clock).unwrap();
        cluster.check_health().await;
        let eu = cluster.state_of("eu-west");
        assert!(!eu.up, "{bucket}");
        let shown = eu.last_error.unwrap_or_default();
        assert!(shown.contains(reason), "{bucket}: /nodes shows {shown:?}");
        // The quorum holds with the other two, and the bad bucket got nothing.
        let bytes = data(1_500_000, 40 + n as u64);
        let id = format!("obj-bad-bucket-{n}");
        let meta = cluster.write(&id, &bytes[..]).await.unwrap();
        assert_eq!(meta.size, bytes.len() as u64);
        let status = cluster.status().await.unwrap();
        assert_eq!((status.two_copies, status.three_copies), (1, 0));
        let mut read = cluster.read(&id, None).await.unwrap();
        let mut got = Vec::new();
        while let Some(chunk) = read.stream.next().await {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert!(got == bytes);
    }
    use object_store::ObjectStoreExt;
    let listed = engine.client().head(&"obj-bad-bucket-0".into()).await;
    assert!(listed.is_err(), "nothing written with a refused key");
}
