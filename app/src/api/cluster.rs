//! The storage cluster API: status for everyone, fault injection, verification and repair for
//! administrators (`ADMIN_EMAILS`).

pub use model::cluster::{
    ClusterStatus, JobState, JobStatus, JobsOverview, NodeStatus, PeerView, RepairItem,
    VerificationRun,
};

#[cfg(feature = "ssr")]
use super::context::{current_admin, state};
use super::{Ack, ApiError};
use crate::api;

api! { ("cluster/status")
    /// Nodes, mesh, replication health, repair queue and the last verification.
    pub async fn network_status() -> Result<ClusterStatus, ApiError> {
        Ok(state()?.cluster.status().await?)
    }
}

api! { (GET "cluster/status")
    pub async fn network_status_get() -> Result<ClusterStatus, ApiError> {
        network_status().await
    }
}

api! { ("cluster/jobs")
    /// The background jobs of this app server and what each is doing, and which app server
    /// leads. Admins only.
    pub async fn background_jobs() -> Result<JobsOverview, ApiError> {
        let (state, _) = current_admin().await?;
        Ok(JobsOverview {
            server: state.election.name.clone(),
            leader: state.election.leader().await.map_err(|e| ApiError::internal(&e))?,
            jobs: state.background.statuses(),
        })
    }
}

#[cfg(feature = "ssr")]
async fn control(name: &str, stop: bool) -> Result<Ack, ApiError> {
    let (state, _) = current_admin().await?;
    let Some(control) = state.node_control.clone() else {
        return Err(ApiError::bad_request(
            "These nodes run elsewhere (CLUSTER_NODES): stop and start them where they run.",
        ));
    };
    let outcome = if stop {
        control.stop(name).await
    } else {
        control.start(name).await
    };
    outcome.map_err(ApiError::bad_request)?;
    // Reflect the change at once, not at the next health check.
    state.cluster.notify_node_changes().await;
    Ok(Ack::new(format!(
        "Node {name} {}.",
        if stop { "stopped" } else { "started" }
    )))
}

api! { ("cluster/nodes/stop")
    /// Stops a built-in node (fault injection). Admins only.
    pub async fn stop_node(name: String) -> Result<Ack, ApiError> {
        control(&name, true).await
    }
}

api! { ("cluster/nodes/start")
    /// Starts a stopped built-in node again. Admins only.
    pub async fn start_node(name: String) -> Result<Ack, ApiError> {
        control(&name, false).await
    }
}

api! { ("cluster/verify")
    /// Re-hashes every replica of every object, in the background. Admins only.
    pub async fn verify_cluster() -> Result<Ack, ApiError> {
        let (state, _) = current_admin().await?;
        state.cluster.request_verification();
        Ok(Ack::new("Verification started: every replica is being re-hashed."))
    }
}

api! { ("cluster/repair")
    /// Repairs one object now (`object_id`), or queues every object with fewer than three good
    /// copies. Admins only.
    pub async fn repair_cluster(#[server(default)] object_id: Option<String>) -> Result<Ack, ApiError> {
        let (state, _) = current_admin().await?;
        let Some(id) = object_id else {
            let queued = state.cluster.repair_all().await?;
            return Ok(Ack::new(format!("{queued} replica(s) queued for repair.")));
        };
        let report = state.cluster.repair(&id).await?;
        Ok(Ack::new(format!("{id} now has {} good copies of 3.", report.healthy())))
    }
}

api! { ("cluster/probe")
    /// Write test: stores 1 MiB, reads it back, compares. Admins only.
    pub async fn probe_cluster() -> Result<Ack, ApiError> {
        let (state, _) = current_admin().await?;
        let r = state.cluster.probe().await?;
        Ok(Ack::new(format!(
            "Write test passed: {} bytes written in {} ms ({} copies), read back in {} ms.",
            r.bytes, r.write_ms, r.copies, r.read_ms
        )))
    }
}
