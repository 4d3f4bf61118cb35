//! The default deployment: three nodes (us-east, eu-west, asia) inside the app, each on its
//! own loopback port with its own directory under `<data dir>/nodes/`. They can be stopped and
//! started again on the same port, for fault injection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use domain::cluster::{NodeControl, NodeSpec, REGIONS};
use futures::future::BoxFuture;
use tokio::sync::{oneshot, Mutex};

use super::{serve, Node, NodeConfig};

struct Running {
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

pub struct EmbeddedNodes {
    configs: HashMap<String, (NodeConfig, SocketAddr)>,
    running: Mutex<HashMap<String, Running>>,
}

impl EmbeddedNodes {
    /// Starts one node per region on free loopback ports; returns them and their addresses.
    pub async fn start(
        data_dir: &Path,
        secret: &str,
        capacity_bytes: u64,
    ) -> std::io::Result<(Arc<EmbeddedNodes>, Vec<NodeSpec>)> {
        let mut listeners = Vec::new();
        for region in REGIONS {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            listeners.push((region, listener, addr));
        }
        let specs: Vec<NodeSpec> = listeners
            .iter()
            .map(|(region, _, addr)| NodeSpec {
                name: (*region).to_owned(),
                region: (*region).to_owned(),
                url: format!("http://{addr}"),
            })
            .collect();
        let mut configs = HashMap::new();
        for (region, _, addr) in &listeners {
            let config = NodeConfig {
                name: (*region).to_owned(),
                region: (*region).to_owned(),
                data_dir: data_dir.join(region),
                peers: specs
                    .iter()
                    .filter(|s| s.name != *region)
                    .cloned()
                    .collect(),
                secret: secret.to_owned(),
                capacity_bytes,
            };
            configs.insert((*region).to_owned(), (config, *addr));
        }
        let nodes = Arc::new(EmbeddedNodes {
            configs,
            running: Mutex::new(HashMap::new()),
        });
        for (region, listener, _) in listeners {
            nodes.launch(region, listener).await?;
        }
        Ok((nodes, specs))
    }

    async fn launch(&self, name: &str, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let Some((config, _)) = self.configs.get(name) else {
            return Err(std::io::Error::other(format!("no node named {name}")));
        };
        let node = Node::open(config.clone()).await?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = serve(node, listener, async {
                let _ = stop.await;
            })
            .await;
        });
        self.running
            .lock()
            .await
            .insert(name.to_owned(), Running { shutdown, task });
        tracing::info!(node = name, "storage node started");
        Ok(())
    }
}

impl NodeControl for EmbeddedNodes {
    fn stop<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let running = self.running.lock().await.remove(name);
            let Some(running) = running else {
                return Err(format!("Node {name} is not running."));
            };
            let _ = running.shutdown.send(());
            // In-flight transfers get a moment; then the node is gone.
            let abort = running.task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), running.task)
                .await
                .is_err()
            {
                abort.abort();
            }
            tracing::warn!(node = name, "storage node stopped (fault injection)");
            Ok(())
        })
    }

    fn start<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            if self.running.lock().await.contains_key(name) {
                return Err(format!("Node {name} is already running."));
            }
            let (_, addr) = self
                .configs
                .get(name)
                .ok_or_else(|| format!("No node named {name}."))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("Cannot listen on {addr} again: {e}"))?;
            self.launch(name, listener).await.map_err(|e| e.to_string())
        })
    }
}
