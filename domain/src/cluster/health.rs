//! Health checks: every node is asked for its health and its view of its peers on an interval.
//! A node that comes back gets the deletes it missed and its missing copies right away.

use std::time::{Duration, Instant};

use super::blob_store::BlobError;
use super::{replicas, Cluster, NodeStatus};

const TIMEOUT: Duration = Duration::from_secs(1);

impl Cluster {
    /// Checks every node once; returns the names of nodes that were down and are up now.
    pub async fn check_health(&self) -> Vec<String> {
        let checks = self.nodes.iter().map(|node| async move {
            let started = Instant::now();
            let health = node.store.health(TIMEOUT).await;
            let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let peers = match health {
                Ok(_) => node.store.peers(TIMEOUT).await,
                Err(_) => Vec::new(),
            };
            let late = matches!(health, Err(BlobError::TimedOut));
            let error = health.as_ref().err().map(ToString::to_string);
            (node, health.ok(), late, latency, peers, error)
        });
        let results = futures::future::join_all(checks).await;
        let mut returned = Vec::new();
        let (Ok(mut states), Ok(mut late_once)) = (self.states.write(), self.late_once.lock())
        else {
            return returned;
        };
        for (node, health, late, latency, peers, error) in results {
            let name = node.spec.name.clone();
            let previous = states.get(&name).cloned().unwrap_or_default();
            let mut state = NodeStatus {
                name: name.clone(),
                region: node.spec.region.clone(),
                url: node.store.location().to_owned(),
                ..previous.clone()
            };
            // One late answer from a node that was up is load, not an outage: it is down when it
            // refuses the connection or misses two checks in a row.
            let first_miss = late && previous.up && late_once.insert(name.clone());
            if !late {
                late_once.remove(&name);
            }
            state.up = health.is_some() || first_miss;
            state.last_error = if state.up { None } else { error };
            if !first_miss {
                state.latency_ms = health.is_some().then_some(latency);
                state.peers = peers;
            }
            // A node that does not answer keeps its last known counts and last-seen time.
            if let Some(h) = health {
                state.last_seen = Some(self.clock.now());
                state.objects = h.objects;
                state.bytes = h.bytes;
                state.capacity_bytes = h.capacity_bytes;
            }
            if state.up && !previous.up {
                returned.push(name.clone());
            }
            match (previous.up, state.up) {
                (true, false) => tracing::warn!(node = %name, "storage node is down"),
                (false, true) => tracing::info!(node = %name, "storage node is up"),
                _ => {}
            }
            states.insert(name, state);
        }
        returned
    }

    /// Checks health now and handles nodes that came back (after a manual start, say).
    pub async fn notify_node_changes(&self) {
        for name in self.check_health().await {
            self.node_returned(&name).await;
        }
    }

    /// A node is back: apply the deletes it missed and make its repairs due now.
    async fn node_returned(&self, name: &str) {
        if let Err(e) = self.apply_pending_deletes(name).await {
            tracing::warn!(node = name, error = %e, "pending deletes not applied yet");
        }
        if let Err(e) = replicas::make_repairs_due(&self.db, Some(name), 0).await {
            tracing::warn!(node = name, error = %e, "could not reschedule repairs");
        }
        self.repair_needed.notify_one();
    }
}
