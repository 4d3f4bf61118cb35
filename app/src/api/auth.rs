//! Accounts API: register, verify email, two-factor login, logout, sessions, user info.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::context::{current_user, state, user_agent};
use super::{Ack, ApiError};
use crate::api;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginNext {
    /// A login code was emailed: submit it to `/api/auth/login/verify`.
    Code,
    /// The email is not verified yet: a verification code was emailed.
    VerifyEmail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginStarted {
    pub next: LoginNext,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedIn {
    pub token: String,
    pub account: AccountInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub email: String,
    pub name: String,
    pub quota_bytes: i64,
    /// Stored files, the trash included.
    pub used_bytes: i64,
    /// The part of `used_bytes` in the trash.
    #[serde(default)]
    pub trash_bytes: i64,
    pub created_at: i64,
    /// Listed in `ADMIN_EMAILS`: may stop and start nodes, verify and repair.
    #[serde(default)]
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub user_agent: String,
    /// The session making this request.
    pub current: bool,
}

#[cfg(feature = "ssr")]
async fn account_info(p: domain::auth::Profile) -> Result<AccountInfo, ApiError> {
    let state = state()?;
    let usage = state.drive.usage(&p.id).await?;
    Ok(AccountInfo {
        is_admin: state.config.admin_emails.contains(&p.email),
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
    pub async fn verify_email(email: String, code: String) -> Result<Ack, ApiError> {
        state()?.accounts.verify_email(&email, &code).await?;
        Ok(Ack::new("Your email is verified. You can log in now."))
    }
}

api! { ("auth/resend-code")
    /// Emails a fresh code (verification or login, whichever is pending), replacing the old one.
    pub async fn resend_code(email: String) -> Result<Ack, ApiError> {
        state()?.accounts.resend_code(&email).await?;
        Ok(Ack::new("If a code is pending for this email, a new one is on its way."))
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
            LoginStep::VerifyEmail => LoginStarted {
                next: LoginNext::VerifyEmail,
                message: "Verify your email first: we emailed you a 6-digit code.".into(),
            },
        })
    }
}

api! { ("auth/login/verify")
    /// Second factor: the emailed code. Answers with a new session token.
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
