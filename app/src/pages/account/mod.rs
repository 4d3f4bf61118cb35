//! The account page: profile, password, how you log in (second factor), sessions, app
//! passwords for WebDAV clients.

mod app_passwords;
mod password;
mod second_factor;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::{revoke_session, sessions, SessionView};
use crate::api::ApiError;
use crate::components::{Alert, LocalTime, RequireAuth};
use crate::format;
use crate::session::use_session;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account — CloudDrive"/>
        <RequireAuth>
            <AccountView/>
        </RequireAuth>
    }
}

/// Profile, quota, password, second factor, and the sessions and app passwords that can act
/// for this account.
#[component]
fn AccountView() -> impl IntoView {
    let session = use_session();
    let list = LocalResource::new(sessions);
    let revoke = Action::new(|(id, all_others): &(Option<String>, bool)| {
        revoke_session(id.clone(), *all_others)
    });
    Effect::new(move |_| {
        if revoke.value().get().is_some() {
            list.refetch();
        }
    });
    let error = Signal::derive(move || ApiError::of(revoke.value().get()));
    let notice =
        Signal::derive(move || revoke.value().get().and_then(Result::ok).map(|a| a.message));

    view! {
        <section class="panel wide">
            <h1>"Your account"</h1>
            {move || {
                session
                    .account()
                    .map(|a| {
                        view! {
                            <dl class="facts">
                                <dt>"Name"</dt>
                                <dd data-testid="account-name">{a.name}</dd>
                                <dt>"Email"</dt>
                                <dd>{a.email}</dd>
                                <dt>"Storage"</dt>
                                <dd>
                                    {format!(
                                        "{} of {} used",
                                        format::bytes(a.used_bytes),
                                        format::bytes(a.quota_bytes),
                                    )}
                                </dd>
                                <dt>"Member since"</dt>
                                <dd><LocalTime unix=a.created_at/></dd>
                            </dl>
                        }
                    })
            }}
            <password::ChangePassword/>
            <second_factor::SecondFactorSection/>
            <h2>"Active sessions"</h2>
            <p class="muted">"Every device or browser where you are logged in. Revoke any you do not recognise."</p>
            <Alert error notice/>
            {move || match list.get() {
                None => view! { <p class="muted">"Loading sessions…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                Some(Ok(rows)) => view! { <SessionTable rows revoke/> }.into_any(),
            }}
            <div class="actions">
                <button
                    class="btn"
                    disabled=move || revoke.pending().get()
                    on:click=move |_| {
                        revoke.dispatch((None, true));
                    }
                >
                    "Log out all other sessions"
                </button>
            </div>
            <app_passwords::AppPasswordsSection/>
        </section>
    }
}

#[component]
fn SessionTable(
    rows: Vec<SessionView>,
    revoke: Action<(Option<String>, bool), Result<crate::api::Ack, ApiError>>,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="sessions">
            <thead>
                <tr>
                    <th>"Device"</th>
                    <th>"Signed in"</th>
                    <th>"Last used"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|s| {
                        let id = s.id.clone();
                        view! {
                            <tr>
                                <td class="ua">
                                    {if s.user_agent.is_empty() { "Unknown device".to_owned() } else { s.user_agent }}
                                    {s.current.then(|| view! { <span class="badge">"this browser"</span> })}
                                </td>
                                <td><LocalTime unix=s.created_at/></td>
                                <td><LocalTime unix=s.last_used_at/></td>
                                <td>
                                    {(!s.current)
                                        .then(|| {
                                            view! {
                                                <button
                                                    class="btn btn-quiet"
                                                    on:click=move |_| {
                                                        revoke.dispatch((Some(id.clone()), false));
                                                    }
                                                >
                                                    "Revoke"
                                                </button>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
