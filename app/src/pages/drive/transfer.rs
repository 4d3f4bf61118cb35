//! Sending files from the browser: start (or resume) the upload, send each chunk with
//! XMLHttpRequest (the one browser API that reports upload progress), then finish. A dropped
//! connection is retried from the server's `next_chunk`; dropping the same file again after a
//! reload resumes it the same way.

use leptos::prelude::*;

/// Where one file's upload stands, shown as a progress row.
// Uploads run only in the browser; the server render never creates one.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Sending,
    Done,
    Failed,
    Cancelled,
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

#[cfg(feature = "hydrate")]
pub use browser::{files_of_drop, files_of_input, send, File};

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    pub use web_sys::File;
    use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

    use super::{Phase, Transfer};
    use crate::api::drive::{cancel_upload, finish_upload, start_upload, Entry, UploadTicket};
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

    /// Uploads `file` into `folder_id`, reporting through `t`.
    pub async fn send(file: File, folder_id: Option<String>, t: Transfer) {
        let outcome = upload(&file, folder_id, t).await;
        match outcome {
            Ok(entry) => {
                t.sent.set(t.size);
                t.phase.set(Phase::Done);
                // The server stores names in NFC; only a real change of name is news.
                let sent_as = js_sys::JsString::from(t.name.get_value()).normalize("NFC");
                if sent_as != entry.name.as_str() {
                    t.message.set(Some(format!(
                        "Saved as \"{}\": the name was taken while it uploaded.",
                        entry.name
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

    async fn upload(
        file: &File,
        folder_id: Option<String>,
        t: Transfer,
    ) -> Result<Entry, ApiError> {
        let size = t.size;
        // The file's last-modified time tells it from another of the same name and size.
        let fingerprint = format!("lastModified={}", file.last_modified());
        let begin = || {
            let mime = file.type_();
            start_upload(
                file.name(),
                size,
                folder_id.clone(),
                (!mime.is_empty()).then_some(mime),
                Some(fingerprint.clone()),
            )
        };
        let mut ticket: UploadTicket = begin().await?;
        let mut failures = 0;
        while ticket.next_chunk < ticket.chunks {
            if t.cancel.get_untracked() {
                break;
            }
            let index = ticket.next_chunk;
            let from = index * ticket.chunk_size;
            let to = (from + ticket.chunk_size).min(size);
            t.sent.set(from);
            let blob = file
                .slice_with_f64_and_f64(from as f64, to as f64)
                .map_err(|_| local_error("The browser could not read the file."))?;
            match put_chunk(&ticket.upload_id, index, &blob, from, t).await {
                Ok(()) => {
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
            let _ = cancel_upload(ticket.upload_id.clone()).await;
            return Err(cancelled());
        }
        finish_upload(ticket.upload_id).await
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

    /// PUTs one chunk; progress goes to `t.sent` (offset by `from`). Cancelling aborts it.
    async fn put_chunk(
        upload_id: &str,
        index: u64,
        blob: &Blob,
        from: u64,
        t: Transfer,
    ) -> Result<(), ChunkError> {
        let xhr = XmlHttpRequest::new().map_err(|_| ChunkError::Network)?;
        xhr.open("PUT", &format!("/api/files/upload/{upload_id}/{index}"))
            .map_err(|_| ChunkError::Network)?;
        if let Some(token) = token::load() {
            let _ = xhr.set_request_header("Authorization", &format!("Bearer {token}"));
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
            if t.cancel.get_untracked() {
                let _ = aborter.abort();
            } else {
                t.sent.set(from + crate::format::whole(e.loaded()));
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        xhr.send_with_opt_blob(Some(blob))
            .map_err(|_| ChunkError::Network)?;
        let _ = rx.await;
        // The handlers must live until the request ended.
        drop((on_end, on_progress));
        let status = xhr.status().unwrap_or(0);
        match status {
            200 => Ok(()),
            0 => Err(ChunkError::Network),
            _ => {
                if status == ApiError::UNAUTHORIZED {
                    token::expire();
                }
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                Err(ChunkError::Refused(serde_json::from_str(&body).unwrap_or(
                    ApiError::new(status, format!("The server answered {status}.")),
                )))
            }
        }
    }
}
