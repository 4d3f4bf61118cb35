//! CloudDrive server: reads the configuration, opens the data directory, and serves the app.
#![recursion_limit = "256"]

mod api_responses;
mod cli;
mod cluster;
mod data_dir;
mod drive;
mod range;
mod rate_limit;
mod routes;
mod security_headers;
mod startup;

use std::net::SocketAddr;

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

async fn run() -> Result<(), String> {
    let state = startup::build_state().await?;
    let addr = state.leptos_options.site_addr;
    let app = routes::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server stopped: {e}"))
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
