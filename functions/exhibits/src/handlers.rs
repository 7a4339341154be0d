//! HTTP handlers of the exhibits feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use fairlink_domain::model::Exhibit;
use fairlink_http::guards::MainOf;
use fairlink_http::{
    ApiResult, AppState, Caller, Json, JsonLater, ListParams, ListResponse, Problem, Query,
    page_request,
};
use fairlink_store::ExhibitFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::service::{
    ExhibitPatch, ExhibitsService, NewExhibit, Recommendation, RecommendationList, RepsInput,
};

fn service(state: &AppState) -> ExhibitsService<'_> {
    ExhibitsService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExhibitListParams {
    /// Only the recommended exhibits.
    #[serde(default)]
    pub recommended: bool,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// Adds an exhibit to the exhibitor's list (main).
#[utoipa::path(post, path = "/v1/exhibitors/{eid}/exhibits", tag = "exhibits", params(("eid" = String, Path)), request_body = NewExhibit,
    responses((status = 201, body = Exhibit), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "fair_not_configured")))]
pub async fn create_exhibit(
    State(state): State<AppState>,
    MainOf { caller, eid }: MainOf,
    Json(input): Json<NewExhibit>,
) -> ApiResult<(StatusCode, Json<Exhibit>)> {
    let exhibit = service(&state).create(&caller, &eid, input).await?;
    Ok((StatusCode::CREATED, Json(exhibit)))
}

/// An exhibitor's exhibits, oldest first; `recommended=true` for its recommended ones.
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/exhibits", tag = "exhibits", params(("eid" = String, Path), ExhibitListParams),
    responses((status = 200, body = ListResponse<Exhibit>), (status = 404, body = Problem)))]
pub async fn list_exhibits(
    State(state): State<AppState>,
    _caller: Caller,
    Path(eid): Path<String>,
    Query(params): Query<ExhibitListParams>,
) -> ApiResult<Json<ListResponse<Exhibit>>> {
    let page = page_request(params.limit, params.cursor)?;
    let exhibits = service(&state)
        .list(
            &eid,
            if params.recommended {
                ExhibitFilter::Recommended
            } else {
                ExhibitFilter::All
            },
            &page,
        )
        .await?;
    Ok(Json(exhibits.into()))
}

/// An exhibit.
#[utoipa::path(get, path = "/v1/exhibits/{xid}", tag = "exhibits", params(("xid" = String, Path)),
    responses((status = 200, body = Exhibit), (status = 404, body = Problem)))]
pub async fn get_exhibit(
    State(state): State<AppState>,
    _caller: Caller,
    Path(xid): Path<String>,
) -> ApiResult<Json<Exhibit>> {
    Ok(Json(service(&state).get(&xid).await?))
}

/// Changes an exhibit (main).
#[utoipa::path(patch, path = "/v1/exhibits/{xid}", tag = "exhibits", params(("xid" = String, Path)), request_body = ExhibitPatch,
    responses((status = 200, body = Exhibit), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict, fair_not_configured")))]
pub async fn patch_exhibit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(xid): Path<String>,
    patch: JsonLater<ExhibitPatch>,
) -> ApiResult<Json<Exhibit>> {
    let service = service(&state);
    let exhibit = service.exhibit_to_change(&caller, &xid).await?;
    Ok(Json(service.patch(&caller, exhibit, patch.parse()?).await?))
}

/// Removes an exhibit from the list (main); removing it again changes nothing.
#[utoipa::path(delete, path = "/v1/exhibits/{xid}", tag = "exhibits", params(("xid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_exhibit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(xid): Path<String>,
) -> ApiResult<StatusCode> {
    service(&state).delete(&caller, &xid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the exhibit's sales reps (main).
#[utoipa::path(put, path = "/v1/exhibits/{xid}/reps", tag = "exhibits", params(("xid" = String, Path)), request_body = RepsInput,
    responses((status = 200, body = Exhibit), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn put_reps(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(xid): Path<String>,
    input: JsonLater<RepsInput>,
) -> ApiResult<Json<Exhibit>> {
    let service = service(&state);
    let exhibit = service.exhibit_to_change(&caller, &xid).await?;
    Ok(Json(
        service.put_reps(&caller, exhibit, input.parse()?).await?,
    ))
}

/// Recommends the exhibit, spending one unit of quota (main or `recommend`).
#[utoipa::path(post, path = "/v1/exhibits/{xid}/recommendation", tag = "exhibits", params(("xid" = String, Path)),
    responses((status = 201, body = Recommendation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "quota_exhausted, already_recommended, fair_not_configured")))]
pub async fn recommend(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(xid): Path<String>,
) -> ApiResult<(StatusCode, Json<Recommendation>)> {
    let recommendation = service(&state).recommend(&caller, &xid).await?;
    Ok((StatusCode::CREATED, Json(recommendation)))
}

/// Stops recommending the exhibit; the quota is not refunded (main or `recommend`).
#[utoipa::path(delete, path = "/v1/exhibits/{xid}/recommendation", tag = "exhibits", params(("xid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(xid): Path<String>,
) -> ApiResult<StatusCode> {
    service(&state).withdraw(&caller, &xid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The exhibitor's quota and recommended exhibits with their matches and pushes (main or
/// `recommend`).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/recommendations", tag = "exhibits", params(("eid" = String, Path), ListParams),
    responses((status = 200, body = RecommendationList), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "fair_not_configured")))]
pub async fn list_recommendations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<RecommendationList>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state)
            .recommendations(&caller, &eid, &page)
            .await?,
    ))
}
