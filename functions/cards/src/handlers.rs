//! HTTP handlers of the cards feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use fairlink_domain::model::{Card, ReceivedCard};
use fairlink_http::{
    ApiResult, AppState, Caller, Json, ListParams, ListResponse, Problem, Query, page_request,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::service::{CardInput, CardsService, SendCard};

fn service(state: &AppState) -> CardsService<'_> {
    CardsService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedParams {
    /// Only the cards this account received.
    pub account_id: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// My business card (one made from my profile until I save mine).
#[utoipa::path(get, path = "/v1/me/card", tag = "cards", responses((status = 200, body = Card), (status = 401, body = Problem)))]
pub async fn get_my_card(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Card>> {
    Ok(Json(service(&state).mine(&caller).await?))
}

/// Saves my business card.
#[utoipa::path(put, path = "/v1/me/card", tag = "cards", request_body = CardInput,
    responses((status = 200, body = Card), (status = 422, body = Problem)))]
pub async fn put_my_card(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Json(input): Json<CardInput>,
) -> ApiResult<Json<Card>> {
    Ok(Json(service(&state).put_mine(&caller, input).await?))
}

/// Sends my card to the other side of one of my conversations or bookings.
#[utoipa::path(post, path = "/v1/cards/send", tag = "cards", request_body = SendCard,
    responses((status = 201, body = ReceivedCard), (status = 403, body = Problem), (status = 422, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn send_card(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Json(input): Json<SendCard>,
) -> ApiResult<(StatusCode, Json<ReceivedCard>)> {
    let received = service(&state).send(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(received)))
}

/// The cards I received, newest first, with sender and context.
#[utoipa::path(get, path = "/v1/me/cards/received", tag = "cards", params(ListParams),
    responses((status = 200, body = ListResponse<ReceivedCard>)))]
pub async fn my_received_cards(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<ReceivedCard>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(service(&state).received(&caller, &page).await?.into()))
}

/// The cards of every account of the exhibitor (main).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/cards", tag = "cards", params(("eid" = String, Path), ListParams),
    responses((status = 200, body = ListResponse<Card>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn exhibitor_cards(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<Card>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state)
            .staff_cards(&caller, &eid, &page)
            .await?
            .into(),
    ))
}

/// Every card the exhibitor's accounts received, newest first; `?accountId=` (main).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/cards/received", tag = "cards", params(("eid" = String, Path), ReceivedParams),
    responses((status = 200, body = ListResponse<ReceivedCard>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn exhibitor_received_cards(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<ReceivedParams>,
) -> ApiResult<Json<ListResponse<ReceivedCard>>> {
    let page = page_request(params.limit, params.cursor)?;
    let cards = service(&state)
        .exhibitor_received(&caller, &eid, params.account_id.as_deref(), &page)
        .await?;
    Ok(Json(cards.into()))
}
