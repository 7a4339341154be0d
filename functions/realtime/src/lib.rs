//! Real-time delivery (API.md, "Real-time events"): the sockets each account holds open, and
//! the worker that sends them the events stored with each change.
//!
//! - [`SocketSessions`]: a socket opened or closed, and the presence that follows it;
//! - [`RealtimeWorker`]: the realtime queue's worker, sending each event to the open sockets
//!   of the accounts that may read it;
//! - [`SocketRoutes`]: the WebSocket API's routes in AWS (`$connect`, `$disconnect`,
//!   `$default`); fairlink-local serves the same on `GET /v1/ws`.

mod routes;
mod sessions;
mod worker;

pub use routes::SocketRoutes;
pub use sessions::SocketSessions;
pub use worker::{RealtimeWorker, frame_for};

/// The answer to a client's `{"type":"ping"}`.
pub const PONG: &str = r#"{"type":"pong"}"#;

/// What a client's frame asks for: a pong to a ping, nothing otherwise.
pub fn answer_to(frame: &str) -> Option<&'static str> {
    match serde_json::from_str(frame) {
        Ok(fairlink_domain::realtime::ClientFrame::Ping) => Some(PONG),
        _ => None,
    }
}
