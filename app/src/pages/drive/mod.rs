//! The drive in the browser: quota, breadcrumbs, files and folders, uploads with progress,
//! details, and the trash.

mod detail;
mod entries;
mod focus;
mod more;
mod preview;
mod quota;
mod selection;
mod share;
pub mod shared;
pub mod transfer;
pub mod trash;
pub mod uploads;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::drive::{
    create_folder, delete_entry, delete_version, list_files, move_entry, rename_entry,
    restore_version, Entry, SortBy,
};
use crate::api::ApiError;
use crate::components::{Alert, RequireAuth};
use crate::session::{use_session, Session};
use transfer::Transfer;

/// Something done to the drive from the page; each answers with what to tell the user.
#[derive(Debug, Clone)]
pub enum Change {
    NewFolder(String),
    Rename { id: String, name: String },
    Move { id: String, to: Option<String> },
    Delete(String),
    RestoreVersion(String),
    DeleteVersion(String),
}

/// What the parts of the drive page share.
#[derive(Clone, Copy)]
pub struct DriveCtx {
    /// The folder on screen, where uploads go (read by the browser-only upload code).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub folder: Memo<Option<String>>,
    /// Bumped after anything that changes the listing.
    pub refresh: RwSignal<u64>,
    pub change: Action<Change, Result<String, ApiError>>,
    /// The file whose details are open.
    pub selected: RwSignal<Option<String>>,
    /// The item being shared (its form open).
    pub sharing: RwSignal<Option<Entry>>,
    /// Items chosen to act on together.
    pub chosen: selection::Chosen,
    /// The ids of the items on screen, top to bottom, as last listed: where the focus goes
    /// when chosen items leave together (`selection`).
    pub listed: StoredValue<Vec<String>>,
    pub error: RwSignal<Option<ApiError>>,
    pub uploads: RwSignal<Vec<Transfer>>,
    /// The row control the focus goes back to when a form or panel closes, or on to after a
    /// change (see `focus`).
    pub refocus: RwSignal<Option<focus::Refocus>>,
    /// Kept here, not looked up: `reload` also runs from upload tasks, outside any component.
    pub session: Session,
}

impl DriveCtx {
    pub fn reload(&self) {
        self.refresh.update(|n| *n += 1);
        self.session.refresh_account();
    }

    /// Gives the focus back to a row's control now (a form or panel closed).
    pub fn refocus(&self, id: &str, control: focus::RowControl) {
        self.refocus.set(Some(focus::Refocus {
            ids: vec![id.to_owned()],
            control,
            drawn_after: None,
        }));
    }

    /// Gives the focus to a row's control once the table is drawn again after a change
    /// (whether the change went through or not, the row's old button goes away).
    pub fn refocus_after_reload(&self, id: &str, control: focus::RowControl) {
        self.refocus_first_after_reload(vec![id.to_owned()], control);
    }

    /// Gives the focus to `control` of the first row of `ids` in the table drawn after a change
    /// (a move or a delete, which takes rows away when it goes through: `successors`).
    pub fn refocus_first_after_reload(&self, ids: Vec<String>, control: focus::RowControl) {
        self.refocus.set(Some(focus::Refocus {
            ids,
            control,
            drawn_after: Some(self.refresh.get_untracked()),
        }));
    }
}

#[component]
pub fn DrivePage() -> impl IntoView {
    view! {
        <Title text="Your drive — CloudDrive"/>
        <RequireAuth>
            <DriveView/>
        </RequireAuth>
    }
}

#[component]
fn DriveView() -> impl IntoView {
    let query = use_query_map();
    let folder = Memo::new(move |_| query.read().get("folder").filter(|f| !f.is_empty()));
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new(SortBy::Name);
    let gallery = RwSignal::new(false);
    let descending = RwSignal::new(false);
    let refresh = RwSignal::new(0u64);
    let error = RwSignal::new(None::<ApiError>);
    let change = Action::new(move |change: &Change| {
        let change = change.clone();
        let here = folder.get_untracked();
        async move {
            match change {
                Change::NewFolder(name) => create_folder(name, here)
                    .await
                    .map(|e| format!("Folder \u{201c}{}\u{201d} created.", e.name)),
                Change::Rename { id, name } => rename_entry(id, name)
                    .await
                    .map(|e| format!("Renamed to \u{201c}{}\u{201d}.", e.name)),
                Change::Move { id, to } => move_entry(id, to)
                    .await
                    .map(|e| format!("Moved \u{201c}{}\u{201d}.", e.name)),
                Change::Delete(id) => delete_entry(id)
                    .await
                    .map(|e| format!("\u{201c}{}\u{201d} moved to the trash.", e.name)),
                Change::RestoreVersion(id) => restore_version(id).await.map(|e| {
                    format!(
                        "\u{201c}{}\u{201d} restored; the content it replaced is now a version.",
                        e.name
                    )
                }),
                Change::DeleteVersion(id) => delete_version(id).await.map(|a| a.message),
            }
        }
    });
    let ctx = DriveCtx {
        folder,
        refresh,
        change,
        selected: RwSignal::new(None),
        sharing: RwSignal::new(None),
        chosen: selection::Chosen::new(),
        listed: StoredValue::new(Vec::new()),
        error,
        uploads: RwSignal::new(Vec::new()),
        refocus: RwSignal::new(None),
        session: use_session(),
    };
    provide_context(ctx);
    // A choice belongs to the folder it was made in, and so does a focus to give back.
    Effect::new(move |_| {
        folder.track();
        ctx.chosen.clear();
        ctx.refocus.set(None);
    });
    Effect::new(move |_| {
        if let Some(outcome) = change.value().get() {
            error.set(outcome.err());
            ctx.reload();
        }
    });
    let notice = Signal::derive(move || change.value().get().and_then(Result::ok));
    let listing = LocalResource::new(move || {
        refresh.track();
        let (folder, search, sort, descending) =
            (folder.get(), search.get(), sort.get(), descending.get());
        let search = Some(search).filter(|s| !s.trim().is_empty());
        list_files(folder, search, Some(sort), Some(descending), None, None)
    });
    // Pages after the first, loaded as the person scrolls; a fresh listing starts over.
    let later = RwSignal::new(Vec::<Entry>::new());
    let next = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(first)) = listing.get() {
            later.set(Vec::new());
            next.set(first.next_cursor);
        }
    });
    let load_more = Action::new(move |cursor: &String| {
        let search = Some(search.get_untracked()).filter(|s| !s.trim().is_empty());
        list_files(
            folder.get_untracked(),
            search,
            Some(sort.get_untracked()),
            Some(descending.get_untracked()),
            Some(cursor.clone()),
            None,
        )
    });
    Effect::new(move |_| match load_more.value().get() {
        Some(Ok(page)) => {
            later.update(|rows| rows.extend(page.entries));
            next.set(page.next_cursor);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let more = move || {
        if let Some(cursor) = next.get_untracked() {
            load_more.dispatch(cursor);
        }
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        uploads::start(ctx, transfer::files_of_drop(&ev));
    };

    view! {
        <section
            class="drive"
            class:dragging=move || dragging.get()
            data-testid="drive"
            on:dragover=move |ev| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <div class="drive-head">
                <h1>"Your drive"</h1>
                <A href="/drive/shared" attr:class="btn btn-quiet">"Shared by me"</A>
                <A href="/drive/trash" attr:class="btn btn-quiet">"Trash"</A>
            </div>
            {move || listing.get().and_then(Result::ok).map(|l| view! { <quota::QuotaBar usage=l.usage/> })}
            <Toolbar search gallery/>
            <Alert error=Signal::derive(move || error.get()) notice/>
            <uploads::UploadList/>
            <selection::SelectionBar/>
            <p class="drop-hint muted">"Drop files anywhere here to upload them into this folder."</p>
            {move || match listing.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                Some(Ok(l)) => {
                    let searching = !search.get_untracked().trim().is_empty();
                    let mut entries = l.entries;
                    entries.extend(later.get());
                    ctx.listed.set_value(entries.iter().map(|e| e.id.clone()).collect());
                    view! {
                        <Breadcrumbs path=l.path searching/>
                        {if gallery.get() {
                            view! { <entries::EntryGallery entries/> }.into_any()
                        } else {
                            view! { <entries::EntryTable entries sort descending/> }.into_any()
                        }}
                        <Show when=move || next.read().is_some()>
                            <more::LoadMore busy=load_more.pending() load=more/>
                        </Show>
                    }
                        .into_any()
                }
            }}
            <detail::DetailPanel/>
            <share::SharePanel/>
        </section>
    }
}

#[component]
fn Toolbar(search: RwSignal<String>, gallery: RwSignal<bool>) -> impl IntoView {
    let ctx = expect_context::<DriveCtx>();
    let new_folder = RwSignal::new(String::new());
    view! {
        <div class="toolbar">
            <label class="btn btn-primary upload-button">
                "Upload files"
                <input
                    type="file"
                    multiple
                    data-testid="file-input"
                    on:change=move |ev| {
                        #[cfg(feature = "hydrate")]
                        {
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            uploads::start(ctx, transfer::files_of_input(&input));
                            input.set_value("");
                        }
                        let _ = &ev;
                    }
                />
            </label>
            <form
                class="inline-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let name = new_folder.get_untracked();
                    if !name.trim().is_empty() {
                        ctx.change.dispatch(Change::NewFolder(name));
                        new_folder.set(String::new());
                    }
                }
            >
                <input placeholder="New folder name" aria-label="New folder name" bind:value=new_folder/>
                <button class="btn" type="submit">"Create folder"</button>
            </form>
            <button class="btn btn-quiet" aria-pressed=move || gallery.get().to_string()
                on:click=move |_| {
                    gallery.update(|g| *g = !*g);
                    // Tiles do not take a row's focus back (see `focus`).
                    ctx.refocus.set(None);
                }>
                {move || if gallery.get() { "List view" } else { "Gallery view" }}
            </button>
            <input
                class="search"
                type="search"
                placeholder="Search your drive"
                aria-label="Search your drive"
                bind:value=search
            />
        </div>
    }
}

#[component]
fn Breadcrumbs(path: Vec<crate::api::drive::Crumb>, searching: bool) -> impl IntoView {
    if searching {
        return view! { <p class="crumbs">"Search results in your whole drive"</p> }.into_any();
    }
    view! {
        <nav class="crumbs" aria-label="Folder" data-testid="breadcrumbs">
            <A href="/drive">"My drive"</A>
            {path
                .into_iter()
                .map(|c| view! { " / " <A href=format!("/drive?folder={}", c.id)>{c.name}</A> })
                .collect_view()}
        </nav>
    }
    .into_any()
}

/// Sends the browser to a signed download link once it comes (a link cannot carry the
/// token); a refusal shows as the drive's error.
pub fn follow(
    ctx: DriveCtx,
    link: impl std::future::Future<Output = Result<crate::api::drive::DownloadLink, ApiError>> + 'static,
) {
    leptos::task::spawn_local(async move {
        match link.await {
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

/// Text for an entry's replication: "3/3 copies", or degraded.
pub fn copies_label(entry: &Entry, nodes: u32) -> Option<(String, bool)> {
    entry.copies.map(|c| {
        let healthy = c >= nodes;
        let text = if healthy {
            format!("{c}/{nodes} copies")
        } else {
            format!("{c}/{nodes} copies, degraded")
        };
        (text, healthy)
    })
}
