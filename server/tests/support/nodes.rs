//! Three regions on loopback, and a `Cluster` client over them with its own metadata
//! database. A region is a real storage node process (`server node ...`) or a real S3 engine
//! (SeaweedFS, started by `scripts/engines.sh weed`): `TEST_REGIONS` chooses `nodes` (the
//! default), `s3` (all three) or `mixed` (eu-west in a bucket, the others nodes), so that the
//! same fault tests run against each.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::background::Background;
use domain::clock::Clock;
use domain::cluster::{Cluster, NodeSpec, REGIONS};

pub const SECRET: &str = "test-cluster-secret";

/// What keeps a region's copies.
pub enum Backing {
    Node,
    S3(S3Engine),
}

/// A SeaweedFS S3 engine of its own (killed and restarted like a node), with one bucket.
pub struct S3Engine {
    pub bucket: String,
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pid: Option<u32>,
}

impl S3Engine {
    /// Starts (or restarts, with its data) the engine in `dir`, with `bucket` in it.
    pub fn start(dir: &std::path::Path, bucket: &str) -> S3Engine {
        let script = super::workspace_root().join("scripts/engines.sh");
        let out = Command::new(script)
            .arg("weed")
            .arg(dir)
            .arg(bucket)
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/engines.sh weed");
        assert!(
            out.status.success(),
            "could not start an S3 engine in {}",
            dir.display()
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
                .unwrap_or_else(|| panic!("engines.sh printed no {name}"))
        };
        S3Engine {
            bucket: bucket.to_owned(),
            endpoint: field("endpoint"),
            access_key_id: field("access_key_id"),
            secret_access_key: field("secret_access_key"),
            pid: field("pid").parse().ok(),
        }
    }

    /// The region's entry in `CLUSTER_NODES`.
    pub fn url(&self) -> String {
        format!("s3://{}?endpoint={}", self.bucket, self.endpoint)
    }

    /// A client that reads and writes the bucket's keys directly (to spoil or check a copy
    /// behind the cluster's back).
    pub fn client(&self) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_bucket_name(&self.bucket)
            .with_region("us-east-1")
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(&self.secret_access_key)
            .with_allow_http(true)
            .build()
            .expect("an S3 client")
    }

    fn signal(&self, signal: &str) {
        if let Some(pid) = self.pid {
            // The engine's whole process group (it was started with setsid).
            let _ = Command::new("kill")
                .args([signal, "--", &format!("-{pid}")])
                .status();
        }
    }
}

impl Drop for S3Engine {
    /// An engine ends with its test, like a node process.
    fn drop(&mut self) {
        self.signal("-KILL");
        if let Some(pid) = self.pid.take() {
            wait_gone(pid);
        }
    }
}

pub struct TestNode {
    pub spec: NodeSpec,
    pub backing: Backing,
    pub dir: PathBuf,
    peers: Vec<NodeSpec>,
    child: Option<Child>,
}

impl TestNode {
    pub fn start(&mut self) {
        if let Backing::S3(engine) = &mut self.backing {
            let fresh = S3Engine::start(&self.dir, &engine.bucket);
            // If it was running, `fresh` is the same engine: the old handle must not stop it.
            engine.pid = None;
            *engine = fresh;
            return;
        }
        let listen = self.spec.url.trim_start_matches("http://").to_owned();
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .args([
                "node",
                "--name",
                &self.spec.name,
                "--region",
                &self.spec.region,
            ])
            .args(["--listen", &listen, "--data-dir"])
            .arg(&self.dir)
            .env("CLUSTER_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for p in &self.peers {
            command.args(["--peer", &format!("{}@{}={}", p.name, p.region, p.url)]);
        }
        self.child = Some(command.spawn().expect("start a node process"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&listen).is_err() {
            assert!(
                Instant::now() < deadline,
                "node {} did not start",
                self.spec.name
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> Option<u32> {
        match &self.backing {
            Backing::Node => self.child.as_ref().map(Child::id),
            Backing::S3(engine) => engine.pid,
        }
    }

    pub fn is_s3(&self) -> bool {
        matches!(self.backing, Backing::S3(_))
    }

    /// SIGKILL: the region dies at once, mid-transfer or not.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Backing::S3(engine) = &mut self.backing {
            engine.signal("-KILL");
            if let Some(pid) = engine.pid.take() {
                wait_gone(pid);
            }
        }
    }

    /// SIGSTOP (or SIGCONT): the region keeps its connections but answers nothing, like a
    /// machine stalled under load.
    pub fn set_paused(&self, paused: bool) {
        let signal = if paused { "-STOP" } else { "-CONT" };
        match &self.backing {
            Backing::S3(engine) => engine.signal(signal),
            Backing::Node => {
                let pid = self.pid().expect("a running node").to_string();
                let status = Command::new("kill").args([signal, &pid]).status();
                assert!(status.is_ok_and(|s| s.success()), "kill {signal} {pid}");
                // A signal takes effect when the process is next scheduled, which on a loaded
                // machine can be after the test's next request: wait until it has.
                let stopped = |pid: &str| {
                    std::fs::read_to_string(format!("/proc/{pid}/stat"))
                        .ok()
                        .and_then(|s| s.rsplit(") ").next().map(|rest| rest.starts_with('T')))
                        .unwrap_or(false)
                };
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                while stopped(&pid) != paused && std::time::Instant::now() < deadline {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            }
        }
    }

    /// Path of the object's bytes on a node's disk.
    fn object_path(&self, id: &str) -> PathBuf {
        self.dir.join("objects").join(&id[..2]).join(id)
    }

    /// The object's bytes as this region stores them now, if it has them.
    pub async fn stored(&self, id: &str) -> Option<Vec<u8>> {
        match &self.backing {
            Backing::Node => std::fs::read(self.object_path(id)).ok(),
            Backing::S3(engine) => {
                use object_store::ObjectStoreExt;
                let got = engine
                    .client()
                    .get(&object_store::path::Path::from(id))
                    .await;
                Some(got.ok()?.bytes().await.ok()?.to_vec())
            }
        }
    }

    /// Replaces the object's bytes behind the cluster's back (its record of size and
    /// checksum stays): rot, as a disk or a bucket might have it.
    pub async fn spoil(&self, id: &str, bytes: Vec<u8>) {
        match &self.backing {
            Backing::Node => std::fs::write(self.object_path(id), bytes).unwrap(),
            Backing::S3(engine) => {
                use object_store::ObjectStoreExt;
                engine
                    .client()
                    .put(&object_store::path::Path::from(id), bytes.into())
                    .await
                    .unwrap();
            }
        }
    }

    /// Flips one bit of the stored object at `at`.
    pub async fn flip(&self, id: &str, at: usize) {
        let mut bytes = self.stored(id).await.expect("the object is stored here");
        bytes[at] ^= 0x01;
        self.spoil(id, bytes).await;
    }

    /// What a write that broke off left behind: a node's partial files (a bucket keeps
    /// unfinished uploads out of sight, and the store aborts them).
    pub fn leftovers(&self) -> usize {
        match &self.backing {
            Backing::Node => std::fs::read_dir(self.dir.join("tmp")).map_or(0, Iterator::count),
            Backing::S3(_) => 0,
        }
    }
}

/// Waits (up to 5 s) until process `pid` is gone.
fn wait_gone(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline
        && Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    {
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct TestCluster {
    pub nodes: Vec<TestNode>,
    pub cluster: Arc<Cluster>,
    /// The cluster's background jobs (health checks, repairs, scrub).
    pub jobs: Arc<Background>,
    pub dir: tempfile::TempDir,
}

/// Three node processes, one per region, with their data under `dir`, started.
pub fn start_nodes(dir: &std::path::Path) -> Vec<TestNode> {
    start_regions(dir, |_| false)
}

/// Three regions: `nodes`, `s3` or `mixed` (see the module comment), started.
pub fn start_regions_as(dir: &std::path::Path, mode: &str) -> Vec<TestNode> {
    match mode {
        "" | "nodes" => start_nodes(dir),
        "s3" => start_regions(dir, |_| true),
        "mixed" => start_regions(dir, |region| region == "eu-west"),
        other => panic!("TEST_REGIONS is nodes, s3 or mixed, not {other:?}"),
    }
}

fn start_regions(dir: &std::path::Path, in_bucket: impl Fn(&str) -> bool) -> Vec<TestNode> {
    let mut nodes: Vec<TestNode> = REGIONS
        .iter()
        .map(|r| {
            let dir = dir.join(r);
            let (backing, url) = if in_bucket(r) {
                let engine = S3Engine::start(&dir, &format!("region-{r}"));
                let url = engine.url();
                (Backing::S3(engine), url)
            } else {
                (
                    Backing::Node,
                    format!("http://127.0.0.1:{}", super::free_port()),
                )
            };
            TestNode {
                spec: NodeSpec {
                    name: (*r).to_owned(),
                    region: (*r).to_owned(),
                    url,
                },
                backing,
                dir,
                peers: Vec::new(),
                child: None,
            }
        })
        .collect();
    // A node's peers are the other nodes (buckets are reached by the app only).
    let node_specs: Vec<NodeSpec> = nodes
        .iter()
        .filter(|n| !n.is_s3())
        .map(|n| n.spec.clone())
        .collect();
    for n in nodes.iter_mut().filter(|n| !n.is_s3()) {
        n.peers = node_specs
            .iter()
            .filter(|s| s.name != n.spec.name)
            .cloned()
            .collect();
        n.start();
    }
    nodes
}

/// The S3 credentials of these regions, by name, as `Cluster::connect` takes them.
pub fn s3_credentials(
    nodes: &[TestNode],
) -> std::collections::HashMap<String, domain::cluster::s3_store::S3Credentials> {
    nodes
        .iter()
        .filter_map(|n| match &n.backing {
            Backing::S3(e) => Some((
                n.spec.name.clone(),
                domain::cluster::s3_store::S3Credentials {
                    access_key_id: e.access_key_id.clone(),
                    secret_access_key: e.secret_access_key.clone(),
                },
            )),
            Backing::Node => None,
        })
        .collect()
}

/// `CLUSTER_NODES` for these nodes.
pub fn node_list(nodes: &[TestNode]) -> String {
    nodes
        .iter()
        .map(|n| format!("{}@{}={}", n.spec.name, n.spec.region, n.spec.url))
        .collect::<Vec<_>>()
        .join(",")
}

impl TestCluster {
    pub async fn start() -> TestCluster {
        Self::start_as(&std::env::var("TEST_REGIONS").unwrap_or_default()).await
    }

    /// With regions of this kind (`nodes`, `s3` or `mixed`), whatever `TEST_REGIONS` says.
    pub async fn start_as(regions: &str) -> TestCluster {
        let dir = tempfile::tempdir().expect("temp dir");
        let nodes = start_regions_as(dir.path(), regions);
        let specs = nodes.iter().map(|n| n.spec.clone()).collect();
        let db = domain::db::open(&domain::db::test_url(&dir.path().join("meta")).await)
            .await
            .expect("metadata db");
        let cluster = Cluster::connect(db, specs, SECRET, &s3_credentials(&nodes), Clock::system())
            .expect("the cluster");
        cluster.check_health().await;
        let jobs = Background::new(Clock::system(), true);
        cluster.start_jobs(&jobs, Duration::from_millis(200), Duration::from_secs(3600));
        TestCluster {
            nodes,
            cluster,
            jobs,
            dir,
        }
    }

    /// A second cluster client over the same nodes, with its own metadata and no background
    /// checks: it knows nothing of the nodes until the test says so.
    pub async fn new_client(&self) -> Arc<Cluster> {
        let db = domain::db::open(&domain::db::test_url(&self.dir.path().join("meta-2")).await)
            .await
            .expect("metadata db");
        let specs = self.nodes.iter().map(|n| n.spec.clone()).collect();
        let s3 = s3_credentials(&self.nodes);
        Cluster::connect(db, specs, SECRET, &s3, Clock::system()).expect("the cluster")
    }

    /// A region, to look at (`node` to kill, start or pause it).
    pub fn region(&self, name: &str) -> &TestNode {
        self.nodes
            .iter()
            .find(|n| n.spec.name == name)
            .expect("a region of that name")
    }

    pub fn node(&mut self, name: &str) -> &mut TestNode {
        self.nodes
            .iter_mut()
            .find(|n| n.spec.name == name)
            .expect("a node of that name")
    }

    /// Waits (up to 10 s) until `check` holds.
    pub async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !check().await {
            assert!(Instant::now() < deadline, "timed out waiting for: {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_node_state(&self, name: &str, up: bool) {
        let cluster = self.cluster.clone();
        self.eventually(&format!("{name} up={up}"), || {
            let cluster = cluster.clone();
            async move { cluster.state_of(name).up == up }
        })
        .await;
    }
}

/// Deterministic pseudo-random bytes (xorshift), so tests need no fixture files.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}
