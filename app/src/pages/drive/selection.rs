//! Several items at once: chosen with the rows' checkboxes (shift-click takes a range), then
//! downloaded as one zip, moved, or deleted together.

use leptos::prelude::*;

use super::entries::CHOOSE;
use super::focus::RowControl;
use super::DriveCtx;
use crate::api::drive::{all_folders, delete_entry, move_entry, zip_url};
use crate::api::ApiError;
use crate::components::successors;

/// What is chosen (in the order it was chosen), and the row a shift-click counts from.
#[derive(Clone, Copy)]
pub struct Chosen {
    pub ids: RwSignal<Vec<String>>,
    pub anchor: RwSignal<Option<usize>>,
}

impl Chosen {
    pub fn new() -> Chosen {
        Chosen {
            ids: RwSignal::new(Vec::new()),
            anchor: RwSignal::new(None),
        }
    }

    pub fn has(&self, id: &str) -> bool {
        self.ids.with(|ids| ids.iter().any(|i| i == id))
    }

    /// A click on row `index` of `order`: toggles it, or with shift sets every row from the
    /// last one clicked to this one as that row now is.
    pub fn click(&self, order: &[String], index: usize, shift: bool) {
        let Some(id) = order.get(index) else { return };
        let on = !self.has(id);
        let range = match self.anchor.get_untracked() {
            Some(anchor) if shift => anchor.min(index)..=anchor.max(index),
            _ => index..=index,
        };
        self.ids.update(|ids| {
            for id in order.get(range).unwrap_or_default() {
                ids.retain(|i| i != id);
                if on {
                    ids.push(id.clone());
                }
            }
        });
        self.anchor.set(Some(index));
    }

    pub fn clear(&self) {
        self.ids.set(Vec::new());
        self.anchor.set(None);
    }
}

#[derive(Debug, Clone)]
enum Together {
    Move(Option<String>),
    Delete,
}

#[component]
pub fn SelectionBar() -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let chosen = ctx.chosen;
    let target = RwSignal::new(None::<String>);
    let act = Action::new(move |what: &Together| {
        let what = what.clone();
        let ids = chosen.ids.get_untracked();
        async move {
            let count = ids.len();
            for id in ids {
                match &what {
                    Together::Move(to) => move_entry(id, to.clone()).await.map(|_| ())?,
                    Together::Delete => delete_entry(id).await.map(|_| ())?,
                }
            }
            Ok::<_, ApiError>(match what {
                Together::Move(_) => format!("Moved {count} items."),
                Together::Delete => format!("{count} items moved to the trash."),
            })
        }
    });
    // The rows that may take the focus once the chosen ones leave (the bar's button goes away
    // with them), and which of their buttons: worked out from the rows on screen as the change
    // starts, asked for once it is done, so that no drawing during the change takes it. Not if
    // the person opened another folder meanwhile: rows moved there would take it as if refused.
    let focus_next = StoredValue::new(None::<(Option<String>, Vec<String>, RowControl)>);
    let start = move |what: Together, control: RowControl| {
        let ids = chosen.ids.get_untracked();
        let next = ctx.listed.with_value(|order| successors(order, &ids));
        focus_next.set_value(Some((ctx.folder.get_untracked(), next, control)));
        act.dispatch(what);
    };
    Effect::new(move |_| {
        if let Some(outcome) = act.value().get() {
            ctx.error.set(outcome.err());
            let next = focus_next.try_update_value(Option::take).flatten();
            if let Some((folder, ids, control)) = next {
                if folder == ctx.folder.get_untracked() {
                    ctx.refocus_first_after_reload(ids, control);
                }
            }
            chosen.clear();
            ctx.reload();
        }
    });
    let zip = move |_| super::follow(ctx, zip_url(chosen.ids.get_untracked()));
    let folders = LocalResource::new(move || {
        let open = !chosen.ids.read().is_empty();
        async move {
            if open {
                all_folders().await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    view! {
        {move || act.value().get().and_then(Result::ok).map(|done| view! {
            <p class="alert alert-ok" role="status" data-testid="selection-notice">{done}</p>
        })}
        <Show when=move || !chosen.ids.read().is_empty()>
            <div class="toolbar selection" role="region" aria-label="Chosen items" data-testid="selection">
                <strong>{move || format!("{} selected", chosen.ids.read().len())}</strong>
                <button class="btn btn-primary" on:click=zip>"Download as zip"</button>
                <form class="inline-form" on:submit=move |ev| {
                    ev.prevent_default();
                    if let Some(to) = target.get_untracked() {
                        start(Together::Move(Some(to).filter(|t| !t.is_empty())), RowControl::Move);
                    }
                }>
                    <select aria-label="Move chosen items to" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        target.set((value != CHOOSE).then_some(value));
                    }>
                        <option value=CHOOSE>"Move to…"</option>
                        <option value="">"My drive (top)"</option>
                        {move || folders.get().unwrap_or_default().into_iter()
                            .filter(|f| !chosen.has(&f.id))
                            .map(|f| view! { <option value=f.id>{f.name}</option> })
                            .collect_view()}
                    </select>
                    <button class="btn" type="submit" disabled=move || target.get().is_none() || act.pending().get()>"Move"</button>
                </form>
                <button class="btn danger" disabled=move || act.pending().get() on:click=move |_| start(Together::Delete, RowControl::Delete)>"Delete"</button>
                <button class="btn btn-quiet" on:click=move |_| chosen.clear()>"Clear"</button>
            </div>
        </Show>
    }
}
