use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::auth_flow::step_url;
use crate::api::auth::{login, login_verify, LoginNext};
use crate::api::ApiError;
use crate::components::{
    Alert, AuthPanel, CodeField, Field, PasswordField, PostForm, ResendButton,
};
use crate::format::safe_next;
use crate::session::use_session;

/// Two steps: email and password, then the code we email (or, for accounts that chose one, the
/// authenticator app's code or a recovery code). Afterwards the user goes back to the page that
/// sent them here (`?next=`, only within this site), or to their drive.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // The second step, once the password was right: which kind of code it asks for.
    let second = RwSignal::new(None::<LoginNext>);
    let code_step = move || second.get().is_some();

    let start =
        Action::new(|(email, password): &(String, String)| login(email.clone(), password.clone()));
    let finish =
        Action::new(|(email, code): &(String, String)| login_verify(email.clone(), code.clone()));

    let to_verify = navigate.clone();
    Effect::new(move |_| match start.value().get() {
        Some(Ok(started)) if started.next != LoginNext::VerifyEmail => {
            second.set(Some(started.next))
        }
        Some(Ok(_)) => {
            let to = step_url("/verify", &email.get_untracked(), next());
            to_verify(&to, Default::default());
        }
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(done)) = finish.value().get() {
            session.sign_in(done.token, done.account);
            let to = next().unwrap_or_else(|| "/drive".into());
            navigate(
                &to,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let error = Signal::derive(move || {
        if code_step() {
            ApiError::of(finish.value().get())
        } else {
            ApiError::of(start.value().get())
        }
    });
    let notice = Signal::derive(move || {
        if code_step() {
            start.value().get().and_then(Result::ok).map(|s| s.message)
        } else if query.with(|q| q.get("verified").is_some()) {
            Some("Your email is verified. Log in to continue.".into())
        } else if query.with(|q| q.get("reset").is_some()) {
            Some("Your password was changed. Log in with the new one.".into())
        } else {
            None
        }
    });
    let uses_app = move || second.get() == Some(LoginNext::App);
    let ready = move || session.ready();

    view! {
        <AuthPanel title="Log in — CloudDrive" heading="Log in">
            <Show
                when=code_step
                fallback=move || {
                    view! {
                        <PostForm on_submit=move || {
                            start.dispatch((email.get(), password.get()));
                        }>
                            <Field label="Email" name="email" kind="email" value=email autocomplete="username"/>
                            <PasswordField value=password/>
                            <Alert error notice/>
                            <button
                                class="btn btn-primary"
                                type="submit"
                                disabled=move || !ready() || start.pending().get()
                            >
                                {move || if start.pending().get() { "Checking…" } else { "Continue" }}
                            </button>
                        </PostForm>
                        <p class="muted">
                            <A href="/forgot">"Forgot your password?"</A>
                            " · New here? "
                            <A href="/register">"Create an account"</A>
                        </p>
                    }
                }
            >
                <PostForm on_submit=move || {
                    finish.dispatch((email.get(), code.get()));
                }>
                    <Show
                        when=uses_app
                        fallback=move || {
                            view! {
                                <p>"Enter the 6-digit code we sent to " <strong>{move || email.get()}</strong> "."</p>
                                <CodeField label="Login code" value=code autofocus=true/>
                            }
                        }
                    >
                        <Field
                            label="Authenticator app code or recovery code"
                            name="code"
                            value=code
                            autocomplete="one-time-code"
                            hint="The 6 digits your app shows now, or one of your recovery codes if you lost the app."
                            autofocus=true
                        />
                    </Show>
                    <Alert error notice/>
                    <div class="actions">
                        <button
                            class="btn btn-primary"
                            type="submit"
                            disabled=move || !ready() || finish.pending().get()
                        >
                            "Log in"
                        </button>
                        <Show when=move || !uses_app()>
                            <ResendButton email/>
                        </Show>
                        <button
                            class="btn btn-quiet"
                            type="button"
                            on:click=move |_| {
                                second.set(None);
                                code.set(String::new());
                            }
                        >
                            "Use another account"
                        </button>
                    </div>
                </PostForm>
            </Show>
        </AuthPanel>
    }
}
