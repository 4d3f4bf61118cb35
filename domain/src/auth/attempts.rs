//! Rolling-window limits on what happens to one address (wrong codes, codes mailed). Checking
//! and counting is one transaction that first writes the key's row in `limit_keys`: that takes
//! SQLite's write lock (or, on a server database, the row's lock), so requests counting for the
//! same key queue up and concurrency cannot exceed a limit.

use super::AuthError;
use crate::db::Db;

/// At most `limit` events per `window_secs`, and (if non-zero) `min_gap_secs` between two.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub limit: i64,
    pub window_secs: i64,
    pub min_gap_secs: i64,
}

/// The outcome of asking to count one more event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Counted as the `count`th event of the window; `id` can give it back.
    Yes { id: i64, count: i64 },
    /// Over the limit (nothing was counted); the next event is allowed after this long.
    No { retry_after_secs: u64 },
}

/// The longest window any rule uses: older events are pruned.
pub const LONGEST_WINDOW_SECS: i64 = 3600;

pub async fn count(db: &Db, key: &str, rule: Rule, now: i64) -> Result<Counted, AuthError> {
    let mut tx = db.begin().await?;
    crate::db::lock_key(&mut tx, key, now).await?;
    let (count, oldest, newest): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at), MAX(at) FROM limit_events WHERE key = $1 AND at > $2",
    )
    .bind(key)
    .bind(now - rule.window_secs)
    .fetch_one(&mut *tx)
    .await?;
    let wait = |until: i64| Counted::No {
        retry_after_secs: crate::db::to_u64((until - now).max(1)),
    };
    if count >= rule.limit {
        return Ok(wait(oldest.unwrap_or(now) + rule.window_secs));
    }
    if let Some(newest) = newest.filter(|n| n + rule.min_gap_secs > now) {
        return Ok(wait(newest + rule.min_gap_secs));
    }
    let id: i64 =
        sqlx::query_scalar("INSERT INTO limit_events (key, at) VALUES ($1, $2) RETURNING id")
            .bind(key)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(Counted::Yes {
        id,
        count: count + 1,
    })
}

/// Gives back a counted event (a code that turned out right was no wrong guess).
pub async fn give_back(db: &Db, id: i64) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM limit_events WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Drops events older than every window, and keys left without events.
pub async fn prune(db: &Db, now: i64) -> Result<(), AuthError> {
    let cutoff = now - LONGEST_WINDOW_SECS;
    sqlx::query("DELETE FROM limit_events WHERE at <= $1")
        .bind(cutoff)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM limit_keys WHERE touched_at <= $1")
        .bind(cutoff)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    const HOURLY_3: Rule = Rule {
        limit: 3,
        window_secs: 3600,
        min_gap_secs: 0,
    };

    #[tokio::test]
    async fn the_window_rolls() {
        let (db, _dir) = test_db().await;
        for (i, t) in [1000, 1100, 1200].into_iter().enumerate() {
            let c = count(&db, "k", HOURLY_3, t).await.unwrap();
            assert!(
                matches!(c, Counted::Yes { count, .. } if count == i64::try_from(i).unwrap() + 1)
            );
        }
        // Full until the first event is an hour old.
        assert_eq!(
            count(&db, "k", HOURLY_3, 1300).await.unwrap(),
            Counted::No {
                retry_after_secs: 3300
            }
        );
        assert!(matches!(
            count(&db, "other", HOURLY_3, 1300).await.unwrap(),
            Counted::Yes { .. }
        ));
        assert!(matches!(
            count(&db, "k", HOURLY_3, 4600).await.unwrap(),
            Counted::Yes { count: 3, .. }
        ));
    }

    #[tokio::test]
    async fn a_gap_is_kept_and_given_back_events_do_not_count() {
        let (db, _dir) = test_db().await;
        let rule = Rule {
            min_gap_secs: 30,
            ..HOURLY_3
        };
        let Counted::Yes { id, .. } = count(&db, "k", rule, 1000).await.unwrap() else {
            panic!("first event refused");
        };
        assert_eq!(
            count(&db, "k", rule, 1010).await.unwrap(),
            Counted::No {
                retry_after_secs: 20
            }
        );
        give_back(&db, id).await.unwrap();
        assert!(matches!(
            count(&db, "k", rule, 1010).await.unwrap(),
            Counted::Yes { count: 1, .. }
        ));
    }

    #[tokio::test]
    async fn concurrent_requests_never_exceed_the_limit() {
        let (db, _dir) = test_db().await;
        let tries = (0..30).map(|_| count(&db, "k", HOURLY_3, 1000));
        let outcomes = futures::future::join_all(tries).await;
        let counted = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Counted::Yes { .. })))
            .count();
        assert_eq!(counted, 3, "{outcomes:?}");
    }
}
