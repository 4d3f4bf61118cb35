//! The HTTP client behind an S3 store: a short connect, a read timeout instead of a deadline
//! on the whole request, few and quick retries (see the module comment of `s3_store`).

use std::time::Duration;

use object_store::client::{HttpClient, HttpConnector};
use object_store::{BackoffConfig, ClientOptions, RetryConfig};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// See the module comment. Also bounds one part's upload (5 MiB in 60 s is 85 KiB/s).
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle connections are dropped before the server drops them (AWS closes idle keep-alive
/// connections after about 20 s; reqwest's default keeps them 90 s).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// The reqwest client behind the store: short connect, a read timeout instead of a deadline.
#[derive(Debug)]
pub(super) struct Connector {
    pub(super) allow_http: bool,
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
pub(super) fn client_options(allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_timeout_disabled()
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_pool_idle_timeout(POOL_IDLE_TIMEOUT)
}

/// Few, quick retries: the cluster has other regions to turn to.
pub(super) fn retry_config() -> RetryConfig {
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
