//! Typed calls from the cluster to one storage node over HTTP, each carrying the cluster secret.

use std::time::Duration;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use reqwest::{header, Body, StatusCode};
use serde::{Deserialize, Serialize};

use super::blob_store::{
    BlobError, BlobStore, GetBody, PeerView, PutBody, RehashReport, StoreHealth,
};
use super::store::ObjectMeta;

/// The header node-to-node and cluster-to-node requests carry.
pub const SECRET_HEADER: &str = "x-cluster-secret";
/// The checksum a PUT must match, and the one a GET/HEAD reports.
pub const CHECKSUM_HEADER: &str = "x-content-checksum";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    pub name: String,
    pub region: String,
    /// Base URL, e.g. `http://127.0.0.1:7301`.
    pub url: String,
}

/// A node's answer to `/health`: who it is and what it holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeHealth {
    pub name: String,
    pub region: String,
    pub objects: u64,
    pub bytes: u64,
    pub capacity_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullRequest {
    /// Base URL of the node to copy from.
    pub from: String,
    pub checksum: String,
}

impl From<reqwest::Error> for BlobError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return BlobError::TimedOut;
        }
        BlobError::Unreachable(e.to_string())
    }
}

#[derive(Clone)]
pub struct NodeClient {
    pub spec: NodeSpec,
    http: reqwest::Client,
    secret: String,
}

async fn check(response: reqwest::Response) -> Result<reqwest::Response, BlobError> {
    match response.status() {
        s if s.is_success() => Ok(response),
        StatusCode::NOT_FOUND => Err(BlobError::NotFound),
        s => {
            let text = response.text().await.unwrap_or_default();
            Err(BlobError::Status(s.as_u16(), text))
        }
    }
}

impl NodeClient {
    pub fn new(spec: NodeSpec, http: reqwest::Client, secret: &str) -> NodeClient {
        NodeClient {
            spec,
            http,
            secret: secret.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.spec.url.trim_end_matches('/'))
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header(SECRET_HEADER, &self.secret)
    }

    /// The node's own report, with its name and region (the storage nodes ping each other).
    pub async fn node_health(&self, timeout: Duration) -> Result<NodeHealth, BlobError> {
        let r = self
            .request(reqwest::Method::GET, "/health")
            .timeout(timeout)
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }
}

#[async_trait]
impl BlobStore for NodeClient {
    fn location(&self) -> &str {
        &self.spec.url
    }

    fn node_url(&self) -> Option<&str> {
        Some(&self.spec.url)
    }

    async fn health(&self, timeout: Duration) -> Result<StoreHealth, BlobError> {
        let h = self.node_health(timeout).await?;
        Ok(StoreHealth {
            objects: h.objects,
            bytes: h.bytes,
            capacity_bytes: h.capacity_bytes,
        })
    }

    async fn peers(&self, timeout: Duration) -> Vec<PeerView> {
        let asked = async {
            let r = self
                .request(reqwest::Method::GET, "/peers")
                .timeout(timeout)
                .send()
                .await?;
            Ok::<_, BlobError>(check(r).await?.json().await?)
        };
        asked.await.unwrap_or_default()
    }

    async fn put(
        &self,
        id: &str,
        body: PutBody,
        checksum: Option<&str>,
    ) -> Result<ObjectMeta, BlobError> {
        let mut request = self
            .request(reqwest::Method::PUT, &format!("/objects/{id}"))
            .body(Body::wrap_stream(body));
        if let Some(sum) = checksum {
            request = request.header(CHECKSUM_HEADER, sum);
        }
        Ok(check(request.send().await?).await?.json().await?)
    }

    async fn head(&self, id: &str) -> Result<ObjectMeta, BlobError> {
        let r = self
            .request(reqwest::Method::GET, &format!("/objects/{id}/meta"))
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    async fn get_from(&self, id: &str, offset: u64) -> Result<GetBody, BlobError> {
        let mut request = self.request(reqwest::Method::GET, &format!("/objects/{id}"));
        if offset > 0 {
            request = request.header(header::RANGE, format!("bytes={offset}-"));
        }
        let r = check(request.send().await?).await?;
        // Bytes from anywhere but `offset` would be spliced in at the wrong place.
        let expected = format!("bytes {offset}-");
        let from_offset = offset == 0
            || (r.status() == reqwest::StatusCode::PARTIAL_CONTENT
                && r.headers()
                    .get(header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with(&expected)));
        if !from_offset {
            return Err(BlobError::Status(
                r.status().as_u16(),
                format!("asked for bytes from {offset}, got another part"),
            ));
        }
        Ok(r.bytes_stream().map_err(BlobError::from).boxed())
    }

    async fn delete(&self, id: &str) -> Result<(), BlobError> {
        let r = self
            .request(reqwest::Method::DELETE, &format!("/objects/{id}"))
            .send()
            .await?;
        match check(r).await {
            Ok(_) | Err(BlobError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn rehash(&self, id: &str) -> Result<RehashReport, BlobError> {
        let r = self
            .request(reqwest::Method::POST, &format!("/objects/{id}/verify"))
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    async fn pull(
        &self,
        id: &str,
        from: &str,
        checksum: &str,
    ) -> Option<Result<ObjectMeta, BlobError>> {
        let pulled = async {
            let r = self
                .request(reqwest::Method::POST, &format!("/objects/{id}/pull"))
                .json(&PullRequest {
                    from: from.to_owned(),
                    checksum: checksum.to_owned(),
                })
                .send()
                .await?;
            Ok(check(r).await?.json().await?)
        };
        Some(pulled.await)
    }

    async fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<ObjectMeta>, BlobError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(a) = after {
            query.push(("after", a.to_owned()));
        }
        let r = self
            .request(reqwest::Method::GET, "/objects")
            .query(&query)
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }
}
