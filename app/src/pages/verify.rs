use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::auth_flow::{navigate_on_success, step_url};
use crate::api::auth::verify_email;
use crate::api::ApiError;
use crate::components::{
    Alert, AuthPanel, CodeField, Field, PasswordField, PostForm, ResendButton,
};
use crate::session::use_session;

/// Enter the 6-digit code sent at sign-up, with the password chosen there (remembered in
/// memory when the user comes straight from the sign-up form); then on to login.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Filled in the browser from the sign-up form, if the user came straight from it.
    let remembered = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(p) = session.signup_password(&email.get_untracked()) {
            password.set(p);
            remembered.set(true);
        }
    });
    let verify = Action::new(|(email, code, password): &(String, String, String)| {
        verify_email(email.clone(), code.clone(), password.clone())
    });
    navigate_on_success(verify, move |_| {
        session.forget_signup();
        let next = query.with_untracked(|q| q.get("next"));
        step_url("/login?verified=1", &email.get_untracked(), next)
    });
    let error = Signal::derive(move || ApiError::of(verify.value().get()));
    view! {
        <AuthPanel
            title="Verify your email — CloudDrive"
            heading="Check your email"
            intro="We sent a 6-digit code to your address. It works for 10 minutes."
        >
            <PostForm on_submit=move || {
                verify.dispatch((email.get(), code.get(), password.get()));
            }>
                <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
                <CodeField label="Code" value=code autofocus=true/>
                <Show when=move || !remembered.get()>
                    <PasswordField value=password hint="The password you chose when you signed up."/>
                </Show>
                <Alert error/>
                <div class="actions">
                    <button
                        class="btn btn-primary"
                        type="submit"
                        disabled=move || !session.ready() || verify.pending().get()
                    >
                        "Verify email"
                    </button>
                    <ResendButton email/>
                </div>
            </PostForm>
        </AuthPanel>
    }
}
