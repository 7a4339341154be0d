//! Feature "messaging": buyer ↔ exhibitor conversations, messages, read markers, transfer,
//! auto-replies and translation (API.md, "Instant messaging").

mod handlers;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(open_conversation, list_conversations))
        .routes(routes!(get_conversation))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(mark_read))
        .routes(routes!(transfer))
        .routes(routes!(translate))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    lambda_app_limited(ports, None)
}

/// The Lambda's router with messages limited per account (FAIRLINK_MESSAGE_LIMIT).
pub fn lambda_app_limited(
    ports: Ports,
    message_limit: Option<fairlink_domain::rate_limit::RateLimit>,
) -> axum::Router {
    let state = AppState::new(ports, Authenticator::ApiGateway).with_message_limit(message_limit);
    fairlink_http::api([routes()], state)
}
