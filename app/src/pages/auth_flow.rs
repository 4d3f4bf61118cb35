//! How the pages that get a user in (sign up, verify, log in, password reset) hand over to each
//! other: each success sends the user on to the next step with their email filled in.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::format::url_encode;

/// The address of the next step: `path` (which may carry its own query, as `/login?reset=1`),
/// then the email to fill in and, if there is one, where to go once logged in (`next`).
pub fn step_url(path: &str, email: &str, next: Option<String>) -> String {
    let join = if path.contains('?') { '&' } else { '?' };
    let next = next
        .map(|n| format!("&next={}", url_encode(&n)))
        .unwrap_or_default();
    format!("{path}{join}email={}{next}", url_encode(email))
}

/// Once `action` succeeds, goes to the address that `to` makes of its answer; `to` may first
/// note what the next page needs.
pub fn navigate_on_success<I, O, E>(
    action: Action<I, Result<O, E>>,
    to: impl Fn(O) -> String + 'static,
) where
    I: 'static,
    O: Clone + 'static,
    E: Clone + 'static,
{
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(done)) = action.value().get() {
            navigate(&to(done), Default::default());
        }
    });
}
