use leptos::prelude::*;

use crate::api::auth::change_password;
use crate::api::ApiError;
use crate::components::{Alert, Field};

/// Change the password: the current one is needed; other sessions are logged out.
#[component]
pub fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = Action::new(|(current, new): &(String, String)| {
        change_password(current.clone(), new.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let error = Signal::derive(move || ApiError::of(change.value().get()));
    let notice =
        Signal::derive(move || change.value().get().and_then(Result::ok).map(|a| a.message));
    view! {
        <h2>"Password"</h2>
        <form
            method="post"
            data-testid="change-password"
            on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch((current.get(), new.get()));
            }
        >
            <Field
                label="Current password"
                name="current_password"
                kind="password"
                value=current
                autocomplete="current-password"
            />
            <Field
                label="New password"
                name="new_password"
                kind="password"
                value=new
                autocomplete="new-password"
                hint="Your other sessions will be logged out."
            />
            <Alert error notice/>
            <button class="btn" type="submit" disabled=move || change.pending().get()>
                "Change password"
            </button>
        </form>
    }
}
