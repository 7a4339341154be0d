//! HTTP handlers of the intents feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use fairlink_domain::model::{DeliveryStatus, ExhibitMatch, Intent, IntentDelivery, Push};
use fairlink_http::guards::Buyer;
use fairlink_http::{
    ApiResult, AppState, Caller, Json, JsonLater, ListParams, ListResponse, Problem, Query,
    page_request,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::service::{AssignmentInput, IntentsService, NewIntent};

fn service(state: &AppState) -> IntentsService<'_> {
    IntentsService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryListParams {
    /// Only the intents assigned to this account.
    pub assignee_id: Option<String>,
    pub status: Option<DeliveryStatus>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyDeliveryParams {
    pub status: Option<DeliveryStatus>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// Publishes a procurement intent (buyer); with `exhibitorId` or `exhibitId` it is also
/// delivered to that exhibitor.
#[utoipa::path(post, path = "/v1/intents", tag = "intents", request_body = NewIntent,
    responses((status = 201, body = Intent), (status = 403, body = Problem), (status = 422, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "fair_not_configured")))]
pub async fn publish_intent(
    State(state): State<AppState>,
    Buyer(caller): Buyer,
    Json(input): Json<NewIntent>,
) -> ApiResult<(StatusCode, Json<Intent>)> {
    let intent = service(&state).publish(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(intent)))
}

/// The calling buyer's intents, newest first.
#[utoipa::path(get, path = "/v1/intents", tag = "intents", params(ListParams),
    responses((status = 200, body = ListResponse<Intent>), (status = 403, body = Problem)))]
pub async fn list_my_intents(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<Intent>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state).buyer_intents(&caller, &page).await?.into(),
    ))
}

/// An intent (its buyer; accounts of an exhibitor it was delivered to or matched).
#[utoipa::path(get, path = "/v1/intents/{iid}", tag = "intents", params(("iid" = String, Path)),
    responses((status = 200, body = Intent), (status = 404, body = Problem)))]
pub async fn get_intent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(iid): Path<String>,
) -> ApiResult<Json<Intent>> {
    Ok(Json(service(&state).get(&caller, &iid).await?))
}

/// Closes an intent (its buyer): it matches no more.
#[utoipa::path(post, path = "/v1/intents/{iid}/close", tag = "intents", params(("iid" = String, Path)),
    responses((status = 200, body = Intent), (status = 404, body = Problem)))]
pub async fn close_intent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(iid): Path<String>,
) -> ApiResult<Json<Intent>> {
    Ok(Json(service(&state).close(&caller, &iid).await?))
}

/// The exhibits pushed to the calling buyer, newest first.
#[utoipa::path(get, path = "/v1/me/recommendations", tag = "intents", params(ListParams),
    responses((status = 200, body = ListResponse<Push>), (status = 403, body = Problem)))]
pub async fn my_recommendations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<Push>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(service(&state).pushes(&caller, &page).await?.into()))
}

/// The intents delivered to the exhibitor, newest first (main).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/intents", tag = "intents", params(("eid" = String, Path), DeliveryListParams),
    responses((status = 200, body = ListResponse<IntentDelivery>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn exhibitor_intents(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<DeliveryListParams>,
) -> ApiResult<Json<ListResponse<IntentDelivery>>> {
    let page = page_request(params.limit, params.cursor)?;
    let deliveries = service(&state)
        .exhibitor_intents(
            &caller,
            &eid,
            params.assignee_id.as_deref(),
            params.status,
            &page,
        )
        .await?;
    Ok(Json(deliveries.into()))
}

/// The intents assigned to the calling account (`intents`).
#[utoipa::path(get, path = "/v1/me/intents", tag = "intents", params(MyDeliveryParams),
    responses((status = 200, body = ListResponse<IntentDelivery>), (status = 403, body = Problem)))]
pub async fn assigned_to_me(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<MyDeliveryParams>,
) -> ApiResult<Json<ListResponse<IntentDelivery>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state)
            .assigned_to_me(&caller, params.status, &page)
            .await?
            .into(),
    ))
}

/// Assigns a delivered intent to an account (main): manual distribution and reassignment.
#[utoipa::path(post, path = "/v1/intents/{iid}/assignment", tag = "intents", params(("iid" = String, Path)), request_body = AssignmentInput,
    responses((status = 200, body = IntentDelivery), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn assign_intent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(iid): Path<String>,
    input: JsonLater<AssignmentInput>,
) -> ApiResult<Json<IntentDelivery>> {
    let service = service(&state);
    let delivery = service.delivery_to_assign(&caller, &iid).await?;
    Ok(Json(service.assign(delivery, input.parse()?).await?))
}

/// Marks a delivered intent done for the exhibitor (its assignee or main).
#[utoipa::path(post, path = "/v1/intents/{iid}/complete", tag = "intents", params(("iid" = String, Path)),
    responses((status = 200, body = IntentDelivery), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn complete_intent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(iid): Path<String>,
) -> ApiResult<Json<IntentDelivery>> {
    Ok(Json(service(&state).complete(&caller, &iid).await?))
}

/// Intents the exhibitor's recommended exhibits matched, newest first (main or
/// `exhibitMatches`).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/exhibit-matches", tag = "intents", params(("eid" = String, Path), ListParams),
    responses((status = 200, body = ListResponse<ExhibitMatch>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn exhibit_matches(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<ExhibitMatch>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state)
            .exhibit_matches(&caller, &eid, &page)
            .await?
            .into(),
    ))
}
