//! "Shared by me": every link I made, with what it allows, its downloads and last use, the
//! link to copy again, and revoking.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::shares::{list_shares, revoke_share, Share};
use crate::api::ApiError;
use crate::components::{Alert, LocalTime, RequireAuth};

#[component]
pub fn SharedPage() -> impl IntoView {
    view! {
        <Title text="Shared by me — CloudDrive"/>
        <RequireAuth>
            <SharedView/>
        </RequireAuth>
    }
}

#[component]
fn SharedView() -> impl IntoView {
    let revoke = Action::new(|id: &String| {
        let id = id.clone();
        async move { revoke_share(id).await.map(|a| a.message) }
    });
    let shares = LocalResource::new(move || {
        revoke.version().track();
        list_shares()
    });
    let error = Signal::derive(move || ApiError::of(revoke.value().get()));
    let notice = Signal::derive(move || revoke.value().get().and_then(Result::ok));
    view! {
        <section class="drive">
            <div class="drive-head">
                <h1>"Shared by me"</h1>
                <A href="/drive" attr:class="btn btn-quiet">"Back to your drive"</A>
            </div>
            <Alert error notice/>
            {move || match shares.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty muted" data-testid="shares-empty">"You have no links. Share a file or folder from your drive."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="table files" data-testid="shares">
                        <thead><tr>
                            <th>"Item"</th><th>"Link allows"</th><th>"Protection"</th>
                            <th>"Downloads"</th><th>"Last used"</th><th>"Link"</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|share| view! { <ShareRow share revoke/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ShareRow(share: Share, revoke: Action<String, Result<String, ApiError>>) -> impl IntoView {
    let id = StoredValue::new(share.id.clone());
    let downloads = match share.max_downloads {
        Some(max) => format!("{} of {max}", share.downloads),
        None => share.downloads.to_string(),
    };
    let mut protection = Vec::new();
    if share.has_password {
        protection.push(view! { <span class="tag">"Password"</span> }.into_any());
    }
    if let Some(t) = share.expires_at {
        protection.push(view! { <span>"Expires "<LocalTime unix=t/></span> }.into_any());
    }
    view! {
        <tr data-testid="share" data-name=share.item_name.clone()>
            <td class="entry-name">{share.item_name.clone()}</td>
            <td>{share.kind.label()}</td>
            <td>{protection}</td>
            <td data-testid="share-downloads">{downloads}</td>
            <td>{share.last_used_at.map(|t| view! { <LocalTime unix=t/> })}</td>
            <td>
                <input readonly class="share-url" aria-label=format!("Link to {}", share.item_name)
                    data-testid="share-url" value=share.url.clone()/>
            </td>
            <td class="row-actions">
                <button class="btn btn-quiet danger" on:click=move |_| { revoke.dispatch(id.get_value()); }>"Revoke"</button>
            </td>
        </tr>
    }
}
