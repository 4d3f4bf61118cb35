//! Choosing the second factor: email codes (the default) or an authenticator app with ten
//! recovery codes. Every change needs the current password and the current second factor, so
//! a stolen session token alone cannot swap in an attacker's app; each change mails a notice.

use serde::Serialize;

use super::codes::{self, Purpose};
use super::{emails, recovery_codes, totp, Accounts, AuthError, CurrentUser, Enrolment, UserRow};

/// How the user logs in, as the account page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SecondFactor {
    /// An authenticator app (else emailed codes).
    pub app: bool,
    pub recovery_codes_left: i64,
}

impl Accounts {
    pub async fn second_factor(&self, current: &CurrentUser) -> Result<SecondFactor, AuthError> {
        let user = self.user_by_id(&current.user_id).await?;
        Ok(SecondFactor {
            app: user.totp_secret.is_some(),
            recovery_codes_left: recovery_codes::left(&self.db, &user.id).await?,
        })
    }

    /// Mails a code that confirms a change while the second factor is email codes.
    pub async fn send_confirm_code(&self, current: &CurrentUser) -> Result<(), AuthError> {
        let user = self.user_by_id(&current.user_id).await?;
        if user.totp_secret.is_some() {
            return Err(uses_app_already());
        }
        self.send_code(&user.email, &user.name, Purpose::Confirm)
            .await
    }

    /// A new secret for an app, kept aside until `enable_app` proves the app has it.
    pub async fn start_app_setup(&self, current: &CurrentUser) -> Result<Enrolment, AuthError> {
        let user = self.user_by_id(&current.user_id).await?;
        if user.totp_secret.is_some() {
            return Err(uses_app_already());
        }
        let (sealed, enrolment) = totp::enrol(&self.secrets, &user.id, &user.email)?;
        sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(sealed)
            .bind(&user.id)
            .execute(&self.db)
            .await?;
        Ok(enrolment)
    }

    /// Switches to the app: needs the password, the emailed confirmation code (the current
    /// factor) and a code from the new app. Returns the recovery codes, shown only now.
    pub async fn enable_app(
        &self,
        current: &CurrentUser,
        password: &str,
        emailed_code: &str,
        app_code: &str,
    ) -> Result<Vec<String>, AuthError> {
        let user = self.user_by_id(&current.user_id).await?;
        if user.totp_secret.is_some() {
            return Err(uses_app_already());
        }
        let pending: Option<String> =
            sqlx::query_scalar("SELECT totp_pending FROM users WHERE id = $1")
                .bind(&user.id)
                .fetch_one(&self.db)
                .await?;
        let pending = pending.ok_or_else(|| {
            AuthError::Invalid("Start the set-up first: it shows the code to scan.".into())
        })?;
        self.check_password(&user, password).await?;
        let t = self.clock.now();
        let guess = codes::guess(&self.db, &user.email, Purpose::Confirm, t).await?;
        let Some(code_id) =
            guess.matching(&self.secrets, &user.email, Purpose::Confirm, emailed_code)
        else {
            return Err(self.wrong_code(&user.email, &guess, "confirmation"));
        };
        let Some(step) = totp::matching_step(&self.secrets, &user.id, &pending, app_code, t)?
        else {
            return Err(AuthError::Invalid(
                "The code from your app is not right: scan this page's QR code (or type the key) \
                 again, check that your phone's clock is right, and use the code it shows now."
                    .into(),
            ));
        };
        guess.consume(&self.db, &code_id).await?;
        let switched = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1
             WHERE id = $2 AND totp_pending = $3 AND totp_secret IS NULL",
        )
        .bind(step)
        .bind(&user.id)
        .bind(&pending)
        .execute(&self.db)
        .await?
        .rows_affected();
        if switched == 0 {
            return Err(AuthError::Invalid(
                "The set-up changed meanwhile (another tab?). Reload the page and start again."
                    .into(),
            ));
        }
        // Emailed login codes no longer work for this account.
        codes::drop_all(&self.db, &user.email, Purpose::Login).await?;
        let recovery = recovery_codes::replace(&self.db, &self.secrets, &user.id).await?;
        self.notice(&user, "an authenticator app was switched on for logging in")
            .await;
        Ok(recovery)
    }

    /// Back to emailed codes: needs the password and an app or recovery code.
    pub async fn disable_app(
        &self,
        current: &CurrentUser,
        password: &str,
        code: &str,
    ) -> Result<(), AuthError> {
        let user = self.user_with_app(current).await?;
        self.check_password(&user, password).await?;
        self.confirm_with_app(&user, code).await?;
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL
             WHERE id = $1",
        )
        .bind(&user.id)
        .execute(&self.db)
        .await?;
        recovery_codes::drop_all(&self.db, &user.id).await?;
        self.notice(
            &user,
            "logging in went back to emailed codes (the authenticator app was switched off)",
        )
        .await;
        Ok(())
    }

    /// Ten new recovery codes in place of the old: needs the password and an app or
    /// recovery code.
    pub async fn regenerate_recovery_codes(
        &self,
        current: &CurrentUser,
        password: &str,
        code: &str,
    ) -> Result<Vec<String>, AuthError> {
        let user = self.user_with_app(current).await?;
        self.check_password(&user, password).await?;
        self.confirm_with_app(&user, code).await?;
        let recovery = recovery_codes::replace(&self.db, &self.secrets, &user.id).await?;
        self.notice(
            &user,
            "new recovery codes were made (the old ones no longer work)",
        )
        .await;
        Ok(recovery)
    }

    async fn user_with_app(&self, current: &CurrentUser) -> Result<UserRow, AuthError> {
        let user = self.user_by_id(&current.user_id).await?;
        if user.totp_secret.is_none() {
            return Err(AuthError::Invalid(
                "Your account logs in with emailed codes; there is no app to change.".into(),
            ));
        }
        Ok(user)
    }

    /// An app or recovery code, counted toward the address's hourly wrong codes first.
    async fn confirm_with_app(&self, user: &UserRow, code: &str) -> Result<(), AuthError> {
        let guess =
            codes::count_guess(&self.db, &user.email, Purpose::Confirm, self.clock.now()).await?;
        if self
            .app_code_or_recovery_ok(user, code, self.clock.now())
            .await?
        {
            return guess.right(&self.db).await;
        }
        self.wrong_code(&user.email, &guess, "confirmation");
        Err(AuthError::WrongAppCode)
    }

    async fn notice(&self, user: &UserRow, what: &str) {
        let mail = emails::second_factor_changed(&self.to(&user.email, &user.name), what);
        self.notify(mail).await;
    }
}

fn uses_app_already() -> AuthError {
    AuthError::Invalid(
        "Your account already uses an authenticator app. Switch back to emailed codes first to set up another."
            .into(),
    )
}
