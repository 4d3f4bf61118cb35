//! Sign-up. Until the address is verified there is no account, only registrations: each keeps
//! its own password hash and name, and exists only if it was allowed a mail. Verifying takes a
//! code from the inbox (proof of the address) and a password, which picks the registration that
//! becomes the account; so whoever registered first cannot squat the address, and the owner,
//! typing their own password, never activates someone else's registration.
//!
//! A sign-up for an address that has an account is kept the same way (its owner is mailed a
//! notice instead of a code), so nothing that follows, a login with that password included,
//! answers differently for known and unknown addresses.

use super::codes::{self, Purpose};
use super::{emails, input, password, Accounts, AuthError};
use crate::db::Db;

/// Sign-ups never verified are deleted this long after they were made.
pub const KEEP_SECS: i64 = 7 * 24 * 3600;
/// Only the newest few registrations of an address are kept (each costs a bcrypt at login).
const KEEP_PER_ADDRESS: i64 = 5;

pub(super) struct Registration {
    pub name: String,
    pub password_hash: String,
    pub created_at: i64,
}

impl Accounts {
    /// Registers a sign-up and mails a verification code. An address that has an account gets
    /// the same answer, and its owner a notice instead; the mail goes out after the answer.
    pub async fn register(&self, email: &str, password: &str, name: &str) -> Result<(), AuthError> {
        let email = input::email(email)?;
        let name = input::display_name(name)?;
        password::check_policy(password, &[&email, &name])?;
        // Hashed whatever happens next, so the answer takes as long for every address.
        let hash = self.hasher.hash(password).await?;
        let owner = self.find_user(&email).await?;
        // One mail slot either way (a code, or the owner's notice): within 30 s of the last,
        // or past five an hour, nothing changes.
        let code = match &owner {
            Some(_) => {
                codes::reserve_mail(&self.db, &email, Purpose::VerifyEmail, self.clock.now())
                    .await
                    .map(|()| None)
            }
            None => codes::issue(
                &self.db,
                &self.secrets,
                &email,
                Purpose::VerifyEmail,
                self.clock.now(),
            )
            .await
            .map(Some),
        };
        let code = match code {
            Ok(code) => code,
            Err(AuthError::ResendTooSoon { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        self.add_registration(&email, &name, &hash).await?;
        self.in_background("mailing a sign-up", move |this| async move {
            let mail = match (owner, code) {
                (Some(owner), _) => emails::already_registered(&this.to(&owner.email, &owner.name)),
                (None, Some(code)) => emails::verification_code(&this.to(&email, &name), &code),
                (None, None) => return Ok(()),
            };
            Ok(this.mailer.send(mail).await?)
        });
        Ok(())
    }

    async fn add_registration(&self, email: &str, name: &str, hash: &str) -> Result<(), AuthError> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO registrations (id, email, name, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(email)
        .bind(name)
        .bind(hash)
        .bind(self.clock.now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM registrations WHERE email = $1 AND id NOT IN
               (SELECT id FROM registrations WHERE email = $2 ORDER BY created_at DESC LIMIT $3)",
        )
        .bind(email)
        .bind(email)
        .bind(KEEP_PER_ADDRESS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Verifies the address with a mailed code and the password chosen at sign-up: the
    /// registration with that password becomes the account. Every failure reads the same.
    pub async fn verify_email(
        &self,
        email: &str,
        code: &str,
        password: &str,
    ) -> Result<(), AuthError> {
        let email = input::email(email)?;
        let guess = codes::guess(&self.db, &email, Purpose::VerifyEmail, self.clock.now()).await?;
        let chosen = self.registration_with_password(&email, password).await?;
        let matched = guess.matching(&self.secrets, &email, Purpose::VerifyEmail, code);
        let (Some(code_id), Some(registration)) = (matched, chosen) else {
            self.wrong_code(&email, &guess, "verification");
            return Err(AuthError::InvalidCode);
        };
        guess
            .consume(&self.db, &code_id)
            .await
            .map_err(|_| AuthError::InvalidCode)?;
        self.activate(
            &email,
            &registration.name,
            &registration.password_hash,
            registration.created_at,
        )
        .await
    }

    /// Pending sign-ups of the address, newest first.
    pub(super) async fn registrations(&self, email: &str) -> Result<Vec<Registration>, AuthError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT name, password_hash, created_at FROM registrations
             WHERE email = $1 AND created_at > $2 ORDER BY created_at DESC",
        )
        .bind(email)
        .bind(self.clock.now() - KEEP_SECS)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, password_hash, created_at)| Registration {
                name,
                password_hash,
                created_at,
            })
            .collect())
    }

    /// The pending sign-up whose password this is (each is checked: at most five are kept).
    /// With none pending, a dummy hash is checked so the answer takes as long.
    pub(super) async fn registration_with_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<Registration>, AuthError> {
        let pending = self.registrations(email).await?;
        if pending.is_empty() {
            self.hasher.verify(password, &self.dummy_hash).await?;
            return Ok(None);
        }
        for registration in pending {
            if self
                .hasher
                .verify(password, &registration.password_hash)
                .await?
            {
                return Ok(Some(registration));
            }
        }
        Ok(None)
    }

    /// Creates the verified account of `email` and forgets its sign-ups.
    pub(super) async fn activate(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        signed_up_at: i64,
    ) -> Result<(), AuthError> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, verified_at, quota_bytes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(self.clock.now())
        .bind(self.default_quota_bytes)
        .bind(signed_up_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM registrations WHERE email = $1")
            .bind(email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        codes::drop_all(&self.db, email, Purpose::VerifyEmail).await
    }
}

pub async fn prune(db: &Db, now: i64) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM registrations WHERE created_at <= $1")
        .bind(now - KEEP_SECS)
        .execute(db)
        .await?;
    Ok(())
}
