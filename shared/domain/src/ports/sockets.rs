use async_trait::async_trait;

/// Why a frame did not reach a socket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The connection is closed for good (API Gateway's 410): forget it.
    #[error("the connection is gone")]
    Gone,
    /// Try again later.
    #[error("pushing failed: {0}")]
    Unavailable(String),
}

/// The open WebSocket connections, by id: API Gateway's management API in AWS, the sockets
/// fairlink-local holds in process.
#[async_trait]
pub trait SocketPusher: Send + Sync {
    /// Sends one text frame to a connection.
    async fn push(&self, connection_id: &str, frame: &str) -> Result<(), PushError>;

    /// Closes a connection (a closed one is fine).
    async fn close(&self, connection_id: &str) -> Result<(), PushError>;
}
