//! Feature "cards": business cards, sent only inside a conversation or a booking
//! (API.md, "Business cards").

mod handlers;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(get_my_card, put_my_card))
        .routes(routes!(send_card))
        .routes(routes!(my_received_cards))
        .routes(routes!(exhibitor_cards))
        .routes(routes!(exhibitor_received_cards))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    fairlink_http::api([routes()], AppState::new(ports, Authenticator::ApiGateway))
}
