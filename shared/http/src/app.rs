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
        description = "Supply-procurement matchmaking for an online trade fair: the HTTP API the web front-end codes against. Every error is application/problem+json (RFC 9457) with a stable `code`; each error response lists the codes it can carry, as an enum. Every time (format date-time) is answered in one form, RFC 3339 in UTC with exactly three fractional digits (2021-04-15T08:00:00.000Z); requests may send any RFC 3339 time, kept to the millisecond. Real-time events come over a WebSocket (the stack's WebSocketUrl; locally GET /v1/ws?token=…).",
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
    serde_json::to_string_pretty(&crate::document::as_clients_read_it(doc)).unwrap_or_default()
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
    // Written at the first request for it, not at start-up: a Lambda's init does not pay for
    // a document few of its requests ask for.
    let served = Arc::new(std::sync::OnceLock::<Arc<str>>::new());
    let source = Arc::new(doc);
    let router = router
        .route(
            "/openapi.json",
            get(move || {
                let text = served
                    .get_or_init(|| match document {
                        Some(document) => Arc::from(document),
                        None => Arc::from(
                            crate::document::as_clients_read_it((*source).clone()).to_string(),
                        ),
                    })
                    .clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        text.to_string(),
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
