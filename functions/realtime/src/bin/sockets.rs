//! The WebSocket API's function ($connect, $disconnect, $default): wiring only.

use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use fairlink_http::{Authenticator, HttpJwks, JwtVerifier};
use fairlink_telemetry::init_tracing;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let settings = fairlink_aws::AwsSettings::from_env();
    let pool = settings
        .user_pool
        .clone()
        .ok_or("FAIRLINK_USER_POOL_ID and FAIRLINK_USER_POOL_CLIENT_ID must be set")?;
    let ports = fairlink_aws::ports(&fairlink_aws::lambda_sdk_config(), &settings, None).await?;
    // The HTTP API's JWT authorizer does not see the WebSocket API: its tokens are verified
    // here, with the same issuer, audience and keys.
    let keys = HttpJwks::new(format!("{}/.well-known/jwks.json", pool.issuer()))?;
    let verifier = JwtVerifier::new(pool.issuer(), vec![pool.client_id], Box::new(keys));
    let routes = Arc::new(fairlink_realtime::SocketRoutes::new(
        &ports,
        Authenticator::Jwt(Box::new(verifier)),
    ));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
            let routes = routes.clone();
            async move { Ok::<_, lambda_runtime::Error>(routes.handle(event.payload).await) }
        },
    ))
    .await
}
