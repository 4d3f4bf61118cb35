//! The storage cluster: every object on three nodes in three regions. Writes stream to all
//! nodes at once and succeed with two durable copies; reads fail over between replicas at the
//! same offset; a repair queue with backoff and a scrub bring copies back to three.

pub mod blob_store;
mod delete;
mod health;
pub mod node_client;
mod probe;
mod read;
mod repair;
pub mod replicas;
pub mod s3_store;
pub mod status;
pub mod store;
mod verify;
mod write;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::Notify;

pub use blob_store::{BlobError, BlobStore, PeerView};
pub use node_client::{NodeClient, NodeSpec};
pub use probe::{ProbeReport, PROBE_ID};
pub use read::ObjectRead;
pub use replicas::ReplicaState;
pub use status::NodeStatus;
pub use store::ObjectMeta;
pub use verify::ObjectReport;

use crate::background::{Background, Ran, Schedule};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{BoxError, ErrorKind, UserFacing};

/// The default regions, in order of preference when nothing else is known.
pub const REGIONS: [&str; 3] = ["us-east", "eu-west", "asia"];
/// Copies a write needs before it succeeds.
pub const WRITE_QUORUM: usize = 2;
/// The unit a write streams and a read checks: no byte of a segment is served before the
/// whole segment matched its recorded BLAKE3.
pub const SEGMENT: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("No such object.")]
    NotFound,
    #[error("Storage is unavailable right now (fewer than two storage nodes answered). Nothing was stored; please try again shortly.")]
    Unavailable,
    #[error("The upload was interrupted: {0}")]
    Interrupted(String),
    #[error("Invalid object id.")]
    InvalidId,
    /// Every copy that could be reached failed its checksum (or none could be reached): the
    /// read stops rather than serve a wrong byte.
    #[error("No intact copy of this data can be read right now; its repair has been queued. Please try again later.")]
    NoIntactCopy,
    #[error("Something went wrong in storage. Please try again.")]
    Internal(#[source] BoxError),
}

impl From<sqlx::Error> for ClusterError {
    fn from(e: sqlx::Error) -> Self {
        ClusterError::Internal(e.into())
    }
}

impl UserFacing for ClusterError {
    fn kind(&self) -> ErrorKind {
        match self {
            ClusterError::NotFound => ErrorKind::NotFound,
            ClusterError::Unavailable | ClusterError::NoIntactCopy => ErrorKind::Unavailable,
            ClusterError::Interrupted(_) | ClusterError::InvalidId => ErrorKind::Invalid,
            ClusterError::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// One region's store, under the name the cluster knows it by.
#[derive(Clone)]
pub struct Node {
    pub spec: NodeSpec,
    pub store: Arc<dyn BlobStore>,
}

pub struct Cluster {
    db: Db,
    nodes: Vec<Node>,
    /// What the cluster knows of each node right now, by name.
    states: RwLock<HashMap<String, NodeStatus>>,
    /// Up nodes whose last health check timed out (one more and they are down).
    late_once: Mutex<HashSet<String>>,
    /// Wakes the repair worker (a write left a copy missing, a node came back).
    repair_needed: Arc<Notify>,
    /// Wakes the scrub (an administrator asked for a verification).
    verification_requested: Arc<Notify>,
    clock: Clock,
}

impl Cluster {
    /// A cluster of this project's storage nodes, reached over HTTP with the cluster secret.
    pub fn new(db: Db, specs: Vec<NodeSpec>, secret: &str, clock: Clock) -> Arc<Cluster> {
        let http = node_http();
        let nodes = specs
            .into_iter()
            .map(|spec| Node {
                store: Arc::new(NodeClient::new(spec.clone(), http.clone(), secret)),
                spec,
            })
            .collect();
        Cluster::with_stores(db, nodes, clock)
    }

    /// A cluster whose regions are storage nodes (`http(s)://` specs) or S3 buckets (`s3://`
    /// specs, with each store's credentials by name in `s3`), mixed as given.
    pub fn connect(
        db: Db,
        specs: Vec<NodeSpec>,
        secret: &str,
        s3: &HashMap<String, s3_store::S3Credentials>,
        clock: Clock,
    ) -> Result<Arc<Cluster>, String> {
        let http = node_http();
        let mut nodes = Vec::with_capacity(specs.len());
        for spec in specs {
            let store: Arc<dyn BlobStore> = if spec.url.starts_with("s3://") {
                let location =
                    s3_store::parse(&spec.url).map_err(|e| format!("{}: {e}", spec.name))?;
                Arc::new(s3_store::S3Store::new(
                    &spec.region,
                    location,
                    s3.get(&spec.name).cloned(),
                )?)
            } else {
                Arc::new(NodeClient::new(spec.clone(), http.clone(), secret))
            };
            nodes.push(Node { spec, store });
        }
        Ok(Cluster::with_stores(db, nodes, clock))
    }

    /// A cluster over any stores, one per region.
    pub fn with_stores(db: Db, nodes: Vec<Node>, clock: Clock) -> Arc<Cluster> {
        Arc::new(Cluster {
            db,
            nodes,
            states: RwLock::new(HashMap::new()),
            late_once: Mutex::new(HashSet::new()),
            repair_needed: Arc::new(Notify::new()),
            verification_requested: Arc::new(Notify::new()),
            clock,
        })
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.spec.name == name)
    }

    /// The node's last known status (down until its first health check).
    pub fn state_of(&self, name: &str) -> NodeStatus {
        let known = self.states.read().ok().and_then(|s| s.get(name).cloned());
        known.unwrap_or_else(|| {
            let spec = self.node(name).map(|n| n.spec.clone());
            NodeStatus {
                name: name.to_owned(),
                region: spec.as_ref().map(|s| s.region.clone()).unwrap_or_default(),
                url: spec.map(|s| s.url).unwrap_or_default(),
                ..NodeStatus::default()
            }
        })
    }

    /// Nodes believed up, nearest (lowest latency) first.
    fn up_nodes_nearest_first(&self) -> Vec<&Node> {
        let mut up: Vec<(&Node, u64)> = self
            .nodes
            .iter()
            .filter_map(|n| {
                let s = self.state_of(&n.spec.name);
                s.up.then_some((n, s.latency_ms.unwrap_or(u64::MAX)))
            })
            .collect();
        up.sort_by_key(|(_, latency)| *latency);
        up.into_iter().map(|(n, _)| n).collect()
    }

    /// Registers the cluster's background work: health checks (on every app server, each
    /// needs its own view), and the repair queue and the scrub (on the leader only).
    pub fn start_jobs(
        self: &Arc<Self>,
        jobs: &Arc<Background>,
        health_every: Duration,
        scrub_every: Duration,
    ) {
        let me = self.clone();
        jobs.start(
            Schedule {
                name: "cluster health",
                every: health_every,
                leader_only: false,
                wake: None,
            },
            move || {
                let me = me.clone();
                async move {
                    me.notify_node_changes().await;
                    Ok::<_, ClusterError>(Ran::Done)
                }
            },
        );
        let me = self.clone();
        jobs.start(
            Schedule {
                name: "repair queue",
                every: Duration::from_secs(1),
                leader_only: true,
                wake: Some(self.repair_needed.clone()),
            },
            move || {
                let me = me.clone();
                async move {
                    let ran = match me.run_due_repairs().await? {
                        0 => Ran::Done,
                        _ => Ran::MoreWaiting,
                    };
                    Ok::<_, ClusterError>(ran)
                }
            },
        );
        let me = self.clone();
        jobs.start(
            Schedule {
                name: "scrub",
                every: scrub_every,
                leader_only: true,
                wake: Some(self.verification_requested.clone()),
            },
            move || {
                let me = me.clone();
                async move { me.verify_all().await.map(|_| Ran::Done) }
            },
        );
    }

    /// Asks the scrub to verify every replica now (in the background, on the leader).
    pub fn request_verification(&self) {
        self.verification_requested.notify_one();
    }
}

/// Stopping and starting nodes, for fault injection from the /nodes page and the CLI. Only the
/// default deployment (nodes inside the app) can do it; remote nodes are stopped where they run.
pub trait NodeControl: Send + Sync {
    fn stop<'a>(&'a self, name: &'a str) -> futures::future::BoxFuture<'a, Result<(), String>>;
    fn start<'a>(&'a self, name: &'a str) -> futures::future::BoxFuture<'a, Result<(), String>>;
}

/// Parses `CLUSTER_NODES`: `name@region=url` items separated by commas.
/// The HTTP client for storage nodes: a dead node is given up on quickly (the cluster fails
/// over), a slow transfer is not cut.
fn node_http() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .build()
        .unwrap_or_default()
}

pub fn parse_node_list(raw: &str) -> Result<Vec<NodeSpec>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (name_region, url) = item
                .split_once('=')
                .ok_or_else(|| format!("{item:?} is not name@region=url"))?;
            let (name, region) = name_region
                .split_once('@')
                .ok_or_else(|| format!("{item:?} is not name@region=url"))?;
            let url = url.trim();
            let url = if url.starts_with("s3://") {
                // Canonical, and never echoed back in an error: it might hold a pasted secret.
                s3_store::parse(url)
                    .map_err(|e| format!("{}: {e}", name.trim()))?
                    .url()
            } else if url.starts_with("http://") || url.starts_with("https://") {
                url.trim_end_matches('/').to_owned()
            } else {
                return Err(format!(
                    "{}: the store must be an http(s):// node or an s3:// bucket",
                    name.trim()
                ));
            };
            Ok(NodeSpec {
                name: name.trim().to_owned(),
                region: region.trim().to_owned(),
                url,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_lists_parse_and_explain_mistakes() {
        let nodes = parse_node_list("a@us-east=http://h1:7301, b@eu-west=http://h2:7301/").unwrap();
        assert_eq!(
            nodes[1],
            NodeSpec {
                name: "b".into(),
                region: "eu-west".into(),
                url: "http://h2:7301".into()
            }
        );
        assert!(parse_node_list("a=http://h1")
            .unwrap_err()
            .contains("name@region=url"));
        assert!(parse_node_list("a@r=ftp://h1").is_err());
    }

    #[test]
    fn a_region_can_be_an_s3_bucket_and_mix_with_nodes() {
        let nodes = parse_node_list(
            "us@us-east=http://h1:7301,eu@eu-west=s3://drive-eu?endpoint=http://127.0.0.1:8333&region=eu-west-1",
        )
        .unwrap();
        assert_eq!(
            nodes[1].url,
            "s3://drive-eu?endpoint=http://127.0.0.1:8333&region=eu-west-1"
        );
        // A secret pasted into the URL is refused, and not repeated in the error.
        let err = parse_node_list("eu@eu-west=s3://KEY:hunter2@drive-eu").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
