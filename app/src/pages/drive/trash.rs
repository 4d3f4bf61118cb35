//! The trash: restore, delete for good, empty. Items count against the quota until gone.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::drive::{delete_forever, empty_trash, restore_entry, trash_list};
use crate::api::ApiError;
use crate::components::{
    first_listed, focus_when_shown_if_free, successors, Alert, Icon, IconKind, LocalTime,
    RequireAuth,
};
use crate::format;
use crate::session::use_session;

#[derive(Debug, Clone)]
enum TrashOp {
    Restore(String),
    DeleteForever(String),
    Empty,
}

/// The trash's table: a focus the page moves after an op may be there (`focus_is_free`).
const TABLE: &str = "[data-testid=trash]";

/// A row's control that the focus goes on to (as in the drive, `focus::RowControl`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum RowControl {
    Restore,
    DeleteForever,
}

/// Where the focus goes once the list is drawn after an op.
enum Refocus {
    /// The control of the first of these rows listed (best first, `successors`), else the
    /// empty trash's message.
    Row(Vec<String>, RowControl),
    /// The empty trash's message (after "Empty trash").
    Message,
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
    let act = move |action: TrashOp, then: Refocus| {
        refocus.set_value(Some(then));
        op.dispatch(action);
    };
    // The focus asked for, once, when the list is drawn after every op in flight is done (the
    // list drawn after the first of two still shows the second's row).
    let take_refocus = move || {
        if op.pending().get_untracked() {
            return None;
        }
        refocus.try_update_value(Option::take).flatten()
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
                        focus_when_shown_if_free(message, TABLE, || {});
                    }
                    view! { <p class="empty muted" data-testid="trash-empty" tabindex="-1" node_ref=message>"The trash is empty."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    let order = list.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
                    let focus_at = match take_refocus() {
                        Some(Refocus::Row(ids, control)) => first_listed(&ids, &order).map(|id| (id.clone(), control)),
                        _ => None,
                    };
                    let order = StoredValue::new(order);
                    view! {
                    <div class="actions">
                        <button class="btn danger" on:click=move |_| act(TrashOp::Empty, Refocus::Message)>"Empty trash"</button>
                    </div>
                    <table class="table files" data-testid="trash">
                        <thead><tr><th>"Name"</th><th>"Size"</th><th>"Deleted"</th><th></th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|e| {
                                let id = StoredValue::new(e.id.clone());
                                let (restore, forget) = (NodeRef::<leptos::html::Button>::new(), NodeRef::<leptos::html::Button>::new());
                                match &focus_at {
                                    Some((at, RowControl::Restore)) if *at == e.id => focus_when_shown_if_free(restore, TABLE, || {}),
                                    Some((at, RowControl::DeleteForever)) if *at == e.id => focus_when_shown_if_free(forget, TABLE, || {}),
                                    _ => {}
                                }
                                let next = move |control| Refocus::Row(order.with_value(|order| successors(order, &[id.get_value()])), control);
                                view! {
                                    <tr data-testid="trashed" data-name=e.name.clone()>
                                        <td><Icon kind=if e.is_folder() { IconKind::Folder } else { IconKind::File }/>" "{e.name.clone()}</td>
                                        <td>{(!e.is_folder()).then(|| format::bytes(e.size))}</td>
                                        <td>{e.trashed_at.map(|t| view! { <LocalTime unix=t/> })}</td>
                                        <td class="row-actions">
                                            <button class="btn btn-quiet" node_ref=restore
                                                on:click=move |_| act(TrashOp::Restore(id.get_value()), next(RowControl::Restore))>"Restore"</button>
                                            <button class="btn btn-quiet danger" node_ref=forget
                                                on:click=move |_| act(TrashOp::DeleteForever(id.get_value()), next(RowControl::DeleteForever))>"Delete forever"</button>
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
