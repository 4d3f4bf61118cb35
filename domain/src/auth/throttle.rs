//! Back-off after repeated failed logins on one email: 5 free tries, then a lock that doubles
//! from 30 s up to 15 minutes. Keyed by the email whether or not an account exists, so the
//! throttle answers the same for both.

use super::AuthError;
use crate::db::Db;

const FREE_FAILURES: i64 = 5;
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 15 * 60;

fn lock_secs(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(10) as u32;
    (FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS)
}

pub async fn check(db: &Db, email: &str, now: i64) -> Result<(), AuthError> {
    let locked_until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE email = ?")
            .bind(email)
            .fetch_optional(db)
            .await?;
    match locked_until {
        Some(until) if until > now => Err(AuthError::Throttled {
            retry_after_secs: (until - now) as u64,
        }),
        _ => Ok(()),
    }
}

pub async fn record_failure(db: &Db, email: &str, now: i64) -> Result<(), AuthError> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO login_failures (email, failures, locked_until) VALUES (?, 1, 0)
         ON CONFLICT (email) DO UPDATE SET failures = failures + 1
         RETURNING failures",
    )
    .bind(email)
    .fetch_one(db)
    .await?;
    let lock = lock_secs(failures);
    if lock > 0 {
        sqlx::query("UPDATE login_failures SET locked_until = ? WHERE email = ?")
            .bind(now + lock)
            .bind(email)
            .execute(db)
            .await?;
    }
    Ok(())
}

pub async fn reset(db: &Db, email: &str) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM login_failures WHERE email = ?")
        .bind(email)
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
    async fn fifth_failure_locks_and_says_when_to_retry() {
        let (db, _dir) = test_db().await;
        for _ in 0..4 {
            record_failure(&db, "x@example.com", 100).await.unwrap();
            check(&db, "x@example.com", 100).await.unwrap();
        }
        record_failure(&db, "x@example.com", 100).await.unwrap();
        match check(&db, "x@example.com", 110).await {
            Err(AuthError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("expected throttled, got {other:?}"),
        }
        check(&db, "x@example.com", 130).await.unwrap();
        check(&db, "other@example.com", 110).await.unwrap();
        reset(&db, "x@example.com").await.unwrap();
        record_failure(&db, "x@example.com", 200).await.unwrap();
        check(&db, "x@example.com", 200).await.unwrap();
    }
}
