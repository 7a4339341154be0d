//! Feature "intents": buyers' procurement intents, what was pushed to them, and the delivery
//! and distribution of intents among an exhibitor's accounts (API.md, "Procurement intents").

mod handlers;
pub mod matches;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(publish_intent, list_my_intents))
        .routes(routes!(get_intent))
        .routes(routes!(close_intent))
        .routes(routes!(my_recommendations))
        .routes(routes!(recommendation_feedback))
        .routes(routes!(intent_matches))
        .routes(routes!(matching_feedback))
        .routes(routes!(exhibitor_intents))
        .routes(routes!(assigned_to_me))
        .routes(routes!(assign_intent))
        .routes(routes!(complete_intent))
        .routes(routes!(exhibit_matches))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    fairlink_http::api([routes()], AppState::new(ports, Authenticator::ApiGateway))
}
