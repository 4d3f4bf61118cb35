//! Subcommands besides running the app:
//! - `server node --name N --region R --listen ADDR --data-dir DIR [--peer name@region=url]...
//!   [--capacity BYTES]`: run one storage node (needs `CLUSTER_SECRET`);
//! - `server nodes stop|start NAME`: fault injection on a running app's built-in nodes, through
//!   its admin API (`CLOUDDRIVE_URL`, default http://127.0.0.1:3000; `CLOUDDRIVE_TOKEN`: an
//!   admin's session token);
//! - `server quota EMAIL SIZE`: one account's quota, over `DEFAULT_QUOTA_BYTES`, in the
//!   database of `DATA_DIR`.

use std::path::PathBuf;

use domain::cluster::parse_node_list;

use crate::node::{serve, Node, NodeConfig};

pub const USAGE: &str = "usage:
  server                                   run the app (configuration from the environment)
  server node --name N --region R --listen ADDR --data-dir DIR [--peer name@region=url]... [--capacity BYTES]
  server nodes stop|start NAME             stop or start a built-in node of a running app
  server quota EMAIL SIZE                  set one account's quota (SIZE: bytes, or 10GB, 500MB, 2TiB...)";

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

pub async fn set_quota(args: &[String]) -> Result<(), String> {
    let [email, size] = args else {
        return Err(USAGE.to_owned());
    };
    let bytes = parse_size(size)?;
    let config = domain::Config::from_env().map_err(|e| e.to_string())?;
    let db = domain::db::open(&config.data_dir)
        .await
        .map_err(|e| e.to_string())?;
    domain::drive::set_quota(&db, email, bytes)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "The quota of {email} is now {} ({bytes} bytes).",
        model::drive::human_bytes(bytes)
    );
    Ok(())
}

/// "5000000000", "5GB", "500 MB", "2TiB": decimal or binary units.
fn parse_size(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit {other:?} (use B, KB, MB, GB, TB or KiB...TiB)"
            ))
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{raw:?} is not a size"))?;
    Ok((value * factor).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(parse_size("5000"), Ok(5000));
        assert_eq!(parse_size("5GB"), Ok(5_000_000_000));
        assert_eq!(parse_size("1.5 gb"), Ok(1_500_000_000));
        assert_eq!(parse_size("2MiB"), Ok(2 * 1024 * 1024));
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("lots").is_err());
    }
}
