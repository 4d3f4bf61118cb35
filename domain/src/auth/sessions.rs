//! Session tokens: 256 random bits handed to the browser once, stored only as a SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AuthError;
use crate::db::Db;
use crate::ids::UserId;

/// Writing `last_used_at` on every request would turn each read into a write;
/// once a minute is precise enough for the idle timeout and the sessions page.
const TOUCH_EVERY_SECS: i64 = 60;
const MAX_USER_AGENT_CHARS: usize = 300;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub user_agent: String,
}

/// The user a valid token belongs to.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub session_id: String,
}

#[derive(Clone, Copy)]
pub struct Lifetimes {
    pub idle_secs: i64,
    pub max_age_secs: i64,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session; returns (session id, token). The token is never stored.
pub async fn create(
    db: &Db,
    user_id: &UserId,
    user_agent: &str,
    lifetimes: &Lifetimes,
    now: i64,
) -> Result<(String, String), AuthError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let id = uuid::Uuid::new_v4().to_string();
    let user_agent: String = user_agent.chars().take(MAX_USER_AGENT_CHARS).collect();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, token_hash, created_at, last_used_at, expires_at, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(token_hash(&token))
    .bind(now)
    .bind(now)
    .bind(now + lifetimes.max_age_secs)
    .bind(user_agent)
    .execute(db)
    .await?;
    Ok((id, token))
}

/// Resolves a bearer token; expired (idle or absolute) sessions are deleted and refused.
pub async fn authenticate(
    db: &Db,
    token: &str,
    lifetimes: &Lifetimes,
    now: i64,
) -> Result<CurrentUser, AuthError> {
    #[derive(sqlx::FromRow)]
    struct Session {
        id: String,
        user_id: UserId,
        last_used_at: i64,
        expires_at: i64,
    }
    let row: Option<Session> = sqlx::query_as(
        "SELECT id, user_id, last_used_at, expires_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db)
    .await?;
    let Some(Session {
        id,
        user_id,
        last_used_at,
        expires_at,
    }) = row
    else {
        return Err(AuthError::Unauthenticated);
    };
    if now >= expires_at || now >= last_used_at + lifetimes.idle_secs {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(&id)
            .execute(db)
            .await?;
        return Err(AuthError::Unauthenticated);
    }
    if now - last_used_at >= TOUCH_EVERY_SECS {
        sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(db)
            .await?;
    }
    Ok(CurrentUser {
        user_id,
        session_id: id,
    })
}

pub async fn list(
    db: &Db,
    user_id: &UserId,
    lifetimes: &Lifetimes,
    now: i64,
) -> Result<Vec<SessionInfo>, AuthError> {
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_used_at, user_agent FROM sessions
         WHERE user_id = $1 AND expires_at > $2 AND last_used_at > $3
         ORDER BY last_used_at DESC",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - lifetimes.idle_secs)
    .fetch_all(db)
    .await?)
}

/// Revokes one of the user's sessions; another user's session id reads as not found.
pub async fn revoke(db: &Db, user_id: &UserId, session_id: &str) -> Result<(), AuthError> {
    let gone = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(db)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(AuthError::SessionNotFound);
    }
    Ok(())
}

/// Revokes every session of the user except `keep`; returns how many ended.
pub async fn revoke_others(db: &Db, user_id: &UserId, keep: &str) -> Result<u64, AuthError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// Ends every session of the user (after a password reset).
pub async fn revoke_all(db: &Db, user_id: &UserId) -> Result<u64, AuthError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    const LIFE: Lifetimes = Lifetimes {
        idle_secs: 100,
        max_age_secs: 1000,
    };

    async fn users(db: &Db) {
        for id in [&UserId::from("u1"), &UserId::from("u2")] {
            sqlx::query(
                "INSERT INTO users (id, email, name, password_hash, quota_bytes, created_at)
                 VALUES ($1, $2, 'N', 'x', 1, 0)",
            )
            .bind(id)
            .bind(format!("{id}@example.com"))
            .execute(db)
            .await
            .unwrap();
        }
    }

    #[tokio::test]
    async fn token_is_random_and_stored_hashed() {
        let (db, _dir) = test_db().await;
        users(&db).await;
        let (_, a) = create(&db, &UserId::from("u1"), "ua", &LIFE, 0)
            .await
            .unwrap();
        let (_, b) = create(&db, &UserId::from("u1"), "ua", &LIFE, 0)
            .await
            .unwrap();
        assert_ne!(a, b);
        assert!(URL_SAFE_NO_PAD.decode(&a).unwrap().len() >= 16);
        let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
            .fetch_all(&db)
            .await
            .unwrap();
        assert!(!stored.contains(&a) && !stored.contains(&b));
    }

    #[tokio::test]
    async fn idle_and_absolute_expiry() {
        let (db, _dir) = test_db().await;
        users(&db).await;
        let (_, t) = create(&db, &UserId::from("u1"), "ua", &LIFE, 0)
            .await
            .unwrap();
        // Used every 90 s, it stays alive past the idle timeout...
        for now in (90..=900).step_by(90) {
            authenticate(&db, &t, &LIFE, now).await.unwrap();
        }
        // ...but not past its absolute lifetime.
        assert!(authenticate(&db, &t, &LIFE, 1000).await.is_err());
        let (_, idle) = create(&db, &UserId::from("u1"), "ua", &LIFE, 0)
            .await
            .unwrap();
        assert!(authenticate(&db, &idle, &LIFE, 100).await.is_err());
    }

    #[tokio::test]
    async fn revoking_is_limited_to_your_own_sessions() {
        let (db, _dir) = test_db().await;
        users(&db).await;
        let (mine, t1) = create(&db, &UserId::from("u1"), "ua", &LIFE, 0)
            .await
            .unwrap();
        let (theirs, _) = create(&db, &UserId::from("u2"), "ua", &LIFE, 0)
            .await
            .unwrap();
        assert!(matches!(
            revoke(&db, &UserId::from("u1"), &theirs).await,
            Err(AuthError::SessionNotFound)
        ));
        assert_eq!(
            list(&db, &UserId::from("u2"), &LIFE, 1)
                .await
                .unwrap()
                .len(),
            1
        );
        create(&db, &UserId::from("u1"), "other", &LIFE, 0)
            .await
            .unwrap();
        assert_eq!(
            revoke_others(&db, &UserId::from("u1"), &mine)
                .await
                .unwrap(),
            1
        );
        revoke(&db, &UserId::from("u1"), &mine).await.unwrap();
        assert!(authenticate(&db, &t1, &LIFE, 1).await.is_err());
    }
}
