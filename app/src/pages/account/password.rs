use leptos::prelude::*;

use crate::api::auth::change_password;
use crate::api::ApiError;
use crate::components::{Alert, NewPasswordField, PasswordField, PostForm};

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
        <PostForm
            testid="change-password"
            on_submit=move || {
                change.dispatch((current.get(), new.get()));
            }
        >
            <PasswordField value=current label="Current password" name="current_password"/>
            <NewPasswordField
                value=new
                label="New password"
                name="new_password"
                hint="Your other sessions will be logged out."
            />
            <Alert error notice/>
            <button class="btn" type="submit" disabled=move || change.pending().get()>
                "Change password"
            </button>
        </PostForm>
    }
}
