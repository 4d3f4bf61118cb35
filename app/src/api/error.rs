//! The one error type every server function returns, as JSON: `{status, message, retry_after_secs?}`.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use server_fn::{Bytes, Encodes};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The HTTP status the server answered with (0: the server could not be reached).
    pub status: u16,
    /// What went wrong, in words a user can act on.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// What a page may act on besides the status: `name_taken` (offer to replace or keep both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
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

    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after_secs: None,
            code: None,
        }
    }

    pub const NAME_TAKEN: &str = "name_taken";

    pub fn is_name_taken(&self) -> bool {
        self.code.as_deref() == Some(Self::NAME_TAKEN)
    }

    /// The request is wrong in a way `message` explains: 400.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }

    pub fn with_retry_after(mut self, secs: u64) -> ApiError {
        self.retry_after_secs = Some(secs);
        self
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
        ApiError::new(status, message)
    }

    /// server_fn calls this exactly when the error becomes a server function's HTTP answer
    /// (arguments that do not decode included), and would answer 500: on the server, the
    /// answer gets the error's own status (and `Retry-After`) here, in one place.
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        self.set_response_status();
        <JsonEncoding as Encodes<ApiError>>::encode(self).unwrap_or_else(|_| {
            Bytes::from_static(br#"{"status":500,"message":"Unexpected error."}"#)
        })
    }
}

impl From<ServerFnErrorErr> for ApiError {
    fn from(value: ServerFnErrorErr) -> Self {
        Self::from_server_fn_error(value)
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};
    use domain::error::{chain, ErrorKind, UserFacing};
    use leptos::prelude::use_context;

    use super::ApiError;

    impl ApiError {
        /// Maps a domain error to its HTTP answer. Internal details (the error's sources) go to
        /// the log, once, here; the client gets the error's user-facing words.
        pub fn from_domain(err: &(impl UserFacing + std::error::Error + 'static)) -> ApiError {
            let kind = err.kind();
            let (status, retry_after_secs) = match kind {
                ErrorKind::Invalid => (400, None),
                ErrorKind::Unauthenticated => (401, None),
                ErrorKind::Forbidden => (403, None),
                ErrorKind::NotFound => (404, None),
                ErrorKind::Conflict | ErrorKind::NameTaken => (409, None),
                ErrorKind::TooSlow => (408, None),
                ErrorKind::InsufficientStorage => (507, None),
                ErrorKind::TooManyRequests { retry_after_secs } => (429, Some(retry_after_secs)),
                ErrorKind::Unavailable => (503, None),
                // The database out of reach is no fault of the request: try again shortly.
                ErrorKind::Internal if domain::db::is_unavailable(err) => {
                    tracing::error!(error = %chain(err), "database unavailable");
                    return ApiError::new(
                        503,
                        "The service is briefly unavailable. Please try again in a moment.",
                    )
                    .with_retry_after(5);
                }
                ErrorKind::Internal => (500, None),
            };
            if matches!(kind, ErrorKind::Internal | ErrorKind::Unavailable) {
                tracing::error!(error = %chain(err), "request failed");
            }
            ApiError {
                status,
                message: err.to_string(),
                retry_after_secs,
                code: (kind == ErrorKind::NameTaken).then(|| ApiError::NAME_TAKEN.to_owned()),
            }
        }

        /// A failure with no domain error behind it (a task that died): logged, answered 500.
        pub fn internal(cause: &(dyn std::error::Error + 'static)) -> ApiError {
            tracing::error!(error = %chain(cause), "request failed");
            ApiError::new(500, "Something went wrong on our side. Please try again.")
        }

        pub fn http_status(&self) -> StatusCode {
            StatusCode::from_u16(self.status)
                .ok()
                .filter(|s| s.is_client_error() || s.is_server_error())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }

        /// Sets the status of the server function's answer (absent outside one).
        pub(super) fn set_response_status(&self) {
            let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
                return;
            };
            response.set_status(self.http_status());
            if let Some(secs) = self.retry_after_secs {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
    }

    /// The same answer from the routes outside server functions (downloads, uploads, limits).
    impl IntoResponse for ApiError {
        fn into_response(self) -> Response {
            let mut response = (self.http_status(), axum::Json(&self)).into_response();
            if let Some(secs) = self.retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }

    macro_rules! from_domain_errors {
        ($($error:ty),*) => {$(
            impl From<$error> for ApiError {
                fn from(e: $error) -> Self {
                    ApiError::from_domain(&e)
                }
            }
        )*};
    }

    from_domain_errors!(
        domain::auth::AuthError,
        domain::drive::DriveError,
        domain::skillshare::SkillShareError,
        domain::cluster::ClusterError,
        domain::mail::MailError
    );
}
