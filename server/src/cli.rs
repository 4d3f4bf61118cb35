//! Subcommands besides running the app:
//! - `server node --name N --region R --listen ADDR --data-dir DIR [--peer name@region=url]...
//!   [--capacity BYTES]`: run one storage node (needs `CLUSTER_SECRET`);
//! - `server nodes stop|start NAME`: fault injection on a running app's built-in nodes, through
//!   its admin API (`CLOUDDRIVE_URL`, default http://127.0.0.1:3000; `CLOUDDRIVE_TOKEN`: an
//!   admin's session token).

use std::path::PathBuf;

use domain::cluster::parse_node_list;

use crate::node::{serve, Node, NodeConfig};

pub const USAGE: &str = "usage:
  server                                   run the app (configuration from the environment)
  server node --name N --region R --listen ADDR --data-dir DIR [--peer name@region=url]... [--capacity BYTES]
  server nodes stop|start NAME             stop or start a built-in node of a running app";

fn flag(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

pub async fn run_node(args: &[String]) -> Result<(), String> {
    let required = |name: &str| flag(args, name).ok_or_else(|| format!("missing {name}\n{USAGE}"));
    let peers = args
        .windows(2)
        .filter(|w| w[0] == "--peer")
        .map(|w| parse_node_list(&w[1]))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let secret = std::env::var("CLUSTER_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .ok_or("CLUSTER_SECRET must be set for a storage node")?;
    let config = NodeConfig {
        name: required("--name")?,
        region: required("--region")?,
        data_dir: PathBuf::from(required("--data-dir")?),
        peers,
        secret,
        capacity_bytes: flag(args, "--capacity")
            .map(|c| c.parse().map_err(|e| format!("--capacity: {e}")))
            .transpose()?
            .unwrap_or(100_000_000_000),
    };
    let listen = required("--listen")?;
    // Open the store (which clears leftovers of interrupted writes) before accepting anything.
    let (name, region) = (config.name.clone(), config.region.clone());
    let node = Node::open(config).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(node = %name, region = %region, "storage node listening on {listen}");
    serve(node, listener, crate::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

pub async fn control_node(args: &[String]) -> Result<(), String> {
    let (Some(action), Some(name)) = (args.first(), args.get(1)) else {
        return Err(USAGE.into());
    };
    if action != "stop" && action != "start" {
        return Err(USAGE.into());
    }
    let base = std::env::var("CLOUDDRIVE_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let token = std::env::var("CLOUDDRIVE_TOKEN")
        .map_err(|_| "set CLOUDDRIVE_TOKEN to an admin's session token")?;
    let response = reqwest::Client::new()
        .post(format!("{base}/api/cluster/nodes/{action}"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .map_err(|e| format!("cannot reach {base}: {e}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    if status.is_success() {
        println!("{message}");
        Ok(())
    } else {
        Err(format!("{status}: {message}"))
    }
}
