//! App passwords: how WebDAV clients, which cannot answer a second factor, log in (Basic auth
//! with the account's email). Generated here (158 random bits), shown once, named for the
//! device, and stored as an HMAC: high-entropy secrets need no slow hash, and Basic auth checks
//! one on every request. Wrong ones are throttled on counters of their own, per email and per
//! client address, so a device with a stale password cannot lock its owner out of logging in.

use model::auth::{AppPasswordView, NewAppPassword};

use super::recovery_codes::{normalise, typeable_secret};
use super::{emails, input, throttle, Accounts, AuthError, CurrentUser};
use crate::ids::UserId;

/// 32 characters of a 31-letter alphabet: 158 bits.
const LENGTH: usize = 32;
const MAX_NAME_CHARS: usize = 100;
/// Writing `last_used_at` on every request would turn each read into a write.
const TOUCH_EVERY_SECS: i64 = 60;
/// The user id unknown emails are checked against (no account has it: ids are UUIDs).
const NOBODY: &str = "no such account";

fn email_key(email: &str) -> String {
    format!("app password {email}")
}

fn client_key(client: &str) -> String {
    format!("app password from {client}")
}

impl Accounts {
    fn app_password_mac(&self, user_id: &UserId, secret: &str) -> String {
        self.secrets.mac(&[
            b"app password",
            user_id.as_str().as_bytes(),
            normalise(secret).as_bytes(),
        ])
    }

    /// Makes an app password named `name`; the account password proves it is the owner (a
    /// stolen session token alone cannot mint a credential that outlives it). Mails a notice.
    pub async fn create_app_password(
        &self,
        current: &CurrentUser,
        name: &str,
        password: &str,
    ) -> Result<NewAppPassword, AuthError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.contains(char::is_control)
        {
            return Err(AuthError::Invalid(format!(
                "Name the device the app password is for (1 to {MAX_NAME_CHARS} characters)."
            )));
        }
        let user = self.user_by_id(&current.user_id).await?;
        self.check_password(&user, password).await?;
        let secret = typeable_secret(LENGTH, 8);
        let id = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO app_passwords (id, user_id, name, secret_mac, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(&user.id)
        .bind(name)
        .bind(self.app_password_mac(&user.id, &secret))
        .bind(self.clock.now())
        .execute(&self.db)
        .await?;
        self.notify(emails::app_password_created(
            &self.to(&user.email, &user.name),
            name,
        ))
        .await;
        Ok(NewAppPassword {
            id,
            name: name.to_owned(),
            app_password: secret,
        })
    }

    /// The caller's app passwords, newest first.
    pub async fn app_passwords(
        &self,
        current: &CurrentUser,
    ) -> Result<Vec<AppPasswordView>, AuthError> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM app_passwords
             WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(&current.user_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at, last_used_at)| AppPasswordView {
                id,
                name,
                created_at,
                last_used_at,
            })
            .collect())
    }

    /// Revokes one of the caller's app passwords: the next request with it is refused.
    pub async fn revoke_app_password(
        &self,
        current: &CurrentUser,
        id: &str,
    ) -> Result<(), AuthError> {
        let gone = sqlx::query("DELETE FROM app_passwords WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(&current.user_id)
            .execute(&self.db)
            .await?;
        if gone.rows_affected() == 0 {
            return Err(AuthError::Invalid(
                "No such app password (it may have been revoked already).".into(),
            ));
        }
        Ok(())
    }

    /// The account an email and app password belong to, for a request from `client` (its
    /// address key). Known and unknown emails take the same steps and get the same answer. A
    /// right password is taken even while its counters are locked (guessing 158 bits is
    /// hopeless anyway, and so nobody can lock an owner's devices out by sending wrong ones);
    /// wrong ones are counted, and refused with `Throttled` while a counter is locked.
    pub async fn app_password_login(
        &self,
        email: &str,
        secret: &str,
        client: &str,
    ) -> Result<UserId, AuthError> {
        let now = self.clock.now();
        let email = input::email(email).map_err(|_| AuthError::BadCredentials)?;
        let (by_email, by_client) = (email_key(&email), client_key(client));
        // An unknown email is checked against an id no account has, at the same cost.
        let user_id = match self.find_user(&email).await? {
            Some(user) => user.id,
            None => UserId::from(NOBODY),
        };
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM app_passwords WHERE user_id = $1 AND secret_mac = $2",
        )
        .bind(&user_id)
        .bind(self.app_password_mac(&user_id, secret))
        .fetch_optional(&self.db)
        .await?;
        let Some(id) = found else {
            throttle::check(&self.db, &by_email, now).await?;
            throttle::check(&self.db, &by_client, now).await?;
            for key in [&by_email, &by_client] {
                match throttle::reserve(&self.db, key, now).await {
                    Ok(()) | Err(AuthError::Throttled { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            return Err(AuthError::BadCredentials);
        };
        // The owner's own count starts again (the address's does not: an attacker's valid
        // password must not reset the count of its guesses at others').
        if throttle::check(&self.db, &by_email, now)
            .await
            .unwrap_or(true)
        {
            throttle::clear(&self.db, &by_email).await?;
        }
        sqlx::query(
            "UPDATE app_passwords SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(&id)
        .bind(now - TOUCH_EVERY_SECS)
        .execute(&self.db)
        .await?;
        Ok(user_id)
    }
}

/// Ends every app password of a user (a password change or reset: whoever had the old
/// password may have made some).
pub(super) async fn revoke_all(db: &crate::db::Db, user_id: &UserId) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM app_passwords WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
