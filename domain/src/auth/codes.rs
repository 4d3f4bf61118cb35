//! Emailed 6-digit one-time codes: CSPRNG, stored as a keyed hash, valid 10 minutes,
//! at most 5 wrong tries, consumed atomically, replaceable after 30 seconds.

use rand::Rng;

use super::AuthError;
use crate::db::Db;
use crate::secrets::Secrets;

pub const TTL_SECS: i64 = 10 * 60;
pub const MAX_TRIES: i64 = 5;
pub const RESEND_AFTER_SECS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    Login,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::Login => "login",
        }
    }
}

fn hash(secrets: &Secrets, user_id: &str, purpose: Purpose, code: &str) -> String {
    secrets.mac(&[
        purpose.as_str().as_bytes(),
        user_id.as_bytes(),
        code.as_bytes(),
    ])
}

/// Creates a new code, replacing the previous one unless that one is under 30 s old.
/// Returns the plain code, which only ever goes into the email.
pub async fn issue(
    db: &Db,
    secrets: &Secrets,
    user_id: &str,
    purpose: Purpose,
    now: i64,
) -> Result<String, AuthError> {
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    // One statement, so two concurrent resends cannot both replace the code.
    let replaced = sqlx::query(
        "INSERT INTO one_time_codes (user_id, purpose, code_hash, created_at, expires_at, attempts)
         VALUES (?1, ?2, ?3, ?4, ?5, 0)
         ON CONFLICT (user_id, purpose) DO UPDATE
           SET code_hash = excluded.code_hash, created_at = excluded.created_at,
               expires_at = excluded.expires_at, attempts = 0
           WHERE one_time_codes.created_at <= ?4 - ?6",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(hash(secrets, user_id, purpose, &code))
    .bind(now)
    .bind(now + TTL_SECS)
    .bind(RESEND_AFTER_SECS)
    .execute(db)
    .await?
    .rows_affected();
    if replaced == 1 {
        return Ok(code);
    }
    let created: i64 = sqlx::query_scalar(
        "SELECT created_at FROM one_time_codes WHERE user_id = ? AND purpose = ?",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await?
    .unwrap_or(now);
    Err(AuthError::ResendTooSoon {
        retry_after_secs: (created + RESEND_AFTER_SECS - now).max(1) as u64,
    })
}

/// Whether a code for this purpose was issued less than 30 s ago and is still usable.
pub async fn recently_issued(
    db: &Db,
    user_id: &str,
    purpose: Purpose,
    now: i64,
) -> Result<bool, AuthError> {
    let row: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM one_time_codes
         WHERE user_id = ? AND purpose = ? AND created_at > ? AND attempts < ?",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now - RESEND_AFTER_SECS)
    .bind(MAX_TRIES)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

pub async fn exists(db: &Db, user_id: &str, purpose: Purpose) -> Result<bool, AuthError> {
    let row: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM one_time_codes WHERE user_id = ? AND purpose = ?")
            .bind(user_id)
            .bind(purpose.as_str())
            .fetch_optional(db)
            .await?;
    Ok(row.is_some())
}

/// Uses up the code if it matches. The match deletes the row in one statement, so of two
/// concurrent submissions of the right code exactly one succeeds.
pub async fn consume(
    db: &Db,
    secrets: &Secrets,
    user_id: &str,
    purpose: Purpose,
    code: &str,
    now: i64,
) -> Result<(), AuthError> {
    let code = code.trim();
    let matched = sqlx::query(
        "DELETE FROM one_time_codes
         WHERE user_id = ? AND purpose = ? AND code_hash = ? AND expires_at > ? AND attempts < ?",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(hash(secrets, user_id, purpose, code))
    .bind(now)
    .bind(MAX_TRIES)
    .execute(db)
    .await?
    .rows_affected();
    if matched == 1 {
        return Ok(());
    }
    let attempts: Option<i64> = sqlx::query_scalar(
        "UPDATE one_time_codes SET attempts = attempts + 1
         WHERE user_id = ? AND purpose = ? AND expires_at > ? AND attempts < ?
         RETURNING attempts",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(MAX_TRIES)
    .fetch_optional(db)
    .await?;
    if let Some(attempts) = attempts {
        return Err(match MAX_TRIES - attempts {
            0 => AuthError::CodeUsedUp,
            tries_left => AuthError::WrongCode { tries_left },
        });
    }
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT expires_at, attempts FROM one_time_codes WHERE user_id = ? AND purpose = ?",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await?;
    Err(match row {
        None => AuthError::NoCode,
        Some((expires_at, _)) if expires_at <= now => AuthError::CodeExpired,
        Some(_) => AuthError::CodeUsedUp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    async fn user(db: &Db) -> String {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, quota_bytes, created_at)
             VALUES ('u1', 'a@example.com', 'A', 'x', 1, 0)",
        )
        .execute(db)
        .await
        .unwrap();
        "u1".into()
    }

    #[tokio::test]
    async fn code_is_six_digits_and_works_once() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let u = user(&db).await;
        let code = issue(&db, &s, &u, Purpose::Login, 1000).await.unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        // Another purpose's code does not match.
        assert!(consume(&db, &s, &u, Purpose::VerifyEmail, &code, 1001)
            .await
            .is_err());
        consume(&db, &s, &u, Purpose::Login, &code, 1001)
            .await
            .unwrap();
        assert!(matches!(
            consume(&db, &s, &u, Purpose::Login, &code, 1002).await,
            Err(AuthError::NoCode)
        ));
    }

    #[tokio::test]
    async fn five_wrong_tries_kill_the_code() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let u = user(&db).await;
        let code = issue(&db, &s, &u, Purpose::Login, 1000).await.unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for left in (1..5).rev() {
            match consume(&db, &s, &u, Purpose::Login, wrong, 1001).await {
                Err(AuthError::WrongCode { tries_left }) => assert_eq!(tries_left, left),
                other => panic!("expected WrongCode, got {other:?}"),
            }
        }
        assert!(matches!(
            consume(&db, &s, &u, Purpose::Login, wrong, 1001).await,
            Err(AuthError::CodeUsedUp)
        ));
        assert!(matches!(
            consume(&db, &s, &u, Purpose::Login, &code, 1001).await,
            Err(AuthError::CodeUsedUp)
        ));
    }

    #[tokio::test]
    async fn expired_codes_are_refused() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let u = user(&db).await;
        let code = issue(&db, &s, &u, Purpose::Login, 1000).await.unwrap();
        assert!(matches!(
            consume(&db, &s, &u, Purpose::Login, &code, 1000 + TTL_SECS).await,
            Err(AuthError::CodeExpired)
        ));
    }

    #[tokio::test]
    async fn resend_waits_30s_then_replaces_the_old_code() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let u = user(&db).await;
        let first = issue(&db, &s, &u, Purpose::Login, 1000).await.unwrap();
        match issue(&db, &s, &u, Purpose::Login, 1010).await {
            Err(AuthError::ResendTooSoon { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("expected ResendTooSoon, got {other:?}"),
        }
        let second = issue(&db, &s, &u, Purpose::Login, 1030).await.unwrap();
        if first != second {
            assert!(consume(&db, &s, &u, Purpose::Login, &first, 1031)
                .await
                .is_err());
        }
        consume(&db, &s, &u, Purpose::Login, &second, 1031)
            .await
            .unwrap();
    }
}
