//! The storage cluster as the /nodes page shows it.

use serde::{Deserialize, Serialize};

/// One peer as a node sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerView {
    pub name: String,
    pub up: bool,
    pub latency_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeStatus {
    pub name: String,
    pub region: String,
    pub url: String,
    pub up: bool,
    pub last_seen: Option<i64>,
    pub latency_ms: Option<u64>,
    pub objects: u64,
    pub bytes: u64,
    pub capacity_bytes: u64,
    /// Which peers this node can reach.
    pub peers: Vec<PeerView>,
    /// Why the last health check failed (refused credentials, no such bucket...), while down.
    #[serde(default)]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepairItem {
    pub object_id: String,
    pub node: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerificationRun {
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub objects: i64,
    pub healthy: i64,
    pub missing: i64,
    pub corrupt: i64,
    pub unreachable: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterStatus {
    pub nodes: Vec<NodeStatus>,
    pub objects: u64,
    /// Objects by number of healthy copies (a good replica on a node that is up).
    pub three_copies: u64,
    pub two_copies: u64,
    pub one_copy: u64,
    pub no_copy: u64,
    pub repair_queue: Vec<RepairItem>,
    pub repair_queue_len: u64,
    pub last_verification: Option<VerificationRun>,
}

/// What a background job is doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    #[default]
    Idle,
    Running,
    /// Waiting: the job runs only on the leader, and this server is not it.
    Standby,
    /// Shut down.
    Stopped,
}

/// This app server's background jobs, and which server leads those that run once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsOverview {
    /// This app server's name (`SERVER_NAME`).
    pub server: String,
    /// The server holding the leader's lease, if one does.
    pub leader: Option<String>,
    pub jobs: Vec<JobStatus>,
}

/// One background job, for administrators on /nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobStatus {
    pub name: String,
    pub state: JobState,
    pub leader_only: bool,
    pub runs: u64,
    pub last_started: Option<i64>,
    pub last_finished: Option<i64>,
    pub last_error: Option<String>,
}
