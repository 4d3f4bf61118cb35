//! Keeping copies right: delete everywhere (remembered for nodes that are down), verify
//! replicas by re-hashing them, and repair missing or corrupt ones node to node, from a queue
//! retried with backoff.

use std::time::Duration;

use serde::Serialize;

use super::node_client::NodeError;
use super::{Cluster, ClusterError};
use crate::clock::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaState {
    Ok,
    Missing,
    Corrupt,
    /// The node could not be asked.
    Unreachable,
}

impl ReplicaState {
    fn as_db(self) -> Option<&'static str> {
        match self {
            ReplicaState::Ok => Some("ok"),
            ReplicaState::Missing => Some("missing"),
            ReplicaState::Corrupt => Some("corrupt"),
            ReplicaState::Unreachable => None,
        }
    }
}

/// One object's replicas, node by node.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectReport {
    pub object_id: String,
    pub replicas: Vec<(String, ReplicaState)>,
}

impl ObjectReport {
    pub fn healthy(&self) -> usize {
        self.replicas
            .iter()
            .filter(|(_, s)| *s == ReplicaState::Ok)
            .count()
    }
}

const MAX_BACKOFF_SECS: i64 = 60;
/// Pause between objects in a background scrub, so it stays gentle on the nodes.
const SCRUB_PAUSE: Duration = Duration::from_millis(50);

impl Cluster {
    /// Deletes the object from every node; a node that is down deletes it when it returns.
    pub async fn delete(&self, id: &str) -> Result<(), ClusterError> {
        self.meta(id).await?;
        for node in &self.nodes {
            if let Err(e) = node.delete(id).await {
                tracing::info!(node = %node.spec.name, object = id, error = %e, "delete deferred until the node returns");
                sqlx::query(
                    "INSERT OR IGNORE INTO pending_deletes (object_id, node) VALUES (?, ?)",
                )
                .bind(id)
                .bind(&node.spec.name)
                .execute(&self.db)
                .await?;
            }
        }
        sqlx::query("DELETE FROM objects WHERE id = ?")
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub(super) async fn apply_pending_deletes(&self, node_name: &str) -> Result<(), ClusterError> {
        let Some(node) = self.node(node_name) else {
            return Ok(());
        };
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT object_id FROM pending_deletes WHERE node = ?")
                .bind(node_name)
                .fetch_all(&self.db)
                .await?;
        for id in ids {
            if node.delete(&id).await.is_ok() {
                sqlx::query("DELETE FROM pending_deletes WHERE object_id = ? AND node = ?")
                    .bind(&id)
                    .bind(node_name)
                    .execute(&self.db)
                    .await?;
            }
        }
        Ok(())
    }

    /// Re-hashes every replica of the object and records what it found; bad copies are queued
    /// for repair.
    pub async fn verify(&self, id: &str) -> Result<ObjectReport, ClusterError> {
        let meta = self.meta(id).await?;
        let checks = self.nodes.iter().map(|node| {
            let meta = meta.clone();
            async move {
                let state = match node.rehash(&meta.id).await {
                    Ok(r) if r.actual_checksum == meta.checksum && r.actual_size == meta.size => {
                        ReplicaState::Ok
                    }
                    Ok(_) => ReplicaState::Corrupt,
                    Err(NodeError::NotFound) => ReplicaState::Missing,
                    Err(_) => ReplicaState::Unreachable,
                };
                (node.spec.name.clone(), state)
            }
        });
        let replicas = futures::future::join_all(checks).await;
        let t = now();
        for (node, state) in &replicas {
            let Some(db_state) = state.as_db() else {
                continue;
            };
            sqlx::query(
                "INSERT INTO replicas (object_id, node, state, checked_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (object_id, node) DO UPDATE SET state = excluded.state, checked_at = excluded.checked_at",
            )
            .bind(id)
            .bind(node)
            .bind(db_state)
            .bind(t)
            .execute(&self.db)
            .await?;
            if *state != ReplicaState::Ok {
                self.enqueue_repair(id, node, t).await?;
            }
        }
        Ok(ObjectReport {
            object_id: id.to_owned(),
            replicas,
        })
    }

    /// Records that a node's copy was found bad (by a read that checked it) and queues its
    /// repair; reads no longer go to it.
    pub(super) async fn mark_corrupt(&self, id: &str, node: &str) -> Result<(), ClusterError> {
        let t = now();
        sqlx::query(
            "UPDATE replicas SET state = 'corrupt', checked_at = ? WHERE object_id = ? AND node = ?",
        )
        .bind(t)
        .bind(id)
        .bind(node)
        .execute(&self.db)
        .await?;
        self.enqueue_repair(id, node, t).await
    }

    async fn enqueue_repair(&self, id: &str, node: &str, at: i64) -> Result<(), ClusterError> {
        sqlx::query(
            "INSERT INTO repair_queue (object_id, node, attempts, next_at) VALUES (?, ?, 0, ?)
             ON CONFLICT (object_id, node) DO NOTHING",
        )
        .bind(id)
        .bind(node)
        .bind(at)
        .execute(&self.db)
        .await?;
        self.repair_needed.notify_one();
        Ok(())
    }

    /// Verifies every object, gently, and records the run; returns its id.
    pub async fn verify_all(&self) -> Result<i64, ClusterError> {
        let run: i64 =
            sqlx::query_scalar("INSERT INTO verifications (started_at) VALUES (?) RETURNING id")
                .bind(now())
                .fetch_one(&self.db)
                .await?;
        let mut after = String::new();
        loop {
            let ids: Vec<String> =
                sqlx::query_scalar("SELECT id FROM objects WHERE id > ? ORDER BY id LIMIT 100")
                    .bind(&after)
                    .fetch_all(&self.db)
                    .await?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            for id in ids {
                let report = match self.verify(&id).await {
                    Ok(r) => r,
                    Err(ClusterError::NotFound) => continue, // deleted meanwhile
                    Err(e) => return Err(e),
                };
                let count = |s: ReplicaState| {
                    report.replicas.iter().filter(|(_, r)| *r == s).count() as i64
                };
                sqlx::query(
                    "UPDATE verifications SET objects = objects + 1, healthy = healthy + ?,
                       missing = missing + ?, corrupt = corrupt + ?, unreachable = unreachable + ?
                     WHERE id = ?",
                )
                .bind(count(ReplicaState::Ok))
                .bind(count(ReplicaState::Missing))
                .bind(count(ReplicaState::Corrupt))
                .bind(count(ReplicaState::Unreachable))
                .bind(run)
                .execute(&self.db)
                .await?;
                tokio::time::sleep(SCRUB_PAUSE).await;
            }
            after = last;
        }
        sqlx::query("UPDATE verifications SET finished_at = ? WHERE id = ?")
            .bind(now())
            .bind(run)
            .execute(&self.db)
            .await?;
        Ok(run)
    }

    pub(super) async fn scrub_loop(&self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = self.verify_all().await {
                tracing::warn!(error = %e, "background verification stopped early");
            }
        }
    }

    /// Copies the object to every node lacking a good replica, node to node from a good one.
    /// Returns the replicas after the attempt.
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
        let t = now();
        for node in &self.nodes {
            sqlx::query(
                "INSERT INTO repair_queue (object_id, node, attempts, next_at)
                 SELECT o.id, ?1, 0, ?2 FROM objects o
                 WHERE NOT EXISTS (SELECT 1 FROM replicas r
                                   WHERE r.object_id = o.id AND r.node = ?1 AND r.state = 'ok')
                 ON CONFLICT (object_id, node) DO NOTHING",
            )
            .bind(&node.spec.name)
            .bind(t)
            .execute(&self.db)
            .await?;
        }
        sqlx::query("UPDATE repair_queue SET next_at = ?")
            .bind(t)
            .execute(&self.db)
            .await?;
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM repair_queue")
            .fetch_one(&self.db)
            .await?;
        self.repair_needed.notify_one();
        Ok(queued as u64)
    }

    /// One replica: pull it onto `target` from a node with a good copy.
    async fn repair_replica(&self, id: &str, target: &str) -> Result<(), String> {
        let meta = self.meta(id).await.map_err(|e| e.to_string())?;
        let target_node = self.node(target).ok_or("unknown node")?;
        let sources: Vec<String> = sqlx::query_scalar(
            "SELECT node FROM replicas WHERE object_id = ? AND state = 'ok' AND node <> ?",
        )
        .bind(id)
        .bind(target)
        .fetch_all(&self.db)
        .await
        .map_err(|e| e.to_string())?;
        let mut last_error = String::from("no good copy to repair from");
        for source in self
            .up_nodes_nearest_first()
            .into_iter()
            .filter(|n| sources.contains(&n.spec.name))
        {
            match target_node.pull(id, &source.spec, &meta.checksum).await {
                Ok(_) => {
                    self.mark_ok(id, target).await.map_err(|e| e.to_string())?;
                    tracing::info!(object = id, from = %source.spec.name, to = target, "replica repaired");
                    return Ok(());
                }
                Err(e) => last_error = format!("from {}: {e}", source.spec.name),
            }
        }
        Err(last_error)
    }

    async fn mark_ok(&self, id: &str, node: &str) -> Result<(), ClusterError> {
        sqlx::query(
            "INSERT INTO replicas (object_id, node, state, checked_at) VALUES (?, ?, 'ok', ?)
             ON CONFLICT (object_id, node) DO UPDATE SET state = 'ok', checked_at = excluded.checked_at",
        )
        .bind(id)
        .bind(node)
        .bind(now())
        .execute(&self.db)
        .await?;
        sqlx::query("DELETE FROM repair_queue WHERE object_id = ? AND node = ?")
            .bind(id)
            .bind(node)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Works through due repairs; failures are retried with exponential backoff.
    pub(super) async fn repair_loop(&self) {
        loop {
            match self.run_due_repairs().await {
                Ok(0) | Err(_) => {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), self.repair_needed.notified())
                            .await;
                }
                Ok(_) => {}
            }
        }
    }

    /// Runs the repairs that are due on nodes that are up; returns how many were attempted.
    pub async fn run_due_repairs(&self) -> Result<usize, ClusterError> {
        let t = now();
        let due: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT object_id, node, attempts FROM repair_queue WHERE next_at <= ? ORDER BY next_at LIMIT 32",
        )
        .bind(t)
        .fetch_all(&self.db)
        .await?;
        let mut attempted = 0;
        for (id, node, attempts) in due {
            if !self.is_up(&node) {
                continue; // rescheduled when the node returns
            }
            attempted += 1;
            if let Err(error) = self.repair_replica(&id, &node).await {
                let backoff = (1i64 << attempts.min(6)).min(MAX_BACKOFF_SECS);
                sqlx::query(
                    "UPDATE repair_queue SET attempts = attempts + 1, next_at = ?, last_error = ?
                     WHERE object_id = ? AND node = ?",
                )
                .bind(now() + backoff)
                .bind(&error)
                .bind(&id)
                .bind(&node)
                .execute(&self.db)
                .await?;
            }
        }
        Ok(attempted)
    }
}

/// The object the write test keeps (overwritten by each test, so they do not pile up).
pub const PROBE_ID: &str = "probe-object";

#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub bytes: u64,
    pub write_ms: u64,
    pub read_ms: u64,
    pub copies: usize,
}

impl Cluster {
    /// Writes 1 MiB of random bytes, reads them back and compares: an end-to-end check that the
    /// cluster accepts and serves data.
    pub async fn probe(self: &std::sync::Arc<Self>) -> Result<ProbeReport, ClusterError> {
        use futures::StreamExt;
        use rand::RngCore;
        let mut bytes = vec![0u8; 1024 * 1024];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let started = std::time::Instant::now();
        self.write(PROBE_ID, &bytes[..]).await?;
        let write_ms = started.elapsed().as_millis() as u64;
        let started = std::time::Instant::now();
        let mut read = self.read(PROBE_ID, None).await?;
        let mut back = Vec::with_capacity(bytes.len());
        while let Some(chunk) = read.stream.next().await {
            back.extend_from_slice(&chunk?);
        }
        if back != bytes {
            return Err(ClusterError::Internal(
                "write test read back different bytes".into(),
            ));
        }
        let copies: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM replicas WHERE object_id = ? AND state = 'ok'",
        )
        .bind(PROBE_ID)
        .fetch_one(&self.db)
        .await?;
        Ok(ProbeReport {
            bytes: bytes.len() as u64,
            write_ms,
            read_ms: started.elapsed().as_millis() as u64,
            copies: copies as usize,
        })
    }
}
