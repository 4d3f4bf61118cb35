//! The session token in the browser's localStorage. On the server (SSR) there is no token:
//! private pages render a neutral shell and load their data after hydration.

pub const TOKEN_KEY: &str = "clouddrive.token";
/// Dispatched on `window` when the server answers 401, so the app can forget the user.
pub const UNAUTHORIZED_EVENT: &str = "clouddrive:unauthorized";

#[cfg(feature = "hydrate")]
mod browser {
    use gloo_storage::{LocalStorage, Storage};

    pub fn load() -> Option<String> {
        LocalStorage::get::<String>(super::TOKEN_KEY).ok()
    }

    pub fn save(token: &str) {
        if let Err(e) = LocalStorage::set(super::TOKEN_KEY, token) {
            leptos::logging::warn!("could not keep the session token: {e}");
        }
    }

    pub fn clear() {
        LocalStorage::delete(super::TOKEN_KEY);
    }

    /// Clears the token and tells the app (see `session::provide`).
    pub fn expire() {
        clear();
        if let Some(window) = web_sys::window() {
            if let Ok(event) = web_sys::Event::new(super::UNAUTHORIZED_EVENT) {
                let _ = window.dispatch_event(&event);
            }
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    pub fn load() -> Option<String> {
        None
    }
    pub fn save(_token: &str) {}
    pub fn clear() {}
    pub fn expire() {}
}

pub use browser::{clear, expire, load, save};
