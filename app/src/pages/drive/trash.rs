//! The trash: restore, delete for good, empty. Items count against the quota until gone.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::drive::{delete_forever, empty_trash, restore_entry, trash_list};
use crate::api::ApiError;
use crate::components::{Alert, Icon, IconKind, LocalTime, RequireAuth};
use crate::format;
use crate::session::use_session;

#[derive(Debug, Clone)]
enum TrashOp {
    Restore(String),
    DeleteForever(String),
    Empty,
}

#[component]
pub fn TrashPage() -> impl IntoView {
    view! {
        <Title text="Trash — CloudDrive"/>
        <RequireAuth>
            <TrashView/>
        </RequireAuth>
    }
}

#[component]
fn TrashView() -> impl IntoView {
    let session = use_session();
    let op = Action::new(|op: &TrashOp| {
        let op = op.clone();
        async move {
            match op {
                TrashOp::Restore(id) => restore_entry(id)
                    .await
                    .map(|e| format!("\u{201c}{}\u{201d} is back in your drive.", e.name)),
                TrashOp::DeleteForever(id) => delete_forever(id).await.map(|a| a.message),
                TrashOp::Empty => empty_trash().await.map(|a| a.message),
            }
        }
    });
    let items = LocalResource::new(move || {
        op.version().track();
        trash_list()
    });
    Effect::new(move |_| {
        if op.value().get().is_some() {
            session.refresh_account();
        }
    });
    let error = Signal::derive(move || ApiError::of(op.value().get()));
    let notice = Signal::derive(move || op.value().get().and_then(Result::ok));
    view! {
        <section class="drive">
            <div class="drive-head">
                <h1>"Trash"</h1>
                <A href="/drive" attr:class="btn btn-quiet">"Back to your drive"</A>
            </div>
            <p class="muted">
                "Deleted items stay here for 30 days, then are deleted for good. They still count against your storage until then."
            </p>
            <Alert error notice/>
            {move || match items.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="empty muted" data-testid="trash-empty">"The trash is empty."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="actions">
                        <button class="btn danger" on:click=move |_| { op.dispatch(TrashOp::Empty); }>"Empty trash"</button>
                    </div>
                    <table class="table files" data-testid="trash">
                        <thead><tr><th>"Name"</th><th>"Size"</th><th>"Deleted"</th><th></th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|e| {
                                let id = StoredValue::new(e.id.clone());
                                view! {
                                    <tr data-testid="trashed" data-name=e.name.clone()>
                                        <td><Icon kind=if e.is_folder() { IconKind::Folder } else { IconKind::File }/>" "{e.name.clone()}</td>
                                        <td>{(!e.is_folder()).then(|| format::bytes(e.size))}</td>
                                        <td>{e.trashed_at.map(|t| view! { <LocalTime unix=t/> })}</td>
                                        <td class="row-actions">
                                            <button class="btn btn-quiet" on:click=move |_| { op.dispatch(TrashOp::Restore(id.get_value())); }>"Restore"</button>
                                            <button class="btn btn-quiet danger" on:click=move |_| { op.dispatch(TrashOp::DeleteForever(id.get_value())); }>"Delete forever"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
