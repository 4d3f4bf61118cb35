//! Whole files through the public HTTP API, as the benchmarks time them: a chunked upload with
//! the bearer token, a download through a signed link, and the bytes they move, made as they
//! are needed.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::json;

use super::nodes::data;
use super::TestServer;

/// The chunk of an upload, and the block of a `Payload`.
pub const CHUNK: u64 = 8 * 1024 * 1024;

/// `size` bytes in `CHUNK` blocks. Block `i` is one pseudo-random block with `i` in its first
/// 8 bytes: no two blocks alike (nothing could be deduplicated or cached by content), and
/// only a block at a time in memory, whatever the size.
#[derive(Clone)]
pub struct Payload {
    pub size: u64,
    block: Bytes,
}

impl Payload {
    pub fn new(size: u64) -> Payload {
        Payload {
            size,
            block: Bytes::from(data(usize::try_from(CHUNK).unwrap(), 42)),
        }
    }

    pub fn blocks(&self) -> u64 {
        self.size.div_ceil(CHUNK)
    }

    /// Block `index` (the last may be short).
    pub fn block(&self, index: u64) -> Vec<u8> {
        let len = usize::try_from(CHUNK.min(self.size - index * CHUNK)).unwrap();
        let mut block = self.block[..len].to_vec();
        let stamp = index.to_le_bytes();
        let n = stamp.len().min(len);
        block[..n].copy_from_slice(&stamp[..n]);
        block
    }

    /// The blocks one after the other, each made when the stream is polled for it: a
    /// request body that is never in memory whole.
    pub fn stream(&self) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        let payload = self.clone();
        futures::stream::iter(0..self.blocks()).map(move |i| Ok(Bytes::from(payload.block(i))))
    }

    pub fn checksum(&self) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new();
        for i in 0..self.blocks() {
            hasher.update(&self.block(i));
        }
        hasher.finalize()
    }
}

/// Uploads `size` bytes as `name` into the top folder, one `CHUNK` at a time in order, chunk
/// `i` from `chunk(i)`; the new file's id.
pub async fn upload_chunked(
    server: &TestServer,
    token: &str,
    name: &str,
    size: u64,
    mut chunk: impl FnMut(u64) -> Vec<u8>,
) -> String {
    let upload = server
        .start_upload(token, name, usize::try_from(size).unwrap())
        .await;
    for index in 0..size.div_ceil(CHUNK) {
        let body = chunk(index);
        let a = server
            .put_chunk(token, &upload, usize::try_from(index).unwrap(), body)
            .await;
        assert_eq!(a.status, 200, "chunk {index}: {a:?}");
    }
    server.finish_upload(token, &upload).await
}

/// Downloads file `id` through a signed link (made first, as a browser would); its length and
/// BLAKE3.
pub async fn download_link(server: &TestServer, token: &str, id: &str) -> (u64, blake3::Hash) {
    let link = server
        .post("/api/files/link", json!({"id": id}), Some(token))
        .await
        .json();
    let url = format!("{}{}", server.base, link["url"].as_str().unwrap());
    drain(server.http.get(url).send().await.unwrap()).await
}

/// Reads a successful answer's body to the end as it arrives, keeping none of it; its length
/// and BLAKE3.
pub async fn drain(response: reqwest::Response) -> (u64, blake3::Hash) {
    assert!(
        response.status().is_success(),
        "{}: {}",
        response.url(),
        response.status()
    );
    let mut body = response.bytes_stream();
    let mut got = 0u64;
    let mut hasher = blake3::Hasher::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        got += chunk.len() as u64;
        hasher.update(&chunk);
    }
    (got, hasher.finalize())
}
