//! CloudDrive server: reads the configuration, opens the data directory, and serves the app.
#![recursion_limit = "256"]

mod api_responses;
mod assets;
mod calendar_feed;
mod cli;
mod cluster;
mod data_dir;
mod debug_clock;
mod drive;
mod range;
mod rate_limit;
mod request_id;
mod routes;
mod security_headers;
mod shares;
mod startup;
mod webdav;
mod zip_stream;

use std::net::SocketAddr;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    // A missing .env is normal; a broken one is worth a warning.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: ignoring .env: {e}");
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    use clap::Parser;
    let outcome = match cli::Cli::parse().command {
        None => run().await,
        Some(cli::Command::Node(args)) => cli::run_node(args).await,
        Some(cli::Command::Nodes(args)) => cli::control_node(args).await,
        Some(cli::Command::Quota(args)) => cli::set_quota(args).await,
    };
    if let Err(e) = outcome {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

/// After SIGTERM or Ctrl-C, how long requests in flight may take to finish before they are cut
/// off (an upload cut off keeps every chunk it stored and resumes from there).
const REQUEST_GRACE: Duration = Duration::from_secs(7);
/// How long background jobs, told to stop at the signal, may take to end (a run in progress
/// is cut short; its work stays queued). With the requests' grace: gone within 10 s.
const JOB_GRACE: Duration = Duration::from_secs(2);

async fn run() -> Result<(), String> {
    let state = startup::build_state().await?;
    let addr = state.leptos_options.site_addr;
    let background = state.background.clone();
    let election = state.election.clone();
    let app = routes::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        let background = background.clone();
        async move {
            shutdown_signal().await;
            stop.cancel();
            background.stop();
        }
    });
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.clone().cancelled_owned());
    tokio::select! {
        served = serving => served.map_err(|e| format!("server stopped: {e}"))?,
        () = async { stop.cancelled().await; tokio::time::sleep(REQUEST_GRACE).await } => {
            tracing::warn!("requests still running {REQUEST_GRACE:?} after the signal were cut off");
        }
    }
    background.shutdown(JOB_GRACE).await;
    election.resign().await;
    tracing::info!("stopped");
    // Exit now rather than let the runtime wait for blocking tasks (a stuck disk, say).
    std::process::exit(0)
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
