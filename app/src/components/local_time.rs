use leptos::prelude::*;

use crate::format;
use crate::session::use_session;

/// A moment, in UTC on the server and until hydration (so both renders agree), then in the
/// viewer's own time zone.
#[component]
pub fn LocalTime(unix: i64, #[prop(optional)] clock_only: bool) -> impl IntoView {
    let session = use_session();
    let text = move || {
        let local = session.ready();
        let clock = if local {
            format::local::clock(unix)
        } else {
            format::utc_clock(unix)
        };
        let zone = if local { "" } else { " UTC" };
        if clock_only {
            format!("{clock}{zone}")
        } else {
            let day = if local {
                format::local::day(unix)
            } else {
                format::utc_day(unix)
            };
            format!("{day}, {clock}{zone}")
        }
    };
    view! { <time datetime=format::iso(unix)>{text}</time> }
}
