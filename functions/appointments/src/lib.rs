//! Feature "appointments": negotiation slots, bookings, meeting rooms, calendars and the
//! reminders that follow them (API.md, "Appointment negotiation").

mod calendar;
mod handlers;
pub mod service;

use fairlink_domain::Ports;
use fairlink_http::{AppState, Authenticator};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    use handlers::*;
    OpenApiRouter::new()
        .routes(routes!(create_slot, list_slots))
        .routes(routes!(create_slots_batch))
        .routes(routes!(get_slot, patch_slot, delete_slot))
        .routes(routes!(book_slot))
        .routes(routes!(assign_booking))
        .routes(routes!(cancel_booking))
        .routes(routes!(invite))
        .routes(routes!(get_booking))
        .routes(routes!(booking_calendar))
        .routes(routes!(my_bookings))
        .routes(routes!(exhibitor_bookings))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    fairlink_http::api([routes()], AppState::new(ports, Authenticator::ApiGateway))
}
