//! Feature "notifications": the message centre every feature writes to (API.md,
//! "Notifications"). Entries are written with `Repository::add_notification`.

use axum::extract::{Path, State};
use fairlink_domain::DomainError;
use fairlink_domain::{Ports, model::Notification};
use fairlink_http::{
    ApiResult, AppState, Authenticator, Caller, Json, ListResponse, Problem, Query, page_request,
};
use fairlink_store::{Gone, NotificationFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// Only the unread ones.
    #[serde(default)]
    pub unread: bool,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// My notifications, newest first.
#[utoipa::path(get, path = "/v1/me/notifications", tag = "notifications", params(NotificationParams),
    responses((status = 200, body = ListResponse<Notification>), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list_notifications(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<NotificationParams>,
) -> ApiResult<Json<ListResponse<Notification>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        state
            .repo
            .notifications(
                &caller.id,
                if params.unread {
                    NotificationFilter::Unread
                } else {
                    NotificationFilter::All
                },
                &page,
            )
            .await?
            .into(),
    ))
}

/// Marks one of my notifications read (again is harmless).
#[utoipa::path(post, path = "/v1/me/notifications/{nid}/read", tag = "notifications", params(("nid" = String, Path)),
    responses((status = 200, body = Notification), (status = 404, body = Problem)))]
async fn read_notification(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(nid): Path<String>,
) -> ApiResult<Json<Notification>> {
    Ok(Json(
        state
            .repo
            .mark_notification_read(&caller.id, &nid, state.now())
            .await?
            .map_err(|Gone| DomainError::NotFound("notification"))?,
    ))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notification))
}

/// What this feature's Lambda serves: its routes behind API Gateway's JWT authorizer.
pub fn lambda_app(ports: Ports) -> axum::Router {
    fairlink_http::api([routes()], AppState::new(ports, Authenticator::ApiGateway))
}
