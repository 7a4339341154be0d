//! Feature "accounts": the fair, exhibitors, buyers, accounts and permissions, distribution
//! modes and auto-replies (API.md, "Fair, exhibitors, buyers, accounts").

mod handlers;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use service::{ORGANIZER_ID, organizer_account};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(get_fair, put_fair))
        .routes(routes!(create_exhibitor))
        .routes(routes!(get_exhibitor))
        .routes(routes!(register_buyer))
        .routes(routes!(me))
        .routes(routes!(put_presence))
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(patch_account, delete_account))
        .routes(routes!(get_distribution, put_distribution))
        .routes(routes!(get_auto_replies, put_auto_replies))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    fairlink_http::api([routes()], AppState::new(ports, Authenticator::ApiGateway))
}
