//! Feature "exhibits": exhibitors' exhibit lists, sales reps and recommendations
//! (API.md, "Exhibits and recommendations").

mod handlers;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(create_exhibit, list_exhibits))
        .routes(routes!(get_exhibit, patch_exhibit, delete_exhibit))
        .routes(routes!(put_reps))
        .routes(routes!(recommend, withdraw))
        .routes(routes!(list_recommendations))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    fairlink_http::api([routes()], AppState::new(ports, Authenticator::ApiGateway))
}
