//! What every domain error tells the web layer: which kind of failure it is
//! (mapped to an HTTP status there) and a message a user can act on (its `Display`).

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
