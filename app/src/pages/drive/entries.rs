//! The table of files and folders, with rename, move, delete and download per row.

use leptos::prelude::*;
use leptos_router::components::A;

use super::focus::{is_escape, settle, take_focus_back, take_focus_when_empty, RowControl};
use super::{copies_label, Change, DriveCtx};
use crate::api::drive::{all_folders, Entry, SortBy};
use crate::components::{focus_when_shown, successors, Icon, IconKind, LocalTime};
use crate::format;

/// The "Move to" list's placeholder (not a folder id: those are hex).
pub(super) const CHOOSE: &str = "choose";

/// Copies every file should have.
const NODES: u32 = 3;

#[component]
pub fn EntryTable(
    entries: Vec<Entry>,
    sort: RwSignal<SortBy>,
    descending: RwSignal<bool>,
) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let order = entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    let to_message = settle(ctx, &order);
    if entries.is_empty() {
        // The last row moved or deleted: its focus goes to the message that says so.
        let message = NodeRef::<leptos::html::P>::new();
        if to_message {
            take_focus_when_empty(ctx, message);
        }
        return view! {
            <p class="empty muted" data-testid="empty" tabindex="-1" node_ref=message>
                "Nothing here yet. Upload files or drop them on this page."
            </p>
        }
        .into_any();
    }
    let header = move |label: &'static str, by: SortBy| {
        let arrow = move || match (sort.get() == by, descending.get()) {
            (false, _) => None,
            (true, false) => Some(view! { " " <Icon kind=IconKind::SortUp/> }),
            (true, true) => Some(view! { " " <Icon kind=IconKind::SortDown/> }),
        };
        view! {
            <th aria-sort=move || match (sort.get() == by, descending.get()) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            }>
                <button class="sort" on:click=move |_| {
                    if sort.get_untracked() == by {
                        descending.update(|d| *d = !*d);
                    } else {
                        sort.set(by);
                        descending.set(by != SortBy::Name);
                    }
                }>{label}{arrow}</button>
            </th>
        }
    };
    let order = StoredValue::new(order);
    let all_chosen =
        move || order.with_value(|o| !o.is_empty() && o.iter().all(|id| ctx.chosen.has(id)));
    view! {
        <table class="table files" data-testid="files">
            <thead>
                <tr>
                    <th>
                        <input type="checkbox" aria-label="Select all" prop:checked=all_chosen
                            on:change=move |_| {
                                if all_chosen() {
                                    ctx.chosen.clear();
                                } else {
                                    ctx.chosen.ids.set(order.get_value());
                                }
                            }/>
                    </th>
                    {header("Name", SortBy::Name)}
                    {header("Size", SortBy::Size)}
                    <th>"Type"</th>
                    {header("Modified", SortBy::Date)}
                    <th>"Replication"</th>
                    <th><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().enumerate().map(|(index, entry)| view! { <EntryRow entry index order/> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[derive(Clone, Copy, PartialEq)]
enum Editing {
    None,
    Rename,
    Move,
}

#[component]
fn EntryRow(entry: Entry, index: usize, order: StoredValue<Vec<String>>) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let editing = RwSignal::new(Editing::None);
    let new_name = RwSignal::new(entry.name.clone());
    // None until a destination is chosen; Some("") is the top of the drive.
    let target = RwSignal::new(None::<String>);
    let id = StoredValue::new(entry.id.clone());
    let name = StoredValue::new(entry.name.clone());
    let is_folder = entry.is_folder();
    let shared = StoredValue::new(entry.clone());
    let thumbnail = StoredValue::new(entry.thumbnail_url.clone());
    let name_button = NodeRef::<leptos::html::Button>::new();
    let share_button = NodeRef::<leptos::html::Button>::new();
    let rename_button = NodeRef::<leptos::html::Button>::new();
    let move_button = NodeRef::<leptos::html::Button>::new();
    let delete_button = NodeRef::<leptos::html::Button>::new();
    take_focus_back(ctx, id, move |control| {
        Some(match control {
            RowControl::Name => name_button,
            RowControl::Share => share_button,
            RowControl::Rename => rename_button,
            RowControl::Move => move_button,
            RowControl::Delete => delete_button,
        })
    });
    // A move or a delete takes the row away: the focus goes on to the row taking its place.
    let refocus_successor = move |control: RowControl| {
        let ids = order.with_value(|order| successors(order, &[id.get_value()]));
        ctx.refocus_first_after_reload(ids, control);
    };
    // Closes the row's form, the focus back on the button that opened it.
    let close = move |control: RowControl| {
        editing.set(Editing::None);
        ctx.refocus(&id.get_value(), control);
    };
    let title = move || {
        if is_folder {
            view! {
                <A href=format!("/drive?folder={}", id.get_value()) attr:class="entry-name folder">
                    <Icon kind=IconKind::Folder/>" " {name.get_value()}
                </A>
            }
            .into_any()
        } else {
            view! {
                <button class="link entry-name file" node_ref=name_button
                    on:click=move |_| ctx.selected.set(Some(id.get_value()))>
                    {match thumbnail.get_value() {
                        Some(src) => view! { <img class="thumb" src=src alt="" loading="lazy" data-testid="thumbnail"/> }.into_any(),
                        None => view! { <Icon kind=IconKind::File/>" " }.into_any(),
                    }}
                    {name.get_value()}
                </button>
            }
            .into_any()
        }
    };
    let copies = copies_label(&entry, NODES).map(|(text, healthy)| {
        view! { <span class="badge" class:badge-warn=!healthy>{text}</span> }
    });
    let folders = LocalResource::new(move || {
        let moving = editing.get() == Editing::Move;
        async move {
            if moving {
                all_folders().await.unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    view! {
        <tr data-testid="entry" data-name=name.get_value()>
            <td>
                <input type="checkbox" aria-label=format!("Select {}", name.get_value())
                    prop:checked=move || ctx.chosen.has(&id.get_value())
                    on:click=move |ev| {
                        order.with_value(|o| ctx.chosen.click(o, index, ev.shift_key()));
                    }/>
            </td>
            <td>
                {move || match editing.get() {
                    Editing::Rename => {
                        let input = NodeRef::<leptos::html::Input>::new();
                        input.on_load(|input| {
                            let _ = input.focus();
                            input.select();
                        });
                        view! {
                            <form class="inline-form"
                                on:keydown=move |ev| if is_escape(&ev) { close(RowControl::Rename) }
                                on:submit=move |ev| {
                                    ev.prevent_default();
                                    let new = new_name.get_untracked();
                                    if new == name.get_value() {
                                        return close(RowControl::Rename);
                                    }
                                    ctx.change.dispatch(Change::Rename { id: id.get_value(), name: new });
                                    editing.set(Editing::None);
                                    // Renamed or refused, the table is drawn again: the new row takes the focus.
                                    ctx.refocus_after_reload(&id.get_value(), RowControl::Rename);
                                }>
                                <input aria-label="New name" node_ref=input bind:value=new_name/>
                                <button class="btn btn-primary" type="submit">"Save"</button>
                                <button class="btn btn-quiet" type="button" on:click=move |_| close(RowControl::Rename)>"Cancel"</button>
                            </form>
                        }.into_any()
                    }
                    Editing::Move => {
                        let list = NodeRef::<leptos::html::Select>::new();
                        focus_when_shown(list);
                        view! {
                            <form class="inline-form"
                                on:keydown=move |ev| if is_escape(&ev) { close(RowControl::Move) }
                                on:submit=move |ev| {
                                    ev.prevent_default();
                                    let Some(to) = target.get_untracked() else { return };
                                    let to = Some(to).filter(|t| !t.is_empty());
                                    ctx.change.dispatch(Change::Move { id: id.get_value(), to });
                                    editing.set(Editing::None);
                                    refocus_successor(RowControl::Move);
                                }>
                                <select aria-label="Move to" node_ref=list on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    target.set((value != CHOOSE).then_some(value));
                                }>
                                    <option value=CHOOSE>"Choose a folder…"</option>
                                    <option value="">"My drive (top)"</option>
                                    {move || folders.get().unwrap_or_default().into_iter()
                                        .filter(|f| f.id != id.get_value())
                                        .map(|f| view! { <option value=f.id>{f.name}</option> })
                                        .collect_view()}
                                </select>
                                <button class="btn btn-primary" type="submit" disabled=move || target.get().is_none()>"Move here"</button>
                                <button class="btn btn-quiet" type="button" on:click=move |_| close(RowControl::Move)>"Cancel"</button>
                            </form>
                        }.into_any()
                    }
                    Editing::None => title(),
                }}
            </td>
            <td>{(!is_folder).then(|| format::bytes(entry.size))}</td>
            <td class="muted">{if is_folder { "Folder".to_owned() } else { entry.mime.clone() }}</td>
            <td><LocalTime unix=entry.modified_at/></td>
            <td>{copies}</td>
            <td class="row-actions">
                {(!is_folder).then(|| view! {
                    <button class="btn btn-quiet" on:click=move |_| super::detail::download(ctx, id.get_value())>"Download"</button>
                })}
                <button class="btn btn-quiet" node_ref=share_button on:click=move |_| ctx.sharing.set(Some(shared.get_value()))>"Share"</button>
                <button class="btn btn-quiet" node_ref=rename_button on:click=move |_| {
                    // A rename left with Escape or Cancel does not come back.
                    new_name.set(name.get_value());
                    editing.set(Editing::Rename);
                }>"Rename"</button>
                <button class="btn btn-quiet" node_ref=move_button on:click=move |_| editing.set(Editing::Move)>"Move"</button>
                <button class="btn btn-quiet danger" node_ref=delete_button on:click=move |_| {
                    ctx.change.dispatch(Change::Delete(id.get_value()));
                    refocus_successor(RowControl::Delete);
                }>"Delete"</button>
            </td>
        </tr>
    }
}

/// The same entries as a grid of thumbnails (folders and other files as labelled tiles).
#[component]
pub fn EntryGallery(entries: Vec<Entry>) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    if entries.is_empty() {
        return view! { <p class="empty muted" data-testid="empty">"Nothing here yet. Upload files or drop them on this page."</p> }
            .into_any();
    }
    view! {
        <ul class="gallery" data-testid="gallery">
            {entries.into_iter().map(|entry| {
                let id = StoredValue::new(entry.id.clone());
                let (name, label) = (entry.name.clone(), entry.name.clone());
                let picture = match entry.thumbnail_url.clone() {
                    Some(src) => view! { <img src=src alt="" loading="lazy"/> }.into_any(),
                    None if entry.is_folder() => view! { <span class="tile-icon"><Icon kind=IconKind::Folder/></span> }.into_any(),
                    None => view! { <span class="tile-icon"><Icon kind=IconKind::File/></span> }.into_any(),
                };
                let tile = if entry.is_folder() {
                    view! {
                        <A href=format!("/drive?folder={}", entry.id) attr:class="tile">
                            {picture}<span class="tile-name">{name}</span>
                        </A>
                    }.into_any()
                } else {
                    let button = NodeRef::<leptos::html::Button>::new();
                    // The details close back onto the tile that opened them.
                    take_focus_back(ctx, id, move |control| (control == RowControl::Name).then_some(button));
                    view! {
                        <button class="tile" node_ref=button on:click=move |_| ctx.selected.set(Some(id.get_value()))>
                            {picture}<span class="tile-name">{name}</span>
                        </button>
                    }.into_any()
                };
                view! { <li data-testid="tile" data-name=label>{tile}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
