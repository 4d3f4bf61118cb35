//! Three real storage node processes (`server node ...`) on loopback ports, and a `Cluster`
//! client over them with its own metadata database.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::background::Background;
use domain::clock::Clock;
use domain::cluster::{Cluster, NodeSpec, REGIONS};

pub const SECRET: &str = "test-cluster-secret";

pub struct TestNode {
    pub spec: NodeSpec,
    pub dir: PathBuf,
    peers: Vec<NodeSpec>,
    child: Option<Child>,
}

impl TestNode {
    pub fn start(&mut self) {
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
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: the node dies at once, mid-transfer or not.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGSTOP (or SIGCONT): the node keeps its connections but answers nothing, like a
    /// machine stalled under load.
    pub fn set_paused(&self, paused: bool) {
        let pid = self.pid().expect("a running node").to_string();
        let signal = if paused { "-STOP" } else { "-CONT" };
        let status = Command::new("kill").args([signal, &pid]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill {signal} {pid}");
    }

    /// Path of the object's bytes on this node's disk.
    pub fn object_path(&self, id: &str) -> PathBuf {
        self.dir.join("objects").join(&id[..2]).join(id)
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
    let specs: Vec<NodeSpec> = REGIONS
        .iter()
        .map(|r| NodeSpec {
            name: (*r).to_owned(),
            region: (*r).to_owned(),
            url: format!("http://127.0.0.1:{}", super::free_port()),
        })
        .collect();
    let mut nodes: Vec<TestNode> = specs
        .iter()
        .map(|spec| TestNode {
            spec: spec.clone(),
            dir: dir.join(&spec.name),
            peers: specs
                .iter()
                .filter(|s| s.name != spec.name)
                .cloned()
                .collect(),
            child: None,
        })
        .collect();
    for n in nodes.iter_mut() {
        n.start();
    }
    nodes
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
        let dir = tempfile::tempdir().expect("temp dir");
        let nodes = start_nodes(dir.path());
        let specs = nodes.iter().map(|n| n.spec.clone()).collect();
        let db = domain::db::open(&domain::db::test_url(&dir.path().join("meta")).await)
            .await
            .expect("metadata db");
        let cluster = Cluster::new(db, specs, SECRET, Clock::system());
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
        Cluster::new(db, specs, SECRET, Clock::system())
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
