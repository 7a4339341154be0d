use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::{
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    Problem,
    idempotency::idempotency,
    observability::{MakeRequestUlid, request_span},
    problem::ApiError,
    state::AppState,
};

/// Request bodies over 1 MiB answer 413 `payload_too_large`.
pub const BODY_LIMIT: usize = 1 << 20;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fairlink",
        description = "Supply-procurement matchmaking for an online trade fair: the HTTP API the web front-end codes against. Every error is application/problem+json (RFC 9457) with a stable `code`; the codes each status can carry are listed under components/responses. Every time (format date-time) is answered in one form, RFC 3339 in UTC with exactly three fractional digits (2021-04-15T08:00:00.000Z); requests may send any RFC 3339 time, kept to the millisecond. Real-time events come over a WebSocket (the stack's WebSocketUrl; locally GET /v1/ws?token=…).",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    servers(
        (url = "http://127.0.0.1:3000", description = "fairlink-local (FAIRLINK_ADDR)"),
        (
            url = "https://{apiId}.execute-api.{region}.amazonaws.com",
            description = "The deployed HTTP API (the stack's ApiUrl output), or its custom domain",
            variables(
                ("apiId" = (default = "your-api-id", description = "The HTTP API's id")),
                ("region" = (default = "us-east-1", description = "The stack's region"))
            )
        )
    ),
    tags(
        (name = "meta", description = "Liveness and this document"),
        (name = "accounts", description = "The fair, exhibitors, buyers, accounts and permissions, distribution, auto-replies, sign-in configuration"),
        (name = "notifications", description = "The message centre"),
        (name = "exhibits", description = "Exhibits, sales reps and recommendations"),
        (name = "intents", description = "Procurement intents, pushes, deliveries and exhibit matches"),
        (name = "appointments", description = "Negotiation slots, bookings, meetings and calendars"),
        (name = "messaging", description = "Conversations, messages, read markers, transfers, translation"),
        (name = "cards", description = "Business cards")
    ),
    components(schemas(Problem, Health)),
    modifiers(&BearerAuth)
)]
struct BaseDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        openapi.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The answer of `/health`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    /// Always `ok` while the function answers.
    status: HealthStatus,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum HealthStatus {
    Ok,
}

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "meta", security(()), responses((status = 200, description = "up", body = Health)))]
async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        status: HealthStatus::Ok,
    })
}

/// Error answers are `application/problem+json`: say so wherever a response is a `Problem`.
/// The statuses any operation can answer, as shared responses with the codes each carries:
/// (name, status, description, codes, applies).
const SHARED_RESPONSES: &[(&str, &str, &str, &[&str], Applies)] = &[
    (
        "Unauthenticated",
        "401",
        "No valid bearer token, or one whose identity signs in as no active account",
        &["unauthenticated", "unknown_identity", "account_deactivated"],
        Applies::Authenticated,
    ),
    (
        "MalformedBody",
        "400",
        "The body is not JSON",
        &["malformed_json"],
        Applies::WithBody,
    ),
    (
        "PayloadTooLarge",
        "413",
        "The body is over 1 MiB",
        &["payload_too_large"],
        Applies::WithBody,
    ),
    (
        "UnsupportedMediaType",
        "415",
        "The body is not application/json",
        &["unsupported_media_type"],
        Applies::WithBody,
    ),
    (
        "Invalid",
        "422",
        "A field or parameter is invalid (`errors` names each), or an Idempotency-Key was used with another request",
        &["validation_failed", "idempotency_key_reused"],
        Applies::WithInput,
    ),
    (
        "PreconditionFailed",
        "412",
        "If-Match names a version that is no longer the resource's; nothing was written",
        &["precondition_failed"],
        Applies::Writes,
    ),
    (
        "Internal",
        "500",
        "An unexpected failure (never expected; logged with the request id)",
        &["internal"],
        Applies::Every,
    ),
    (
        "Unavailable",
        "503",
        "A dependency did not answer in time; try again",
        &[
            "store_unavailable",
            "timeout",
            "queue_unavailable",
            "identity_unavailable",
        ],
        Applies::Every,
    ),
];

#[derive(Clone, Copy)]
enum Applies {
    Every,
    Authenticated,
    WithBody,
    WithInput,
    /// PUT, PATCH and DELETE (which honour If-Match).
    Writes,
}

fn shared_response(description: &str, codes: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "description": description,
        "headers": {"x-request-id": {"$ref": "#/components/headers/RequestId"}},
        "content": {"application/problem+json": {"schema": {"allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {"type": "object", "properties": {"code": {"type": "string", "enum": codes}}}
        ]}}}
    })
}

/// Completes every operation with the statuses it can answer that it does not list itself
/// (shared `components/responses`), and gives `limit` its real bounds.
fn with_shared_responses(doc: &mut serde_json::Value) {
    if let Some(components) = doc["components"].as_object_mut() {
        let shared = components
            .entry("responses")
            .or_insert_with(|| serde_json::json!({}));
        for (name, _, description, codes, _) in SHARED_RESPONSES {
            shared[*name] = shared_response(description, codes);
        }
        shared["Unavailable"]["headers"]["Retry-After"] =
            serde_json::json!({"$ref": "#/components/headers/RetryAfter"});
        components.insert(
            "headers".into(),
            serde_json::json!({
                "RequestId": {"description": "The request's id, as in fairlink's logs.", "schema": {"type": "string"}},
                "RetryAfter": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}},
                "IdempotencyReplayed": {"description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.", "schema": {"type": "string", "enum": ["true"]}}
            }),
        );
    }
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (method, operation) in paths
        .values_mut()
        .filter_map(|p| p.as_object_mut())
        .flat_map(|p| p.iter_mut())
    {
        let writes = matches!(method.as_str(), "put" | "patch" | "delete");
        if method == "post"
            && let Some(params) = operation.as_object_mut().map(|o| {
                o.entry("parameters")
                    .or_insert_with(|| serde_json::json!([]))
            })
            && let Some(params) = params.as_array_mut()
        {
            params.push(serde_json::json!({
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "1 to 255 visible ASCII characters: the same key with the same body answers the first response again (with idempotency-replayed: true); with another body, 422 idempotency_key_reused.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255}
            }));
        }
        // Every answer carries its request id; 429s say when to come back.
        if let Some(responses) = operation
            .get_mut("responses")
            .and_then(|r| r.as_object_mut())
        {
            for (status, response) in responses.iter_mut() {
                if response.get("$ref").is_some() {
                    continue;
                }
                response["headers"]["x-request-id"] =
                    serde_json::json!({"$ref": "#/components/headers/RequestId"});
                if status == "429" {
                    response["headers"]["Retry-After"] =
                        serde_json::json!({"$ref": "#/components/headers/RetryAfter"});
                }
                if method == "post" && status.starts_with('2') {
                    response["headers"]["idempotency-replayed"] =
                        serde_json::json!({"$ref": "#/components/headers/IdempotencyReplayed"});
                }
            }
        }
        if writes {
            let params = operation.as_object_mut().map(|o| {
                o.entry("parameters")
                    .or_insert_with(|| serde_json::json!([]))
            });
            if let Some(params) = params.and_then(|p| p.as_array_mut()) {
                params.push(serde_json::json!({
                    "name": "If-Match", "in": "header", "required": false,
                    "description": "An ETag of the resource: the change is made only while it is still current (else 412).",
                    "schema": {"type": "string"}
                }));
            }
        }
        if method == "get"
            && let Some(ok) = operation.pointer_mut("/responses/200")
            && ok
                .pointer("/content/application~1json/schema/$ref")
                .and_then(|r| r.as_str())
                .is_some_and(|r| !r.contains("ListResponse") && !r.contains("Page"))
        {
            ok["headers"]["ETag"] = serde_json::json!({
                "description": "The version of this representation, for If-Match.",
                "schema": {"type": "string"}
            });
        }
        let public = operation
            .get("security")
            .and_then(|s| s.as_array())
            .is_some_and(|s| {
                s.iter()
                    .all(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
        let with_body = operation.get("requestBody").is_some();
        let params = operation
            .get_mut("parameters")
            .and_then(|p| p.as_array_mut())
            .map(|params| {
                for param in params.iter_mut().filter(|p| p["name"] == "limit") {
                    param["schema"]["minimum"] = 1.into();
                    param["schema"]["maximum"] = 200.into();
                }
                params
                    .iter()
                    .any(|p| p["in"] == "query" || p["in"] == "path")
            })
            .unwrap_or(false);
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(|r| r.as_object_mut())
        else {
            continue;
        };
        for (name, status, _, _, applies) in SHARED_RESPONSES {
            let applies = match applies {
                Applies::Every => true,
                Applies::Authenticated => !public,
                Applies::WithBody => with_body,
                Applies::WithInput => with_body || params,
                Applies::Writes => writes,
            };
            if applies && !responses.contains_key(*status) {
                responses.insert(
                    (*status).into(),
                    serde_json::json!({"$ref": format!("#/components/responses/{name}")}),
                );
            }
        }
    }
}

fn problems_as_problem_json(doc: utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    with_shared_responses(&mut doc);
    describe_operations(&mut doc);
    let operations = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut());
    for operation in operations
        .filter_map(|path| path.as_object_mut())
        .flat_map(|p| p.values_mut())
    {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(|r| r.as_object_mut())
        else {
            continue;
        };
        for response in responses.values_mut() {
            let Some(content) = response.get_mut("content").and_then(|c| c.as_object_mut()) else {
                continue;
            };
            let is_problem = content
                .get("application/json")
                .and_then(|json| json.pointer("/schema/$ref"))
                .is_some_and(|r| r == "#/components/schemas/Problem");
            if is_problem {
                let body = content.remove("application/json").unwrap_or_default();
                content.insert("application/problem+json".into(), body);
            }
        }
    }
    doc
}

/// Gives every operation a description (its summary, then what it answers: the success
/// statuses and the error statuses, whose codes are in components/responses) and every
/// response one.
fn describe_operations(doc: &mut serde_json::Value) {
    let operations = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|path| path.as_object_mut())
        .flat_map(|p| p.values_mut());
    for operation in operations {
        let Some(op) = operation.as_object_mut() else {
            continue;
        };
        let mut ok = Vec::new();
        let mut errors = Vec::new();
        if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
            for (status, response) in responses.iter_mut() {
                if status.starts_with('4') || status.starts_with('5') {
                    errors.push(status.clone());
                } else {
                    ok.push(status.clone());
                }
                if let Some(r) = response.as_object_mut()
                    && !r.contains_key("$ref")
                    && r.get("description")
                        .and_then(|d| d.as_str())
                        .is_none_or(str::is_empty)
                {
                    let text = http::StatusCode::from_bytes(status.as_bytes())
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("Answer");
                    r.insert("description".into(), text.into());
                }
            }
        }
        if op
            .get("description")
            .and_then(|d| d.as_str())
            .is_some_and(|d| !d.is_empty())
        {
            continue;
        }
        let summary = op
            .get("summary")
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_string();
        let description = format!(
            "{summary}\n\nAnswers {}; on error {} as problem+json (the `code`s of each status are listed in components/responses).",
            ok.join(", "),
            errors.join(", ")
        );
        op.insert("description".into(), description.trim_start().into());
    }
}

/// Answers 503 `timeout` when the request takes longer than the state's request timeout.
/// The idempotency middleware runs every request through it, inside its key reservation, so
/// that a request that timed out releases its key (one layer instead of two per request).
pub(crate) async fn within_deadline(
    state: &AppState,
    request: impl std::future::Future<Output = Response>,
) -> Response {
    match tokio::time::timeout(state.request_timeout, request).await {
        Ok(response) => response,
        Err(_) => ApiError::Domain(fairlink_domain::DomainError::Unavailable {
            code: "timeout",
            detail: "the request took too long".into(),
        })
        .into_response(),
    }
}

async fn route_not_found() -> Response {
    ApiError::RouteNotFound.into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// The OpenAPI document of these features (with /health), errors as problem+json.
pub fn openapi_document(features: impl IntoIterator<Item = OpenApiRouter<AppState>>) -> String {
    let (_, doc) = with_features(features).split_for_parts();
    serde_json::to_string_pretty(&problems_as_problem_json(doc)).unwrap_or_default()
}

fn with_features(
    features: impl IntoIterator<Item = OpenApiRouter<AppState>>,
) -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(BaseDoc::openapi()).routes(routes!(health));
    for feature in features {
        router = router.merge(feature);
    }
    router
}

/// The whole API: the features' routes plus /health and /openapi.json (the document of these
/// features), with the shared layers (request ids, logs, body limit, idempotency, deadline)
/// and problem+json fallbacks.
pub fn api(features: impl IntoIterator<Item = OpenApiRouter<AppState>>, state: AppState) -> Router {
    api_documented(features, state, None)
}

/// As `api`, serving `document` at /openapi.json instead of the features' own (the accounts
/// Lambda serves the whole API's document this way).
pub fn api_documented(
    features: impl IntoIterator<Item = OpenApiRouter<AppState>>,
    state: AppState,
    document: Option<&'static str>,
) -> Router {
    let (router, doc) = with_features(features).split_for_parts();
    let doc: Arc<str> = match document {
        Some(document) => Arc::from(document),
        None => Arc::from(problems_as_problem_json(doc).to_string()),
    };
    let router = router
        .route(
            "/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        doc.to_string(),
                    )
                }
            }),
        )
        // Idempotency, with the request deadline inside it.
        .layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUlid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                // Inside the request's span: the log line of a panic carries its request id.
                .layer(CatchPanicLayer::custom(panic_answer)),
        )
        .with_state(state);
    // Outermost: ETags on GETs, If-Match on writes (checked with a GET through the rest).
    let inner = router.clone();
    router.layer(middleware::from_fn(move |request, next| {
        crate::conditional::conditional(inner.clone(), request, next)
    }))
}

/// A handler that panicked answers a problem+json 500 (and is logged with its request id),
/// so one request never takes the process, a Lambda's other work or a worker down.
fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into());
    tracing::error!(panic = %message, "a request handler panicked");
    crate::problem::ApiError::Domain(fairlink_domain::DomainError::Internal(
        "the request failed unexpectedly".into(),
    ))
    .into_response()
}

/// A feature Lambda's main: JSON logs, then serve the router on the Lambda runtime.
pub async fn lambda_main(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router).await
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_answers_a_problem_with_its_request_id() {
        let dir = tempfile::tempdir().unwrap();
        let ports = fairlink_embedded::ports(dir.path(), None).unwrap();
        let state = AppState::new(ports, crate::Authenticator::hs256(b"secret"));
        let panicking: OpenApiRouter<AppState> = OpenApiRouter::new().route(
            "/boom",
            get(|| async {
                let far: chrono::DateTime<chrono::Utc> = chrono::DateTime::<chrono::Utc>::MAX_UTC;
                let _ = far + chrono::Duration::days(1);
                "unreachable"
            }),
        );
        let app = api([panicking], state);
        let response = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        assert!(response.headers().contains_key("x-request-id"));
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "internal");
    }
}
