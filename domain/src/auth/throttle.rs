//! Back-off after repeated wrong passwords on one key: 5 free tries, then a lock that doubles
//! from 30 s up to 15 minutes. Logins are keyed by the email whether or not an account exists,
//! so the throttle answers the same for both; share links by link and client address. An attempt is counted (and the lock set) in one
//! statement before bcrypt runs, so requests queued behind the hasher cannot slip past it.

use super::AuthError;
use crate::db::Db;

const FREE_FAILURES: i64 = 5;
/// How long wrong tries are remembered after the last one: longer than the longest lock.
const MEMORY_SECS: i64 = 24 * 3600;
const _: () = assert!(MEMORY_SECS > MAX_LOCK_SECS);
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 15 * 60;

fn lock_secs(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from((failures - FREE_FAILURES).clamp(0, 10)).unwrap_or(10);
    (FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS)
}

/// `CASE failures WHEN 5 THEN 30 ...` for the lock after `failures` attempts: the back-off as
/// plain SQL that every database runs the same.
fn lock_secs_sql(failures: &str) -> String {
    let mut sql = format!("CASE WHEN {failures} < {FREE_FAILURES} THEN 0");
    let mut n = FREE_FAILURES;
    while lock_secs(n) < MAX_LOCK_SECS {
        sql.push_str(&format!(" WHEN {failures} = {n} THEN {}", lock_secs(n)));
        n += 1;
    }
    sql.push_str(&format!(" ELSE {MAX_LOCK_SECS} END"));
    sql
}

/// Counts an attempt before the password is checked; `Err(Throttled)` while the key is
/// locked. The attempt that reaches the limit still runs (and may succeed, which clears it),
/// but sets the lock for every attempt after it.
pub async fn reserve(db: &Db, key: &str, now: i64) -> Result<(), AuthError> {
    let sql = format!(
        "INSERT INTO login_failures (email, failures, locked_until, last_failed_at)
         VALUES ($1, 1, 0, $2)
         ON CONFLICT (email) DO UPDATE
           SET failures = login_failures.failures + 1,
               locked_until = $2 + {},
               last_failed_at = $2
           WHERE login_failures.locked_until <= $2
         RETURNING failures",
        lock_secs_sql("login_failures.failures + 1")
    );
    let counted: Option<i64> = sqlx::query_scalar(&sql)
        .bind(key)
        .bind(now)
        .fetch_optional(db)
        .await?;
    if counted.is_some() {
        return Ok(());
    }
    let until: i64 = sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE email = $1")
        .bind(key)
        .fetch_optional(db)
        .await?
        .unwrap_or(now + 1);
    Err(AuthError::Throttled {
        retry_after_secs: crate::db::to_u64((until - now).max(1)),
    })
}

/// Whether `key` is locked now, without counting an attempt: for checks cheap enough (an HMAC)
/// that only failures need counting, after the fact. `Ok(true)` when it has failures counted.
pub async fn check(db: &Db, key: &str, now: i64) -> Result<bool, AuthError> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE email = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    match until {
        Some(until) if until > now => Err(AuthError::Throttled {
            retry_after_secs: crate::db::to_u64(until - now),
        }),
        found => Ok(found.is_some()),
    }
}

/// A right password clears the count (a password reset does too).
pub async fn clear(db: &Db, key: &str) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets tries last made more than a day ago (any lock they set has ended by then).
pub async fn forget_old(db: &Db, now: i64) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM login_failures WHERE last_failed_at < $1")
        .bind(now - MEMORY_SECS)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    #[test]
    fn lock_doubles_and_is_capped() {
        assert_eq!(lock_secs(4), 0);
        assert_eq!(lock_secs(5), 30);
        assert_eq!(lock_secs(6), 60);
        assert_eq!(lock_secs(40), MAX_LOCK_SECS);
    }

    #[tokio::test]
    async fn fifth_attempt_locks_and_says_when_to_retry() {
        let (db, _dir) = test_db().await;
        for _ in 0..5 {
            reserve(&db, "x@example.com", 100).await.unwrap();
        }
        match reserve(&db, "x@example.com", 110).await {
            Err(AuthError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("expected throttled, got {other:?}"),
        }
        // Past the lock one more try, which locks for twice as long.
        reserve(&db, "x@example.com", 130).await.unwrap();
        match reserve(&db, "x@example.com", 131).await {
            Err(AuthError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 59),
            other => panic!("expected throttled, got {other:?}"),
        }
        reserve(&db, "other@example.com", 131).await.unwrap();
        clear(&db, "x@example.com").await.unwrap();
        reserve(&db, "x@example.com", 131).await.unwrap();
    }

    #[tokio::test]
    async fn tries_are_forgotten_a_day_after_the_last() {
        let (db, _dir) = test_db().await;
        for _ in 0..3 {
            reserve(&db, "typo@example.com", 100).await.unwrap();
        }
        for _ in 0..5 {
            reserve(&db, "guesser@example.com", 100).await.unwrap();
        }
        let rows = || async {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures")
                .fetch_one(&db)
                .await
                .unwrap();
            count
        };
        forget_old(&db, 100 + MEMORY_SECS).await.unwrap();
        assert_eq!(rows().await, 2, "within the day both are remembered");
        forget_old(&db, 101 + MEMORY_SECS).await.unwrap();
        assert_eq!(rows().await, 0);
        // A later try starts the day over.
        reserve(&db, "late@example.com", 100).await.unwrap();
        reserve(&db, "late@example.com", 50_000).await.unwrap();
        forget_old(&db, 101 + MEMORY_SECS).await.unwrap();
        assert_eq!(rows().await, 1);
    }

    #[tokio::test]
    async fn a_check_counts_nothing_and_answers_a_lock() {
        let (db, _dir) = test_db().await;
        assert!(!check(&db, "k", 100).await.unwrap(), "nothing counted yet");
        reserve(&db, "k", 100).await.unwrap();
        for _ in 0..10 {
            assert!(check(&db, "k", 100).await.unwrap(), "a failure is counted");
        }
        // Had the checks counted, these would be refused.
        for _ in 0..4 {
            reserve(&db, "k", 100).await.unwrap();
        }
        match check(&db, "k", 110).await {
            Err(AuthError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("expected throttled, got {other:?}"),
        }
        assert!(check(&db, "k", 130).await.unwrap(), "the lock is over");
    }

    #[tokio::test]
    async fn concurrent_attempts_get_at_most_five_through() {
        let (db, _dir) = test_db().await;
        let attempts = (0..20).map(|_| reserve(&db, "x@example.com", 100));
        let outcomes = futures::future::join_all(attempts).await;
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 5);
    }
}
