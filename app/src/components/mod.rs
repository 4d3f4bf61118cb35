mod alert;
mod field;
mod local_time;
mod nav;
mod require_auth;

pub use alert::Alert;
pub use field::Field;
pub use local_time::LocalTime;
pub use nav::NavBar;
pub use require_auth::RequireAuth;
