//! Ten one-time recovery codes for when the authenticator app is lost: 50 random bits each,
//! shown once, stored as keyed hashes, each usable once, replaced as a set.

use rand::Rng;

use super::AuthError;
use crate::db::Db;
use crate::ids::UserId;
use crate::secrets::Secrets;

pub const COUNT: usize = 10;
/// No 0/o, 1/l/i: easy to copy from paper.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const LENGTH: usize = 10;

/// `length` random characters of the alphabet in dash-separated groups of `group`
/// ("abcde-fghjk"); what a user types is compared without dashes, spaces or case.
pub(super) fn typeable_secret(length: usize, group: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..length)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let groups: Vec<String> = chars.chunks(group).map(|g| g.iter().collect()).collect();
    groups.join("-")
}

fn generate() -> String {
    typeable_secret(LENGTH, LENGTH / 2)
}

pub(super) fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether what was typed has the shape of a recovery code (rather than a 6-digit app code).
pub fn looks_like_one(code: &str) -> bool {
    normalise(code).len() == LENGTH
}

fn hash(secrets: &Secrets, user_id: &UserId, code: &str) -> String {
    secrets.mac(&[
        b"recovery code",
        user_id.as_str().as_bytes(),
        normalise(code).as_bytes(),
    ])
}

/// Replaces the user's codes with ten new ones; returns them (the only time they are seen).
pub async fn replace(
    db: &Db,
    secrets: &Secrets,
    user_id: &UserId,
) -> Result<Vec<String>, AuthError> {
    let codes: Vec<String> = (0..COUNT).map(|_| generate()).collect();
    let mut tx = db.begin().await?;
    // Two replacements at once would otherwise leave both sets valid.
    let key = format!("recovery:{user_id}");
    crate::db::lock_key(&mut tx, &key, 0).await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash(secrets, user_id, code))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(codes)
}

/// Uses up a code: true for exactly one of any number of concurrent uses of the same code.
pub async fn use_one(
    db: &Db,
    secrets: &Secrets,
    user_id: &UserId,
    code: &str,
    now: i64,
) -> Result<bool, AuthError> {
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash(secrets, user_id, code))
    .execute(db)
    .await?
    .rows_affected();
    Ok(used == 1)
}

pub async fn left(db: &Db, user_id: &UserId) -> Result<i64, AuthError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?)
}

pub async fn drop_all(db: &Db, user_id: &UserId) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    #[tokio::test]
    async fn each_code_works_once_and_a_new_set_replaces_the_old() {
        let (db, _dir) = test_db().await;
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, quota_bytes, created_at)
             VALUES ('u1', 'a@example.com', 'A', 'x', 1, 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        let s = Secrets::for_tests();
        let codes = replace(&db, &s, &UserId::from("u1")).await.unwrap();
        assert_eq!(codes.len(), COUNT);
        assert!(looks_like_one(&codes[0]));
        let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
            .fetch_all(&db)
            .await
            .unwrap();
        assert!(codes
            .iter()
            .all(|c| !stored.iter().any(|h| h.contains(&normalise(c)))));
        // Typed in capitals without the dash, it still works; once.
        let typed = normalise(&codes[0]).to_uppercase();
        assert!(use_one(&db, &s, &UserId::from("u1"), &typed, 1)
            .await
            .unwrap());
        assert!(!use_one(&db, &s, &UserId::from("u1"), &codes[0], 2)
            .await
            .unwrap());
        assert_eq!(left(&db, &UserId::from("u1")).await.unwrap(), 9);
        replace(&db, &s, &UserId::from("u1")).await.unwrap();
        assert!(!use_one(&db, &s, &UserId::from("u1"), &codes[1], 3)
            .await
            .unwrap());
        assert_eq!(left(&db, &UserId::from("u1")).await.unwrap(), 10);
    }
}
