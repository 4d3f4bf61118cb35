//! Repair: a store lacking a good copy gets one from a store that has it. Repairs wait on a
//! queue and are retried with exponential backoff.

use super::replicas::{self, DueRepair, ReplicaState};
use super::verify::ObjectReport;
use super::{Cluster, ClusterError};

const MAX_BACKOFF_SECS: i64 = 60;
/// How long a server that took a repair holds it: a leader that dies mid-repair leaves it to
/// the next one after this.
const CLAIM_SECS: i64 = 300;

impl Cluster {
    /// Queues the store's copy for repair and wakes the repair worker.
    pub(super) async fn queue_repair(
        &self,
        id: &str,
        node: &str,
        at: i64,
    ) -> Result<(), ClusterError> {
        replicas::queue_repair(&self.db, id, node, at).await?;
        self.repair_needed.notify_one();
        Ok(())
    }

    /// Copies the object to every store lacking a good replica, from a good one. Returns the
    /// replicas after the attempt.
    pub async fn repair(&self, id: &str) -> Result<ObjectReport, ClusterError> {
        let report = self.verify(id).await?;
        for (name, state) in &report.replicas {
            if matches!(state, ReplicaState::Missing | ReplicaState::Corrupt) {
                let _ = self.repair_replica(id, name).await;
            }
        }
        self.verify(id).await
    }

    /// Queues every replica that is not known good, makes the whole queue due, and wakes the
    /// worker; returns how many replicas are queued.
    pub async fn repair_all(&self) -> Result<u64, ClusterError> {
        let t = self.clock.now();
        for node in &self.nodes {
            replicas::queue_missing_on(&self.db, &node.spec.name, t).await?;
        }
        replicas::make_repairs_due(&self.db, None, t).await?;
        let queued = replicas::repair_queue_len(&self.db).await?;
        self.repair_needed.notify_one();
        Ok(queued)
    }

    /// One replica: copy it onto `target` from a store with a good copy, nearest first.
    async fn repair_replica(&self, id: &str, target: &str) -> Result<(), String> {
        let meta = self.meta(id).await.map_err(|e| e.to_string())?;
        let target_node = self.node(target).ok_or("unknown node")?;
        let sources = replicas::good_replicas(&self.db, id)
            .await
            .map_err(|e| e.to_string())?;
        let mut last_error = String::from("no good copy to repair from");
        for source in self
            .up_nodes_nearest_first()
            .into_iter()
            .filter(|n| n.spec.name != target && sources.contains(&n.spec.name))
        {
            let copied = target_node
                .store
                .copy_from(id, source.store.as_ref(), &meta.checksum)
                .await;
            match copied {
                Ok(_) => {
                    replicas::repaired(&self.db, id, target, self.clock.now())
                        .await
                        .map_err(|e| e.to_string())?;
                    tracing::info!(object = id, from = %source.spec.name, to = target, "replica repaired");
                    return Ok(());
                }
                Err(e) => last_error = format!("from {}: {e}", source.spec.name),
            }
        }
        Err(last_error)
    }

    /// Runs the repairs that are due on stores that are up; returns how many succeeded (so
    /// the worker goes on at once only while repairs make progress).
    pub async fn run_due_repairs(&self) -> Result<usize, ClusterError> {
        let up: Vec<&str> = self
            .up_nodes_nearest_first()
            .into_iter()
            .map(|n| n.spec.name.as_str())
            .collect();
        // Only repairs onto stores that are up: those of a store that is down wait (they are
        // made due when it returns) without filling every batch.
        let due = replicas::due_repairs(&self.db, self.clock.now(), &up, 32).await?;
        let mut repaired = 0;
        for repair in due {
            // Only one server leads, but a leader that hung may wake beside its successor.
            let now = self.clock.now();
            if !replicas::claim_repair(&self.db, &repair, now, now + CLAIM_SECS).await? {
                continue;
            }
            match self.repair_replica(&repair.object_id, &repair.node).await {
                Ok(()) => repaired += 1,
                Err(error) => {
                    let next = self.clock.now() + backoff(&repair);
                    replicas::repair_failed(&self.db, &repair, next, &error).await?;
                }
            }
        }
        Ok(repaired)
    }
}

/// Seconds until the next try: doubling with each failure, at most a minute.
fn backoff(repair: &DueRepair) -> i64 {
    (1i64 << repair.attempts.clamp(0, 6)).min(MAX_BACKOFF_SECS)
}
