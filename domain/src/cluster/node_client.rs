//! Typed calls from the cluster to one storage node over HTTP, each carrying the cluster secret.

use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use reqwest::{header, Body, StatusCode};
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeHealth {
    pub name: String,
    pub region: String,
    pub objects: u64,
    pub bytes: u64,
    pub capacity_bytes: u64,
}

pub use model::cluster::PeerView;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RehashReport {
    pub recorded: ObjectMeta,
    pub actual_checksum: String,
    pub actual_size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullRequest {
    /// Base URL of the node to copy from.
    pub from: String,
    pub checksum: String,
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("node unreachable: {0}")]
    Unreachable(String),
    #[error("node did not answer in time")]
    TimedOut,
    #[error("object not on node")]
    NotFound,
    #[error("node answered {0}: {1}")]
    Status(u16, String),
}

impl From<reqwest::Error> for NodeError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return NodeError::TimedOut;
        }
        NodeError::Unreachable(e.to_string())
    }
}

#[derive(Clone)]
pub struct NodeClient {
    pub spec: NodeSpec,
    http: reqwest::Client,
    secret: String,
}

async fn check(response: reqwest::Response) -> Result<reqwest::Response, NodeError> {
    match response.status() {
        s if s.is_success() => Ok(response),
        StatusCode::NOT_FOUND => Err(NodeError::NotFound),
        s => {
            let text = response.text().await.unwrap_or_default();
            Err(NodeError::Status(s.as_u16(), text))
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

    pub async fn health(&self, timeout: Duration) -> Result<NodeHealth, NodeError> {
        let r = self
            .request(reqwest::Method::GET, "/health")
            .timeout(timeout)
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    pub async fn peers(&self, timeout: Duration) -> Result<Vec<PeerView>, NodeError> {
        let r = self
            .request(reqwest::Method::GET, "/peers")
            .timeout(timeout)
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    /// Streams `body` to the node; the node keeps it only if it hashes to `checksum` (when given).
    pub async fn put(
        &self,
        id: &str,
        body: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + Sync + 'static,
        checksum: Option<&str>,
    ) -> Result<ObjectMeta, NodeError> {
        let mut request = self
            .request(reqwest::Method::PUT, &format!("/objects/{id}"))
            .body(Body::wrap_stream(body));
        if let Some(sum) = checksum {
            request = request.header(CHECKSUM_HEADER, sum);
        }
        Ok(check(request.send().await?).await?.json().await?)
    }

    pub async fn head(&self, id: &str) -> Result<ObjectMeta, NodeError> {
        let r = self
            .request(reqwest::Method::GET, &format!("/objects/{id}/meta"))
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    /// The object's bytes from `offset` on, as a stream.
    pub async fn get_from(
        &self,
        id: &str,
        offset: u64,
    ) -> Result<impl Stream<Item = Result<Bytes, NodeError>> + Send + 'static, NodeError> {
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
            return Err(NodeError::Status(
                r.status().as_u16(),
                format!("asked for bytes from {offset}, got another part"),
            ));
        }
        Ok(r.bytes_stream().map_err(NodeError::from))
    }

    pub async fn delete(&self, id: &str) -> Result<(), NodeError> {
        let r = self
            .request(reqwest::Method::DELETE, &format!("/objects/{id}"))
            .send()
            .await?;
        match check(r).await {
            Ok(_) | Err(NodeError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Asks the node to re-read and hash its copy.
    pub async fn rehash(&self, id: &str) -> Result<RehashReport, NodeError> {
        let r = self
            .request(reqwest::Method::POST, &format!("/objects/{id}/verify"))
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    /// Asks the node to copy the object from another node (node to node), checking `checksum`.
    pub async fn pull(
        &self,
        id: &str,
        from: &NodeSpec,
        checksum: &str,
    ) -> Result<ObjectMeta, NodeError> {
        let r = self
            .request(reqwest::Method::POST, &format!("/objects/{id}/pull"))
            .json(&PullRequest {
                from: from.url.clone(),
                checksum: checksum.to_owned(),
            })
            .send()
            .await?;
        Ok(check(r).await?.json().await?)
    }

    /// One page of the node's index.
    pub async fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ObjectMeta>, NodeError> {
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
