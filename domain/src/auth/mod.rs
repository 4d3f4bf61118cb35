//! Accounts: registration with email verification, two-factor login (password, then an
//! emailed code), and bearer-token sessions.

mod codes;
mod emails;
mod error;
mod input;
mod password;
mod sessions;
mod throttle;

use std::sync::Arc;

use serde::Serialize;

pub use codes::Purpose;
pub use error::AuthError;
pub use password::{MAX_BYTES as PASSWORD_MAX_BYTES, MIN_BYTES as PASSWORD_MIN_BYTES};
pub use sessions::{CurrentUser, SessionInfo};

use crate::clock::now;
use crate::db::Db;
use crate::mail::Mailer;
use crate::secrets::Secrets;
use crate::Config;
use password::Hasher;
use sessions::Lifetimes;

/// What a user sees of their own account.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub id: String,
    pub email: String,
    pub name: String,
    pub quota_bytes: i64,
    pub created_at: i64,
}

/// The outcome of a correct password: where the user goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LoginStep {
    /// A login code was emailed.
    CodeSent,
    /// The email is not verified yet; a verification code was emailed.
    VerifyEmail,
}

pub struct NewSession {
    pub token: String,
    pub session_id: String,
    pub profile: Profile,
}

pub struct Accounts {
    db: Db,
    mailer: Arc<Mailer>,
    secrets: Arc<Secrets>,
    hasher: Hasher,
    lifetimes: Lifetimes,
    default_quota_bytes: i64,
    /// Checked against when the account does not exist, so that answer takes as long as a
    /// wrong password.
    dummy_hash: String,
}

struct UserRow {
    id: String,
    email: String,
    name: String,
    password_hash: String,
    verified: bool,
}

impl Accounts {
    pub async fn new(
        db: Db,
        mailer: Arc<Mailer>,
        secrets: Arc<Secrets>,
        config: &Config,
    ) -> Result<Accounts, AuthError> {
        let hasher = Hasher::new(config.bcrypt_cost);
        let dummy_hash = hasher.hash("not a real password, only for timing").await?;
        Ok(Accounts {
            db,
            mailer,
            secrets,
            hasher,
            lifetimes: Lifetimes {
                idle_secs: config.session_idle_timeout.as_secs() as i64,
                max_age_secs: config.session_max_age.as_secs() as i64,
            },
            default_quota_bytes: config.default_quota_bytes,
            dummy_hash,
        })
    }

    /// Registers an account and emails a verification code. Registering an email that already
    /// has an account answers the same, and emails its owner instead.
    pub async fn register(&self, email: &str, password: &str, name: &str) -> Result<(), AuthError> {
        let email = input::email(email)?;
        let name = input::display_name(name)?;
        password::check_policy(password, &[&email, &name])?;
        if let Some(existing) = self.find_user(&email).await? {
            return self.answer_existing_registration(existing).await;
        }
        let hash = self.hasher.hash(password).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, quota_bytes, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&id)
        .bind(&email)
        .bind(&name)
        .bind(&hash)
        .bind(self.default_quota_bytes)
        .bind(now())
        .execute(&self.db)
        .await?
        .rows_affected();
        if inserted == 0 {
            // A concurrent registration of the same email won the race.
            return Ok(());
        }
        self.send_code(&id, &email, &name, Purpose::VerifyEmail)
            .await
    }

    async fn answer_existing_registration(&self, user: UserRow) -> Result<(), AuthError> {
        // Same cost as hashing a new password, so timing does not tell either.
        self.hasher.verify("timing only", &self.dummy_hash).await?;
        if user.verified {
            let mail = emails::already_registered(&user.email, &user.name);
            self.mailer.send(mail).await?;
            return Ok(());
        }
        match self
            .send_code(&user.id, &user.email, &user.name, Purpose::VerifyEmail)
            .await
        {
            Err(AuthError::ResendTooSoon { .. }) => Ok(()),
            other => other,
        }
    }

    pub async fn verify_email(&self, email: &str, code: &str) -> Result<(), AuthError> {
        let email = input::email(email)?;
        let user = self
            .find_user(&email)
            .await?
            .filter(|u| !u.verified)
            .ok_or(AuthError::InvalidVerificationCode)?;
        codes::consume(
            &self.db,
            &self.secrets,
            &user.id,
            Purpose::VerifyEmail,
            code,
            now(),
        )
        .await
        .map_err(|e| match e {
            AuthError::WrongCode { .. }
            | AuthError::CodeExpired
            | AuthError::CodeUsedUp
            | AuthError::NoCode => AuthError::InvalidVerificationCode,
            other => other,
        })?;
        sqlx::query("UPDATE users SET verified_at = ? WHERE id = ?")
            .bind(now())
            .bind(&user.id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Sends a fresh code replacing the pending one: the verification code for an unverified
    /// account, else the login code if one is pending. Unknown emails get the same answer.
    pub async fn resend_code(&self, email: &str) -> Result<(), AuthError> {
        let email = input::email(email)?;
        let Some(user) = self.find_user(&email).await? else {
            return Ok(());
        };
        let purpose = if !user.verified {
            Purpose::VerifyEmail
        } else if codes::exists(&self.db, &user.id, Purpose::Login).await? {
            Purpose::Login
        } else {
            return Ok(());
        };
        self.send_code(&user.id, &user.email, &user.name, purpose)
            .await
    }

    /// First factor. A correct password emails a login code (or, for an unverified account,
    /// a verification code). Unknown email and wrong password give the same error.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoginStep, AuthError> {
        let email = input::email(email).map_err(|_| AuthError::BadCredentials)?;
        let t = now();
        throttle::check(&self.db, &email, t).await?;
        let user = self.find_user(&email).await?;
        let hash = user.as_ref().map_or(&self.dummy_hash, |u| &u.password_hash);
        let password_ok = self.hasher.verify(password, hash).await?;
        let Some(user) = user.filter(|_| password_ok) else {
            throttle::record_failure(&self.db, &email, t).await?;
            return Err(AuthError::BadCredentials);
        };
        throttle::reset(&self.db, &email).await?;
        let (purpose, step) = if user.verified {
            (Purpose::Login, LoginStep::CodeSent)
        } else {
            (Purpose::VerifyEmail, LoginStep::VerifyEmail)
        };
        // A second click within 30 s keeps the code already sent instead of mailing another.
        if !codes::recently_issued(&self.db, &user.id, purpose, t).await? {
            self.send_code(&user.id, &user.email, &user.name, purpose)
                .await?;
        }
        Ok(step)
    }

    /// Second factor: the emailed code starts a new session.
    pub async fn login_verify(
        &self,
        email: &str,
        code: &str,
        user_agent: &str,
    ) -> Result<NewSession, AuthError> {
        let email = input::email(email)?;
        let user = self.find_user(&email).await?.ok_or(AuthError::NoCode)?;
        let t = now();
        codes::consume(&self.db, &self.secrets, &user.id, Purpose::Login, code, t).await?;
        let (session_id, token) =
            sessions::create(&self.db, &user.id, user_agent, &self.lifetimes, t).await?;
        Ok(NewSession {
            token,
            session_id,
            profile: self.profile(&user.id).await?,
        })
    }

    /// Resolves a bearer token to its user; anything invalid or expired is `Unauthenticated`.
    pub async fn authenticate(&self, token: &str) -> Result<CurrentUser, AuthError> {
        sessions::authenticate(&self.db, token, &self.lifetimes, now()).await
    }

    pub async fn profile(&self, user_id: &str) -> Result<Profile, AuthError> {
        let row: Option<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, email, name, quota_bytes, created_at FROM users WHERE id = ?",
        )
        .bind(user_id)
        .fetch_optional(&self.db)
        .await?;
        let (id, email, name, quota_bytes, created_at) = row.ok_or(AuthError::Unauthenticated)?;
        Ok(Profile {
            id,
            email,
            name,
            quota_bytes,
            created_at,
        })
    }

    pub async fn logout(&self, current: &CurrentUser) -> Result<(), AuthError> {
        sessions::revoke(&self.db, &current.user_id, &current.session_id).await
    }

    pub async fn sessions(&self, current: &CurrentUser) -> Result<Vec<SessionInfo>, AuthError> {
        sessions::list(&self.db, &current.user_id, &self.lifetimes, now()).await
    }

    pub async fn revoke_session(
        &self,
        current: &CurrentUser,
        session_id: &str,
    ) -> Result<(), AuthError> {
        sessions::revoke(&self.db, &current.user_id, session_id).await
    }

    /// Ends every session but the current one; returns how many ended.
    pub async fn revoke_other_sessions(&self, current: &CurrentUser) -> Result<u64, AuthError> {
        sessions::revoke_others(&self.db, &current.user_id, &current.session_id).await
    }

    async fn find_user(&self, email: &str) -> Result<Option<UserRow>, AuthError> {
        let row: Option<(String, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, email, name, password_hash, verified_at FROM users WHERE email = ?",
        )
        .bind(email)
        .fetch_optional(&self.db)
        .await?;
        Ok(
            row.map(|(id, email, name, password_hash, verified_at)| UserRow {
                id,
                email,
                name,
                password_hash,
                verified: verified_at.is_some(),
            }),
        )
    }

    async fn send_code(
        &self,
        user_id: &str,
        email: &str,
        name: &str,
        purpose: Purpose,
    ) -> Result<(), AuthError> {
        let code = codes::issue(&self.db, &self.secrets, user_id, purpose, now()).await?;
        let mail = match purpose {
            Purpose::VerifyEmail => emails::verification_code(email, name, &code),
            Purpose::Login => emails::login_code(email, name, &code),
        };
        self.mailer.send(mail).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
