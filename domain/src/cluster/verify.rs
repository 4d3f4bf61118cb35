//! Verification: every store re-reads and hashes its copy; what is found is recorded, and bad
//! copies are queued for repair. A scrub verifies every object, gently.

use std::time::Duration;

use serde::Serialize;

use super::blob_store::BlobError;
use super::replicas::{self, ReplicaState};
use super::store::ObjectMeta;
use super::{Cluster, ClusterError, Node};

/// One object's replicas, store by store.
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

/// Pause between objects in a scrub, so it stays gentle on the stores.
const SCRUB_PAUSE: Duration = Duration::from_millis(50);

impl Cluster {
    /// Re-hashes every replica of the object and records what it found; bad copies are queued
    /// for repair.
    pub async fn verify(&self, id: &str) -> Result<ObjectReport, ClusterError> {
        let meta = self.meta(id).await?;
        let checks = self.nodes.iter().map(|node| {
            let meta = &meta;
            async move {
                let state = check_copy(node, meta)
                    .await
                    .unwrap_or(ReplicaState::Unreachable);
                (node.spec.name.clone(), state)
            }
        });
        let found = futures::future::join_all(checks).await;
        for (node, state) in &found {
            if *state != ReplicaState::Unreachable {
                self.record_check(id, node, *state).await?;
            }
        }
        Ok(ObjectReport {
            object_id: id.to_owned(),
            replicas: found,
        })
    }

    /// Records what a check (a verification, or a read) found of a store's copy; a bad one is
    /// queued for repair, and reads no longer go to it.
    pub(super) async fn record_check(
        &self,
        id: &str,
        node: &str,
        state: ReplicaState,
    ) -> Result<(), ClusterError> {
        let t = self.clock.now();
        replicas::record_replica(&self.db, id, node, state, t).await?;
        if state != ReplicaState::Ok {
            self.queue_repair(id, node, t).await?;
        }
        Ok(())
    }

    /// Verifies every object, gently, and records the run; returns its id.
    pub async fn verify_all(&self) -> Result<i64, ClusterError> {
        let run = replicas::start_verification(&self.db, self.clock.now()).await?;
        let mut after = String::new();
        loop {
            let ids = replicas::object_ids_after(&self.db, &after, 100).await?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            for id in ids {
                let report = match self.verify(&id).await {
                    Ok(r) => r,
                    Err(ClusterError::NotFound) => continue, // deleted meanwhile
                    Err(e) => return Err(e),
                };
                let states: Vec<ReplicaState> = report.replicas.iter().map(|(_, s)| *s).collect();
                replicas::count_verified(&self.db, run, &states).await?;
                tokio::time::sleep(SCRUB_PAUSE).await;
            }
            after = last;
        }
        replicas::finish_verification(&self.db, run, self.clock.now()).await?;
        Ok(run)
    }
}

/// What the store's copy is now, re-hashed where it lives; an error when it cannot be asked.
pub(super) async fn check_copy(node: &Node, meta: &ObjectMeta) -> Result<ReplicaState, BlobError> {
    match node.store.rehash(&meta.id).await {
        Ok(r) if r.actual_checksum == meta.checksum && r.actual_size == meta.size => {
            Ok(ReplicaState::Ok)
        }
        Ok(_) => Ok(ReplicaState::Corrupt),
        Err(BlobError::NotFound) => Ok(ReplicaState::Missing),
        Err(e) => Err(e),
    }
}
