//! The storage node's HTTP handlers.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::cluster::blob_store::{BlobStore, RehashReport};
use domain::cluster::node_client::{NodeHealth, PullRequest, CHECKSUM_HEADER};
use domain::cluster::store::StoreError;
use futures::TryStreamExt;
use serde::Deserialize;
use tokio::io::AsyncReadExt;
use tokio_util::io::{ReaderStream, StreamReader};

use crate::range::{self, Ranged};

use super::Node;

fn store_error(e: StoreError) -> Response {
    let status = match &e {
        StoreError::InvalidId => StatusCode::BAD_REQUEST,
        StoreError::NotFound => StatusCode::NOT_FOUND,
        StoreError::ChecksumMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        StoreError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, e.to_string()).into_response()
}

pub async fn health(State(node): State<Arc<Node>>) -> Json<NodeHealth> {
    Json(NodeHealth {
        name: node.config.name.clone(),
        region: node.config.region.clone(),
        objects: node.store.objects(),
        bytes: node.store.bytes(),
        capacity_bytes: node.config.capacity_bytes,
    })
}

pub async fn peers(State(node): State<Arc<Node>>) -> Response {
    let peers = node.peers.read().map(|p| p.clone()).unwrap_or_default();
    Json(peers).into_response()
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    limit: Option<usize>,
}

pub async fn list(State(node): State<Arc<Node>>, Query(q): Query<ListQuery>) -> Response {
    match node
        .store
        .list(q.after.as_deref(), q.limit.unwrap_or(1000).min(10_000))
        .await
    {
        Ok(page) => Json(page).into_response(),
        Err(e) => store_error(e),
    }
}

pub async fn put_object(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let expected = headers.get(CHECKSUM_HEADER).and_then(|v| v.to_str().ok());
    let reader = StreamReader::new(body.into_data_stream().map_err(std::io::Error::other));
    match node.store.put(&id, reader, expected).await {
        Ok(meta) => Json(meta).into_response(),
        Err(e) => store_error(e),
    }
}

pub async fn head_object(State(node): State<Arc<Node>>, Path(id): Path<String>) -> Response {
    match node.store.meta(&id).await {
        Ok(meta) => Json(meta).into_response(),
        Err(e) => store_error(e),
    }
}

pub async fn get_object(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let meta = match node.store.meta(&id).await {
        Ok(meta) => meta,
        Err(e) => return store_error(e),
    };
    let part = match range::resolve(&headers, meta.size) {
        Ranged::Full => None,
        Ranged::Partial(part) => Some(part),
        Ranged::Unsatisfiable => {
            return range::unsatisfiable(meta.size, "range outside the object")
        }
    };
    let bytes = part.clone().unwrap_or(0..meta.size);
    let (meta, file) = match node.store.open_at(&id, bytes.start).await {
        Ok(found) => found,
        Err(e) => return store_error(e),
    };
    let length = bytes.end.min(meta.size).saturating_sub(bytes.start);
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(length), 256 * 1024));
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(sum) = HeaderValue::from_str(&meta.checksum) {
        h.insert(CHECKSUM_HEADER, sum);
    }
    if let Some(part) = part {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Some(v) = range::content_range(&part, meta.size) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    response
}

pub async fn delete_object(State(node): State<Arc<Node>>, Path(id): Path<String>) -> Response {
    match node.store.delete(&id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => store_error(e),
    }
}

pub async fn verify_object(State(node): State<Arc<Node>>, Path(id): Path<String>) -> Response {
    match node.store.rehash(&id).await {
        Ok((recorded, actual_checksum, actual_size)) => Json(RehashReport {
            recorded,
            actual_checksum,
            actual_size,
        })
        .into_response(),
        Err(e) => store_error(e),
    }
}

/// Copies the object from a peer (only a known peer: no fetching arbitrary URLs).
pub async fn pull_object(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    Json(pull): Json<PullRequest>,
) -> Response {
    let Some(source) = node.peer_clients.iter().find(|p| p.spec.url == pull.from) else {
        return (StatusCode::BAD_REQUEST, "not a peer of this node").into_response();
    };
    let bytes = match source.get_from(&id, 0).await {
        Ok(stream) => stream,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("source: {e}")).into_response(),
    };
    let reader = StreamReader::new(bytes.map_err(std::io::Error::other));
    match node.store.put(&id, reader, Some(&pull.checksum)).await {
        Ok(meta) => Json(meta).into_response(),
        Err(e) => store_error(e),
    }
}
