//! A storage node: a small HTTP service that keeps objects under its own data directory.
//! Every request must carry the cluster secret. Run standalone with `server node ...`, or
//! three of them in-process (the default deployment, see `embedded`).

pub mod embedded;
mod handlers;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::cluster::node_client::{NodeSpec, SECRET_HEADER};
use domain::cluster::store::Store;
use domain::cluster::PeerView;
use domain::cluster::{BlobStore, NodeClient};

#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub name: String,
    pub region: String,
    pub data_dir: PathBuf,
    pub peers: Vec<NodeSpec>,
    pub secret: String,
    pub capacity_bytes: u64,
}

pub struct Node {
    config: NodeConfig,
    store: Store,
    /// Clients for the other nodes (health checks, pulls), carrying the cluster secret.
    peer_clients: Vec<NodeClient>,
    peers: RwLock<Vec<PeerView>>,
}

async fn require_secret(State(node): State<Arc<Node>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !domain::secrets::same_secret(given, node.config.secret.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, "cluster secret required").into_response();
    }
    next.run(request).await
}

impl Node {
    pub async fn open(config: NodeConfig) -> std::io::Result<Arc<Node>> {
        let store = Store::open(&config.data_dir)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_default();
        let peer_clients = config
            .peers
            .iter()
            .map(|peer| NodeClient::new(peer.clone(), http.clone(), &config.secret))
            .collect();
        Ok(Arc::new(Node {
            config,
            store,
            peer_clients,
            peers: RwLock::new(Vec::new()),
        }))
    }

    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/health", get(handlers::health))
            .route("/peers", get(handlers::peers))
            .route("/objects", get(handlers::list))
            .route(
                "/objects/{id}",
                get(handlers::get_object)
                    .put(handlers::put_object)
                    .delete(handlers::delete_object),
            )
            .route("/objects/{id}/meta", get(handlers::head_object))
            .route("/objects/{id}/verify", post(handlers::verify_object))
            .route("/objects/{id}/pull", post(handlers::pull_object))
            .layer(middleware::from_fn_with_state(self.clone(), require_secret))
            .with_state(self.clone())
    }

    /// Pings every peer on an interval, for `/peers` (the node's view of the mesh).
    pub async fn watch_peers(self: Arc<Self>, every: Duration) {
        loop {
            let checks = self.peer_clients.iter().map(|client| async move {
                let started = Instant::now();
                let up = client.health(Duration::from_secs(1)).await.is_ok();
                PeerView {
                    name: client.spec.name.clone(),
                    up,
                    latency_ms: up
                        .then(|| u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
                }
            });
            let views = futures::future::join_all(checks).await;
            if let Ok(mut peers) = self.peers.write() {
                *peers = views;
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// Serves a node on `listener` until `shutdown` resolves.
pub async fn serve(
    node: Arc<Node>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = tokio::spawn(node.clone().watch_peers(Duration::from_secs(2)));
    let result = axum::serve(
        listener,
        node.router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    watcher.abort();
    result
}
