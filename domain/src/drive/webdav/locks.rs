//! WebDAV locks (RFC 4918 §6-7), kept in the database so they hold across app servers: taken
//! under the drive's write lock, so two servers cannot both grant conflicting ones. The rules
//! are dav-server's in-memory lock system's (`memls`), which passes litmus: a lock covers its
//! path, and everything below it when deep; an exclusive lock conflicts with any other, a
//! shared one with exclusive ones. Paths are `lock_path` keys.

use sqlx::AnyConnection;

use super::WebDav;
use crate::db::to_i64;
use crate::drive::DriveError;

/// A lock without a timeout, or asking for a longer one, gets this: a client that vanished
/// does not hold a file for ever. Clients refresh well within it.
pub const MAX_TIMEOUT_SECS: u64 = 3600;
/// Live locks one user may hold: clients take a few at a time; this bounds the table.
const MAX_LOCKS: usize = 1000;

#[derive(Debug, Clone)]
pub struct Lock {
    pub token: String,
    pub path: String,
    /// The locked URL as the client wrote it.
    pub root: String,
    pub principal: Option<String>,
    /// The `<owner>` element the client sent, as XML.
    pub owner_xml: Option<String>,
    pub timeout_secs: i64,
    pub expires_at: i64,
    pub shared: bool,
    pub deep: bool,
}

/// A `dav_locks` row: flags are integers on both databases.
#[derive(sqlx::FromRow)]
struct Row {
    token: String,
    path: String,
    root: String,
    principal: Option<String>,
    owner_xml: Option<String>,
    timeout_secs: i64,
    expires_at: i64,
    shared: i64,
    deep: i64,
}

impl From<Row> for Lock {
    fn from(r: Row) -> Lock {
        Lock {
            token: r.token,
            path: r.path,
            root: r.root,
            principal: r.principal,
            owner_xml: r.owner_xml,
            timeout_secs: r.timeout_secs,
            expires_at: r.expires_at,
            shared: r.shared != 0,
            deep: r.deep != 0,
        }
    }
}

/// What a LOCK asks for.
pub struct LockRequest<'a> {
    pub path: &'a str,
    pub root: String,
    pub principal: Option<&'a str>,
    pub owner_xml: Option<String>,
    pub timeout_secs: Option<u64>,
    pub shared: bool,
    pub deep: bool,
}

fn capped(timeout_secs: Option<u64>) -> i64 {
    to_i64(
        timeout_secs
            .unwrap_or(MAX_TIMEOUT_SECS)
            .clamp(1, MAX_TIMEOUT_SECS),
    )
}

/// Whether `lock` covers `path` from above or at it (`deep` ones all below too).
fn covers(lock: &Lock, path: &str) -> bool {
    lock.path == path || (lock.deep && is_below(path, &lock.path))
}

fn is_below(path: &str, ancestor: &str) -> bool {
    ancestor.is_empty() && !path.is_empty()
        || path.len() > ancestor.len()
            && path.starts_with(ancestor)
            && path.as_bytes()[ancestor.len()] == b'/'
}

/// The first lock that stops a request holding `tokens` as `principal` (`None`:
/// any principal) at `path` (and below it when `deep`). `shared_ok`: shared locks do not stop
/// it (a request for a shared lock).
fn conflict(
    locks: &[Lock],
    path: &str,
    principal: Option<&str>,
    tokens: &[String],
    deep: bool,
    shared_ok: bool,
) -> Option<Lock> {
    let held = |lock: &Lock| {
        tokens.contains(&lock.token)
            && principal.is_none_or(|p| lock.principal.as_deref() == Some(p))
    };
    let mut holds_one = false;
    let mut first_shared = None;
    for lock in locks.iter().filter(|l| covers(l, path)) {
        if held(lock) {
            holds_one = true;
        } else if !lock.shared {
            return Some(lock.clone());
        } else if !shared_ok {
            first_shared.get_or_insert(lock);
        }
    }
    if !holds_one {
        if let Some(lock) = first_shared {
            return Some(lock.clone());
        }
    }
    if deep {
        let below = locks.iter().filter(|l| is_below(&l.path, path));
        for lock in below {
            if (!lock.shared || !shared_ok) && !held(lock) {
                return Some(lock.clone());
            }
        }
    }
    None
}

impl WebDav<'_> {
    async fn live_locks(&self, conn: &mut AnyConnection) -> Result<Vec<Lock>, DriveError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT token, path, root, principal, owner_xml, timeout_secs, expires_at, shared, deep
             FROM dav_locks WHERE user_id = $1 AND expires_at > $2",
        )
        .bind(self.user_id)
        .bind(self.drive.clock.now())
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.into_iter().map(Lock::from).collect())
    }

    /// Takes a lock, or answers the one in the way.
    pub async fn lock(&self, request: LockRequest<'_>) -> Result<Result<Lock, Lock>, DriveError> {
        let mut tx = self.drive.write_tx().await?;
        let locks = self.live_locks(&mut tx).await?;
        if locks.len() >= MAX_LOCKS {
            return Err(DriveError::Conflict(format!(
                "You hold {MAX_LOCKS} WebDAV locks, the most at once: unlock some first."
            )));
        }
        if let Some(other) = conflict(
            &locks,
            request.path,
            None,
            &[],
            request.deep,
            request.shared,
        ) {
            return Ok(Err(other));
        }
        let timeout_secs = capped(request.timeout_secs);
        let lock = Lock {
            token: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            path: request.path.to_owned(),
            root: request.root,
            principal: request.principal.map(str::to_owned),
            owner_xml: request.owner_xml,
            timeout_secs,
            expires_at: self.drive.clock.now() + timeout_secs,
            shared: request.shared,
            deep: request.deep,
        };
        sqlx::query(
            "INSERT INTO dav_locks (token, user_id, path, root, principal, owner_xml,
                                    timeout_secs, expires_at, shared, deep)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&lock.token)
        .bind(self.user_id)
        .bind(&lock.path)
        .bind(&lock.root)
        .bind(&lock.principal)
        .bind(&lock.owner_xml)
        .bind(lock.timeout_secs)
        .bind(lock.expires_at)
        .bind(i64::from(lock.shared))
        .bind(i64::from(lock.deep))
        .execute(&mut *tx)
        .await?;
        // Expired locks of this user go while we hold the write lock anyway.
        sqlx::query("DELETE FROM dav_locks WHERE user_id = $1 AND expires_at <= $2")
            .bind(self.user_id)
            .bind(self.drive.clock.now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(lock))
    }

    /// The live lock `token` covering `path` from above or at it.
    async fn find(&self, path: &str, token: &str) -> Result<Option<Lock>, DriveError> {
        let mut conn = self.drive.db.acquire().await?;
        let locks = self.live_locks(&mut conn).await?;
        Ok(locks
            .into_iter()
            .find(|l| l.token == token && (l.path == path || is_below(path, &l.path))))
    }

    /// Ends lock `token` on `path`; false if there is no such lock.
    pub async fn unlock(&self, path: &str, token: &str) -> Result<bool, DriveError> {
        let Some(lock) = self.find(path, token).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM dav_locks WHERE token = $1 AND user_id = $2")
            .bind(&lock.token)
            .bind(self.user_id)
            .execute(&self.drive.db)
            .await?;
        Ok(true)
    }

    /// Starts lock `token`'s timeout again (with a new length if asked).
    pub async fn refresh(
        &self,
        path: &str,
        token: &str,
        timeout_secs: Option<u64>,
    ) -> Result<Option<Lock>, DriveError> {
        let Some(mut lock) = self.find(path, token).await? else {
            return Ok(None);
        };
        lock.timeout_secs = capped(timeout_secs);
        lock.expires_at = self.drive.clock.now() + lock.timeout_secs;
        sqlx::query(
            "UPDATE dav_locks SET timeout_secs = $1, expires_at = $2
             WHERE token = $3 AND user_id = $4",
        )
        .bind(lock.timeout_secs)
        .bind(lock.expires_at)
        .bind(&lock.token)
        .bind(self.user_id)
        .execute(&self.drive.db)
        .await?;
        Ok(Some(lock))
    }

    /// The lock that stops a change at `path` (and below when `deep`) by a request that
    /// submitted `tokens`, if any.
    pub async fn check(
        &self,
        path: &str,
        principal: Option<&str>,
        deep: bool,
        tokens: &[String],
    ) -> Result<Option<Lock>, DriveError> {
        let mut conn = self.drive.db.acquire().await?;
        let locks = self.live_locks(&mut conn).await?;
        Ok(conflict(&locks, path, principal, tokens, deep, false))
    }

    /// The locks on `path` and above it.
    pub async fn discover(&self, path: &str) -> Result<Vec<Lock>, DriveError> {
        let mut conn = self.drive.db.acquire().await?;
        let locks = self.live_locks(&mut conn).await?;
        Ok(locks
            .into_iter()
            .filter(|l| l.path == path || is_below(path, &l.path))
            .collect())
    }

    /// Drops every lock on `path` and below (after a DELETE or MOVE).
    pub async fn drop_locks(&self, path: &str) -> Result<(), DriveError> {
        let below = if path.is_empty() {
            "%".to_owned()
        } else {
            format!(
                "{}/%",
                path.replace('!', "!!")
                    .replace('%', "!%")
                    .replace('_', "!_")
            )
        };
        sqlx::query(
            "DELETE FROM dav_locks WHERE user_id = $1 AND (path = $2 OR path LIKE $3 ESCAPE '!')",
        )
        .bind(self.user_id)
        .bind(path)
        .bind(below)
        .execute(&self.drive.db)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(path: &str, shared: bool, deep: bool) -> Lock {
        Lock {
            token: format!("t-{path}-{shared}"),
            path: path.into(),
            root: String::new(),
            principal: None,
            owner_xml: None,
            timeout_secs: 60,
            expires_at: 0,
            shared,
            deep,
        }
    }

    #[test]
    fn coverage_follows_depth_and_whole_names() {
        let deep = lock("a", false, true);
        assert!(covers(&deep, "a/b/c"));
        assert!(
            !covers(&deep, "ab"),
            "a sibling that shares a prefix is not below"
        );
        assert!(!covers(&lock("a", false, false), "a/b"));
        assert!(covers(&lock("", false, true), "x"));
    }

    #[test]
    fn exclusive_conflicts_with_all_shared_with_exclusive() {
        let shared = [lock("f", true, false)];
        assert!(conflict(&shared, "f", None, &[], false, true).is_none());
        assert!(conflict(&shared, "f", None, &[], false, false).is_some());
        let exclusive = [lock("d", false, true)];
        assert!(conflict(&exclusive, "d/f", None, &[], false, true).is_some());
        let token = [exclusive[0].token.clone()];
        assert!(conflict(&exclusive, "d/f", None, &token, false, false).is_none());
        // A lock below stops a deep request above.
        assert!(conflict(&shared, "", None, &[], true, false).is_some());
    }
}
