//! The trash: restore, delete for good, empty. Items count against the quota until gone.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::drive::{delete_forever, empty_trash, restore_entry, trash_list};
use crate::api::ApiError;
use crate::components::{
    first_listed, focus_when_shown, successors, Alert, Icon, IconKind, LocalTime, RequireAuth,
};
use crate::format;
use crate::session::use_session;

#[derive(Debug, Clone)]
enum TrashOp {
    Restore(String),
    DeleteForever(String),
    Empty,
}

/// A row's button, to focus in the row that takes the place of one restored or deleted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum RowButton {
    Restore,
    DeleteForever,
}

/// Where the focus goes once the list is drawn after an op: the first of `ids` listed (see
/// `successors`), else the empty trash's message.
struct Refocus {
    ids: Vec<String>,
    button: RowButton,
    /// `op.version()` when asked: only a list drawn after the op completes takes it.
    asked_at: usize,
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
    // A keyboard user goes on from the row that took the place of the one they acted on.
    let refocus = StoredValue::new(None::<Refocus>);
    let act = move |action: TrashOp, ids: Vec<String>, button: RowButton| {
        let asked_at = op.version().get_untracked();
        refocus.set_value(Some(Refocus {
            ids,
            button,
            asked_at,
        }));
        op.dispatch(action);
    };
    // The focus asked for, once (None until the list is drawn after the op).
    let take_refocus = move || {
        let done = op.version().get_untracked();
        refocus
            .try_update_value(|r| r.take_if(|r| done > r.asked_at))
            .flatten()
    };
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
                Some(Ok(list)) if list.is_empty() => {
                    let message = NodeRef::<leptos::html::P>::new();
                    if take_refocus().is_some() {
                        focus_when_shown(message);
                    }
                    view! { <p class="empty muted" data-testid="trash-empty" tabindex="-1" node_ref=message>"The trash is empty."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    let order = list.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
                    let focus_at = take_refocus().and_then(|r| {
                        first_listed(&r.ids, &order).map(|id| (id.clone(), r.button))
                    });
                    let order = StoredValue::new(order);
                    view! {
                    <div class="actions">
                        <button class="btn danger" on:click=move |_| act(TrashOp::Empty, Vec::new(), RowButton::Restore)>"Empty trash"</button>
                    </div>
                    <table class="table files" data-testid="trash">
                        <thead><tr><th>"Name"</th><th>"Size"</th><th>"Deleted"</th><th></th></tr></thead>
                        <tbody>
                            {list.into_iter().enumerate().map(|(index, e)| {
                                let id = StoredValue::new(e.id.clone());
                                let (restore, forget) = (NodeRef::<leptos::html::Button>::new(), NodeRef::<leptos::html::Button>::new());
                                match &focus_at {
                                    Some((at, RowButton::Restore)) if *at == e.id => focus_when_shown(restore),
                                    Some((at, RowButton::DeleteForever)) if *at == e.id => focus_when_shown(forget),
                                    _ => {}
                                }
                                let next = move || order.with_value(|order| successors(order, index));
                                view! {
                                    <tr data-testid="trashed" data-name=e.name.clone()>
                                        <td><Icon kind=if e.is_folder() { IconKind::Folder } else { IconKind::File }/>" "{e.name.clone()}</td>
                                        <td>{(!e.is_folder()).then(|| format::bytes(e.size))}</td>
                                        <td>{e.trashed_at.map(|t| view! { <LocalTime unix=t/> })}</td>
                                        <td class="row-actions">
                                            <button class="btn btn-quiet" node_ref=restore
                                                on:click=move |_| act(TrashOp::Restore(id.get_value()), next(), RowButton::Restore)>"Restore"</button>
                                            <button class="btn btn-quiet danger" node_ref=forget
                                                on:click=move |_| act(TrashOp::DeleteForever(id.get_value()), next(), RowButton::DeleteForever)>"Delete forever"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    }.into_any()
                }
            }}
        </section>
    }
}
