//! Page data rendered by the server and handed to the browser (`Resource`), read with the same
//! JSON reader as a server function's answer.
//!
//! Leptos's default codec reads the handed-over data with `serde_json::from_str`, server
//! functions read their answers with `from_slice`: two readers, so every model type's
//! deserialiser was in the WASM twice. Reading both from bytes keeps one copy.

use std::future::Future;

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON, decoded from the string's bytes.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A resource loaded through the API (see the module's comment).
pub type ApiResource<T> = Resource<T, JsonBytes>;

/// `Resource::new`, with the reader the server functions use.
#[track_caller]
pub fn api_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> ApiResource<T>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
