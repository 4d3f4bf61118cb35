mod alert;
mod field;
mod nav;
mod require_auth;

pub use alert::Alert;
pub use field::Field;
pub use nav::NavBar;
pub use require_auth::RequireAuth;
