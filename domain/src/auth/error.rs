use crate::error::{ErrorKind, UserFacing};
use crate::mail::MailError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
    /// Same words for "no such account" and "wrong password", so nobody can probe for accounts.
    #[error("Email or password is incorrect.")]
    BadCredentials,
    #[error("That code is not right. {tries_left} tries left before it stops working.")]
    WrongCode { tries_left: i64 },
    #[error("That code has expired (codes last 10 minutes). Request a new one.")]
    CodeExpired,
    #[error("Too many wrong tries: that code no longer works. Request a new one.")]
    CodeUsedUp,
    #[error("There is no code waiting for this email. Request a new one.")]
    NoCode,
    /// For email verification, every code failure reads the same: a distinct answer would tell
    /// a stranger whether an address has a pending sign-up.
    #[error("That code is not valid: check for typos, or request a new one (codes last 10 minutes and allow 5 tries).")]
    InvalidVerificationCode,
    #[error("A code was sent moments ago. You can ask for another in {retry_after_secs} s.")]
    ResendTooSoon { retry_after_secs: u64 },
    #[error("Too many failed attempts. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("Please log in.")]
    Unauthenticated,
    #[error("No such session.")]
    SessionNotFound,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(String),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Internal(format!("database: {e}"))
    }
}

impl UserFacing for AuthError {
    fn kind(&self) -> ErrorKind {
        use AuthError::*;
        match self {
            Invalid(_)
            | BadCredentials
            | WrongCode { .. }
            | CodeExpired
            | CodeUsedUp
            | NoCode
            | InvalidVerificationCode => ErrorKind::Invalid,
            ResendTooSoon { retry_after_secs } | Throttled { retry_after_secs } => {
                ErrorKind::TooManyRequests {
                    retry_after_secs: *retry_after_secs,
                }
            }
            Unauthenticated => ErrorKind::Unauthenticated,
            SessionNotFound => ErrorKind::NotFound,
            Mail(e) => e.kind(),
            Internal(_) => ErrorKind::Internal,
        }
    }
}
