//! The upload list: a progress bar per file, cancel, and uploads left unfinished earlier
//! (after a reload or on another device), which resume when the same file is dropped again.

use leptos::prelude::*;

use super::transfer::{Phase, Transfer};
use super::DriveCtx;
use crate::api::drive::{cancel_upload, pending_uploads, OnConflict};
use crate::format;

/// Starts uploading the files into the folder on screen, each in its own task.
#[cfg(feature = "hydrate")]
pub fn start(ctx: DriveCtx, files: Vec<super::transfer::File>) {
    let to = super::transfer::Destination::Folder(ctx.folder.get_untracked());
    super::transfer::start(ctx.uploads, files, to, move || ctx.reload());
}

#[component]
pub fn UploadList() -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let pending = LocalResource::new(move || {
        ctx.refresh.track();
        pending_uploads()
    });
    let clear_finished = move |_| {
        ctx.uploads
            .update(|list| list.retain(|t| t.phase.get_untracked().is_active()))
    };
    view! {
        <UploadAnnouncer uploads=ctx.uploads/>
        <Show when=move || !ctx.uploads.read().is_empty()>
            <div class="uploads" data-testid="uploads">
                <div class="uploads-head">
                    <h2>"Uploads"</h2>
                    <button class="btn btn-quiet" on:click=clear_finished>"Clear finished"</button>
                </div>
                <For each=move || ctx.uploads.get() key=|t| t.key let:t>
                    <UploadRow t/>
                </For>
            </div>
        </Show>
        {move || {
            let active: Vec<String> = ctx
                .uploads
                .read()
                .iter()
                .filter(|t| t.phase.get().is_active())
                .map(|t| t.name.get_value())
                .collect();
            let waiting: Vec<_> = pending
                .get()
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !active.contains(&p.name))
                .collect();
            (!waiting.is_empty()).then(|| view! {
                <div class="uploads pending" data-testid="pending-uploads">
                    <h2>"Unfinished uploads"</h2>
                    <p class="muted">"Pick or drop the same file again, in the same folder, to resume where it stopped."</p>
                    <ul>
                        {waiting.into_iter().map(|p| {
                            let id = p.upload_id.clone();
                            view! {
                                <li>
                                    {format!("{}: {} of {} received", p.name, format::bytes(p.received_bytes), format::bytes(p.size))}
                                    <button class="btn btn-quiet" on:click=move |_| {
                                        let id = id.clone();
                                        leptos::task::spawn_local(async move {
                                            let _ = cancel_upload(id).await;
                                            ctx.reload();
                                        });
                                    }>"Discard"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })
        }}
    }
}

/// What a screen reader says about uploads: two regions always on the page (one added with its
/// text is often not read), the polite one with each file's state and progress in quarters (a
/// word per percent would drown everything else), the assertive one with what failed and why.
/// A line per file, changed only when its words change, so only that line is read again. (No
/// status or alert role: the page's own notices have those.)
#[component]
pub fn UploadAnnouncer(uploads: RwSignal<Vec<Transfer>>) -> impl IntoView {
    let lines = move |phrase: fn(&Transfer) -> Option<String>| {
        view! {
            <For each=move || uploads.get() key=|t| t.key let:t>
                <p>{Memo::new(move |_| phrase(&t))}</p>
            </For>
        }
    };
    view! {
        <div class="sr-only" aria-live="polite" data-testid="upload-announcer">{lines(progress_phrase)}</div>
        <div class="sr-only" aria-live="assertive" data-testid="upload-alert">{lines(failure_phrase)}</div>
    }
}

fn progress_phrase(t: &Transfer) -> Option<String> {
    let name = t.name.get_value();
    Some(match t.phase.get() {
        Phase::Sending => format!("Uploading {name}, {}%", (t.percent() / 25.0).floor() * 25.0),
        Phase::Asking => format!("{name}: the name is taken; choose Replace or Keep both"),
        Phase::Done => format!("{name} uploaded"),
        Phase::Cancelled => format!("{name} cancelled"),
        Phase::Failed => return None,
    })
}

fn failure_phrase(t: &Transfer) -> Option<String> {
    (t.phase.get() == Phase::Failed).then(|| {
        let name = t.name.get_value();
        match t.message.get() {
            Some(why) => format!("{name} not uploaded: {why}"),
            None => format!("{name} not uploaded"),
        }
    })
}

/// One file's progress bar, state and cancel button.
#[component]
pub fn UploadRow(t: Transfer) -> impl IntoView {
    let label = move || match t.phase.get() {
        Phase::Sending => format!(
            "{} of {} ({:.0}%)",
            format::bytes(t.sent.get()),
            format::bytes(t.size),
            t.percent()
        ),
        Phase::Asking => "Waiting for your choice".into(),
        Phase::Done => format!("Uploaded, {}", format::bytes(t.size)),
        Phase::Failed => "Not uploaded".into(),
        Phase::Cancelled => "Cancelled".into(),
    };
    view! {
        <div class="upload" data-testid="upload" data-name=t.name.get_value()
            data-phase=move || format!("{:?}", t.phase.get()).to_lowercase()>
            <div class="upload-line">
                <span class="upload-name">{t.name.get_value()}</span>
                <span class="upload-status muted">{label}</span>
                <Show when=move || t.phase.get() == Phase::Asking>
                    <button class="btn btn-primary" on:click=move |_| {
                        t.on_conflict.set(OnConflict::Replace);
                        t.phase.set(Phase::Sending);
                    }>"Replace"</button>
                    <button class="btn" on:click=move |_| {
                        t.on_conflict.set(OnConflict::KeepBoth);
                        t.phase.set(Phase::Sending);
                    }>"Keep both"</button>
                </Show>
                <Show when=move || t.phase.get().is_active()>
                    <button class="btn btn-quiet" on:click=move |_| t.cancel.set(true)>"Cancel"</button>
                </Show>
            </div>
            <progress max="100" value=move || format!("{:.1}", t.percent())></progress>
            {move || t.message.get().map(|m| view! { <p class="upload-message">{m}</p> })}
        </div>
    }
}
