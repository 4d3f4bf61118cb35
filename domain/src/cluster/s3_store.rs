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

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::client::{HttpClient, HttpConnector, HttpError, HttpErrorKind};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, MultipartId, ObjectStore, PutOptions,
    PutPayload, PutPayloadMut, RetryConfig,
};
use tokio::task::JoinSet;

use super::blob_store::{BlobError, BlobStore, GetBody, PutBody, RehashReport, StoreHealth};
use super::store::{valid_id, ObjectMeta};

/// Objects up to this size (a drive block, `CHUNK_SIZE`) go up in a single PUT, held in memory
/// once; larger ones in parts of this size (S3's smallest part is 5 MiB).
const PART: usize = 8 * 1024 * 1024;
/// Parts uploading at once while the next one fills: an object larger than one part holds at
/// most `PARTS_IN_FLIGHT * PART` bytes, whatever its size.
const PARTS_IN_FLIGHT: usize = 2;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// See the module comment. Also bounds one part's upload (5 MiB in 60 s is 85 KiB/s).
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle connections are dropped before the server drops them (AWS closes idle keep-alive
/// connections after about 20 s; reqwest's default keeps them 90 s).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(15);
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

/// Where a region's bucket is: `s3://bucket[/prefix]?endpoint=http://host:port&region=name`.
/// Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Key prefix, without leading or trailing `/`.
    pub prefix: Option<String>,
    /// `scheme://host[:port]` of an S3-compatible service; `None` is AWS itself.
    pub endpoint: Option<String>,
    /// The region requests are signed for (required for AWS).
    pub region: Option<String>,
}

impl S3Location {
    /// The location as a URL, in one canonical form (for /nodes, logs and `NodeSpec::url`).
    pub fn url(&self) -> String {
        let mut url = format!("s3://{}", self.bucket);
        if let Some(prefix) = &self.prefix {
            url.push('/');
            url.push_str(prefix);
        }
        let mut separator = '?';
        if let Some(endpoint) = &self.endpoint {
            url.push(separator);
            url.push_str("endpoint=");
            url.push_str(endpoint);
            separator = '&';
        }
        if let Some(region) = &self.region {
            url.push(separator);
            url.push_str("region=");
            url.push_str(region);
        }
        url
    }
}

/// Parses `s3://bucket[/prefix]?endpoint=...&region=...`. Errors never repeat the input (it
/// might carry a credential someone pasted into it).
pub fn parse(url: &str) -> Result<S3Location, String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| format!("not an s3://bucket URL: {e}"))?;
    if parsed.scheme() != "s3" {
        return Err(format!(
            "not an s3://bucket URL (scheme {:?})",
            parsed.scheme()
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "credentials do not go in the URL: set CLUSTER_S3_<NAME>_ACCESS_KEY_ID and \
                    CLUSTER_S3_<NAME>_SECRET_ACCESS_KEY"
                .into(),
        );
    }
    if parsed.port().is_some() {
        return Err("a port belongs in endpoint=..., not after the bucket".into());
    }
    if parsed.fragment().is_some() {
        return Err("an s3:// URL has no #fragment".into());
    }
    let bucket = parsed.host_str().unwrap_or_default();
    if !valid_bucket(bucket) {
        return Err(format!(
            "{bucket:?} is not a bucket name (3 to 63 lowercase letters, digits, '.' and '-')"
        ));
    }
    let path = parsed.path().trim_matches('/');
    let prefix = if path.is_empty() {
        None
    } else {
        if let Some(bad) = path.split('/').find(|s| !valid_prefix_segment(s)) {
            return Err(format!(
                "prefix segment {bad:?} is not allowed (letters, digits, '-', '_' and '.')"
            ));
        }
        Some(path.to_owned())
    };
    let (mut endpoint, mut region) = (None, None);
    for (key, value) in parsed.query_pairs() {
        let slot = match &*key {
            "endpoint" => &mut endpoint,
            "region" => &mut region,
            other => {
                return Err(format!(
                    "unknown parameter {other:?} (known: endpoint, region)"
                ))
            }
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(format!("{key} is given twice"));
        }
    }
    let endpoint = endpoint.as_deref().map(parse_endpoint).transpose()?;
    if let Some(r) = &region {
        let ok = (1..=32).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(format!("{r:?} is not a region name"));
        }
    }
    if endpoint.is_none() && region.is_none() {
        return Err(
            "give region=... for AWS S3, or endpoint=http(s)://host:port for another S3 service"
                .into(),
        );
    }
    Ok(S3Location {
        bucket: bucket.to_owned(),
        prefix,
        endpoint,
        region,
    })
}

/// `http(s)://host[:port]` and nothing else (path-style requests add `/bucket/key`).
fn parse_endpoint(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("endpoint is not a URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials do not go in the endpoint".into());
    }
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("endpoint must be an http(s) URL, like http://127.0.0.1:8333".into());
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("endpoint must be scheme://host[:port] only, without a path".into());
    }
    Ok(url.origin().ascii_serialization())
}

fn valid_bucket(name: &str) -> bool {
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(name.as_bytes().first())
        && edge_ok(name.as_bytes().last())
        && !name.contains("..")
}

fn valid_prefix_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An access key for one store. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// `eu-west-1` → `EU_WEST_1`: a store's name as it appears in its variables.
pub fn env_name(store: &str) -> String {
    store
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The store's credentials from `CLUSTER_S3_<NAME>_ACCESS_KEY_ID` and
/// `CLUSTER_S3_<NAME>_SECRET_ACCESS_KEY`, else `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`;
/// `None` when neither pair is set (requests then go unsigned). Half a pair is an error.
pub fn credentials_from(
    store: &str,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<S3Credentials>, String> {
    let prefix = format!("CLUSTER_S3_{}", env_name(store));
    let own = credential_pair(
        &get,
        &format!("{prefix}_ACCESS_KEY_ID"),
        &format!("{prefix}_SECRET_ACCESS_KEY"),
    )?;
    match own {
        Some(credentials) => Ok(Some(credentials)),
        None => credential_pair(&get, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
    }
}

fn credential_pair(
    get: &impl Fn(&str) -> Option<String>,
    id_var: &str,
    secret_var: &str,
) -> Result<Option<S3Credentials>, String> {
    match (get(id_var), get(secret_var)) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(Some(S3Credentials {
            access_key_id,
            secret_access_key,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!("{id_var} is set but {secret_var} is not")),
        (None, Some(_)) => Err(format!("{secret_var} is set but {id_var} is not")),
    }
}

/// The reqwest client behind the store: short connect, a read timeout instead of a deadline.
#[derive(Debug)]
struct Connector {
    allow_http: bool,
}

impl HttpConnector for Connector {
    fn connect(&self, _options: &ClientOptions) -> object_store::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .tcp_nodelay(true)
            // As object_store's own client: HTTP/2 is slower for object transfers, and
            // decompression would make sizes disagree with Content-Length.
            .http1_only()
            .no_gzip()
            .no_brotli()
            .no_zstd()
            .no_deflate()
            .https_only(!self.allow_http)
            .build()
            .map_err(|e| object_store::Error::Generic {
                store: "S3",
                source: Box::new(e),
            })?;
        Ok(HttpClient::new(client))
    }
}

/// The object_store view of the same settings (the connector above is what applies them; these
/// keep the builder consistent if the connector is ever dropped).
fn client_options(allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_timeout_disabled()
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_pool_idle_timeout(POOL_IDLE_TIMEOUT)
}

/// Few, quick retries: the cluster has other regions to turn to.
fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
        },
        max_retries: 2,
        retry_timeout: Duration::from_secs(5),
    }
}

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

/// One multipart upload in progress: parts upload in their own tasks while the next one fills.
/// Dropped before it completed or was aborted (the write was cancelled), it aborts itself in
/// the background, so no parts are left behind.
struct Upload<'a> {
    s3: &'a S3Store,
    key: Path,
    id: MultipartId,
    tasks: JoinSet<object_store::Result<(usize, PartId)>>,
    /// One slot per part sent, filled as each finishes.
    parts: Vec<Option<PartId>>,
    buffer: PutPayloadMut,
    open: bool,
}

impl<'a> Upload<'a> {
    fn new(s3: &'a S3Store, key: Path, id: MultipartId) -> Upload<'a> {
        Upload {
            s3,
            key,
            id,
            tasks: JoinSet::new(),
            parts: Vec::new(),
            buffer: PutPayloadMut::new(),
            open: true,
        }
    }

    /// Adds bytes, sending every part that fills (all parts but the last are exactly `PART`).
    fn push(&mut self, mut bytes: Bytes) {
        while !bytes.is_empty() {
            let room = PART.saturating_sub(self.buffer.content_length());
            if bytes.len() < room {
                self.buffer.push(bytes);
                return;
            }
            self.buffer.push(bytes.split_to(room));
            self.send_buffer();
        }
    }

    /// Sends the last, short part.
    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            self.send_buffer();
        }
    }

    fn send_buffer(&mut self) {
        let part = std::mem::take(&mut self.buffer).freeze();
        let index = self.parts.len();
        self.parts.push(None);
        let (store, key, id) = (self.s3.store.clone(), self.key.clone(), self.id.clone());
        self.tasks.spawn(async move {
            store
                .put_part(&key, &id, index, part)
                .await
                .map(|part| (index, part))
        });
    }

    /// Waits until at most `max` parts are still uploading; the first failed part fails it.
    async fn settle(&mut self, max: usize) -> Result<(), BlobError> {
        while self.tasks.len() > max {
            match self.tasks.join_next().await {
                Some(Ok(Ok((index, part)))) => {
                    if let Some(slot) = self.parts.get_mut(index) {
                        *slot = Some(part);
                    }
                }
                Some(Ok(Err(e))) => return Err(self.s3.error(e)),
                Some(Err(e)) => {
                    return Err(BlobError::Unreachable(format!("part upload stopped: {e}")))
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Makes the object visible (all parts must have settled); aborts on failure.
    async fn complete(&mut self) -> Result<(), BlobError> {
        let parts: Option<Vec<PartId>> = std::mem::take(&mut self.parts).into_iter().collect();
        let Some(parts) = parts else {
            self.abort().await;
            return Err(BlobError::Status(
                500,
                "a part of the upload did not finish".into(),
            ));
        };
        let completing = self.s3.store.complete_multipart(&self.key, &self.id, parts);
        match self.s3.bounded(completing, COMPLETE_TIMEOUT).await {
            Ok(_) => {
                self.open = false;
                Ok(())
            }
            Err(e) => {
                self.abort().await;
                Err(e)
            }
        }
    }

    /// Stops the parts still uploading and discards the ones uploaded.
    async fn abort(&mut self) {
        self.tasks.shutdown().await;
        let aborting = self.s3.store.abort_multipart(&self.key, &self.id);
        if let Err(e) = self.s3.bounded(aborting, OP_TIMEOUT).await {
            tracing::warn!(region = %self.s3.region, key = %self.key, error = %e, "multipart upload not aborted; a bucket lifecycle rule will have to remove its parts");
        }
        self.open = false;
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let (store, key, id) = (self.s3.store.clone(), self.key.clone(), self.id.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = tokio::time::timeout(OP_TIMEOUT, store.abort_multipart(&key, &id)).await;
            });
        }
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

/// What an object_store error means to the cluster. Reasons a person must act on (no bucket,
/// refused credentials) come out as `Status` with a plain sentence, for /nodes.
fn blob_error(bucket: &str, e: object_store::Error) -> BlobError {
    if let Some(kind) = transport_failure(&e) {
        return match kind {
            HttpErrorKind::Timeout => BlobError::TimedOut,
            _ => BlobError::Unreachable(e.to_string()),
        };
    }
    let text = e.to_string();
    match s3_code(&text) {
        Some("NoSuchBucket") => {
            return BlobError::Status(404, format!("bucket {bucket:?} does not exist"))
        }
        Some(code @ ("InvalidAccessKeyId" | "SignatureDoesNotMatch")) => {
            return BlobError::Status(
                403,
                format!("credentials refused ({code}): check this store's access key and secret"),
            )
        }
        Some(code @ ("AccessDenied" | "AllAccessDisabled")) => {
            return BlobError::Status(
                403,
                format!(
                    "access to bucket {bucket:?} denied ({code}): missing credentials, or a key \
                     without permission on it"
                ),
            )
        }
        _ => {}
    }
    match e {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        // HEAD answers carry no body, so no S3 error code.
        object_store::Error::PermissionDenied { .. } => BlobError::Status(
            403,
            format!("access to bucket {bucket:?} denied: credentials refused or not allowed"),
        ),
        object_store::Error::Unauthenticated { .. } => BlobError::Status(
            401,
            format!("bucket {bucket:?} asks for credentials: none were accepted"),
        ),
        _ => match http_status(&text) {
            Some(status) => BlobError::Status(status, text),
            None => BlobError::Unreachable(text),
        },
    }
}

/// The kind of the transport failure (connect, timeout, broken connection) behind an error, if
/// that is what it is. object_store's request errors are not public types; its `HttpError`,
/// found down the `source()` chain, is.
fn transport_failure(e: &(dyn std::error::Error + 'static)) -> Option<HttpErrorKind> {
    let mut next = Some(e);
    while let Some(error) = next {
        if let Some(http) = error.downcast_ref::<HttpError>() {
            return Some(http.kind());
        }
        next = error.source();
    }
    None
}

/// The S3 error code in an error's text (the XML body object_store quotes): `NoSuchBucket`...
fn s3_code(text: &str) -> Option<&str> {
    const OPEN: &str = "<Code>";
    let start = text.find(OPEN)? + OPEN.len();
    let rest = text.get(start..)?;
    rest.get(..rest.find("</Code>")?)
}

/// The status in object_store's "Server returned non-2xx status code: 503 Service Unavailable".
fn http_status(text: &str) -> Option<u16> {
    const MARK: &str = "status code: ";
    let at = text.find(MARK)? + MARK.len();
    text.get(at..at + 3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn locations_parse_to_one_canonical_url() {
        let l = parse("s3://drive-eu/some/prefix?region=eu-west-1&endpoint=http://127.0.0.1:8333/")
            .unwrap();
        assert_eq!(l.bucket, "drive-eu");
        assert_eq!(l.prefix.as_deref(), Some("some/prefix"));
        assert_eq!(l.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        assert_eq!(l.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            l.url(),
            "s3://drive-eu/some/prefix?endpoint=http://127.0.0.1:8333&region=eu-west-1"
        );
        assert_eq!(parse(&l.url()).unwrap(), l);
        let aws = parse("s3://drive-us?region=us-east-1").unwrap();
        assert_eq!((aws.prefix, aws.endpoint), (None, None));
        let bare = parse("s3://drive-asia/?endpoint=https://s3.example.org").unwrap();
        assert_eq!(
            bare.url(),
            "s3://drive-asia?endpoint=https://s3.example.org"
        );
    }

    #[test]
    fn bad_locations_are_explained_without_echoing_secrets() {
        let err = parse("s3://AKIAKEY:hunter2@bucket?region=us-east-1").unwrap_err();
        assert!(err.contains("CLUSTER_S3_<NAME>_ACCESS_KEY_ID"), "{err}");
        assert!(!err.contains("hunter2"));
        let err = parse("s3://bucket?endpoint=http://k:hunter2@host:8333").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        for bad in [
            "http://bucket?region=us-east-1",
            "s3://bucket",
            "s3://Bucket?region=us-east-1",
            "s3://b?region=us-east-1",
            "s3://bucket:9000?region=us-east-1",
            "s3://bucket/a b?region=us-east-1",
            "s3://bucket/a//b?region=us-east-1",
            "s3://bucket/a%2Fb?region=us-east-1",
            "s3://bucket?region=us-east-1&bucket=x",
            "s3://bucket?region=us-east-1&region=eu-west-1",
            "s3://bucket?endpoint=ftp://host",
            "s3://bucket?endpoint=http://host:8333/path",
            "s3://bucket?endpoint=http://host&region=EU WEST",
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn credentials_come_from_the_store_or_from_aws_variables() {
        let vars = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let own = vars(&[
            ("CLUSTER_S3_EU_WEST_ACCESS_KEY_ID", "eu-key"),
            ("CLUSTER_S3_EU_WEST_SECRET_ACCESS_KEY", "eu-secret"),
            ("AWS_ACCESS_KEY_ID", "aws-key"),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
        ]);
        let found = credentials_from("eu-west", |k| own.get(k).cloned()).unwrap();
        assert_eq!(found.unwrap().access_key_id, "eu-key");
        let fallback = credentials_from("asia", |k| own.get(k).cloned()).unwrap();
        assert_eq!(fallback.unwrap().access_key_id, "aws-key");
        assert!(credentials_from("asia", |_| None).unwrap().is_none());
        let half = vars(&[("CLUSTER_S3_ASIA_ACCESS_KEY_ID", "k")]);
        let err = credentials_from("asia", |k| half.get(k).cloned()).unwrap_err();
        assert!(err.contains("CLUSTER_S3_ASIA_SECRET_ACCESS_KEY"), "{err}");
        let shown = format!(
            "{:?}",
            S3Credentials {
                access_key_id: "k".into(),
                secret_access_key: "hunter2".into()
            }
        );
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn s3_answers_become_reasons() {
        let body = "Server returned non-2xx status code: 404 Not Found: <?xml version=\"1.0\"?>\
                    <Error><Code>NoSuchBucket</Code><Message>x</Message></Error>";
        assert_eq!(s3_code(body), Some("NoSuchBucket"));
        assert_eq!(http_status(body), Some(404));
        assert_eq!(s3_code("no xml here"), None);
        let generic = |text: &str| object_store::Error::Generic {
            store: "S3",
            source: text.to_owned().into(),
        };
        assert!(matches!(
            blob_error("b", generic(body)),
            BlobError::Status(404, m) if m.contains("does not exist")
        ));
        assert!(matches!(
            blob_error("b", generic("status code: 403 Forbidden: <Code>InvalidAccessKeyId</Code>")),
            BlobError::Status(403, m) if m.contains("credentials refused")
        ));
        assert!(matches!(
            blob_error("b", generic("status code: 503 Service Unavailable")),
            BlobError::Status(503, _)
        ));
        let missing = object_store::Error::NotFound {
            path: "p".into(),
            source: "404".into(),
        };
        assert!(matches!(blob_error("b", missing), BlobError::NotFound));
        let timeout = object_store::Error::Generic {
            store: "S3",
            source: Box::new(HttpError::new(
                HttpErrorKind::Timeout,
                std::io::Error::from(std::io::ErrorKind::TimedOut),
            )),
        };
        assert!(matches!(blob_error("b", timeout), BlobError::TimedOut));
    }

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
