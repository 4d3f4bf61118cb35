//! The command line (clap): no command runs the app; `node` runs one storage node (needs
//! `CLUSTER_SECRET`); `nodes stop|start NAME` is fault injection on a running app's built-in
//! nodes through its admin API; `quota EMAIL SIZE` sets one account's quota. `server --help`
//! and `server <command> --help` say the rest.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::cluster::{parse_node_list, NodeSpec};

use crate::cluster::{serve, Node, NodeConfig};

/// CloudDrive: with no command, runs the app (configured from the environment, see README).
#[derive(Parser)]
#[command(name = "server", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run one storage node on this machine (needs CLUSTER_SECRET).
    Node(NodeArgs),
    /// Stop or start a built-in node of a running app, through its admin API.
    Nodes(ControlArgs),
    /// Set one account's quota, in the database of DATA_DIR.
    Quota(QuotaArgs),
}

#[derive(Args)]
pub struct NodeArgs {
    /// The node's name, as peers and the app know it.
    #[arg(long)]
    name: String,
    /// Its region (us-east, eu-west, asia...).
    #[arg(long)]
    region: String,
    /// Address to listen on, e.g. 0.0.0.0:7301.
    #[arg(long)]
    listen: String,
    /// Where its objects are kept.
    #[arg(long)]
    data_dir: PathBuf,
    /// Another node, as name@region=url (repeatable; also a comma-separated list).
    #[arg(long = "peer", value_parser = parse_peers)]
    peers: Vec<Peers>,
    /// Capacity it reports, in bytes.
    #[arg(long, default_value_t = 100_000_000_000)]
    capacity: u64,
}

/// The nodes named by one `--peer` value.
#[derive(Clone)]
struct Peers(Vec<NodeSpec>);

fn parse_peers(raw: &str) -> Result<Peers, String> {
    let specs = parse_node_list(raw)?;
    if let Some(s3) = specs.iter().find(|s| s.url.starts_with("s3://")) {
        return Err(format!(
            "{}: a node's peers are storage nodes; S3 buckets are reached by the app only",
            s3.name
        ));
    }
    Ok(Peers(specs))
}

#[derive(Args)]
pub struct ControlArgs {
    #[arg(value_enum)]
    action: Action,
    /// The built-in node: us-east, eu-west or asia.
    name: String,
    /// The running app.
    #[arg(long, env = "CLOUDDRIVE_URL", default_value = "http://127.0.0.1:3000")]
    url: String,
    /// An administrator's session token.
    #[arg(long, env = "CLOUDDRIVE_TOKEN", hide_env_values = true)]
    token: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Action {
    Stop,
    Start,
}

#[derive(Args)]
pub struct QuotaArgs {
    /// The account's email.
    email: String,
    /// Bytes, or with a unit: 10GB, 500MB, 2TiB...
    #[arg(value_parser = parse_size)]
    size: i64,
}

pub async fn run_node(args: NodeArgs) -> Result<(), String> {
    let secret = std::env::var("CLUSTER_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .ok_or("CLUSTER_SECRET must be set for a storage node")?;
    // A node's objects are users' files: its directory is as private as the app's.
    crate::data_dir::make_private(&args.data_dir)
        .map_err(|e| format!("data directory {}: {e}", args.data_dir.display()))?;
    let config = NodeConfig {
        name: args.name,
        region: args.region,
        data_dir: args.data_dir,
        peers: args.peers.into_iter().flat_map(|p| p.0).collect(),
        secret,
        capacity_bytes: args.capacity,
    };
    let listen = args.listen;
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

pub async fn control_node(args: ControlArgs) -> Result<(), String> {
    let action = match args.action {
        Action::Stop => "stop",
        Action::Start => "start",
    };
    let (base, name) = (args.url, args.name);
    let response = reqwest::Client::new()
        .post(format!("{base}/api/cluster/nodes/{action}"))
        .bearer_auth(args.token)
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

pub async fn set_quota(args: QuotaArgs) -> Result<(), String> {
    let (email, bytes) = (args.email, args.size);
    let config = domain::Config::from_env().map_err(|e| e.to_string())?;
    let db = domain::db::open_configured(&config)
        .await
        .map_err(|e| e.to_string())?;
    domain::drive::set_quota(&db, &email, bytes)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "The quota of {email} is now {} ({bytes} bytes).",
        model::drive::human_bytes(bytes)
    );
    Ok(())
}

/// "5000000000", "5GB", "500 MB", "2TiB": decimal or binary units. Hand-written: a dozen
/// lines, tested below, where a crate would bring its own spelling of units.
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
    let bytes = (value * factor).round();
    if !(-9.2e18..=9.2e18).contains(&bytes) {
        return Err(format!("{raw:?} is too large a size"));
    }
    // In range, checked just above.
    #[allow(clippy::cast_possible_truncation)]
    Ok(bytes as i64)
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{parse_size, Cli, Command};

    #[test]
    fn the_command_line_is_consistent_and_strict() {
        Cli::command().debug_assert();
        let node = |extra: &[&str]| {
            let mut args = vec![
                "server",
                "node",
                "--name",
                "asia",
                "--region",
                "asia",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                "/tmp/n",
            ];
            args.extend_from_slice(extra);
            Cli::try_parse_from(args)
        };
        let Ok(Cli {
            command: Some(Command::Node(args)),
        }) = node(&[
            "--peer",
            "us-east@us-east=http://10.0.0.5:7301,eu-west@eu-west=http://10.1.0.5:7301",
            "--peer",
            "x@y=http://10.2.0.5:7301",
        ])
        else {
            panic!("a valid node command was refused");
        };
        assert_eq!(args.peers.iter().map(|p| p.0.len()).sum::<usize>(), 3);
        assert!(
            node(&["--capcity", "5"]).is_err(),
            "a misspelt flag was ignored"
        );
        assert!(node(&["--peer", "not a node"]).is_err());
        assert!(Cli::try_parse_from(["server", "quota", "a@example.com", "5 parsecs"]).is_err());
        assert!(Cli::try_parse_from(["server", "nodes", "pause", "asia"]).is_err());
    }

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
