use leptos::prelude::*;

use crate::api::auth::{
    app_passwords, create_app_password, revoke_app_password, AppPasswordView, NewAppPassword,
};
use crate::api::{Ack, ApiError};
use crate::components::{Alert, Field, LocalTime, PasswordField, PostForm};

/// App passwords: WebDAV clients cannot answer the second factor, so each gets its own
/// password, made here with the account password and revocable one by one.
#[component]
pub fn AppPasswordsSection() -> impl IntoView {
    let list = LocalResource::new(app_passwords);
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // The password just made: shown once, until revoked or replaced.
    let fresh = RwSignal::new(None::<NewAppPassword>);
    let create = Action::new(|(name, password): &(String, String)| {
        create_app_password(name.clone(), password.clone())
    });
    let revoke = Action::new(|id: &String| revoke_app_password(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            fresh.set(Some(created));
            name.set(String::new());
            password.set(String::new());
            list.refetch();
        }
    });
    Effect::new(move |_| {
        if revoke.value().get().is_some() {
            list.refetch();
        }
    });
    let create_error = Signal::derive(move || ApiError::of(create.value().get()));
    let revoke_error = Signal::derive(move || ApiError::of(revoke.value().get()));
    let notice =
        Signal::derive(move || revoke.value().get().and_then(Result::ok).map(|a| a.message));

    view! {
        <h2>"App passwords"</h2>
        <p class="muted">
            "For WebDAV clients — file managers, rclone, davfs2 — which cannot ask for your second factor. Use your email as the user name and an app password, never your account password. WebDAV address: "
            <code data-testid="dav-address">{dav_address()}</code>
        </p>
        <PostForm
            testid="create-app-password"
            on_submit=move || {
                create.dispatch((name.get(), password.get()));
            }
        >
            <Field
                label="Device name"
                name="app_password_name"
                value=name
                hint="Such as \u{201c}rclone laptop\u{201d}: what you will recognise when revoking it."
            />
            <PasswordField value=password label="Account password" name="app_password_current"/>
            <Alert error=create_error/>
            <button class="btn" type="submit" disabled=move || create.pending().get()>
                "Create app password"
            </button>
        </PostForm>
        {move || fresh.get().map(|created| view! { <FreshPassword created/> })}
        <Alert error=revoke_error notice/>
        {move || match list.get() {
            None => view! { <p class="muted">"Loading app passwords…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
            Some(Ok(rows)) if rows.is_empty() => {
                view! { <p class="muted">"No app passwords yet."</p> }.into_any()
            }
            Some(Ok(rows)) => view! { <AppPasswordTable rows revoke fresh/> }.into_any(),
        }}
    }
}

/// Where WebDAV clients connect: this site's `/dav/`. The page is served at `PUBLIC_URL`, so
/// its origin is the address clients reach; the section renders only in the browser.
fn dav_address() -> String {
    #[cfg(feature = "hydrate")]
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    let origin = String::new();
    format!("{origin}/dav/")
}

#[component]
fn FreshPassword(created: NewAppPassword) -> impl IntoView {
    view! {
        <div class="alert alert-ok" role="status">
            <p>
                {format!(
                    "The app password for \u{201c}{}\u{201d}. Copy it into the client now: it will not be shown again.",
                    created.name,
                )}
            </p>
            <label class="field">
                <span class="field-label">"App password"</span>
                <input
                    readonly
                    data-testid="new-app-password"
                    value=created.app_password
                    on:focus=move |ev| {
                        #[cfg(feature = "hydrate")]
                        event_target::<web_sys::HtmlInputElement>(&ev).select();
                        let _ = &ev;
                    }
                />
            </label>
        </div>
    }
}

#[component]
fn AppPasswordTable(
    rows: Vec<AppPasswordView>,
    revoke: Action<String, Result<Ack, ApiError>>,
    fresh: RwSignal<Option<NewAppPassword>>,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="app-passwords">
            <thead>
                <tr>
                    <th>"Device"</th>
                    <th>"Created"</th>
                    <th>"Last used"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|p| {
                        let id = p.id.clone();
                        view! {
                            <tr>
                                <td class="ua">{p.name.clone()}</td>
                                <td><LocalTime unix=p.created_at/></td>
                                <td>
                                    {match p.last_used_at {
                                        Some(unix) => view! { <LocalTime unix/> }.into_any(),
                                        None => view! { <span class="muted">"never"</span> }.into_any(),
                                    }}
                                </td>
                                <td>
                                    <button
                                        class="btn btn-quiet"
                                        aria-label=format!("Revoke {}", p.name)
                                        disabled=move || revoke.pending().get()
                                        on:click=move |_| {
                                            // A revoked password is useless: stop showing it.
                                            if fresh.with_untracked(|f| f.as_ref().is_some_and(|f| f.id == id)) {
                                                fresh.set(None);
                                            }
                                            revoke.dispatch(id.clone());
                                        }
                                    >
                                        "Revoke"
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
