use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::auth::register;
use crate::api::ApiError;
use crate::components::{Alert, Field};
use crate::format::url_encode;
use crate::session::use_session;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new(|(email, password, name): &(String, String, String)| {
        register(email.clone(), password.clone(), name.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = submit.value().get() {
            session.remember_signup(email.get_untracked(), password.get_untracked());
            let next = query
                .with_untracked(|q| q.get("next"))
                .map(|n| format!("&next={}", url_encode(&n)))
                .unwrap_or_default();
            let to = format!("/verify?email={}{next}", url_encode(&email.get_untracked()));
            navigate(&to, Default::default());
        }
    });
    let error = Signal::derive(move || ApiError::of(submit.value().get()));
    view! {
        <Title text="Create an account — CloudDrive"/>
        <section class="panel">
            <h1>"Create your account"</h1>
            <form
                method="post"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch((email.get(), password.get(), name.get()));
                }
            >
                <Field label="Name" name="name" value=name autocomplete="name" autofocus=true/>
                <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    value=password
                    autocomplete="new-password"
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
            </form>
            <p class="muted">"Already have an account? " <A href="/login">"Log in"</A></p>
        </section>
    }
}
