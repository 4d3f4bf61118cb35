//! Login: the password (counted toward the lockout before bcrypt runs), then the second factor:
//! an emailed code, or, for accounts that chose one, an authenticator app code or a recovery
//! code (never an email code). Both steps answer alike for known and unknown addresses.

use super::codes::{self, Purpose};
use super::{
    input, recovery_codes, sessions, throttle, totp, Accounts, AuthError, LoginStep, NewSession,
};
use crate::ids::UserId;

impl Accounts {
    /// First factor. A right password moves on to the second factor. A password of a sign-up
    /// not yet verified leads to verification (and mails its code, if the address has no
    /// account). Every other case reads alike, and every failure costs two bcrypt checks, so
    /// neither the answer nor its time tells whether the address has an account.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoginStep, AuthError> {
        let email = input::email(email).map_err(|_| AuthError::BadCredentials)?;
        let t = self.clock.now();
        throttle::reserve(&self.db, &email, t).await?;
        let user = self.find_user(&email).await?;
        let hash = user
            .as_ref()
            .map_or(&*self.dummy_hash, |u| &u.password_hash);
        if self.hasher.verify(password, hash).await? {
            if let Some(user) = user {
                return self.second_step(user, t).await;
            }
        }
        // Not the account's password: perhaps the newest sign-up's. A match does not clear the
        // lockout (anyone can sign up with any address).
        let newest = self.registrations(&email).await?.into_iter().next();
        let hash = newest
            .as_ref()
            .map_or(&*self.dummy_hash, |r| &r.password_hash);
        if !self.hasher.verify(password, hash).await? {
            return Err(AuthError::BadCredentials);
        }
        let Some(registration) = newest else {
            return Err(AuthError::BadCredentials);
        };
        if user.is_none() {
            self.in_background("mailing a verification code", move |this| async move {
                this.send_code(&email, &registration.name, Purpose::VerifyEmail)
                    .await
            });
        }
        Ok(LoginStep::VerifyEmail)
    }

    async fn second_step(&self, user: super::UserRow, t: i64) -> Result<LoginStep, AuthError> {
        throttle::clear(&self.db, &user.email).await?;
        if user.totp_secret.is_some() {
            codes::await_app_code(&self.db, &user.email, t).await?;
            return Ok(LoginStep::AppCode);
        }
        // A second click within 30 s keeps the code already sent instead of mailing another.
        match self
            .send_code(&user.email, &user.name, Purpose::Login)
            .await
        {
            Ok(()) | Err(AuthError::ResendTooSoon { .. }) => Ok(LoginStep::CodeSent),
            Err(e) => Err(e),
        }
    }

    /// Second factor: the emailed code, or the app's code or a recovery code for accounts with
    /// an app. Starts a new session.
    pub async fn login_verify(
        &self,
        email: &str,
        code: &str,
        user_agent: &str,
    ) -> Result<NewSession, AuthError> {
        let email = input::email(email)?;
        let t = self.clock.now();
        let guess = codes::guess(&self.db, &email, Purpose::Login, t).await?;
        let user = self.find_user(&email).await?;
        let step = match &user {
            Some(user) if user.totp_secret.is_some() => match guess.app_step() {
                Some(step) if self.app_code_or_recovery_ok(user, code, t).await? => Some(step),
                _ => None,
            },
            Some(_) => guess.matching(&self.secrets, &email, Purpose::Login, code),
            None => None,
        };
        let (Some(step), Some(user)) = (step, user) else {
            // One answer for every failure: a stranger learns neither whether someone is
            // logging in nor how.
            self.wrong_code(&email, &guess, "login");
            return Err(AuthError::InvalidLoginCode);
        };
        guess
            .consume(&self.db, &step)
            .await
            .map_err(|_| AuthError::InvalidLoginCode)?;
        let (session_id, token) =
            sessions::create(&self.db, &user.id, user_agent, &self.lifetimes, t).await?;
        Ok(NewSession {
            token,
            session_id,
            profile: self.profile(&user.id).await?,
        })
    }

    /// An app code for a step not used before, or an unused recovery code.
    pub(super) async fn app_code_or_recovery_ok(
        &self,
        user: &super::UserRow,
        code: &str,
        t: i64,
    ) -> Result<bool, AuthError> {
        if recovery_codes::looks_like_one(code) {
            return recovery_codes::use_one(&self.db, &self.secrets, &user.id, code, t).await;
        }
        let Some(sealed) = &user.totp_secret else {
            return Ok(false);
        };
        let Some(step) = totp::matching_step(&self.secrets, &user.id, sealed, code, t)? else {
            return Ok(false);
        };
        self.accept_step(&user.id, step).await
    }

    /// Records an app code's step as used: true once per step, and never for an earlier step
    /// than one already used, so a code seen over someone's shoulder cannot be replayed.
    pub(super) async fn accept_step(&self, user_id: &UserId, step: i64) -> Result<bool, AuthError> {
        let accepted = sqlx::query(
            "UPDATE users SET totp_last_step = $1
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
        )
        .bind(step)
        .bind(user_id)
        .bind(step)
        .execute(&self.db)
        .await?
        .rows_affected();
        Ok(accepted == 1)
    }

    /// Mails a fresh code for whatever waits on one: the login code after a right password,
    /// else the verification code of a sign-up. Answers the same, at once, for every address
    /// (the work goes on after the answer); the page says when to ask again.
    pub fn resend_code(&self, email: &str) -> Result<(), AuthError> {
        let email = input::email(email)?;
        self.in_background("resending a code", move |this| async move {
            let t = this.clock.now();
            if let Some(user) = this.find_user(&email).await? {
                if user.totp_secret.is_none()
                    && codes::pending(&this.db, &email, Purpose::Login, t).await?
                {
                    return this.send_code(&email, &user.name, Purpose::Login).await;
                }
                return Ok(());
            }
            if let Some(newest) = this.registrations(&email).await?.first() {
                this.send_code(&email, &newest.name, Purpose::VerifyEmail)
                    .await?;
            }
            Ok(())
        });
        Ok(())
    }
}
