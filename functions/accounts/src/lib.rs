//! Feature "accounts": the fair, exhibitors, buyers, accounts and permissions, distribution
//! modes and auto-replies (API.md, "Fair, exhibitors, buyers, accounts").

mod handlers;
pub mod organizer;
pub mod organizer_resource;
pub mod provisioning;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use organizer::{
    LOCAL_ORGANIZER_EMAIL, ORGANIZER_ID, OrganizerSetup, ensure_organizer, organizer_account,
};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(get_fair, put_fair))
        .routes(routes!(create_exhibitor))
        .routes(routes!(get_exhibitor))
        .routes(routes!(auth_config))
        .routes(routes!(register_buyer))
        .routes(routes!(me))
        .routes(routes!(put_presence))
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(get_account, patch_account, delete_account))
        .routes(routes!(get_distribution, put_distribution))
        .routes(routes!(get_auto_replies, put_auto_replies))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    lambda_app_limited(ports, None)
}

/// The whole API's OpenAPI document (every feature, not only this Lambda's), generated from
/// the code by `tests/openapi_document.rs`, which fails when it is out of date. The accounts
/// Lambda serves it at /openapi.json, the route the template gives it.
pub const WHOLE_API_DOCUMENT: &str = include_str!("../../../docs/openapi.json");

/// The Lambda's router with buyer registrations limited per client address.
pub fn lambda_app_limited(
    ports: Ports,
    registration_limit: Option<fairlink_domain::rate_limit::RateLimit>,
) -> axum::Router {
    let state =
        AppState::new(ports, Authenticator::ApiGateway).with_registration_limit(registration_limit);
    fairlink_http::api_documented([routes()], state, Some(WHOLE_API_DOCUMENT))
}
