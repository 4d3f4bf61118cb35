//! The cluster at a glance, for the /nodes page: nodes, mesh, replication health, repairs,
//! and the last verification.

pub use model::cluster::{ClusterStatus, NodeStatus, RepairItem, VerificationRun};

use super::{replicas, Cluster, ClusterError};

impl Cluster {
    pub async fn status(&self) -> Result<ClusterStatus, ClusterError> {
        let mut nodes: Vec<NodeStatus> = self
            .nodes
            .iter()
            .map(|n| self.state_of(&n.spec.name))
            .collect();
        // A bucket cannot say what it holds without listing all of it: what the database
        // records as good copies there stands in.
        if self.nodes.iter().any(|n| n.store.node_url().is_none()) {
            let held = replicas::held_per_node(&self.db).await?;
            for (status, node) in nodes.iter_mut().zip(&self.nodes) {
                if node.store.node_url().is_none() {
                    let (objects, bytes) = held.get(&status.name).copied().unwrap_or_default();
                    (status.objects, status.bytes) = (objects, bytes);
                }
            }
        }
        // Healthy copies per object (good replicas on stores that are up), counted in the
        // database: objects grouped by that number.
        let up: Vec<&str> = nodes
            .iter()
            .filter(|n| n.up)
            .map(|n| n.name.as_str())
            .collect();
        let histogram = replicas::copies_histogram(&self.db, &up).await?;
        let count = |k: i64| {
            histogram
                .iter()
                .filter(|(c, _)| if k == 3 { *c >= 3 } else { *c == k })
                .map(|(_, n)| u64::try_from(*n).unwrap_or_default())
                .sum::<u64>()
        };
        let repair_queue = replicas::repair_items(&self.db, 20).await?;
        let repair_queue_len = replicas::repair_queue_len(&self.db).await?;
        let last_verification = replicas::last_verification(&self.db).await?;
        Ok(ClusterStatus {
            objects: histogram
                .iter()
                .map(|(_, n)| u64::try_from(*n).unwrap_or_default())
                .sum(),
            three_copies: count(3),
            two_copies: count(2),
            one_copy: count(1),
            no_copy: count(0),
            nodes,
            repair_queue,
            repair_queue_len,
            last_verification,
        })
    }
}
