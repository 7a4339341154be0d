//! The accounts Lambda: wiring only.

use fairlink_http::{lambda_main, observability::init_tracing};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let settings = fairlink_aws::AwsSettings::from_env();
    // Accounts made without the pool could never sign in.
    if settings.user_pool.is_none() {
        return Err("FAIRLINK_USER_POOL_ID and FAIRLINK_USER_POOL_CLIENT_ID must be set".into());
    }
    let ports = fairlink_aws::ports(&sdk, &settings, None).await?;
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
