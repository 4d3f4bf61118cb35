//! Sharing an item: the kind of link (view, download, or a file drop for a folder), an
//! optional password, expiry and download limit; then the link to copy.

use leptos::prelude::*;

use super::focus::{is_escape, RowControl};
use super::DriveCtx;
use crate::api::drive::Entry;
use crate::api::shares::{create_share, ShareCreated, ShareKind};
use crate::api::ApiError;
use crate::components::{focus_when_shown, CopyField, Icon, IconKind};
use crate::format;

/// What the form holds, turned into the API's arguments on submit.
#[derive(Clone)]
struct ShareForm {
    item_id: String,
    kind: ShareKind,
    password: String,
    expires: String,
    max_downloads: String,
}

async fn share(form: ShareForm) -> Result<ShareCreated, ApiError> {
    let expires_at = Some(form.expires.trim())
        .filter(|e| !e.is_empty())
        .map(|e| format::local::to_rfc3339(e).unwrap_or_else(|| e.to_owned()));
    let max_downloads =
        match form.max_downloads.trim() {
            "" => None,
            n => Some(n.parse::<i64>().map_err(|_| {
                ApiError::new(400, "The download limit is a whole number, such as 5.")
            })?),
        };
    let password = Some(form.password).filter(|p| !p.is_empty());
    create_share(form.item_id, form.kind, password, expires_at, max_downloads).await
}

fn kind_value(kind: ShareKind) -> &'static str {
    match kind {
        ShareKind::View => "view",
        ShareKind::Download => "download",
        ShareKind::Drop => "drop",
    }
}

#[component]
pub fn SharePanel() -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    move || ctx.sharing.get().map(|entry| view! { <ShareForm entry/> })
}

#[component]
fn ShareForm(entry: Entry) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let kind = RwSignal::new(ShareKind::Download);
    let password = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let max_downloads = RwSignal::new(String::new());
    let create = Action::new(|form: &ShareForm| share(form.clone()));
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let error = Signal::derive(move || ApiError::of(create.value().get()));
    let item_id = StoredValue::new(entry.id.clone());
    let kinds: Vec<ShareKind> = if entry.is_folder() {
        vec![ShareKind::Download, ShareKind::View, ShareKind::Drop]
    } else {
        vec![ShareKind::Download, ShareKind::View]
    };
    // Escape or the close button: the focus goes back to the row's Share button.
    let close = move || {
        ctx.sharing.set(None);
        ctx.refocus(&item_id.get_value(), RowControl::Share);
    };
    let close_button = NodeRef::<leptos::html::Button>::new();
    focus_when_shown(close_button);
    view! {
        <aside class="detail panel" data-testid="share-panel" aria-label="Share"
            on:keydown=move |ev| if is_escape(&ev) { close() }>
            <div class="detail-head">
                <h2>{format!("Share \u{201c}{}\u{201d}", entry.name)}</h2>
                <button class="btn btn-quiet" aria-label="Close sharing" node_ref=close_button on:click=move |_| close()><Icon kind=IconKind::Close/></button>
            </div>
            {move || match created.get() {
                Some(link) => view! {
                    <p class="alert alert-ok" role="status">"Anyone with this link can use it. Copy it now or later from \u{201c}Shared by me\u{201d}."</p>
                    // The form and its button are gone: the focus moves to the new link.
                    <CopyField label="Link" testid="share-url" value=link.url focused=true/>
                }.into_any(),
                None => view! {
                    <form class="stack" on:submit=move |ev| {
                        ev.prevent_default();
                        create.dispatch(ShareForm {
                            item_id: item_id.get_value(),
                            kind: kind.get_untracked(),
                            password: password.get_untracked(),
                            expires: expires.get_untracked(),
                            max_downloads: max_downloads.get_untracked(),
                        });
                    }>
                        <label class="field">
                            <span class="field-label">"People with the link can"</span>
                            <select data-testid="share-kind" on:change=move |ev| {
                                kind.set(match event_target_value(&ev).as_str() {
                                    "view" => ShareKind::View,
                                    "drop" => ShareKind::Drop,
                                    _ => ShareKind::Download,
                                });
                            }>
                                {kinds.iter().map(|k| view! {
                                    <option value=kind_value(*k)>{k.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span class="field-label">"Password (optional)"</span>
                            <input type="password" autocomplete="new-password" data-testid="share-password" bind:value=password/>
                        </label>
                        <label class="field">
                            <span class="field-label">"Expires (optional)"</span>
                            <input type="datetime-local" data-testid="share-expires" bind:value=expires/>
                        </label>
                        {move || (kind.get() != ShareKind::Drop).then(|| view! {
                            <label class="field">
                                <span class="field-label">"Download limit (optional)"</span>
                                <input type="number" min="1" inputmode="numeric" data-testid="share-limit" bind:value=max_downloads/>
                            </label>
                        })}
                        <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create link"</button>
                    </form>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e.message}</p> })}
        </aside>
    }
}
