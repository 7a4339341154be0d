//! HTTP handlers of the messaging feature: parse, call the service, map the result.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use fairlink_domain::model::{Message, Translation};
use fairlink_http::rate_headers::{take_rate_slot, with_rate_headers};
use fairlink_http::{
    ApiResult, AppState, Caller, Json, JsonLater, ListResponse, Problem, Query, page_request,
};
use fairlink_store::Order;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::service::{
    ConversationScope, ConversationView, MessagingService, NewMessage, OpenConversation, Opened,
    ReadMarker, TransferInput,
};

fn service(state: &AppState) -> MessagingService<'_> {
    MessagingService::new(&state.repo, &state.ports)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationListParams {
    /// `all`: every conversation of the exhibitor (main).
    pub scope: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageListParams {
    /// Only the messages after this message id, oldest first (for new ones).
    pub after: Option<String>,
    /// `asc`: oldest first; `desc` (default): newest first.
    pub order: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TranslationParams {
    /// The language to translate into, such as `en`.
    pub lang: String,
}

/// Opens a conversation (201), or returns the open one between the two sides (200).
#[utoipa::path(post, path = "/v1/conversations", tag = "messaging", request_body = OpenConversation,
    responses((status = 201, body = ConversationView), (status = 200, body = ConversationView),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn open_conversation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Json(input): Json<OpenConversation>,
) -> ApiResult<(StatusCode, Json<ConversationView>)> {
    Ok(match service(&state).open(&caller, input).await? {
        Opened::Created(conversation) => (StatusCode::CREATED, Json(conversation)),
        Opened::Existing(conversation) => (StatusCode::OK, Json(conversation)),
    })
}

/// My conversations, latest activity first (`scope=all`: the exhibitor's, for main).
#[utoipa::path(get, path = "/v1/conversations", tag = "messaging", params(ConversationListParams),
    responses((status = 200, body = ListResponse<ConversationView>), (status = 403, body = Problem)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ConversationListParams>,
) -> ApiResult<Json<ListResponse<ConversationView>>> {
    let page = page_request(params.limit, params.cursor)?;
    let scope = match params.scope.as_deref() {
        None | Some("mine") => ConversationScope::Mine,
        Some("all") => ConversationScope::Exhibitor,
        Some(_) => {
            return Err(fairlink_domain::DomainError::field("scope", "must be all or mine").into());
        }
    };
    Ok(Json(
        service(&state).list(&caller, scope, &page).await?.into(),
    ))
}

/// A conversation (its participants and the exhibitor's main account).
#[utoipa::path(get, path = "/v1/conversations/{cid}", tag = "messaging", params(("cid" = String, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = Problem), (status = 403, body = Problem)))]
pub async fn get_conversation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(cid): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(service(&state).get(&caller, &cid).await?))
}

/// A conversation's messages: newest first, oldest first, or those after a message.
#[utoipa::path(get, path = "/v1/conversations/{cid}/messages", tag = "messaging", params(("cid" = String, Path), MessageListParams),
    responses((status = 200, body = ListResponse<Message>), (status = 404, body = Problem), (status = 403, body = Problem)))]
pub async fn list_messages(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(cid): Path<String>,
    Query(params): Query<MessageListParams>,
) -> ApiResult<Json<ListResponse<Message>>> {
    let page = page_request(params.limit, params.cursor)?;
    let order = match params.order.as_deref() {
        None | Some("desc") => Order::NewestFirst,
        Some("asc") => Order::OldestFirst,
        Some(_) => {
            return Err(fairlink_domain::DomainError::field("order", "must be asc or desc").into());
        }
    };
    let messages = service(&state)
        .messages(&caller, &cid, order, params.after.as_deref(), &page)
        .await?;
    Ok(Json(messages.into()))
}

/// Sends a text, image or card message (participants).
#[utoipa::path(post, path = "/v1/conversations/{cid}/messages", tag = "messaging", params(("cid" = String, Path)), request_body = NewMessage,
    responses((status = 201, body = Message, headers(("RateLimit" = String, description = "where the caller stands: `\"<policy>\";r=<remaining>;t=<seconds to reset>` (when a limit is configured)"), ("RateLimit-Policy" = String, description = "the limit: `\"<policy>\";q=<requests>;w=<window seconds>`"))), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "validation_failed, unsupported_message_type"),
        (status = 429, body = Problem, description = "rate_limited: this account sent too many messages this minute (Retry-After)", headers(("RateLimit" = String, description = "where the caller stands: `\"<policy>\";r=<remaining>;t=<seconds to reset>` (when a limit is configured)"), ("RateLimit-Policy" = String, description = "the limit: `\"<policy>\";q=<requests>;w=<window seconds>`"))), (status = 409, body = Problem, description = "conflict")))]
pub async fn send_message(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(cid): Path<String>,
    input: JsonLater<NewMessage>,
) -> ApiResult<axum::response::Response> {
    let service = service(&state);
    let participation = service.participation(&caller, &cid).await?;
    let input = input.parse()?;
    let standing = take_rate_slot(&state, "message", &caller.id, state.message_limit).await?;
    let message = service.send(&caller, participation, input).await?;
    Ok(with_rate_headers(
        standing,
        (StatusCode::CREATED, Json(message)),
    ))
}

/// Marks the caller's side read up to a message (participants).
#[utoipa::path(post, path = "/v1/conversations/{cid}/read", tag = "messaging", params(("cid" = String, Path)), request_body = ReadMarker,
    responses((status = 200, body = ConversationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn mark_read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(cid): Path<String>,
    input: JsonLater<ReadMarker>,
) -> ApiResult<Json<ConversationView>> {
    let service = service(&state);
    let participation = service.participation(&caller, &cid).await?;
    Ok(Json(
        service
            .mark_read(&caller, participation, input.parse()?)
            .await?,
    ))
}

/// Hands the conversation to a colleague with `im` (its assignee or main).
#[utoipa::path(post, path = "/v1/conversations/{cid}/transfer", tag = "messaging", params(("cid" = String, Path)), request_body = TransferInput,
    responses((status = 200, body = ConversationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 409, body = Problem, description = "conflict")))]
pub async fn transfer(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(cid): Path<String>,
    input: JsonLater<TransferInput>,
) -> ApiResult<Json<ConversationView>> {
    let service = service(&state);
    let conversation = service.conversation_to_transfer(&caller, &cid).await?;
    Ok(Json(
        service
            .transfer(&caller, conversation, input.parse()?)
            .await?,
    ))
}

/// A message's text in another language; the original stays in the message (participants).
#[utoipa::path(get, path = "/v1/conversations/{cid}/messages/{mid}/translation", tag = "messaging",
    params(("cid" = String, Path), ("mid" = String, Path), TranslationParams),
    responses((status = 200, body = Translation), (status = 404, body = Problem), (status = 422, body = Problem, description = "nothing_to_translate, unsupported_language"),
        (status = 503, body = Problem, description = "translation_unavailable"), (status = 403, body = Problem)))]
pub async fn translate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((cid, mid)): Path<(String, String)>,
    Query(params): Query<TranslationParams>,
) -> ApiResult<Json<Translation>> {
    Ok(Json(
        service(&state)
            .translate(&caller, &cid, &mid, &params.lang)
            .await?,
    ))
}
