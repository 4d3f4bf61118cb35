//! The cluster at a glance, for the /nodes page: nodes, mesh, replication health, repairs,
//! and the last verification.

pub use model::cluster::{ClusterStatus, NodeStatus, RepairItem, VerificationRun};

use super::{Cluster, ClusterError};

impl Cluster {
    pub async fn status(&self) -> Result<ClusterStatus, ClusterError> {
        let nodes: Vec<NodeStatus> = self
            .nodes
            .iter()
            .map(|n| self.state_of(&n.spec.name))
            .collect();
        // Healthy copies per object (good replicas on nodes that are up), counted in the
        // database: objects grouped by that number.
        let up: Vec<&str> = nodes
            .iter()
            .filter(|n| n.up)
            .map(|n| n.name.as_str())
            .collect();
        let up = serde_json::to_string(&up).unwrap_or_else(|_| "[]".into());
        let histogram: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT copies, COUNT(*) FROM (
               SELECT (SELECT COUNT(*) FROM replicas r
                       WHERE r.object_id = o.id AND r.state = 'ok'
                         AND r.node IN (SELECT value FROM json_each(?))) AS copies
               FROM objects o)
             GROUP BY copies",
        )
        .bind(up)
        .fetch_all(&self.db)
        .await?;
        let count = |k: i64| {
            histogram
                .iter()
                .filter(|(c, _)| if k == 3 { *c >= 3 } else { *c == k })
                .map(|(_, n)| *n as u64)
                .sum::<u64>()
        };
        let repair_queue: Vec<RepairItem> = sqlx::query_as::<_, (String, String, i64, i64, Option<String>)>(
            "SELECT object_id, node, attempts, next_at, last_error FROM repair_queue ORDER BY next_at LIMIT 20",
        )
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .map(|(object_id, node, attempts, next_at, last_error)| RepairItem {
            object_id,
            node,
            attempts,
            next_at,
            last_error,
        })
        .collect();
        let repair_queue_len: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM repair_queue")
            .fetch_one(&self.db)
            .await?;
        let last_verification = sqlx::query_as::<_, (i64, Option<i64>, i64, i64, i64, i64, i64)>(
            "SELECT started_at, finished_at, objects, healthy, missing, corrupt, unreachable
             FROM verifications ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.db)
        .await?
        .map(
            |(started_at, finished_at, objects, healthy, missing, corrupt, unreachable)| {
                VerificationRun {
                    started_at,
                    finished_at,
                    objects,
                    healthy,
                    missing,
                    corrupt,
                    unreachable,
                }
            },
        );
        Ok(ClusterStatus {
            objects: histogram.iter().map(|(_, n)| *n as u64).sum(),
            three_copies: count(3),
            two_copies: count(2),
            one_copy: count(1),
            no_copy: count(0),
            nodes,
            repair_queue,
            repair_queue_len: repair_queue_len as u64,
            last_verification,
        })
    }
}
