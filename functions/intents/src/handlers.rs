//! HTTP handlers of the intents feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use fairlink_domain::model::{DeliveryStatus, ExhibitMatch, Intent, IntentDelivery, Push};
use fairlink_http::guards::Buyer;
use fairlink_http::{
    ApiResult, AppState, Caller, Json, JsonLater, ListParams, ListResponse, Problem, Query,
    page_request,
};
use fairlink_store::PushList;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    matches::{FeedbackInput, IntentMatch, MatchesService},
    service::{AssignmentInput, IntentsService, NewIntent},
};

fn service(state: &AppState) -> IntentsService<'_> {
    IntentsService::new(&state.repo, &state.ports)
}

fn matches_service(state: &AppState) -> MatchesService<'_> {
    MatchesService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationListParams {
    /// `true`: the pushes the buyer marked not relevant (left out otherwise).
    pub dismissed: Option<bool>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
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

/// The exhibits pushed to the calling buyer, newest first; those it marked not relevant only
/// with `?dismissed=true`.
#[utoipa::path(get, path = "/v1/me/recommendations", tag = "intents", params(RecommendationListParams),
    responses((status = 200, body = ListResponse<Push>), (status = 403, body = Problem)))]
pub async fn my_recommendations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<RecommendationListParams>,
) -> ApiResult<Json<ListResponse<Push>>> {
    let page = page_request(params.limit, params.cursor)?;
    let which = if params.dismissed.unwrap_or(false) {
        PushList::Dismissed
    } else {
        PushList::Standing
    };
    Ok(Json(
        matches_service(&state)
            .pushes(&caller, which, &page)
            .await?
            .into(),
    ))
}

/// The buyer's verdict on one of its pushes (the last one stands): `not_relevant` takes it
/// off the list, it is never pushed again for the intent, and the intent is ranked again
/// (a better exhibit may replace it).
#[utoipa::path(post, path = "/v1/me/recommendations/{id}/feedback", tag = "intents", params(("id" = String, Path, description = "the push's id")), request_body = FeedbackInput,
    responses((status = 200, body = Push), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn recommendation_feedback(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    input: JsonLater<FeedbackInput>,
) -> ApiResult<Json<Push>> {
    let service = matches_service(&state);
    let push = service.own_push(&caller, &id).await?;
    Ok(Json(service.judge(&caller, push, input.parse()?).await?))
}

/// The intent's ranked matches, best first (its buyer): up to 30, each with its exhibit,
/// score, reasons and whether it was pushed.
#[utoipa::path(get, path = "/v1/intents/{iid}/matches", tag = "intents", params(("iid" = String, Path), ListParams),
    responses((status = 200, body = ListResponse<IntentMatch>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn intent_matches(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(iid): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<IntentMatch>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        matches_service(&state)
            .matches(&caller, &iid, &page)
            .await?
            .into(),
    ))
}

/// Buyers' verdicts on pushes, oldest first, as JSON lines (organizer): `{intent, exhibit,
/// verdict, reason, grade, at}`, the intent and exhibit in the labelled set's format, no
/// buyer; labelled pairs to refit the matcher with. The next page's cursor is in the
/// `next-cursor` header (absent on the last page).
#[utoipa::path(get, path = "/v1/fair/matching-feedback", tag = "intents", params(ListParams),
    responses((status = 200, content_type = "application/x-ndjson", body = String,
        headers(("next-cursor" = String, description = "pass as `cursor` for the next page; absent on the last"))),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn matching_feedback(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> ApiResult<Response> {
    let page = page_request(params.limit, params.cursor)?;
    let judgments = matches_service(&state).judgments(&caller, &page).await?;
    let mut body = String::new();
    for judgment in &judgments.items {
        body.push_str(&serde_json::to_string(judgment).map_err(|e| {
            fairlink_domain::DomainError::Internal(format!("a judgment did not encode: {e}"))
        })?);
        body.push('\n');
    }
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        body,
    )
        .into_response();
    if let Some(cursor) = judgments
        .next_cursor
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        response.headers_mut().insert("next-cursor", cursor);
    }
    Ok(response)
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
