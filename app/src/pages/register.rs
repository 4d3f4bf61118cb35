use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::auth_flow::{navigate_on_success, step_url};
use crate::api::auth::register;
use crate::api::ApiError;
use crate::components::{Alert, AuthPanel, Field, NewPasswordField, PostForm};
use crate::session::use_session;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new(|(email, password, name): &(String, String, String)| {
        register(email.clone(), password.clone(), name.clone())
    });
    navigate_on_success(submit, move |_| {
        session.remember_signup(email.get_untracked(), password.get_untracked());
        let next = query.with_untracked(|q| q.get("next"));
        step_url("/verify", &email.get_untracked(), next)
    });
    let error = Signal::derive(move || ApiError::of(submit.value().get()));
    view! {
        <AuthPanel title="Create an account — CloudDrive" heading="Create your account">
            <PostForm on_submit=move || {
                submit.dispatch((email.get(), password.get(), name.get()));
            }>
                <Field label="Name" name="name" value=name autocomplete="name" autofocus=true/>
                <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
                <NewPasswordField
                    value=password
                    hint="8 to 72 characters; a few unrelated words make a strong one."
                />
                <Alert error/>
                <button
                    class="btn btn-primary"
                    type="submit"
                    disabled=move || !session.ready() || submit.pending().get()
                >
                    {move || if submit.pending().get() { "Creating…" } else { "Create account" }}
                </button>
            </PostForm>
            <p class="muted">"Already have an account? " <A href="/login">"Log in"</A></p>
        </AuthPanel>
    }
}
