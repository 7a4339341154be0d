//! fairlink-local: `cargo run -p fairlink-local` serves the whole API on 127.0.0.1:3000.

use fairlink_local::{Config, build, serve};
use fairlink_telemetry::init_tracing;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_tracing();
    let config = Config::from_env()?;
    let app = build(&config, None).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, backend = ?config.backend, test_clock = config.test_clock, "fairlink-local is serving");
    serve(app, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
