use leptos::prelude::*;

use crate::api::ApiError;

/// The outcome of the last action: an error (with when to retry) or a confirmation.
#[component]
pub fn Alert(
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(optional, into)] notice: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        if let Some(e) = error.get() {
            view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any()
        } else if let Some(n) = notice.get() {
            view! { <p class="alert alert-ok" role="status">{n}</p> }.into_any()
        } else {
            ().into_any()
        }
    }
}
