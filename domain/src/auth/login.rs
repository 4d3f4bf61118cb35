//! Login: the password (counted toward the lockout before bcrypt runs), then the second factor:
//! an emailed code, or, for accounts that chose one, an authenticator app code or a recovery
//! code (never an email code). Both steps answer alike for known and unknown addresses.

use super::codes::{self, Purpose};
use super::{
    input, recovery_codes, sessions, throttle, totp, Accounts, AuthError, LoginStep, NewSession,
};
use crate::clock::now;

impl Accounts {
    /// First factor. A right password moves on to the second factor (or, for a sign-up not yet
    /// verified, mails a verification code). Unknown address and wrong password read alike.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoginStep, AuthError> {
        let email = input::email(email).map_err(|_| AuthError::BadCredentials)?;
        let t = now();
        throttle::reserve(&self.db, &email, t).await?;
        let Some(user) = self.find_user(&email).await? else {
            // No account: perhaps a sign-up waiting for its code.
            let Some(registration) = self.registration_with_password(&email, password).await?
            else {
                return Err(AuthError::BadCredentials);
            };
            throttle::clear(&self.db, &email).await?;
            match self
                .send_code(&email, &registration.name, Purpose::VerifyEmail)
                .await
            {
                Ok(()) | Err(AuthError::ResendTooSoon { .. }) => {}
                Err(e) => return Err(e),
            }
            return Ok(LoginStep::VerifyEmail);
        };
        if !self.hasher.verify(password, &user.password_hash).await? {
            return Err(AuthError::BadCredentials);
        }
        throttle::clear(&self.db, &email).await?;
        if user.totp_secret.is_some() {
            codes::await_app_code(&self.db, &email, t).await?;
            return Ok(LoginStep::AppCode);
        }
        // A second click within 30 s keeps the code already sent instead of mailing another.
        match self.send_code(&email, &user.name, Purpose::Login).await {
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
        let t = now();
        let guess = codes::guess(&self.db, &email, Purpose::Login, t).await?;
        let user = self.find_user(&email).await?;
        let uses_app = user.as_ref().is_some_and(|u| u.totp_secret.is_some());
        let step = match &user {
            Some(user) if user.totp_secret.is_some() => match guess.app_step() {
                Some(step) if self.app_code_or_recovery_ok(user, code, t).await? => Some(step),
                _ => None,
            },
            Some(_) => guess.matching(&self.secrets, &email, Purpose::Login, code),
            None => None,
        };
        let (Some(step), Some(user)) = (step, user) else {
            let error = self.wrong_code(&email, &guess, "login").await;
            return Err(match error {
                AuthError::WrongCode { .. } if uses_app => AuthError::WrongAppCode,
                other => other,
            });
        };
        guess.consume(&self.db, &step).await?;
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
    pub(super) async fn accept_step(&self, user_id: &str, step: i64) -> Result<bool, AuthError> {
        let accepted = sqlx::query(
            "UPDATE users SET totp_last_step = ?
             WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
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
            let t = now();
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
