//! The preview pane in a file's details: images, audio and video in the browser's own
//! elements over a signed, ranged download; the first 256 KB of text and code, shown as text
//! (escaped, never run). Other types (PDF included) download. The bytes come from the download
//! route, whose `sandbox` policy and `attachment` stay: nothing uploaded runs on this origin.

use leptos::prelude::*;

use crate::api::drive::download_url;

/// How much of a text file the pane shows (read in the browser only).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const TEXT_BYTES: u32 = 256 * 1024;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Image,
    Audio,
    Video,
    Text,
}

fn kind_of(mime: &str) -> Option<Kind> {
    let essence = mime.split(';').next().unwrap_or_default().trim();
    let textual = [
        "application/json",
        "application/xml",
        "application/javascript",
        "application/x-sh",
        "application/toml",
        "application/x-yaml",
        "application/sql",
        "image/svg+xml",
    ];
    match essence.split('/').next() {
        _ if textual.contains(&essence) => Some(Kind::Text),
        _ if crate::api::drive::has_thumbnail(essence) => Some(Kind::Image),
        Some("audio") => Some(Kind::Audio),
        Some("video") => Some(Kind::Video),
        Some("text") => Some(Kind::Text),
        _ => None,
    }
}

#[component]
pub fn Preview(id: String, mime: String) -> impl IntoView {
    let Some(kind) = kind_of(&mime) else {
        return view! {
            <p class="muted" data-testid="no-preview">"No preview for this type: download it to open it."</p>
        }
        .into_any();
    };
    let id = StoredValue::new(id);
    let link = LocalResource::new(move || download_url(id.get_value(), Some(true)));
    view! {
        <div class="preview" data-testid="preview">
            {move || link.get().map(|outcome| match outcome {
                Err(e) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                Ok(link) => match kind {
                    Kind::Image => view! { <img src=link.url alt="Preview"/> }.into_any(),
                    Kind::Audio => view! { <audio controls preload="metadata" src=link.url></audio> }.into_any(),
                    Kind::Video => view! { <video controls preload="metadata" src=link.url></video> }.into_any(),
                    Kind::Text => view! { <TextStart url=link.url/> }.into_any(),
                },
            })}
        </div>
    }
    .into_any()
}

/// The first `TEXT_BYTES` of a text file, as text.
#[component]
fn TextStart(url: String) -> impl IntoView {
    let url = StoredValue::new(url);
    let text = LocalResource::new(move || first_bytes(url.get_value()));
    move || {
        text.get().map(|text| match text {
            Some(text) => view! { <pre data-testid="text-preview">{text}</pre> }.into_any(),
            None => view! { <p class="muted">"The preview could not be loaded."</p> }.into_any(),
        })
    }
}

/// The start of the file at `url` (a ranged request), decoded as UTF-8.
#[cfg(feature = "hydrate")]
async fn first_bytes(url: String) -> Option<String> {
    use wasm_bindgen::JsCast;
    let xhr = web_sys::XmlHttpRequest::new().ok()?;
    xhr.open("GET", &url).ok()?;
    xhr.set_request_header("Range", &format!("bytes=0-{}", TEXT_BYTES - 1))
        .ok()?;
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let tx = std::cell::RefCell::new(Some(tx));
    let on_end = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    xhr.send().ok()?;
    let _ = rx.await;
    drop(on_end);
    matches!(xhr.status().ok()?, 200 | 206)
        .then(|| xhr.response_text().ok().flatten())
        .flatten()
}

#[cfg(not(feature = "hydrate"))]
async fn first_bytes(_url: String) -> Option<String> {
    None
}
