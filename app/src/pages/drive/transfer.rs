//! Sending files from the browser: start (or resume) the upload, send each chunk with
//! XMLHttpRequest (the one browser API that reports upload progress), then finish. A dropped
//! connection is retried from the server's `next_chunk`; dropping the same file again after a
//! reload resumes it the same way.

use leptos::prelude::*;

use crate::api::drive::OnConflict;

/// Where one file's upload stands, shown as a progress row.
// Uploads run only in the browser; the server render never creates one.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Sending,
    /// The name is taken in the folder: waiting for "Replace" or "Keep both".
    Asking,
    Done,
    Failed,
    Cancelled,
}

impl Phase {
    /// Still under way (sending, or waiting for an answer).
    pub fn is_active(self) -> bool {
        matches!(self, Phase::Sending | Phase::Asking)
    }
}

/// One file in the upload list. Signals only (the `File` itself stays with its task), so
/// rows can be rendered and cancelled from anywhere.
#[derive(Clone, Copy)]
pub struct Transfer {
    pub key: u64,
    pub name: StoredValue<String>,
    pub size: u64,
    pub sent: RwSignal<u64>,
    pub phase: RwSignal<Phase>,
    pub message: RwSignal<Option<String>>,
    pub cancel: RwSignal<bool>,
    /// What to do when the name is taken (the person's answer when asked).
    pub on_conflict: RwSignal<OnConflict>,
}

impl Transfer {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn new(key: u64, name: String, size: u64) -> Transfer {
        Transfer {
            key,
            name: StoredValue::new(name),
            size,
            sent: RwSignal::new(0),
            phase: RwSignal::new(Phase::Sending),
            message: RwSignal::new(None),
            cancel: RwSignal::new(false),
            on_conflict: RwSignal::new(OnConflict::Fail),
        }
    }

    pub fn percent(&self) -> f64 {
        if self.size == 0 {
            return if self.phase.get() == Phase::Done {
                100.0
            } else {
                0.0
            };
        }
        (self.sent.get() as f64 / self.size as f64 * 100.0).min(100.0)
    }
}

/// Where files go: a folder of the user's drive (`None`: the top), or a stranger's file drop
/// (through its link's token, without an account).
// Uploads run only in the browser; the server render never sends one.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone)]
pub enum Destination {
    Folder(Option<String>),
    Drop(String),
}

#[cfg(feature = "hydrate")]
pub use browser::{files_of_drop, files_of_input, send, File};

/// Starts sending each file to `to` in its own task, listed in `list`; `done` runs after
/// each one ends.
#[cfg(feature = "hydrate")]
pub fn start(
    list: RwSignal<Vec<Transfer>>,
    files: Vec<File>,
    to: Destination,
    done: impl Fn() + Copy + 'static,
) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT_KEY: AtomicU64 = AtomicU64::new(1);
    for file in files {
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let t = Transfer::new(key, file.name(), crate::format::whole(file.size()));
        list.update(|list| list.push(t));
        let to = to.clone();
        leptos::task::spawn_local(async move {
            send(file, to, t).await;
            done();
        });
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    pub use web_sys::File;
    use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

    use super::{Destination, OnConflict, Phase, Transfer};
    use crate::api::drive::{cancel_upload, finish_upload, start_upload, UploadTicket};
    use crate::api::ApiError;
    use crate::token;

    /// Tries per chunk when the connection fails, waiting 1, 2, 4, 8 s in between.
    const ATTEMPTS: u32 = 5;

    pub fn files_of_drop(ev: &web_sys::DragEvent) -> Vec<File> {
        ev.data_transfer()
            .and_then(|d| d.files())
            .map(list)
            .unwrap_or_default()
    }

    pub fn files_of_input(input: &web_sys::HtmlInputElement) -> Vec<File> {
        input.files().map(list).unwrap_or_default()
    }

    fn list(files: web_sys::FileList) -> Vec<File> {
        (0..files.length()).filter_map(|i| files.get(i)).collect()
    }

    enum ChunkError {
        /// The server answered with an error.
        Refused(ApiError),
        /// No answer: the connection failed or the request was aborted.
        Network,
    }

    /// Uploads `file` to `to`, reporting through `t`.
    pub async fn send(file: File, to: Destination, t: Transfer) {
        let outcome = upload(&file, &to, t).await;
        match outcome {
            Ok(saved_as) => {
                t.sent.set(t.size);
                t.phase.set(Phase::Done);
                // The server stores names in NFC; only a real change of name is news (a drop
                // is not told the name its file got).
                let sent_as = js_sys::JsString::from(t.name.get_value()).normalize("NFC");
                if let Some(name) = saved_as.filter(|name| sent_as != name.as_str()) {
                    t.message.set(Some(format!(
                        "Saved as \"{name}\": the name was taken while it uploaded."
                    )));
                }
            }
            Err(_) if t.cancel.get_untracked() => {
                t.phase.set(Phase::Cancelled);
                t.message.set(Some("Cancelled.".into()));
            }
            Err(e) => {
                t.phase.set(Phase::Failed);
                t.message.set(Some(e.message));
            }
        }
    }

    /// Starts (or resumes) the upload of `file` to `to`; a name already taken in the folder
    /// asks the person what to do, and starts again with their answer.
    async fn begin(file: &File, to: &Destination, t: Transfer) -> Result<UploadTicket, ApiError> {
        match start(file, to, t).await {
            Err(e) if e.is_name_taken() && t.on_conflict.get_untracked() == OnConflict::Fail => {
                t.message.set(Some(e.message));
                t.phase.set(Phase::Asking);
                while t.phase.get_untracked() == Phase::Asking && !t.cancel.get_untracked() {
                    sleep_ms(100).await;
                }
                t.message.set(None);
                if t.cancel.get_untracked() {
                    return Err(cancelled());
                }
                start(file, to, t).await
            }
            outcome => outcome,
        }
    }

    async fn start(file: &File, to: &Destination, t: Transfer) -> Result<UploadTicket, ApiError> {
        let size = t.size;
        // The file's last-modified time tells it from another of the same name and size.
        let fingerprint = format!("lastModified={}", file.last_modified());
        let mime = Some(file.type_()).filter(|m| !m.is_empty());
        match to {
            Destination::Folder(folder_id) => {
                let choice = Some(t.on_conflict.get_untracked());
                start_upload(
                    file.name(),
                    size,
                    folder_id.clone(),
                    mime,
                    Some(fingerprint),
                    choice,
                )
                .await
            }
            Destination::Drop(token) => {
                let start = serde_json::json!({
                    "name": file.name(), "size": size, "mime": mime, "fingerprint": fingerprint,
                });
                json_request(&format!("/s/{token}/upload/start"), &start).await
            }
        }
    }

    /// Finishes the upload; the name the file was saved as, when the destination tells it.
    async fn finish(to: &Destination, upload_id: String) -> Result<Option<String>, ApiError> {
        match to {
            Destination::Folder(_) => finish_upload(upload_id).await.map(|e| Some(e.name)),
            Destination::Drop(token) => {
                let body = serde_json::json!({ "upload_id": upload_id });
                json_request::<model::Ack>(&format!("/s/{token}/upload/finish"), &body)
                    .await
                    .map(|_| None)
            }
        }
    }

    async fn cancel(to: &Destination, upload_id: String) {
        let _ = match to {
            Destination::Folder(_) => cancel_upload(upload_id).await,
            Destination::Drop(token) => {
                let body = serde_json::json!({ "upload_id": upload_id });
                json_request(&format!("/s/{token}/upload/cancel"), &body).await
            }
        };
    }

    fn chunk_url(to: &Destination, upload_id: &str, index: u64) -> String {
        match to {
            Destination::Folder(_) => format!("/api/files/upload/{upload_id}/{index}"),
            Destination::Drop(token) => format!("/s/{token}/upload/{upload_id}/{index}"),
        }
    }

    async fn upload(
        file: &File,
        to: &Destination,
        t: Transfer,
    ) -> Result<Option<String>, ApiError> {
        let size = t.size;
        let begin = || begin(file, to, t);
        let mut ticket: UploadTicket = begin().await?;
        let mut failures = 0;
        while ticket.next_chunk < ticket.chunks {
            if t.cancel.get_untracked() {
                break;
            }
            let index = ticket.next_chunk;
            let from = index * ticket.chunk_size;
            let end = (from + ticket.chunk_size).min(size);
            t.sent.set(from);
            let blob = file
                .slice_with_f64_and_f64(from as f64, end as f64)
                .map_err(|_| local_error("The browser could not read the file."))?;
            let url = chunk_url(to, &ticket.upload_id, index);
            let bearer = matches!(to, Destination::Folder(_));
            match send_xhr("PUT", &url, Payload::Chunk(&blob), bearer, Some((from, t))).await {
                Ok(_) => {
                    ticket.next_chunk += 1;
                    failures = 0;
                }
                Err(_) if t.cancel.get_untracked() => break,
                // A refusal that trying again cannot fix (bad request, quota, gone).
                Err(ChunkError::Refused(e)) if e.status != 409 && e.status < 500 => return Err(e),
                // No answer, a server error, or the upload moved on without us (an answer lost
                // on the way, another tab): wait, ask the server where to go on, try again.
                Err(_) => {
                    failures += 1;
                    if failures >= ATTEMPTS {
                        return Err(local_error(
                            "The connection keeps failing. Drop the file again later to resume where it stopped.",
                        ));
                    }
                    t.message.set(Some("Connection lost; retrying…".into()));
                    sleep_ms(1000 << (failures - 1)).await;
                    // If this fails too, the next round counts it.
                    if let Ok(fresh) = begin().await {
                        ticket = fresh;
                    }
                    t.message.set(None);
                }
            }
        }
        if t.cancel.get_untracked() {
            cancel(to, ticket.upload_id.clone()).await;
            return Err(cancelled());
        }
        finish(to, ticket.upload_id).await
    }

    /// POSTs JSON (to a drop link's upload steps) and reads the JSON answer.
    async fn json_request<T: serde::de::DeserializeOwned>(
        url: &str,
        body: &serde_json::Value,
    ) -> Result<T, ApiError> {
        let text = body.to_string();
        match send_xhr("POST", url, Payload::Json(&text), false, None).await {
            Ok(answer) => serde_json::from_str(&answer)
                .map_err(|_| local_error("The server's answer could not be read.")),
            Err(ChunkError::Refused(e)) => Err(e),
            Err(ChunkError::Network) => Err(local_error("The server could not be reached.")),
        }
    }

    fn local_error(message: &str) -> ApiError {
        ApiError::new(0, message)
    }

    fn cancelled() -> ApiError {
        local_error("Cancelled.")
    }

    async fn sleep_ms(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    /// What a request carries: a chunk of the file, or JSON.
    enum Payload<'a> {
        Chunk(&'a Blob),
        Json(&'a str),
    }

    /// Sends `body` with XMLHttpRequest; the answer's text.
    /// With `progress`, upload progress goes to `t.sent` (offset by `from`), and cancelling
    /// aborts it. `bearer`: send the session token (the drive's own routes).
    async fn send_xhr(
        method: &str,
        url: &str,
        body: Payload<'_>,
        bearer: bool,
        progress: Option<(u64, Transfer)>,
    ) -> Result<String, ChunkError> {
        let xhr = XmlHttpRequest::new().map_err(|_| ChunkError::Network)?;
        xhr.open(method, url).map_err(|_| ChunkError::Network)?;
        if bearer {
            if let Some(token) = token::load() {
                let _ = xhr.set_request_header("Authorization", &format!("Bearer {token}"));
            }
        }
        if let Payload::Json(_) = body {
            let _ = xhr.set_request_header("Content-Type", "application/json");
        }
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let on_end = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(());
            }
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        let aborter = xhr.clone();
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if let Some((from, t)) = progress {
                if t.cancel.get_untracked() {
                    let _ = aborter.abort();
                } else {
                    t.sent.set(from + crate::format::whole(e.loaded()));
                }
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        match body {
            Payload::Chunk(blob) => xhr.send_with_opt_blob(Some(blob)),
            Payload::Json(text) => xhr.send_with_opt_str(Some(text)),
        }
        .map_err(|_| ChunkError::Network)?;
        let _ = rx.await;
        // The handlers must live until the request ended.
        drop((on_end, on_progress));
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        match status {
            200 => Ok(text),
            0 => Err(ChunkError::Network),
            _ => {
                if bearer && status == ApiError::UNAUTHORIZED {
                    token::expire();
                }
                Err(ChunkError::Refused(serde_json::from_str(&text).unwrap_or(
                    ApiError::new(status, format!("The server answered {status}.")),
                )))
            }
        }
    }
}
