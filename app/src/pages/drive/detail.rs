//! A file's details (size, type, checksum, upload time, where its copies are), download,
//! re-replication for administrators, and its versions (download, restore, delete).

use leptos::prelude::*;

use super::focus::{is_escape, RowControl};
use super::{Change, DriveCtx};
use crate::api::drive::{
    download_url, file_info, list_versions, replicate_file, FileDetail, Version,
};
use crate::api::ApiError;
use crate::components::{focus_when_shown, focus_within, Icon, IconKind, LocalTime};
use crate::format;
use crate::session::use_session;

/// Downloads a file through a short-lived signed link (a link cannot carry the token).
pub fn download(ctx: DriveCtx, id: String) {
    super::follow(ctx, download_url(id, None));
}

#[component]
pub fn DetailPanel() -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let session = use_session();
    let replicate = Action::new(|id: &String| replicate_file(id.clone()));
    let detail = LocalResource::new(move || {
        let id = ctx.selected.get();
        ctx.refresh.track();
        let replicated = replicate.value().get().and_then(Result::ok);
        async move {
            match (id, replicated) {
                (Some(id), Some(fresh)) if fresh.entry.id == id => Some(Ok(fresh)),
                (Some(id), _) => Some(file_info(id).await),
                (None, _) => None,
            }
        }
    });
    let replicate_error = Signal::derive(move || ApiError::of(replicate.value().get()));
    // The file the panel was last opened for: it is drawn again after every change to the drive
    // (an upload ending, say), and must not take the focus back each time, only keep it.
    let opened_for = StoredValue::new(None::<String>);
    move || {
        // Read before the old panel is replaced: a redraw would drop a focus inside it.
        let had_focus = focus_within("[data-testid=detail]");
        let shown: Option<Result<FileDetail, ApiError>> = detail.get().flatten();
        if shown.is_none() {
            opened_for.set_value(None);
        }
        shown.map(|outcome| match outcome {
            Err(e) => view! { <aside class="detail panel"><p class="alert alert-error">{e.message}</p></aside> }.into_any(),
            Ok(d) => {
                let id = StoredValue::new(d.entry.id.clone());
                let is_admin = session.account().is_some_and(|a| a.is_admin);
                // Escape or the close button: the focus goes back to the file's name.
                let close = move || {
                    ctx.selected.set(None);
                    ctx.refocus(&id.get_value(), RowControl::Name);
                };
                let close_button = NodeRef::<leptos::html::Button>::new();
                if had_focus || opened_for.get_value().as_deref() != Some(d.entry.id.as_str()) {
                    opened_for.set_value(Some(d.entry.id.clone()));
                    focus_when_shown(close_button);
                }
                view! {
                    <aside class="detail panel" data-testid="detail" aria-label="Details"
                        on:keydown=move |ev| if is_escape(&ev) { close() }>
                        <div class="detail-head">
                            <h2>{d.entry.name.clone()}</h2>
                            <button class="btn btn-quiet" aria-label="Close details" node_ref=close_button on:click=move |_| close()><Icon kind=IconKind::Close/></button>
                        </div>
                        <super::preview::Preview id=id.get_value() mime=d.entry.mime.clone()/>
                        <dl class="facts">
                            <dt>"Size"</dt>
                            <dd>{format!("{} ({} bytes)", format::bytes(d.entry.size), d.entry.size)}</dd>
                            <dt>"Type"</dt>
                            <dd>{d.entry.mime.clone()}</dd>
                            <dt>"Uploaded"</dt>
                            <dd><LocalTime unix=d.entry.created_at/></dd>
                            <dt>"BLAKE3"</dt>
                            <dd><code class="checksum" data-testid="checksum">{d.checksum.clone()}</code></dd>
                            <dt>"Stored as"</dt>
                            <dd>{format!("{} block(s), each on every node", d.blocks)}</dd>
                        </dl>
                        <h3>"Copies"</h3>
                        <ul class="copies" data-testid="copies">
                            {d.nodes.iter().map(|n| {
                                let complete = n.blocks_held == d.blocks;
                                view! {
                                    <li class:missing=!complete>
                                        {format!("{} ({}): ", n.node, n.region)}
                                        {if complete { "complete".to_owned() } else { format!("{} of {} blocks", n.blocks_held, d.blocks) }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <div class="actions">
                            <button class="btn btn-primary" on:click=move |_| download(ctx, id.get_value())>"Download"</button>
                            {is_admin.then(|| view! {
                                <button class="btn" disabled=move || replicate.pending().get()
                                    on:click=move |_| { replicate.dispatch(id.get_value()); }>
                                    "Re-replicate now"
                                </button>
                            })}
                        </div>
                        {move || replicate_error.get().map(|e| view! { <p class="alert alert-error">{e.message}</p> })}
                        <Versions file_id=id.get_value()/>
                    </aside>
                }
                .into_any()
            }
        })
    }
}

/// A file's earlier contents: who uploaded each and when, to download, restore or delete
/// (through the drive's changes, whose outcome the page's alert tells).
#[component]
fn Versions(file_id: String) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let file = StoredValue::new(file_id);
    let versions = LocalResource::new(move || {
        ctx.refresh.track();
        list_versions(file.get_value())
    });
    view! {
        <h3>"Versions"</h3>
        {move || match versions.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <p class="muted" data-testid="no-versions">
                    "No earlier versions. Uploading a file of the same name and choosing \u{201c}Replace\u{201d} keeps the old one here."
                </p>
            }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="versions" data-testid="versions">
                    {list.into_iter().map(|v| view! { <VersionRow v/> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn VersionRow(v: Version) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let id = StoredValue::new(v.id.clone());
    let by = if v.share_id.is_empty() {
        "by you"
    } else {
        "through a file drop"
    };
    view! {
        <li data-testid="version">
            <span>
                {format!("Version {} · {} · uploaded ", v.number, format::bytes(v.size))}
                <LocalTime unix=v.created_at/>{format!(" {by}")}
            </span>
            <span class="row-actions">
                <button class="btn btn-quiet" on:click=move |_| download(ctx, id.get_value())>"Download"</button>
                <button class="btn btn-quiet" on:click=move |_| { ctx.change.dispatch(Change::RestoreVersion(id.get_value())); }>"Restore"</button>
                <button class="btn btn-quiet danger" on:click=move |_| { ctx.change.dispatch(Change::DeleteVersion(id.get_value())); }>"Delete"</button>
            </span>
        </li>
    }
}
