//! What every domain error tells the web layer: which kind of failure it is
//! (mapped to an HTTP status there) and a message a user can act on (its `Display`).

/// An internal failure's cause, kept as the error's source: logged by the web layer with the
/// request it failed, never shown to users.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is wrong (bad input, wrong code): 400.
    Invalid,
    /// No valid session: 401.
    Unauthenticated,
    /// Authenticated but not allowed (a forged or expired link): 403.
    Forbidden,
    /// Not found, or not yours: 404.
    NotFound,
    /// Conflicts with the current state: 409.
    Conflict,
    /// The name is taken in that folder: 409, and the page offers to replace or keep both.
    NameTaken,
    /// The request's body came too slowly and was cut off: 408.
    TooSlow,
    /// Not enough room left in the user's quota: 507.
    InsufficientStorage,
    /// Slow down; retry after this many seconds: 429.
    TooManyRequests { retry_after_secs: u64 },
    /// A dependency (mail server, storage) is unavailable: 503.
    Unavailable,
    /// A bug or an I/O failure on our side: 500. Details go to the log only.
    Internal,
}

pub trait UserFacing: std::fmt::Display {
    fn kind(&self) -> ErrorKind;
}

/// An error and its sources, outermost first, as one line for the log: "what the user saw:
/// why: why that".
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_log_line_keeps_every_cause() {
        let io = std::io::Error::other("disk full");
        let error = crate::drive::DriveError::Internal(Box::new(io));
        assert_eq!(
            super::chain(&error),
            "Something went wrong on our side. Please try again.: disk full"
        );
    }
}
