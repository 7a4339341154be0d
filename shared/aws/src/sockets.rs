//! The socket pusher of the deployed WebSocket API: API Gateway's management API
//! (`PostToConnection`, `DeleteConnection`) at the API's stage endpoint.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_apigatewaymanagement::{Client, primitives::Blob};
use fairlink_domain::ports::{PushError, SocketPusher};

pub struct ApiGatewaySockets {
    client: Client,
}

impl ApiGatewaySockets {
    /// The management API of the stage at `endpoint`
    /// (`https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`).
    pub fn new(sdk: &SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// At `FAIRLINK_WEBSOCKET_ENDPOINT`, which the template sets.
    pub fn from_env(sdk: &SdkConfig) -> Result<Self, String> {
        let endpoint = std::env::var("FAIRLINK_WEBSOCKET_ENDPOINT")
            .map_err(|_| "FAIRLINK_WEBSOCKET_ENDPOINT must be set".to_string())?;
        Ok(Self::new(sdk, &endpoint))
    }
}

#[async_trait]
impl SocketPusher for ApiGatewaySockets {
    async fn push(&self, connection_id: &str, frame: &str) -> Result<(), PushError> {
        match self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(frame.as_bytes()))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                e if e.is_gone_exception() => Err(PushError::Gone),
                e => Err(PushError::Unavailable(e.to_string())),
            },
        }
    }

    async fn close(&self, connection_id: &str) -> Result<(), PushError> {
        match self
            .client
            .delete_connection()
            .connection_id(connection_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                e if e.is_gone_exception() => Ok(()),
                e => Err(PushError::Unavailable(e.to_string())),
            },
        }
    }
}
