//! The one error type every server function returns, as JSON: `{status, message, retry_after_secs?}`.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The HTTP status the server answered with (0: the server could not be reached).
    pub status: u16,
    /// What went wrong, in words a user can act on.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub const UNAUTHORIZED: u16 = 401;

    pub fn is_unauthorized(&self) -> bool {
        self.status == Self::UNAUTHORIZED
    }

    /// The error of an action's last outcome, if it failed.
    pub fn of<T>(outcome: Option<Result<T, ApiError>>) -> Option<ApiError> {
        outcome.and_then(Result::err)
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let (status, message) = match value {
            ServerFnErrorErr::Request(_) => (
                0,
                "Cannot reach the server. Check your connection and try again.".to_owned(),
            ),
            ServerFnErrorErr::Args(e)
            | ServerFnErrorErr::MissingArg(e)
            | ServerFnErrorErr::Deserialization(e) => {
                (400, format!("The request was malformed: {e}"))
            }
            other => (500, format!("Unexpected error: {other}")),
        };
        ApiError {
            status,
            message,
            retry_after_secs: None,
        }
    }
}

impl From<ServerFnErrorErr> for ApiError {
    fn from(value: ServerFnErrorErr) -> Self {
        Self::from_server_fn_error(value)
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::error::{ErrorKind, UserFacing};

    use super::ApiError;

    impl ApiError {
        /// Maps a domain error to its HTTP answer (the server sets the response status from
        /// `status`). Internal details go to the log only; the client gets the error's
        /// user-facing words.
        pub fn from_domain(err: &(impl UserFacing + std::fmt::Debug)) -> ApiError {
            let kind = err.kind();
            let (status, retry_after_secs) = match kind {
                ErrorKind::Invalid => (400, None),
                ErrorKind::Unauthenticated => (401, None),
                ErrorKind::Forbidden => (403, None),
                ErrorKind::NotFound => (404, None),
                ErrorKind::Conflict => (409, None),
                ErrorKind::InsufficientStorage => (507, None),
                ErrorKind::TooManyRequests { retry_after_secs } => (429, Some(retry_after_secs)),
                ErrorKind::Unavailable => (503, None),
                ErrorKind::Internal => (500, None),
            };
            if matches!(kind, ErrorKind::Internal | ErrorKind::Unavailable) {
                tracing::error!(error = ?err, "request failed");
            }
            ApiError {
                status,
                message: err.to_string(),
                retry_after_secs,
            }
        }
    }

    impl From<domain::auth::AuthError> for ApiError {
        fn from(e: domain::auth::AuthError) -> Self {
            ApiError::from_domain(&e)
        }
    }

    impl From<domain::drive::DriveError> for ApiError {
        fn from(e: domain::drive::DriveError) -> Self {
            ApiError::from_domain(&e)
        }
    }

    impl From<domain::skillshare::SkillShareError> for ApiError {
        fn from(e: domain::skillshare::SkillShareError) -> Self {
            ApiError::from_domain(&e)
        }
    }
}
