//! A file drop, as the stranger holding its link sees it: a place to send files to the person
//! who shared it, with progress, and nothing of what is already there. No account needed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::pages::drive::transfer::Transfer;
use crate::pages::drive::uploads::{UploadAnnouncer, UploadRow};

#[component]
pub fn DropPage() -> impl IntoView {
    let params = use_params_map();
    // The link's token: where the browser sends the files.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let uploads = RwSignal::new(Vec::<Transfer>::new());
    let dragging = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    let send = move |files| {
        use crate::pages::drive::transfer::{start, Destination};
        start(
            uploads,
            files,
            Destination::Drop(token.get_untracked()),
            || (),
        );
    };
    view! {
        <Title text="Send files — CloudDrive"/>
        <section
            class="drive"
            class:dragging=move || dragging.get()
            data-testid="drop"
            on:dragover=move |ev| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                dragging.set(false);
                #[cfg(feature = "hydrate")]
                send(crate::pages::drive::transfer::files_of_drop(&ev));
            }
        >
            <h1>"Send files"</h1>
            <p class="lead">
                "Files you send here go to the person who shared this link with you. You cannot \
                 see what is there already, and nobody else who has the link can see yours."
            </p>
            <label class="btn btn-primary upload-button">
                "Choose files"
                <input type="file" multiple data-testid="file-input" on:change=move |ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        let input = event_target::<web_sys::HtmlInputElement>(&ev);
                        send(crate::pages::drive::transfer::files_of_input(&input));
                        input.set_value("");
                    }
                    let _ = &ev;
                }/>
            </label>
            <p class="drop-hint muted">"Or drop files anywhere on this page."</p>
            <UploadAnnouncer uploads/>
            <Show when=move || !uploads.read().is_empty()>
                <div class="uploads" data-testid="uploads">
                    <For each=move || uploads.get() key=|t| t.key let:t>
                        <UploadRow t/>
                    </For>
                </div>
            </Show>
        </section>
    }
}
