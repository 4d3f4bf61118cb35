use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::{Icon, IconKind};
use crate::api::auth::logout;
use crate::session::use_session;

/// The top bar: the product, its sections, and whether you are logged in.
#[component]
pub fn NavBar() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let log_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Whatever the server says, this browser forgets the token.
            let _ = logout().await;
            session.sign_out();
            navigate("/", Default::default());
        });
    };
    view! {
        <header class="topbar">
            <nav class="nav">
                <A href="/" attr:class="brand"><Icon kind=IconKind::Cloud/>" CloudDrive"</A>
                <div class="nav-links">
                    <A href="/drive">"Drive"</A>
                    <A href="/skillshare">"SkillShare"</A>
                    <A href="/nodes">"Nodes"</A>
                    <A href="/account">"Account"</A>
                </div>
                <div class="nav-user" data-testid="nav-user">
                    {move || {
                        if session.logged_in() {
                            let name = session.account().map(|a| a.name).unwrap_or_default();
                            view! {
                                <span class="nav-name" data-testid="nav-name">{name}</span>
                                <button class="btn btn-quiet" on:click=log_out.clone()>"Log out"</button>
                            }
                                .into_any()
                        } else {
                            view! {
                                <A href="/login" attr:class="btn btn-quiet">"Log in"</A>
                                <A href="/register" attr:class="btn btn-primary">"Sign up"</A>
                            }
                                .into_any()
                        }
                    }}
                </div>
            </nav>
        </header>
    }
}
