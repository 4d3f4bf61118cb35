//! A file's details (size, type, checksum, upload time, where its copies are), download, and
//! re-replication for administrators.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::DriveCtx;
use crate::api::drive::{download_url, file_info, replicate_file, FileDetail};
use crate::api::ApiError;
use crate::components::LocalTime;
use crate::format;
use crate::session::use_session;

/// Downloads a file through a short-lived signed link (a link cannot carry the token).
pub fn download(ctx: DriveCtx, id: String) {
    spawn_local(async move {
        match download_url(id).await {
            Ok(link) => {
                #[cfg(feature = "hydrate")]
                if let Some(window) = web_sys::window() {
                    let _ = window.location().set_href(&link.url);
                }
                let _ = link;
            }
            Err(e) => ctx.error.set(Some(e)),
        }
    });
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
    move || {
        let shown: Option<Result<FileDetail, ApiError>> = detail.get().flatten();
        shown.map(|outcome| match outcome {
            Err(e) => view! { <aside class="detail panel"><p class="alert alert-error">{e.message}</p></aside> }.into_any(),
            Ok(d) => {
                let id = StoredValue::new(d.entry.id.clone());
                let is_admin = session.account().is_some_and(|a| a.is_admin);
                view! {
                    <aside class="detail panel" data-testid="detail">
                        <div class="detail-head">
                            <h2>{d.entry.name.clone()}</h2>
                            <button class="btn btn-quiet" aria-label="Close details" on:click=move |_| ctx.selected.set(None)>"✕"</button>
                        </div>
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
                    </aside>
                }
                .into_any()
            }
        })
    }
}
