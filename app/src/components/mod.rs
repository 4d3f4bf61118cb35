mod alert;
mod auth_panel;
mod field;
mod focus;
mod icon;
mod local_time;
mod nav;
mod post_form;
mod require_auth;
mod resend;

pub use alert::Alert;
pub use auth_panel::AuthPanel;
pub use field::{CodeField, CopyField, Field, NewPasswordField, PasswordField};
pub use focus::{
    first_listed, focus_is_free, focus_when_shown, focus_when_shown_if_free, focus_within,
    successors,
};
pub use icon::{Icon, IconKind};
pub use local_time::LocalTime;
pub use nav::NavBar;
pub use post_form::PostForm;
pub use require_auth::RequireAuth;
pub use resend::ResendButton;
