mod alert;
mod field;
mod local_time;
mod nav;
mod require_auth;
mod resend;

pub use alert::Alert;
pub use field::{CodeField, Field};
pub use local_time::LocalTime;
pub use nav::NavBar;
pub use require_auth::RequireAuth;
pub use resend::ResendButton;
