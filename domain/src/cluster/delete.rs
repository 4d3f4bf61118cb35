//! Deleting an object from every store; a store that is down deletes it when it returns.

use super::{replicas, Cluster, ClusterError};

impl Cluster {
    /// Deletes the object from every store; one that is down deletes it when it returns.
    pub async fn delete(&self, id: &str) -> Result<(), ClusterError> {
        self.meta(id).await?;
        for node in &self.nodes {
            if let Err(e) = node.store.delete(id).await {
                tracing::info!(node = %node.spec.name, object = id, error = %e, "delete deferred until the node returns");
                replicas::defer_delete(&self.db, id, &node.spec.name).await?;
            }
        }
        replicas::forget_object(&self.db, id).await
    }

    pub(super) async fn apply_pending_deletes(&self, node_name: &str) -> Result<(), ClusterError> {
        let Some(node) = self.node(node_name) else {
            return Ok(());
        };
        for id in replicas::deferred_deletes(&self.db, node_name).await? {
            if node.store.delete(&id).await.is_ok() {
                replicas::deleted_late(&self.db, &id, node_name).await?;
            }
        }
        Ok(())
    }
}
