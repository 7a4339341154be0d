//! HTTP handlers of the accounts feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use fairlink_domain::{
    model::{Account, AutoReplies, DistributionSettings, Fair},
    ports::SignInConfig,
};
use fairlink_http::guards::{MainOf, Organizer};
use fairlink_http::rate_headers::{take_rate_slot, with_rate_headers};
use fairlink_http::{
    ApiResult, AppState, Caller, ClientAddress, Json, JsonLater, ListParams, ListResponse, Problem,
    Query, page_request,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::service::{
    AccountPatch, AccountsService, CreatedExhibitor, DistributionView, ExhibitorProfile, FairInput,
    NewBuyer, NewExhibitor, NewSubAccount,
};

fn service(state: &AppState) -> AccountsService<'_> {
    AccountsService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Presence {
    pub online: bool,
}

impl fairlink_domain::validate::Validate for Presence {}

/// The fair's settings.
#[utoipa::path(get, path = "/v1/fair", tag = "accounts",
    responses((status = 200, body = Fair), (status = 404, body = Problem, description = "not set up yet")))]
pub async fn get_fair(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<Fair>> {
    Ok(Json(service(&state).fair().await?))
}

/// Replaces the fair's settings (organizer).
#[utoipa::path(put, path = "/v1/fair", tag = "accounts", request_body = FairInput,
    responses((status = 200, body = Fair), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_fair(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Json(input): Json<FairInput>,
) -> ApiResult<Json<Fair>> {
    Ok(Json(service(&state).put_fair(&caller, input).await?))
}

/// Creates an exhibitor and its main account (organizer).
#[utoipa::path(post, path = "/v1/exhibitors", tag = "accounts", request_body = NewExhibitor,
    responses((status = 201, body = CreatedExhibitor), (status = 403, body = Problem), (status = 409, body = Problem, description = "email_taken, fair_not_configured"), (status = 422, body = Problem, description = "identity_refused, unsupported_language")))]
pub async fn create_exhibitor(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Json(input): Json<NewExhibitor>,
) -> ApiResult<(StatusCode, Json<CreatedExhibitor>)> {
    Ok((
        StatusCode::CREATED,
        Json(service(&state).create_exhibitor(&caller, input).await?),
    ))
}

/// An exhibitor's public profile.
#[utoipa::path(get, path = "/v1/exhibitors/{eid}", tag = "accounts", params(("eid" = String, Path)),
    responses((status = 200, body = ExhibitorProfile), (status = 404, body = Problem)))]
pub async fn get_exhibitor(
    State(state): State<AppState>,
    _caller: Caller,
    Path(eid): Path<String>,
) -> ApiResult<Json<ExhibitorProfile>> {
    Ok(Json(service(&state).exhibitor_profile(&eid).await?))
}

/// What a front-end needs to sign people in (no token needed): the user pool and the web
/// app client, or `provider: "dev"` where tokens come from `POST /v1/dev/tokens`.
#[utoipa::path(get, path = "/v1/auth/config", tag = "accounts", security(()),
    responses((status = 200, body = SignInConfig)))]
pub async fn auth_config(State(state): State<AppState>) -> Json<SignInConfig> {
    Json(state.ports.identities.sign_in_config())
}

/// Registers a buyer (no token needed).
#[utoipa::path(post, path = "/v1/buyers", tag = "accounts", security(()), request_body = NewBuyer,
    responses((status = 201, body = Account, headers(("RateLimit" = String, description = "where the caller stands: `\"<policy>\";r=<remaining>;t=<seconds to reset>` (when a limit is configured)"), ("RateLimit-Policy" = String, description = "the limit: `\"<policy>\";q=<requests>;w=<window seconds>`"))), (status = 409, body = Problem, description = "email_taken"), (status = 422, body = Problem, description = "identity_refused, unsupported_language"),
        (status = 429, body = Problem, description = "rate_limited: too many registrations from this address", headers(("RateLimit" = String, description = "where the caller stands: `\"<policy>\";r=<remaining>;t=<seconds to reset>` (when a limit is configured)"), ("RateLimit-Policy" = String, description = "the limit: `\"<policy>\";q=<requests>;w=<window seconds>`")))))]
pub async fn register_buyer(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(input): Json<NewBuyer>,
) -> ApiResult<axum::response::Response> {
    // Every well-formed attempt counts, taken email or not, so the limit also slows down
    // probing for registered addresses.
    let standing = take_rate_slot(&state, "register", &client, state.registration_limit).await?;
    let account = service(&state).register_buyer(input).await?;
    Ok(with_rate_headers(
        standing,
        (StatusCode::CREATED, Json(account)),
    ))
}

/// The calling account.
#[utoipa::path(get, path = "/v1/me", tag = "accounts", responses((status = 200, body = Account), (status = 401, body = Problem)))]
pub async fn me(Caller(caller): Caller) -> Json<Account> {
    Json(caller)
}

/// Sets the calling exhibitor account online or offline.
#[utoipa::path(put, path = "/v1/me/presence", tag = "accounts", request_body = Presence,
    responses((status = 200, body = Account), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn put_presence(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Json(input): Json<Presence>,
) -> ApiResult<Json<Account>> {
    Ok(Json(
        service(&state)
            .set_presence(
                &caller,
                if input.online {
                    fairlink_domain::model::Presence::Online
                } else {
                    fairlink_domain::model::Presence::Offline
                },
            )
            .await?,
    ))
}

/// The exhibitor's accounts, oldest first (main).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/accounts", tag = "accounts", params(("eid" = String, Path), ListParams),
    responses((status = 200, body = ListResponse<Account>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ListResponse<Account>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        service(&state).accounts(&caller, &eid, &page).await?.into(),
    ))
}

/// Creates a sub-account with permissions and zones (main).
#[utoipa::path(post, path = "/v1/exhibitors/{eid}/accounts", tag = "accounts", params(("eid" = String, Path)), request_body = NewSubAccount,
    responses((status = 201, body = Account), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "email_taken"), (status = 422, body = Problem, description = "identity_refused, unsupported_language")))]
pub async fn create_account(
    State(state): State<AppState>,
    MainOf { caller, eid }: MainOf,
    Json(input): Json<NewSubAccount>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            service(&state)
                .create_sub_account(&caller, &eid, input)
                .await?,
        ),
    ))
}

/// One account: the caller's own, or as main any of its exhibitor's.
#[utoipa::path(get, path = "/v1/accounts/{aid}", tag = "accounts", params(("aid" = String, Path)),
    responses((status = 200, body = Account), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_account(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(aid): Path<String>,
) -> ApiResult<Json<Account>> {
    Ok(Json(service(&state).account(&caller, &aid).await?))
}

/// Changes an account: main for its sub-accounts; anyone for their own profile fields.
#[utoipa::path(patch, path = "/v1/accounts/{aid}", tag = "accounts", params(("aid" = String, Path)), request_body = AccountPatch,
    responses((status = 200, body = Account), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem, description = "unsupported_language")))]
pub async fn patch_account(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(aid): Path<String>,
    patch: JsonLater<AccountPatch>,
) -> ApiResult<Json<Account>> {
    let service = service(&state);
    let account = service.account_to_change(&caller, &aid).await?;
    Ok(Json(service.patch_account(account, patch.parse()?).await?))
}

/// Deactivates a sub-account (main).
#[utoipa::path(delete, path = "/v1/accounts/{aid}", tag = "accounts", params(("aid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "conflict"), (status = 422, body = Problem, description = "identity_refused")))]
pub async fn delete_account(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(aid): Path<String>,
) -> ApiResult<StatusCode> {
    service(&state).deactivate(&caller, &aid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The exhibitor's distribution modes (main).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/distribution", tag = "accounts", params(("eid" = String, Path)),
    responses((status = 200, body = DistributionView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_distribution(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
) -> ApiResult<Json<DistributionView>> {
    Ok(Json(service(&state).distribution(&caller, &eid).await?))
}

/// Sets the distribution modes (main); 409 `settings_locked` after the fair's lock time.
#[utoipa::path(put, path = "/v1/exhibitors/{eid}/distribution", tag = "accounts", params(("eid" = String, Path)), request_body = DistributionSettings,
    responses((status = 200, body = DistributionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "settings_locked")))]
pub async fn put_distribution(
    State(state): State<AppState>,
    MainOf { caller, eid }: MainOf,
    Json(settings): Json<DistributionSettings>,
) -> ApiResult<Json<DistributionView>> {
    Ok(Json(
        service(&state)
            .put_distribution(&caller, &eid, settings)
            .await?,
    ))
}

/// The exhibitor's auto-reply texts (main).
#[utoipa::path(get, path = "/v1/exhibitors/{eid}/auto-replies", tag = "accounts", params(("eid" = String, Path)),
    responses((status = 200, body = AutoReplies), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_auto_replies(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(eid): Path<String>,
) -> ApiResult<Json<AutoReplies>> {
    Ok(Json(service(&state).auto_replies(&caller, &eid).await?))
}

/// Sets the auto-reply texts (main); `null` or an empty text sends nothing.
#[utoipa::path(put, path = "/v1/exhibitors/{eid}/auto-replies", tag = "accounts", params(("eid" = String, Path)), request_body = AutoReplies,
    responses((status = 200, body = AutoReplies), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_auto_replies(
    State(state): State<AppState>,
    MainOf { caller, eid }: MainOf,
    Json(replies): Json<AutoReplies>,
) -> ApiResult<Json<AutoReplies>> {
    Ok(Json(
        service(&state)
            .put_auto_replies(&caller, &eid, replies)
            .await?,
    ))
}
