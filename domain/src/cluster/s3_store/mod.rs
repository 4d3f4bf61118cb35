//! A region kept in an S3 bucket: AWS, or any S3-compatible engine (SeaweedFS, MinIO, Garage,
//! Ceph RGW...), through the `object_store` crate.
//!
//! Layout: the bytes of object `id` are the key `<prefix>/<id>`, and its sidecar
//! `<prefix>/<id>.meta` holds the same JSON `ObjectMeta` (size and BLAKE3) a storage node
//! keeps. The sidecar is written after the bytes and deleted before them, so, as on a node, an
//! object counts only once it is complete, and `head` never reads the bytes.
//!
//! Why a sidecar and not user metadata (`x-amz-meta-blake3`, which object_store can set and
//! read back): S3 metadata is fixed when an upload starts (PutObject / CreateMultipartUpload
//! headers), and a cluster write streams to every store while it is still hashing
//! (`Cluster::write` passes no checksum), so the checksum is only known after the last part.
//! Setting it afterwards takes a CopyObject of the whole object onto itself: every byte written
//! twice, and refused above 5 GiB.
//!
//! Timeouts: the cluster fails over between regions itself, so this store gives up quickly on a
//! dead endpoint (3 s to connect, 2 retries within 5 s), but never puts a deadline on a whole
//! request: a 1 GiB GET streams for as long as the reader reads. object_store's own
//! `ClientOptions::timeout` is such a deadline (30 s by default), and its options have no read
//! timeout, so the store brings its own reqwest client (`Connector`) with a *read* timeout: the
//! longest wait for a response's headers (a part's upload included) or for the next bytes of a
//! body, reset on every read.

mod client;
mod errors;
mod location;
mod upload;

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, PutOptions, PutPayload};

use client::{client_options, retry_config, Connector};
use errors::blob_error;
use upload::Upload;

use super::blob_store::{BlobError, BlobStore, GetBody, PutBody, RehashReport, StoreHealth};
use super::store::{valid_id, ObjectMeta};

/// Objects up to this size (a drive block, `CHUNK_SIZE`) go up in a single PUT, held in memory
/// once; larger ones in parts of this size (S3's smallest part is 5 MiB).
const PART: usize = 8 * 1024 * 1024;
/// Parts uploading at once while the next one fills: an object larger than one part holds at
/// most `PARTS_IN_FLIGHT * PART` bytes, whatever its size.
const PARTS_IN_FLIGHT: usize = 2;
/// The small requests: sidecars, deletes, starting an upload, the headers of a GET.
const OP_TIMEOUT: Duration = Duration::from_secs(20);
/// Completing a multipart upload (the server assembles the parts).
const COMPLETE_TIMEOUT: Duration = Duration::from_secs(120);
/// Sidecars read at once when listing.
const LIST_BATCH: usize = 8;
const SIDECAR_SUFFIX: &str = ".meta";
/// The region requests are signed for when only an endpoint is given (engines that have no
/// regions accept it).
const DEFAULT_SIGNING_REGION: &str = "us-east-1";

pub use location::{credentials_from, env_name, parse, S3Credentials, S3Location};

pub struct S3Store {
    /// The cluster region this bucket serves (for logs).
    region: String,
    /// `S3Location::url()`, without credentials.
    location: String,
    bucket: String,
    prefix: Option<Path>,
    /// `<prefix>/` for raw listings, which do not add the delimiter themselves.
    list_prefix: Option<String>,
    store: AmazonS3,
}

impl S3Store {
    /// Builds the client (no request is made: an unreachable or misconfigured bucket shows in
    /// the first health check).
    pub fn new(
        region: &str,
        location: S3Location,
        credentials: Option<S3Credentials>,
    ) -> Result<S3Store, String> {
        let allow_http = location
            .endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"));
        // AWS itself (no endpoint): virtual-hosted requests, except for dotted bucket names,
        // which do not match AWS's certificates that way. Anything else: path style.
        let virtual_hosted = location.endpoint.is_none() && !location.bucket.contains('.');
        let mut builder = AmazonS3Builder::new()
            .with_client_options(client_options(allow_http))
            .with_http_connector(Connector { allow_http })
            .with_retry(retry_config())
            .with_bucket_name(location.bucket.clone())
            .with_region(
                location
                    .region
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SIGNING_REGION.to_owned()),
            )
            .with_virtual_hosted_style_request(virtual_hosted);
        if let Some(endpoint) = &location.endpoint {
            builder = builder.with_endpoint(endpoint.clone());
        }
        builder = match credentials {
            Some(c) => builder
                .with_access_key_id(c.access_key_id)
                .with_secret_access_key(c.secret_access_key),
            // Without a key the builder would look for instance credentials (the EC2 metadata
            // service); unsigned requests are the only sensible meaning here.
            None => builder.with_skip_signature(true),
        };
        let store = builder
            .build()
            .map_err(|e| format!("S3 store for {region}: {e}"))?;
        let prefix = location
            .prefix
            .as_deref()
            .map(Path::parse)
            .transpose()
            .map_err(|e| format!("S3 store for {region}: prefix: {e}"))?;
        Ok(S3Store {
            region: region.to_owned(),
            location: location.url(),
            bucket: location.bucket.clone(),
            list_prefix: location.prefix.as_ref().map(|p| format!("{p}/")),
            prefix,
            store,
        })
    }

    fn key(&self, name: &str) -> Path {
        match &self.prefix {
            Some(prefix) => prefix.clone().join(name),
            None => Path::from(name),
        }
    }

    fn sidecar_key(&self, id: &str) -> Path {
        self.key(&format!("{id}{SIDECAR_SUFFIX}"))
    }

    /// The id whose bytes are at `location`, if it is an object's data key (sidecars and
    /// anything else under the prefix are not).
    fn id_of(&self, location: &Path) -> Option<String> {
        let key: &str = location.as_ref();
        let name = match &self.prefix {
            Some(prefix) => {
                let prefix: &str = prefix.as_ref();
                key.strip_prefix(prefix)?.strip_prefix('/')?
            }
            None => key,
        };
        valid_id(name).then(|| name.to_owned())
    }

    fn error(&self, e: object_store::Error) -> BlobError {
        blob_error(&self.bucket, e)
    }

    /// Runs one request with a bound on its whole duration (only for small ones).
    async fn bounded<T>(
        &self,
        work: impl Future<Output = object_store::Result<T>>,
        limit: Duration,
    ) -> Result<T, BlobError> {
        match tokio::time::timeout(limit, work).await {
            Ok(result) => result.map_err(|e| self.error(e)),
            Err(_) => Err(BlobError::TimedOut),
        }
    }

    async fn write_sidecar(&self, meta: &ObjectMeta) -> Result<(), BlobError> {
        let json = serde_json::to_vec(meta)
            .map_err(|e| BlobError::Status(500, format!("sidecar not written: {e}")))?;
        let key = self.sidecar_key(&meta.id);
        self.bounded(
            self.store
                .put_opts(&key, PutPayload::from(json), PutOptions::default()),
            OP_TIMEOUT,
        )
        .await?;
        Ok(())
    }

    /// Deletes one key; one that is not there counts as deleted.
    async fn delete_key(&self, key: Path) -> Result<(), BlobError> {
        let deleting = async {
            let one = futures::stream::once(async move { Ok::<_, object_store::Error>(key) });
            let mut results = self.store.delete_stream(one.boxed());
            while let Some(result) = results.next().await {
                result?;
            }
            Ok::<_, object_store::Error>(())
        };
        match self.bounded(deleting, OP_TIMEOUT).await {
            Ok(()) | Err(BlobError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The object's recorded meta, or `None` when it is not (or not completely) here.
    async fn meta_if_complete(&self, id: String) -> Result<Option<ObjectMeta>, BlobError> {
        match self.head(&id).await {
            Ok(meta) => Ok(Some(meta)),
            Err(BlobError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Uploads an object of at least one part: `first` (already hashed) and the rest of `body`,
    /// hashing as it goes, one part at a time. A wrong checksum, an input that breaks off or a
    /// failed part aborts the upload: nothing is left behind.
    async fn put_parts(
        &self,
        key: &Path,
        first: Vec<Bytes>,
        mut body: PutBody,
        mut hashed: Hashed,
        checksum: Option<&str>,
    ) -> Result<(u64, String), BlobError> {
        let upload_id = self
            .bounded(self.store.create_multipart(key), OP_TIMEOUT)
            .await?;
        let mut upload = Upload::new(self, key.clone(), upload_id);
        for chunk in first {
            upload.push(chunk);
        }
        let streamed = async {
            loop {
                upload.settle(PARTS_IN_FLIGHT - 1).await?;
                match body.next().await {
                    Some(Ok(chunk)) => {
                        hashed.update(&chunk);
                        upload.push(chunk);
                    }
                    Some(Err(e)) => return Err(interrupted(&e)),
                    None => break,
                }
            }
            let (size, actual) = hashed.finish();
            expect_checksum(checksum, &actual)?;
            upload.flush();
            upload.settle(0).await?;
            Ok((size, actual))
        }
        .await;
        match streamed {
            Ok(done) => {
                upload.complete().await?;
                Ok(done)
            }
            Err(e) => {
                upload.abort().await;
                Err(e)
            }
        }
    }
}

#[async_trait]
impl BlobStore for S3Store {
    fn location(&self) -> &str {
        &self.location
    }

    /// One listing request of at most one key: answers whether the endpoint is reachable, the
    /// bucket exists and the credentials are accepted (they need s3:ListBucket). Object and byte
    /// counts would take a listing of the whole bucket, so they are reported as 0, and the
    /// capacity as 0 (unknown: a bucket has none).
    async fn health(&self, timeout: Duration) -> Result<StoreHealth, BlobError> {
        let options = PaginatedListOptions {
            max_keys: Some(1),
            ..Default::default()
        };
        let probe = self
            .store
            .list_paginated(self.list_prefix.as_deref(), options);
        match tokio::time::timeout(timeout, probe).await {
            Ok(Ok(_)) => Ok(StoreHealth::default()),
            Ok(Err(e)) => Err(self.error(e)),
            Err(_) => Err(BlobError::TimedOut),
        }
    }

    async fn put(
        &self,
        id: &str,
        mut body: PutBody,
        checksum: Option<&str>,
    ) -> Result<ObjectMeta, BlobError> {
        check_id(id)?;
        let key = self.key(id);
        let mut hashed = Hashed::new();
        // Up to one part is gathered first (and the end of the body looked for, so a block of
        // exactly one part is one PUT too): an object that fits goes up in a single PUT.
        let mut first = Vec::new();
        let mut gathered = 0usize;
        let mut ended = false;
        while gathered <= PART {
            match body.next().await {
                Some(Ok(chunk)) => {
                    hashed.update(&chunk);
                    gathered += chunk.len();
                    first.push(chunk);
                }
                Some(Err(e)) => return Err(interrupted(&e)),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        let (size, actual) = if ended {
            let (size, actual) = hashed.finish();
            expect_checksum(checksum, &actual)?;
            let payload: PutPayload = first.into_iter().collect();
            // Bounded by the connector's read timeout (the whole body goes before the answer).
            self.store
                .put_opts(&key, payload, PutOptions::default())
                .await
                .map_err(|e| self.error(e))?;
            (size, actual)
        } else {
            self.put_parts(&key, first, body, hashed, checksum).await?
        };
        let meta = ObjectMeta {
            id: id.to_owned(),
            size,
            checksum: actual,
        };
        if let Err(e) = self.write_sidecar(&meta).await {
            // The new bytes are in place without their sidecar (and an older sidecar, if any,
            // describes bytes that are gone): leave no object rather than a wrong one.
            if let Err(cleanup) = self.delete(id).await {
                tracing::warn!(region = %self.region, object = id, error = %cleanup, "bytes without a sidecar left in the bucket");
            }
            return Err(e);
        }
        Ok(meta)
    }

    async fn get_from(&self, id: &str, offset: u64) -> Result<GetBody, BlobError> {
        check_id(id)?;
        // No Range header for the whole object: `bytes=0-` of an empty object is a 416.
        let options = if offset == 0 {
            GetOptions::default()
        } else {
            // object_store checks the answer's Content-Range starts at `offset`.
            GetOptions::default().with_range(Some(GetRange::Offset(offset)))
        };
        let got = self
            .bounded(self.store.get_opts(&self.key(id), options), OP_TIMEOUT)
            .await?;
        let bucket = self.bucket.clone();
        Ok(got
            .into_stream()
            .map_err(move |e| blob_error(&bucket, e))
            .boxed())
    }

    async fn head(&self, id: &str) -> Result<ObjectMeta, BlobError> {
        check_id(id)?;
        let key = self.sidecar_key(id);
        let read = async {
            let got = self.store.get_opts(&key, GetOptions::default()).await?;
            got.bytes().await
        };
        let json = self.bounded(read, OP_TIMEOUT).await?;
        let meta: ObjectMeta = serde_json::from_slice(&json)
            .map_err(|e| BlobError::Status(500, format!("sidecar of {id} unreadable: {e}")))?;
        if meta.id != id {
            return Err(BlobError::Status(
                500,
                format!("sidecar of {id} names {}", meta.id),
            ));
        }
        Ok(meta)
    }

    async fn delete(&self, id: &str) -> Result<(), BlobError> {
        check_id(id)?;
        // Sidecar first: the object stops being visible before its bytes go.
        self.delete_key(self.sidecar_key(id)).await?;
        self.delete_key(self.key(id)).await
    }

    /// Data keys come back from S3 in key order, which is id order (ids are ASCII); sidecar keys
    /// would not be (`a-b.meta` sorts before `a.meta`). Each complete object costs one sidecar
    /// read, `LIST_BATCH` at a time; bytes without a sidecar (a failed upload) are skipped.
    async fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<ObjectMeta>, BlobError> {
        let mut page = Vec::new();
        if limit == 0 {
            return Ok(page);
        }
        let mut keys = match after.filter(|a| !a.is_empty()) {
            Some(after) => self
                .store
                .list_with_offset(self.prefix.as_ref(), &self.key(after)),
            None => self.store.list(self.prefix.as_ref()),
        };
        loop {
            let mut batch = Vec::new();
            while batch.len() < LIST_BATCH {
                match keys.next().await {
                    Some(Ok(object)) => {
                        if let Some(id) = self.id_of(&object.location) {
                            if after.is_none_or(|a| id.as_str() > a) {
                                batch.push(id);
                            }
                        }
                    }
                    Some(Err(e)) => return Err(self.error(e)),
                    None => break,
                }
            }
            if batch.is_empty() {
                return Ok(page);
            }
            let metas =
                futures::future::join_all(batch.into_iter().map(|id| self.meta_if_complete(id)))
                    .await;
            for meta in metas {
                if let Some(meta) = meta? {
                    page.push(meta);
                    if page.len() >= limit {
                        return Ok(page);
                    }
                }
            }
        }
    }

    /// Streams the whole object back through this process (S3 cannot hash it where it lives).
    async fn rehash(&self, id: &str) -> Result<RehashReport, BlobError> {
        let recorded = self.head(id).await?;
        let mut bytes = self.get_from(id, 0).await?;
        let mut hashed = Hashed::new();
        while let Some(chunk) = bytes.next().await {
            hashed.update(&chunk?);
        }
        let (actual_size, actual_checksum) = hashed.finish();
        Ok(RehashReport {
            recorded,
            actual_checksum,
            actual_size,
        })
    }
}

/// BLAKE3 and size of the bytes seen so far, in the form `ObjectMeta::checksum` has everywhere
/// (lowercase hex, as `Store::put` and `Cluster::write` compute it).
struct Hashed {
    hasher: blake3::Hasher,
    size: u64,
}

impl Hashed {
    fn new() -> Hashed {
        Hashed {
            hasher: blake3::Hasher::new(),
            size: 0,
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.size = self
            .size
            .saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
    }

    fn finish(&self) -> (u64, String) {
        (self.size, self.hasher.finalize().to_hex().to_string())
    }
}

/// As a storage node answers an invalid id (400, `StoreError::InvalidId`).
fn check_id(id: &str) -> Result<(), BlobError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(BlobError::Status(400, "invalid object id".into()))
    }
}

/// As a storage node answers a wrong checksum: 422 with `StoreError::ChecksumMismatch`'s text.
fn expect_checksum(expected: Option<&str>, actual: &str) -> Result<(), BlobError> {
    match expected {
        Some(expected) if !expected.eq_ignore_ascii_case(actual) => Err(BlobError::Status(
            422,
            format!("checksum mismatch: expected {expected}, got {actual}"),
        )),
        _ => Ok(()),
    }
}

/// The bytes to store broke off (the writer gave up): as a node client sees its request fail.
fn interrupted(e: &std::io::Error) -> BlobError {
    BlobError::Unreachable(format!("upload interrupted: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_are_compared_like_a_node_does() {
        let sum = blake3::hash(b"x").to_hex().to_string();
        assert!(expect_checksum(None, &sum).is_ok());
        assert!(expect_checksum(Some(&sum.to_uppercase()), &sum).is_ok());
        assert!(matches!(
            expect_checksum(Some("00"), &sum),
            Err(BlobError::Status(422, m)) if m.starts_with("checksum mismatch: expected 00")
        ));
    }

    #[test]
    fn keys_are_prefix_slash_id_and_the_store_shows_no_credentials() {
        let location = parse("s3://drive/p/q?endpoint=http://127.0.0.1:8333").unwrap();
        let credentials = S3Credentials {
            access_key_id: "key".into(),
            secret_access_key: "hunter2".into(),
        };
        let store = S3Store::new("eu-west", location, Some(credentials)).unwrap();
        assert_eq!(store.key("abc-1").to_string(), "p/q/abc-1");
        assert_eq!(store.sidecar_key("abc-1").to_string(), "p/q/abc-1.meta");
        assert_eq!(
            store.id_of(&Path::from("p/q/abc-1")).as_deref(),
            Some("abc-1")
        );
        assert_eq!(store.id_of(&Path::from("p/q/abc-1.meta")), None);
        assert_eq!(store.id_of(&Path::from("p/qq/abc-1")), None);
        assert_eq!(
            store.location(),
            "s3://drive/p/q?endpoint=http://127.0.0.1:8333"
        );
    }
}
