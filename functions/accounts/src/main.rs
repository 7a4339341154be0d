//! The accounts Lambda: wiring only.

use fairlink_http::lambda_main;
use fairlink_telemetry::init_tracing;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_tracing();
    let ports = fairlink_aws::identity_lambda_ports().await?;
    let registration_limit = std::env::var("FAIRLINK_REGISTRATION_LIMIT")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse())
        .transpose()
        .map_err(|e| format!("FAIRLINK_REGISTRATION_LIMIT: {e}"))?;
    lambda_main(fairlink_accounts::lambda_app_limited(
        ports,
        registration_limit,
    ))
    .await
}
