use crate::error::{BoxError, ErrorKind, UserFacing};
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
    #[error("Too many wrong tries: that code no longer works. Request a new one.")]
    CodeUsedUp,
    /// No live code: none was sent, or it expired or was used (which one is not told).
    #[error("There is no code waiting for this email, or it has expired (codes last 10 minutes). Request a new one.")]
    NoCode,
    /// For email verification and password reset every failure reads the same: a distinct
    /// answer would tell a stranger whether an address has a pending sign-up or an account.
    #[error("That code is not valid, or the password does not go with it: check both for typos, or request a new code (codes allow 5 tries).")]
    InvalidCode,
    #[error("A code was sent moments ago. You can ask for another in {retry_after_secs} s.")]
    ResendTooSoon { retry_after_secs: u64 },
    #[error("Too many failed attempts. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("Too many wrong codes for this address: entering codes is locked for the rest of the hour. Try again in {}.", wait_words(*.retry_after_secs))]
    CodesLocked { retry_after_secs: u64 },
    #[error("Your current password is not right.")]
    WrongPassword,
    #[error("That code is not right. Use the code your authenticator app shows now, or one of your recovery codes.")]
    WrongAppCode,
    /// Every failed second step of a login reads the same, so a stranger learns neither
    /// whether a login is under way nor whether the account uses an app.
    #[error("That code is not right or no longer valid. Enter the newest code (emailed, or from your authenticator app, or a recovery code), or log in again for a new one. Each code allows 5 tries.")]
    InvalidLoginCode,
    #[error("Please log in.")]
    Unauthenticated,
    #[error("No such session.")]
    SessionNotFound,
    #[error("Only administrators can do this.")]
    Forbidden,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] BoxError),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Internal(e.into())
    }
}

impl UserFacing for AuthError {
    fn kind(&self) -> ErrorKind {
        use AuthError::*;
        match self {
            Invalid(_)
            | BadCredentials
            | WrongCode { .. }
            | CodeUsedUp
            | NoCode
            | InvalidCode
            | WrongPassword
            | WrongAppCode
            | InvalidLoginCode => ErrorKind::Invalid,
            ResendTooSoon { retry_after_secs }
            | Throttled { retry_after_secs }
            | CodesLocked { retry_after_secs } => ErrorKind::TooManyRequests {
                retry_after_secs: *retry_after_secs,
            },
            Unauthenticated => ErrorKind::Unauthenticated,
            SessionNotFound => ErrorKind::NotFound,
            Forbidden => ErrorKind::Forbidden,
            Mail(e) => e.kind(),
            Internal(_) => ErrorKind::Internal,
        }
    }
}

/// "45 s", "1 minute", "12 minutes": how long to wait, as a person would say it.
fn wait_words(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=119 => "1 minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_says_when_it_ends() {
        let e = AuthError::CodesLocked {
            retry_after_secs: 1500,
        };
        assert!(e.to_string().ends_with("Try again in 25 minutes."), "{e}");
        assert_eq!(wait_words(30), "30 s");
    }
}
