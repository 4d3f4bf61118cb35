//! Builds the shared state from the configuration: data directory, database, mailer, services.

use std::sync::Arc;

use app::api::context::AppState;
use domain::auth::Accounts;
use domain::background::Background;
use domain::cluster::{Cluster, NodeControl, NodeSpec};
use domain::drive::Drive;
use domain::leader::Election;
use domain::mail::Mailer;
use domain::secrets::Secrets;
use domain::skillshare::Marketplace;
use domain::{db, Config};
use leptos::prelude::get_configuration;

use crate::cluster::embedded::EmbeddedNodes;

/// How often run-out codes, counts and week-old sign-ups are cleared.
const ACCOUNT_SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(600);

pub async fn build_state() -> Result<AppState, String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let mut leptos_options = get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    crate::assets::detect_hashed_names(&mut leptos_options);
    crate::data_dir::make_private(&config.data_dir)
        .map_err(|e| format!("data directory {}: {e}", config.data_dir.display()))?;
    let db = db::open_configured(&config)
        .await
        .map_err(|e| e.to_string())?;
    let secrets = match &config.secret_key {
        Some(key) => Secrets::from_hex(&key.0).map_err(|e| format!("SECRET_KEY: {e}"))?,
        None => {
            Secrets::load_or_create(&config.data_dir).map_err(|e| format!("secret key: {e}"))?
        }
    };
    let mailer = Mailer::from_config(&config).map_err(|e| e.to_string())?;
    match &config.smtp_url {
        Some(_) => tracing::info!("sending mail through SMTP_URL"),
        None => tracing::info!(
            "SMTP_URL is not set: mails are written to {}",
            config.data_dir.join("outbox").display()
        ),
    }
    let cluster_secret = config
        .cluster_secret
        .clone()
        .unwrap_or_else(|| secrets.mac(&[b"cluster secret"]));
    let (specs, node_control): (Vec<NodeSpec>, Option<Arc<dyn NodeControl>>) =
        match &config.cluster_nodes {
            Some(remote) => (remote.clone(), None),
            None => {
                let (nodes, specs) = EmbeddedNodes::start(
                    &config.data_dir.join("nodes"),
                    &cluster_secret,
                    config.node_capacity_bytes,
                )
                .await
                .map_err(|e| format!("storage nodes: {e}"))?;
                (specs, Some(nodes))
            }
        };
    let clock = crate::debug_clock::clock(config.debug_clock, cfg!(debug_assertions))?;
    // Leading waits for the first election round (at once, unless another server leads).
    let background = Background::new(clock.clone(), false);
    let election = Election::new(db.clone(), clock.clone(), config.server_name.clone());
    if config.background_leader {
        election.start(&background).await;
    }
    let cluster = Cluster::connect(
        db.clone(),
        specs,
        &cluster_secret,
        &config.cluster_s3_credentials,
        clock.clone(),
    )
    .map_err(|e| format!("CLUSTER_NODES: {e}"))?;
    cluster.check_health().await;
    cluster.start_jobs(
        &background,
        config.cluster_health_interval,
        config.cluster_scrub_interval,
    );
    let secrets = Arc::new(secrets);
    let mailer = Arc::new(mailer);
    let accounts = Accounts::new(
        db.clone(),
        mailer.clone(),
        secrets.clone(),
        &config,
        clock.clone(),
    )
    .await
    .map_err(|e| format!("accounts: {e}"))?;
    let drive = Drive::new(
        db.clone(),
        cluster.clone(),
        secrets.clone(),
        config.drive.clone(),
        accounts.hasher(),
        clock.clone(),
    );
    drive.start_jobs(&background);
    let marketplace = Arc::new(Marketplace::new(
        db.clone(),
        mailer,
        secrets,
        clock.clone(),
        config.max_active_bookings,
    ));
    marketplace.start_jobs(&background);
    accounts.start_jobs(&background, ACCOUNT_SWEEP_INTERVAL);
    tracing::info!("data directory: {}", config.data_dir.display());
    Ok(AppState {
        leptos_options,
        db,
        config: Arc::new(config),
        accounts: Arc::new(accounts),
        marketplace,
        cluster,
        drive,
        node_control,
        background,
        election,
        clock,
    })
}
