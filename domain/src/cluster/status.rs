//! The cluster at a glance, for the /nodes page: nodes, mesh, replication health, repairs,
//! and the last verification.

pub use model::cluster::{ClusterStatus, NodeStatus, RepairItem, VerificationRun};

use super::{replicas, Cluster, ClusterError};

impl Cluster {
    pub async fn status(&self) -> Result<ClusterStatus, ClusterError> {
        let nodes: Vec<NodeStatus> = self
            .nodes
            .iter()
            .map(|n| self.state_of(&n.spec.name))
            .collect();
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
