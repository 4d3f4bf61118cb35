use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::format::url_encode;
use crate::session::use_session;

/// Shows `children` to a logged-in user; anyone else goes to the login page, which brings
/// them back here afterwards.
#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    // The page this guards, read once: the page stays on screen while a lazy login page loads,
    // and the address by then is the login page's (it would be sent to log in from there).
    let location = use_location();
    let here = {
        let path = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        let search = search.trim_start_matches('?');
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let sent = StoredValue::new(false);
    Effect::new(move |_| {
        if session.ready() && !session.logged_in() && !sent.get_value() {
            sent.set_value(true);
            navigate(
                &format!("/login?next={}", url_encode(&here)),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    move || {
        if session.ready() && session.logged_in() {
            children().into_any()
        } else {
            view! { <p class="muted">"Loading…"</p> }.into_any()
        }
    }
}
