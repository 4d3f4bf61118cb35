//! Accounts API: register, verify email, two-factor login, password reset and change, the
//! second factor (emailed codes or an authenticator app), logout, sessions, app passwords,
//! user info.

pub use model::auth::{
    AccountInfo, AppPasswordView, AppSetup, LoggedIn, LoginNext, LoginStarted, NewAppPassword,
    RecoveryCodes, SecondFactorView, SessionView,
};

#[cfg(feature = "ssr")]
use super::context::{current_user, state, user_agent};
use super::{Ack, ApiError};
use crate::api;

#[cfg(feature = "ssr")]
async fn account_info(p: domain::auth::Profile) -> Result<AccountInfo, ApiError> {
    let state = state()?;
    let usage = state.drive.usage(&p.id).await?;
    Ok(AccountInfo {
        is_admin: state.accounts.is_admin(&p),
        email: p.email,
        name: p.name,
        quota_bytes: usage.quota_bytes,
        used_bytes: usage.used_bytes,
        trash_bytes: usage.trash_bytes,
        created_at: p.created_at,
    })
}

api! { ("auth/register")
    /// Creates an account and emails a verification code. An email that already has an
    /// account gets the same answer (its owner is told by email).
    pub async fn register(email: String, password: String, name: String) -> Result<Ack, ApiError> {
        state()?.accounts.register(&email, &password, &name).await?;
        Ok(Ack::new("We sent a 6-digit code to your email. Enter it to verify your address."))
    }
}

api! { ("auth/verify-email")
    /// Verifies the address with a mailed code and the password chosen at sign-up.
    pub async fn verify_email(email: String, code: String, password: String) -> Result<Ack, ApiError> {
        state()?.accounts.verify_email(&email, &code, &password).await?;
        Ok(Ack::new("Your email is verified. You can log in now."))
    }
}

/// Seconds between two codes mailed to one address.
pub const RESEND_AFTER_SECS: u64 = 30;

api! { ("auth/resend-code")
    /// Emails a fresh code (login or verification, whichever is waiting). Answers the same for
    /// every address, whether or not a code was sent.
    pub async fn resend_code(email: String) -> Result<Ack, ApiError> {
        state()?.accounts.resend_code(&email)?;
        Ok(Ack::new(format!(
            "If a code is waiting for this address, a new one is on its way. You can ask again in {RESEND_AFTER_SECS} s."
        )))
    }
}

api! { ("auth/password/forgot")
    /// Emails a password reset code if the address has an account; the same answer either way.
    pub async fn forgot_password(email: String) -> Result<Ack, ApiError> {
        state()?.accounts.forgot_password(&email)?;
        Ok(Ack::new(
            "If this address has an account, we emailed it a code to choose a new password. It works for 15 minutes.",
        ))
    }
}

api! { ("auth/password/reset")
    /// Sets a new password with the emailed reset code. Every session ends; log in next.
    pub async fn reset_password(email: String, code: String, password: String) -> Result<Ack, ApiError> {
        state()?.accounts.reset_password(&email, &code, &password).await?;
        Ok(Ack::new("Your password was changed and every session logged out. Log in with the new password."))
    }
}

api! { ("auth/password/change")
    /// Changes the password (bearer); other sessions end, this one stays.
    pub async fn change_password(current_password: String, new_password: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.accounts.change_password(&user, &current_password, &new_password).await?;
        Ok(Ack::new("Your password was changed. Your other sessions were logged out."))
    }
}

api! { ("auth/second-factor")
    /// How this account logs in (bearer).
    pub async fn second_factor() -> Result<SecondFactorView, ApiError> {
        let (state, user) = current_user().await?;
        let factor = state.accounts.second_factor(&user).await?;
        Ok(SecondFactorView {
            app: factor.app,
            recovery_codes_left: factor.recovery_codes_left,
        })
    }
}

api! { ("auth/second-factor/confirm-code")
    /// Emails a code that confirms a change of the second factor (bearer).
    pub async fn send_confirm_code() -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.accounts.send_confirm_code(&user).await?;
        Ok(Ack::new("We emailed you a 6-digit confirmation code."))
    }
}

api! { ("auth/second-factor/app/setup")
    /// A new secret for an authenticator app, with its QR code (bearer). It takes effect only
    /// once `app/enable` succeeds.
    pub async fn start_app_setup() -> Result<AppSetup, ApiError> {
        let (state, user) = current_user().await?;
        let shown = state.accounts.start_app_setup(&user).await?;
        Ok(AppSetup {
            secret: shown.secret_base32,
            otpauth_url: shown.otpauth_url,
            qr_svg: shown.qr_svg,
        })
    }
}

api! { ("auth/second-factor/app/enable")
    /// Switches login to the app (bearer): the password, the emailed confirmation code and a
    /// code from the app. Answers the recovery codes.
    pub async fn enable_app(password: String, emailed_code: String, app_code: String) -> Result<RecoveryCodes, ApiError> {
        let (state, user) = current_user().await?;
        let recovery_codes = state.accounts.enable_app(&user, &password, &emailed_code, &app_code).await?;
        Ok(RecoveryCodes { recovery_codes })
    }
}

api! { ("auth/second-factor/app/disable")
    /// Back to emailed codes (bearer): the password and an app or recovery code.
    pub async fn disable_app(password: String, code: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.accounts.disable_app(&user, &password, &code).await?;
        Ok(Ack::new("Logging in uses emailed codes again."))
    }
}

api! { ("auth/second-factor/recovery-codes")
    /// Ten new recovery codes in place of the old (bearer): the password and an app or
    /// recovery code.
    pub async fn regenerate_recovery_codes(password: String, code: String) -> Result<RecoveryCodes, ApiError> {
        let (state, user) = current_user().await?;
        let recovery_codes = state.accounts.regenerate_recovery_codes(&user, &password, &code).await?;
        Ok(RecoveryCodes { recovery_codes })
    }
}

api! { ("auth/login")
    /// First factor: the password. On success a one-time code is emailed.
    pub async fn login(email: String, password: String) -> Result<LoginStarted, ApiError> {
        use domain::auth::LoginStep;
        let step = state()?.accounts.login(&email, &password).await?;
        Ok(match step {
            LoginStep::CodeSent => LoginStarted {
                next: LoginNext::Code,
                message: "We emailed you a 6-digit login code.".into(),
            },
            LoginStep::AppCode => LoginStarted {
                next: LoginNext::App,
                message: "Enter the code your authenticator app shows, or a recovery code.".into(),
            },
            LoginStep::VerifyEmail => LoginStarted {
                next: LoginNext::VerifyEmail,
                message: "Verify your email first: we emailed you a 6-digit code.".into(),
            },
        })
    }
}

api! { ("auth/login/verify")
    /// Second factor: the emailed code, or the app's code or a recovery code. Answers with a
    /// new session token.
    pub async fn login_verify(email: String, code: String) -> Result<LoggedIn, ApiError> {
        let session = state()?.accounts.login_verify(&email, &code, &user_agent()).await?;
        Ok(LoggedIn {
            token: session.token,
            account: account_info(session.profile).await?,
        })
    }
}

api! { ("auth/logout")
    /// Ends the session whose token came with the request.
    pub async fn logout() -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.accounts.logout(&user).await?;
        Ok(Ack::new("You are logged out."))
    }
}

api! { ("user/info")
    pub async fn user_info() -> Result<AccountInfo, ApiError> {
        let (state, user) = current_user().await?;
        account_info(state.accounts.profile(&user.user_id).await?).await
    }
}

api! { (GET "user/info")
    /// `GET /api/user/info`, for curl and scripts: the same as the POST.
    pub async fn user_info_get() -> Result<AccountInfo, ApiError> {
        user_info().await
    }
}

api! { ("auth/sessions")
    /// The caller's active sessions, most recently used first.
    pub async fn sessions() -> Result<Vec<SessionView>, ApiError> {
        let (state, user) = current_user().await?;
        let sessions = state.accounts.sessions(&user).await?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionView {
                current: s.id == user.session_id,
                id: s.id,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                user_agent: s.user_agent,
            })
            .collect())
    }
}

api! { (GET "auth/sessions")
    /// `GET /api/auth/sessions`: the same as the POST.
    pub async fn sessions_get() -> Result<Vec<SessionView>, ApiError> {
        sessions().await
    }
}

api! { ("auth/sessions/revoke")
    /// Revokes one session by `id`, or with `all_others: true` every session but this one.
    pub async fn revoke_session(
        #[server(default)] id: Option<String>,
        #[server(default)] all_others: bool,
    ) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        match (id, all_others) {
            (_, true) => {
                let ended = state.accounts.revoke_other_sessions(&user).await?;
                Ok(Ack::new(format!("Logged out {ended} other session(s).")))
            }
            (Some(id), false) => {
                state.accounts.revoke_session(&user, &id).await?;
                Ok(Ack::new("Session revoked."))
            }
            (None, false) => Err(ApiError::from(domain::auth::AuthError::Invalid(
                "Say which session to revoke (id), or all_others: true.".into(),
            ))),
        }
    }
}

api! { ("auth/app-passwords/create")
    /// A new app password for one WebDAV client (bearer), named after the device; the account
    /// password confirms it is you. The answer is the only time the app password is shown.
    pub async fn create_app_password(name: String, password: String) -> Result<NewAppPassword, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.accounts.create_app_password(&user, &name, &password).await?)
    }
}

api! { ("auth/app-passwords/list")
    /// The caller's app passwords (names and dates, never the passwords).
    pub async fn app_passwords() -> Result<Vec<AppPasswordView>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.accounts.app_passwords(&user).await?)
    }
}

api! { (GET "auth/app-passwords/list")
    /// `GET /api/auth/app-passwords/list`: the same as the POST.
    pub async fn app_passwords_get() -> Result<Vec<AppPasswordView>, ApiError> {
        app_passwords().await
    }
}

api! { ("auth/app-passwords/revoke")
    /// Revokes one app password by `id`: its client is refused from the next request on.
    pub async fn revoke_app_password(id: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.accounts.revoke_app_password(&user, &id).await?;
        Ok(Ack::new("App password revoked."))
    }
}
