//! Accounts: what the login steps, the account page and the sessions list show.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginNext {
    /// A login code was emailed: submit it to `/api/auth/login/verify`.
    Code,
    /// The account uses an authenticator app: submit its code (or a recovery code) to
    /// `/api/auth/login/verify`.
    App,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    /// Logging in asks an authenticator app (else an emailed code).
    pub app: bool,
    pub recovery_codes_left: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSetup {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    pub otpauth_url: String,
    /// The same as a QR code, drawn by the server.
    pub qr_svg: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    /// Shown this once; each works once instead of an app code.
    pub recovery_codes: Vec<String>,
}

/// An app password as the account page lists it (never the password itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordView {
    pub id: String,
    /// The device it was made for ("laptop rclone").
    pub name: String,
    pub created_at: i64,
    /// When a WebDAV request last used it (to the minute); `None` if never.
    pub last_used_at: Option<i64>,
}

/// A new app password: the only answer that ever carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppPassword {
    pub id: String,
    pub name: String,
    pub app_password: String,
}
