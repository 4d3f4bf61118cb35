//! The cluster's bookkeeping, and all of its SQL: which objects exist, which store holds a good
//! copy of each, the repair queue, deletes waiting for a store to return, and verification runs.
//! Other modules (the drive too) ask here instead of reading these tables.

use serde::{Deserialize, Serialize};
use sqlx::AnyExecutor;

use super::store::ObjectMeta;
use super::ClusterError;
use crate::db::{to_i64, to_u64, Db};
use model::cluster::{RepairItem, VerificationRun};

/// What a check found of one store's copy. `Unreachable` is reported, never recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum ReplicaState {
    Ok,
    Missing,
    Corrupt,
    /// The store could not be asked.
    Unreachable,
}
model::any_text_type!(ReplicaState);

/// A repair that is due: the object, the store lacking it, and how often it failed so far.
#[derive(sqlx::FromRow)]
pub(super) struct DueRepair {
    pub object_id: String,
    pub node: String,
    pub attempts: i64,
}

/// A SQL expression: how many stores hold a good copy of the object `object_column` names.
pub fn good_copies_sql(object_column: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM replicas r WHERE r.object_id = {object_column} AND r.state = 'ok')"
    )
}

pub(super) async fn meta(db: &Db, id: &str) -> Result<ObjectMeta, ClusterError> {
    let row: Option<(String, i64, String)> =
        sqlx::query_as("SELECT id, size, checksum FROM objects WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    let (id, size, checksum) = row.ok_or(ClusterError::NotFound)?;
    Ok(ObjectMeta {
        id,
        size: to_u64(size),
        checksum,
    })
}

/// Records the object, with the BLAKE3 of each of its segments when it has more than one.
pub(super) async fn record_object(
    conn: impl AnyExecutor<'_>,
    meta: &ObjectMeta,
    segment_hashes: Option<&[u8]>,
    at: i64,
) -> Result<(), ClusterError> {
    sqlx::query(
        "INSERT INTO objects (id, size, checksum, segment_hashes, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET size = excluded.size, checksum = excluded.checksum,
                                        segment_hashes = excluded.segment_hashes",
    )
    .bind(&meta.id)
    .bind(to_i64(meta.size))
    .bind(&meta.checksum)
    .bind(segment_hashes)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the segment hashes of an object recorded without them (read whole from a copy that
/// was checked whole).
pub(super) async fn backfill_segment_hashes(
    db: &Db,
    id: &str,
    hashes: &[u8],
) -> Result<(), ClusterError> {
    sqlx::query("UPDATE objects SET segment_hashes = $1 WHERE id = $2 AND segment_hashes IS NULL")
        .bind(hashes)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The object's segment hashes, if it was recorded with them.
pub(super) async fn segment_hashes(db: &Db, id: &str) -> Result<Option<Vec<u8>>, ClusterError> {
    Ok(
        sqlx::query_scalar("SELECT segment_hashes FROM objects WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?
            .flatten(),
    )
}

/// Forgets the object (its replicas and queued repairs go with it).
pub(super) async fn forget_object(db: &Db, id: &str) -> Result<(), ClusterError> {
    sqlx::query("DELETE FROM objects WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Up to `limit` object ids after `after`, in id order.
pub(super) async fn object_ids_after(
    db: &Db,
    after: &str,
    limit: i64,
) -> Result<Vec<String>, ClusterError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM objects WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(db)
            .await?,
    )
}

pub(super) async fn record_replica(
    conn: impl AnyExecutor<'_>,
    object: &str,
    node: &str,
    state: ReplicaState,
    at: i64,
) -> Result<(), ClusterError> {
    sqlx::query(
        "INSERT INTO replicas (object_id, node, state, checked_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (object_id, node) DO UPDATE SET state = excluded.state, checked_at = excluded.checked_at",
    )
    .bind(object)
    .bind(node)
    .bind(state)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The stores holding a good copy of the object.
pub(super) async fn good_replicas(db: &Db, object: &str) -> Result<Vec<String>, ClusterError> {
    Ok(
        sqlx::query_scalar("SELECT node FROM replicas WHERE object_id = $1 AND state = $2")
            .bind(object)
            .bind(ReplicaState::Ok)
            .fetch_all(db)
            .await?,
    )
}

/// For each store, how many of `objects` it holds a good copy of.
pub async fn good_copies_per_node(
    db: &Db,
    objects: &[String],
) -> Result<Vec<(String, u64)>, ClusterError> {
    let ids = serde_json::to_string(objects).unwrap_or_else(|_| "[]".into());
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT node, COUNT(*) FROM replicas WHERE state = $1 AND object_id IN ({}) GROUP BY node",
        crate::db::json_values(db, "$2")
    ))
    .bind(ReplicaState::Ok)
    .bind(ids)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(node, n)| (node, u64::try_from(n).unwrap_or_default()))
        .collect())
}

/// Per store: how many objects it holds a good copy of, and their bytes.
pub(super) async fn held_per_node(
    db: &Db,
) -> Result<std::collections::HashMap<String, (u64, u64)>, ClusterError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT r.node, COUNT(*), CAST(COALESCE(SUM(o.size), 0) AS BIGINT)
         FROM replicas r JOIN objects o ON o.id = r.object_id
         WHERE r.state = $1 GROUP BY r.node",
    )
    .bind(ReplicaState::Ok)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(node, n, bytes)| (node, (to_u64(n), to_u64(bytes))))
        .collect())
}

/// Objects grouped by how many of the stores in `up` hold a good copy: (copies, objects).
pub(super) async fn copies_histogram(
    db: &Db,
    up: &[&str],
) -> Result<Vec<(i64, i64)>, ClusterError> {
    let up = serde_json::to_string(up).unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query_as(&format!(
        "SELECT copies, COUNT(*) FROM (
           SELECT (SELECT COUNT(*) FROM replicas r
                   WHERE r.object_id = o.id AND r.state = $1 AND r.node IN ({})) AS copies
           FROM objects o) AS counted
         GROUP BY copies",
        crate::db::json_values(db, "$2")
    ))
    .bind(ReplicaState::Ok)
    .bind(up)
    .fetch_all(db)
    .await?)
}

/// Queues the store's copy of the object for repair, due `at`; a repair already queued keeps
/// its schedule (and its backoff).
pub(super) async fn queue_repair(
    conn: impl AnyExecutor<'_>,
    object: &str,
    node: &str,
    at: i64,
) -> Result<(), ClusterError> {
    sqlx::query(
        "INSERT INTO repair_queue (object_id, node, attempts, next_at) VALUES ($1, $2, 0, $3)
         ON CONFLICT (object_id, node) DO NOTHING",
    )
    .bind(object)
    .bind(node)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues, for `node`, every object it holds no good copy of.
pub(super) async fn queue_missing_on(db: &Db, node: &str, at: i64) -> Result<(), ClusterError> {
    sqlx::query(
        "INSERT INTO repair_queue (object_id, node, attempts, next_at)
         SELECT o.id, $1, 0, $2 FROM objects o
         WHERE NOT EXISTS (SELECT 1 FROM replicas r
                           WHERE r.object_id = o.id AND r.node = $1 AND r.state = $3)
         ON CONFLICT (object_id, node) DO NOTHING",
    )
    .bind(node)
    .bind(at)
    .bind(ReplicaState::Ok)
    .execute(db)
    .await?;
    Ok(())
}

/// Makes queued repairs due at `at`: all of them, or those of one store.
pub(super) async fn make_repairs_due(
    db: &Db,
    node: Option<&str>,
    at: i64,
) -> Result<(), ClusterError> {
    sqlx::query("UPDATE repair_queue SET next_at = $1 WHERE $2 IS NULL OR node = $2")
        .bind(at)
        .bind(node)
        .execute(db)
        .await?;
    Ok(())
}

/// Repairs due at `at` onto the stores in `onto`, soonest first.
pub(super) async fn due_repairs(
    db: &Db,
    at: i64,
    onto: &[&str],
    limit: i64,
) -> Result<Vec<DueRepair>, ClusterError> {
    let onto = serde_json::to_string(onto).unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query_as(&format!(
        "SELECT object_id, node, attempts FROM repair_queue
         WHERE next_at <= $1 AND node IN ({}) ORDER BY next_at LIMIT $3",
        crate::db::json_values(db, "$2")
    ))
    .bind(at)
    .bind(onto)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Takes a due repair for this server until `until` (a repair that outlives it becomes due
/// again): false when another server took it first.
pub(super) async fn claim_repair(
    db: &Db,
    repair: &DueRepair,
    now: i64,
    until: i64,
) -> Result<bool, ClusterError> {
    let taken = sqlx::query(
        "UPDATE repair_queue SET next_at = $1 WHERE object_id = $2 AND node = $3 AND next_at <= $4",
    )
    .bind(until)
    .bind(&repair.object_id)
    .bind(&repair.node)
    .bind(now)
    .execute(db)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// A repair failed: try again at `next_at`.
pub(super) async fn repair_failed(
    db: &Db,
    repair: &DueRepair,
    next_at: i64,
    error: &str,
) -> Result<(), ClusterError> {
    sqlx::query(
        "UPDATE repair_queue SET attempts = attempts + 1, next_at = $1, last_error = $2
         WHERE object_id = $3 AND node = $4",
    )
    .bind(next_at)
    .bind(error)
    .bind(&repair.object_id)
    .bind(&repair.node)
    .execute(db)
    .await?;
    Ok(())
}

/// The store holds a good copy now: recorded, and off the repair queue.
pub(super) async fn repaired(
    db: &Db,
    object: &str,
    node: &str,
    at: i64,
) -> Result<(), ClusterError> {
    let mut tx = db.begin().await?;
    record_replica(&mut *tx, object, node, ReplicaState::Ok, at).await?;
    sqlx::query("DELETE FROM repair_queue WHERE object_id = $1 AND node = $2")
        .bind(object)
        .bind(node)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn repair_queue_len(db: &Db) -> Result<u64, ClusterError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM repair_queue")
        .fetch_one(db)
        .await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// The next repairs, soonest first.
#[derive(sqlx::FromRow)]
struct RepairRow {
    object_id: String,
    node: String,
    attempts: i64,
    next_at: i64,
    last_error: Option<String>,
}

pub(super) async fn repair_items(db: &Db, limit: i64) -> Result<Vec<RepairItem>, ClusterError> {
    let rows: Vec<RepairRow> = sqlx::query_as(
        "SELECT object_id, node, attempts, next_at, last_error FROM repair_queue
         ORDER BY next_at LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RepairItem {
            object_id: r.object_id,
            node: r.node,
            attempts: r.attempts,
            next_at: r.next_at,
            last_error: r.last_error,
        })
        .collect())
}

/// Remembers a delete for a store that could not take it now.
pub(super) async fn defer_delete(db: &Db, object: &str, node: &str) -> Result<(), ClusterError> {
    sqlx::query(
        "INSERT INTO pending_deletes (object_id, node) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(object)
    .bind(node)
    .execute(db)
    .await?;
    Ok(())
}

pub(super) async fn deferred_deletes(db: &Db, node: &str) -> Result<Vec<String>, ClusterError> {
    Ok(
        sqlx::query_scalar("SELECT object_id FROM pending_deletes WHERE node = $1")
            .bind(node)
            .fetch_all(db)
            .await?,
    )
}

pub(super) async fn deleted_late(db: &Db, object: &str, node: &str) -> Result<(), ClusterError> {
    sqlx::query("DELETE FROM pending_deletes WHERE object_id = $1 AND node = $2")
        .bind(object)
        .bind(node)
        .execute(db)
        .await?;
    Ok(())
}

/// Starts a verification run; returns its id.
pub(super) async fn start_verification(db: &Db, at: i64) -> Result<i64, ClusterError> {
    Ok(
        sqlx::query_scalar("INSERT INTO verifications (started_at) VALUES ($1) RETURNING id")
            .bind(at)
            .fetch_one(db)
            .await?,
    )
}

/// Adds one object's replica states to the run's counts.
pub(super) async fn count_verified(
    db: &Db,
    run: i64,
    states: &[ReplicaState],
) -> Result<(), ClusterError> {
    let count =
        |s: ReplicaState| i64::try_from(states.iter().filter(|r| **r == s).count()).unwrap_or(0);
    sqlx::query(
        "UPDATE verifications SET objects = objects + 1, healthy = healthy + $1,
           missing = missing + $2, corrupt = corrupt + $3, unreachable = unreachable + $4
         WHERE id = $5",
    )
    .bind(count(ReplicaState::Ok))
    .bind(count(ReplicaState::Missing))
    .bind(count(ReplicaState::Corrupt))
    .bind(count(ReplicaState::Unreachable))
    .bind(run)
    .execute(db)
    .await?;
    Ok(())
}

pub(super) async fn finish_verification(db: &Db, run: i64, at: i64) -> Result<(), ClusterError> {
    sqlx::query("UPDATE verifications SET finished_at = $1 WHERE id = $2")
        .bind(at)
        .bind(run)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct VerificationRow {
    started_at: i64,
    finished_at: Option<i64>,
    objects: i64,
    healthy: i64,
    missing: i64,
    corrupt: i64,
    unreachable: i64,
}

pub(super) async fn last_verification(db: &Db) -> Result<Option<VerificationRun>, ClusterError> {
    let row: Option<VerificationRow> = sqlx::query_as(
        "SELECT started_at, finished_at, objects, healthy, missing, corrupt, unreachable
         FROM verifications ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| VerificationRun {
        started_at: r.started_at,
        finished_at: r.finished_at,
        objects: r.objects,
        healthy: r.healthy,
        missing: r.missing,
        corrupt: r.corrupt,
        unreachable: r.unreachable,
    }))
}
