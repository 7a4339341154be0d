//! HTTP handlers of the appointments feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use fairlink_domain::model::{Booking, BookingStatus, Invitee};
use fairlink_http::guards::MainOf;
use fairlink_http::{
    ApiResult, AppState, Caller, Json, JsonLater, ListParams, ListResponse, Problem, Query,
    page_request,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::service::{
    AppointmentsService, BatchResult, BookingAssignment, NewBooking, NewInvitee, NewSlot,
    SlotBatch, SlotPatch, SlotStatus, SlotView,
};

fn service(state: &AppState) -> AppointmentsService<'_> {
    AppointmentsService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotListParams {
    /// Slots starting at or after this time.
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub from: Option<DateTime<Utc>>,
    /// Slots starting at or before this time.
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub to: Option<DateTime<Utc>>,
    /// Main only: `free` or `booked`.
    #[param(inline)]
    pub status: Option<SlotStatus>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingListParams {
    pub status: Option<BookingStatus>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// Creates one slot (main); 30 minutes unless `endsAt` says otherwise.
#[utoipa::path(post, path = "/v1/exhibitors/{eid}/slots", tag = "appointments", params(("eid" = String, Path)), request_body = NewSlot,
    responses((status = 201, body = SlotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "slot_overlaps, conflict"), (status = 422, body = Problem)))]
pub async fn create_slot(
    State(state): State<AppState>,
    MainOf { caller, eid }: MainOf,
    Json(input): Json<NewSlot>,
) -> ApiResult<(StatusCode, Json<SlotView>)> {
    let slot = service(&state).create_slot(&caller, &eid, input).await?;
    Ok((StatusCode::CREATED, Json(slot)))
}

/// Creates slots over dates × daily windows (main); overlaps are skipped and counted.
#[utoipa::path(post, path = "/v1/exhibitors/{eid}/slots/batch", tag = "appointments", params(("eid" = String, Path)), request_body = SlotBatch,
    responses((status = 201, body = BatchResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn create_slots_batch(
    State(state): State<AppState>,
    MainOf { caller, eid }: MainOf,
    Json(input): Json<SlotBatch>,
) -> ApiResult<(StatusCode, Json<BatchResult>)> {
    let result = service(&state).create_batch(&caller, &eid, input).await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// The exhibitor's slots by time: all of them for main, else the future ones with room.
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/slots", tag = "appointments", params(("eid" = String, Path), SlotListParams),
    responses((status = 200, body = ListResponse<SlotView>), (status = 404, body = Problem)))]
pub async fn list_slots(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<SlotListParams>,
) -> ApiResult<Json<ListResponse<SlotView>>> {
    let page = page_request(params.limit, params.cursor)?;
    let slots = service(&state)
        .list_slots(&caller, &eid, params.from, params.to, params.status, &page)
        .await?;
    Ok(Json(slots.into()))
}

/// One slot: any of its exhibitor's for main, else a future one with room.
#[utoipa::path(get, path = "/v1/slots/{sid}", tag = "appointments", params(("sid" = String, Path)),
    responses((status = 200, body = SlotView), (status = 404, body = Problem)))]
pub async fn get_slot(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(sid): Path<String>,
) -> ApiResult<Json<SlotView>> {
    Ok(Json(service(&state).slot(&caller, &sid).await?))
}

/// Moves or resizes a slot while nobody has booked it (main).
#[utoipa::path(patch, path = "/v1/slots/{sid}", tag = "appointments", params(("sid" = String, Path)), request_body = SlotPatch,
    responses((status = 200, body = SlotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "slot_has_bookings, slot_overlaps, conflict"), (status = 422, body = Problem)))]
pub async fn patch_slot(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(sid): Path<String>,
    patch: JsonLater<SlotPatch>,
) -> ApiResult<Json<SlotView>> {
    let service = service(&state);
    let slot = service.slot_to_change(&caller, &sid).await?;
    Ok(Json(service.patch_slot(slot, patch.parse()?).await?))
}

/// Deletes a slot while nobody has booked it (main).
#[utoipa::path(delete, path = "/v1/slots/{sid}", tag = "appointments", params(("sid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "slot_has_bookings, conflict")))]
pub async fn delete_slot(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(sid): Path<String>,
) -> ApiResult<StatusCode> {
    service(&state).delete_slot(&caller, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Books a place in a slot (buyer).
#[utoipa::path(post, path = "/v1/slots/{sid}/bookings", tag = "appointments", params(("sid" = String, Path)), request_body = NewBooking,
    responses((status = 201, body = Booking), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "slot_full, already_booked, conflict"), (status = 422, body = Problem, description = "slot_in_past")))]
pub async fn book_slot(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(sid): Path<String>,
    Json(input): Json<NewBooking>,
) -> ApiResult<(StatusCode, Json<Booking>)> {
    let booking = service(&state).book(&caller, &sid, input).await?;
    Ok((StatusCode::CREATED, Json(booking)))
}

/// Picks the account that receives the buyer (main): confirms with a meeting room.
#[utoipa::path(post, path = "/v1/bookings/{bid}/assignment", tag = "appointments", params(("bid" = String, Path)), request_body = BookingAssignment,
    responses((status = 200, body = Booking), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "account_busy, booking_cancelled, conflict"), (status = 422, body = Problem), (status = 503, body = Problem, description = "meeting_rooms_unavailable")))]
pub async fn assign_booking(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(bid): Path<String>,
    input: JsonLater<BookingAssignment>,
) -> ApiResult<Json<Booking>> {
    let service = service(&state);
    let booking = service.booking_to_assign(&caller, &bid).await?;
    Ok(Json(service.assign(booking, input.parse()?).await?))
}

/// Cancels a booking (its buyer, its assignee or main); no reminder goes out.
#[utoipa::path(post, path = "/v1/bookings/{bid}/cancel", tag = "appointments", params(("bid" = String, Path)),
    responses((status = 200, body = Booking), (status = 404, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(bid): Path<String>,
) -> ApiResult<Json<Booking>> {
    Ok(Json(service(&state).cancel(&caller, &bid).await?))
}

/// Sends the meeting link to a colleague (participants).
#[utoipa::path(post, path = "/v1/bookings/{bid}/invitees", tag = "appointments", params(("bid" = String, Path)), request_body = NewInvitee,
    responses((status = 201, body = Invitee), (status = 404, body = Problem), (status = 409, body = Problem, description = "booking_not_confirmed, conflict, too_many_invitees"), (status = 422, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(bid): Path<String>,
    input: JsonLater<NewInvitee>,
) -> ApiResult<(StatusCode, Json<Invitee>)> {
    let service = service(&state);
    let booking = service.booking_to_invite_to(&caller, &bid).await?;
    let invitee = service.invite(booking, input.parse()?).await?;
    Ok((StatusCode::CREATED, Json(invitee)))
}

/// A booking with its meeting once confirmed (participants, main).
#[utoipa::path(get, path = "/v1/bookings/{bid}", tag = "appointments", params(("bid" = String, Path)),
    responses((status = 200, body = Booking), (status = 404, body = Problem)))]
pub async fn get_booking(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(bid): Path<String>,
) -> ApiResult<Json<Booking>> {
    Ok(Json(service(&state).get(&caller, &bid).await?))
}

/// The booking as an RFC 5545 calendar with a stable UID (participants).
#[utoipa::path(get, path = "/v1/bookings/{bid}/calendar.ics", tag = "appointments", params(("bid" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
pub async fn booking_calendar(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(bid): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let calendar = service(&state).calendar(&caller, &bid).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        calendar,
    ))
}

/// My schedule: a buyer's bookings, an exhibitor account's assigned ones, by time.
#[utoipa::path(get, path = "/v1/me/bookings", tag = "appointments", params(ListParams),
    responses((status = 200, body = ListResponse<Booking>), (status = 403, body = Problem)))]
pub async fn my_bookings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<Booking>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state).my_bookings(&caller, &page).await?.into(),
    ))
}

/// Every booking of the exhibitor by time (main); `?status=`.
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/bookings", tag = "appointments", params(("eid" = String, Path), BookingListParams),
    responses((status = 200, body = ListResponse<Booking>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn exhibitor_bookings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<BookingListParams>,
) -> ApiResult<Json<ListResponse<Booking>>> {
    let page = page_request(params.limit, params.cursor)?;
    let bookings = service(&state)
        .exhibitor_bookings(&caller, &eid, params.status, &page)
        .await?;
    Ok(Json(bookings.into()))
}
