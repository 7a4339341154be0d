//! Cold starts of the Lambda bootstraps, against a local Lambda Runtime API (this file's
//! harness) and moto.
//!
//! For each function, 20 times: start its bootstrap (from `infra/build-lambdas`), time
//! process start → its first `GET /runtime/invocation/next` (init), hand it the function's
//! sample event, and time → its `POST …/response` (first invocation, its first DynamoDB call
//! to moto included). The hello-world `lambda_runtime` reference is built and measured the
//! same way, in the same run.
//!
//! `./infra/build-lambdas && cargo bench -p fairlink-tests --bench cold_start [-- --starts N]`
//! Targets on this machine: init median at most 5 ms above the reference's, first
//! invocation under 50 ms, each bootstrap under 8 MB.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use fairlink_aws::DynamoItemStore;
use fairlink_domain::ports::QueueName;
use fairlink_store::Repository;
use fairlink_tests::{bootstrapped_moto, moto_endpoint, sample};
use serde_json::Value;
use tokio::sync::Notify;

/// (bootstrap, sample event it is first invoked with). The reference gets an empty event.
const FUNCTIONS: &[(&str, &str)] = &[
    ("hello-reference", ""),
    ("fairlink-accounts", "accounts/get-me"),
    ("fairlink-notifications", "notifications/list-notifications"),
    ("fairlink-exhibits", "exhibits/get-exhibit"),
    ("fairlink-intents", "intents/get-intent"),
    ("fairlink-appointments", "appointments/get-booking"),
    ("fairlink-messaging", "messaging/get-conversation"),
    ("fairlink-cards", "cards/get-card"),
    ("fairlink-matcher", "matcher/intent-published"),
    ("fairlink-scheduler", "scheduler/every-minute"),
    ("fairlink-notifier", "notifier/reminder"),
];

const INIT_ABOVE_REFERENCE: Duration = Duration::from_millis(5);
const FIRST_INVOCATION: Duration = Duration::from_millis(50);
const MAX_BOOTSTRAP: u64 = 8_000_000;

/// One start under measurement.
#[derive(Default)]
struct Start {
    event: Bytes,
    started: Option<Instant>,
    init: Option<Duration>,
    invoked: Option<Duration>,
    answer: Option<Result<Bytes, Bytes>>,
}

#[derive(Clone, Default)]
struct Harness {
    start: Arc<Mutex<Start>>,
    answered: Arc<Notify>,
}

impl Harness {
    fn with<T>(&self, f: impl FnOnce(&mut Start) -> T) -> T {
        f(&mut self.start.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// `GET /2018-06-01/runtime/invocation/next`: the event once, then nothing until the
/// process is stopped (as Lambda freezes it).
async fn next(State(harness): State<Harness>) -> impl IntoResponse {
    let event = harness.with(|start| {
        if start.init.is_some() {
            return None;
        }
        start.init = start.started.map(|at| at.elapsed());
        Some(start.event.clone())
    });
    let Some(event) = event else {
        std::future::pending::<()>().await;
        unreachable!()
    };
    let deadline = (chrono::Utc::now() + chrono::Duration::seconds(10)).timestamp_millis();
    let mut headers = HeaderMap::new();
    let pairs = [
        ("lambda-runtime-aws-request-id", "bench-request".to_string()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:bench".into(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000".into(),
        ),
        ("content-type", "application/json".into()),
    ];
    for (name, value) in pairs {
        headers.insert(name, value.parse().unwrap());
    }
    (headers, event)
}

async fn answered(harness: &Harness, answer: Result<Bytes, Bytes>) -> StatusCode {
    harness.with(|start| {
        start.invoked = start.started.map(|at| at.elapsed());
        start.answer = Some(answer);
    });
    harness.answered.notify_one();
    StatusCode::ACCEPTED
}

async fn response(State(harness): State<Harness>, body: Bytes) -> StatusCode {
    answered(&harness, Ok(body)).await
}

async fn error(State(harness): State<Harness>, body: Bytes) -> StatusCode {
    answered(&harness, Err(body)).await
}

/// This machine's CA bundle, found where Debian or Amazon Linux keep it.
fn ca_bundle() -> String {
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
    ]
    .into_iter()
    .find(|path| Path::new(path).exists())
    .unwrap_or_default()
    .to_string()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .into()
}

struct Figures {
    init: Vec<Duration>,
    invocation: Vec<Duration>,
    total: Vec<Duration>,
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn max(values: &[Duration]) -> Duration {
    values.iter().copied().max().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// Whether the answer is a success: HTTP functions answer `statusCode` 2xx, workers answer
/// without failed items.
fn succeeded(answer: &Value) -> bool {
    match answer.get("statusCode").and_then(Value::as_u64) {
        Some(status) => (200..300).contains(&status),
        None => answer
            .get("batchItemFailures")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty),
    }
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    harness: &Harness,
    api: &str,
    bootstrap: &Path,
    event: Bytes,
    env: &[(String, String)],
    starts: usize,
) -> Result<Figures, String> {
    let mut figures = Figures {
        init: vec![],
        invocation: vec![],
        total: vec![],
    };
    for _ in 0..starts {
        harness.with(|start| {
            *start = Start {
                event: event.clone(),
                ..Start::default()
            }
        });
        let mut command = tokio::process::Command::new(bootstrap);
        command
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", api)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let answered = harness.answered.notified();
        harness.with(|start| start.started = Some(Instant::now()));
        let mut child = command.spawn().map_err(|e| format!("{bootstrap:?}: {e}"))?;
        let waited = tokio::time::timeout(Duration::from_secs(20), answered).await;
        child.kill().await.ok();
        let output = child.wait_with_output().await.ok();
        if waited.is_err() {
            let stderr = output
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .unwrap_or_default();
            return Err(format!("no answer within 20 s: {stderr}"));
        }
        let (init, invoked, answer) = harness.with(|s| (s.init, s.invoked, s.answer.take()));
        let (Some(init), Some(invoked)) = (init, invoked) else {
            return Err("answered before asking for an event".into());
        };
        match answer {
            Some(Ok(body)) => {
                let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if !event.is_empty() && !succeeded(&answer) {
                    return Err(format!("the first invocation failed: {answer}"));
                }
            }
            Some(Err(body)) => {
                return Err(format!(
                    "invocation error: {}",
                    String::from_utf8_lossy(&body)
                ));
            }
            None => return Err("no answer".into()),
        }
        figures.init.push(init);
        figures.invocation.push(invoked - init);
        figures.total.push(invoked);
    }
    Ok(figures)
}

#[tokio::main]
async fn main() {
    let starts = std::env::args()
        .skip_while(|a| a != "--starts")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20usize);
    let lambdas = workspace_root().join("target/static/lambda");
    if !lambdas.join("hello-reference/bootstrap").exists() {
        eprintln!("no bootstraps in {lambdas:?}: run ./infra/build-lambdas first");
        std::process::exit(2);
    }

    // moto with the sample data the events name.
    let (sdk, settings) = bootstrapped_moto().await;
    let store = Arc::new(DynamoItemStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &settings.table,
    ));
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue = Arc::new(
        fairlink_aws::SqsJobQueue::connect(sqs.clone(), &settings.stack)
            .await
            .unwrap(),
    );
    sample::seed(&Repository::new(store, queue)).await;
    let mut env: Vec<(String, String)> = [
        ("AWS_ENDPOINT_URL", moto_endpoint()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("RUST_LOG", "warn".into()),
        // As the template sets it (provided.al2023's bundle there; this machine's here).
        ("SSL_CERT_FILE", ca_bundle()),
        ("FAIRLINK_TABLE", settings.table.clone()),
        ("FAIRLINK_STACK", settings.stack.clone()),
        // As the template sets them: the user pool the accounts function provisions in (no
        // call to Cognito at init), and the matcher's model (the layer's file in Lambda).
        ("FAIRLINK_USER_POOL_ID", "us-east-1_bench".into()),
        ("FAIRLINK_USER_POOL_CLIENT_ID", "bench-client".into()),
        (
            "FAIRLINK_MODEL_PATH",
            fairlink_embedding::ensure_model(&fairlink_tests::test_model_dir())
                .expect("the embedding model")
                .display()
                .to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // Queue URLs come from the template's environment in Lambda, so none is looked up at init.
    for queue in QueueName::ALL {
        let name = format!("{}-{}", settings.stack, queue.slug());
        for (suffix, name) in [
            ("QUEUE_URL", name.clone()),
            ("DLQ_URL", format!("{name}-dlq")),
        ] {
            let url = sqs
                .get_queue_url()
                .queue_name(&name)
                .send()
                .await
                .expect("queue url")
                .queue_url
                .unwrap_or_default();
            env.push((
                format!("FAIRLINK_{}_{suffix}", queue.slug().to_uppercase()),
                url,
            ));
        }
    }

    let harness = Harness::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = listener.local_addr().unwrap().to_string();
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(error))
        .with_state(harness.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    println!(
        "cold starts: {starts} per function, against moto at {}",
        moto_endpoint()
    );
    println!(
        "{:<24} {:>8} {:>11} {:>9} {:>13} {:>9} {:>14} {:>9}",
        "bootstrap", "MB", "init med", "init max", "invoke med", "inv max", "start→answer", "max"
    );
    let mut reference_init = None;
    let mut failures = Vec::new();
    for (name, event) in FUNCTIONS {
        let bootstrap = lambdas.join(name).join("bootstrap");
        let size = std::fs::metadata(&bootstrap).map(|m| m.len()).unwrap_or(0);
        let event = if event.is_empty() {
            Bytes::from_static(b"{}")
        } else {
            let (feature, file) = event.split_once('/').unwrap();
            Bytes::from(sample::event(feature, file))
        };
        let figures = match measure(&harness, &api, &bootstrap, event, &env, starts).await {
            Ok(figures) => figures,
            Err(err) => {
                println!("{name:<24} failed: {err}");
                failures.push(format!("{name}: {err}"));
                continue;
            }
        };
        let init = median(&figures.init);
        println!(
            "{:<24} {:>8.2} {:>11} {:>9} {:>13} {:>9} {:>14} {:>9}",
            name,
            size as f64 / 1e6,
            ms(init),
            ms(max(&figures.init)),
            ms(median(&figures.invocation)),
            ms(max(&figures.invocation)),
            ms(median(&figures.total)),
            ms(max(&figures.total)),
        );
        match reference_init {
            None => reference_init = Some(init),
            Some(reference) => {
                if init > reference + INIT_ABOVE_REFERENCE {
                    failures.push(format!(
                        "{name}: init median {} ms is more than 5 ms above the reference's {} ms",
                        ms(init),
                        ms(reference)
                    ));
                }
                if median(&figures.invocation) >= FIRST_INVOCATION {
                    failures.push(format!("{name}: first invocation median is 50 ms or more"));
                }
            }
        }
        if size >= MAX_BOOTSTRAP {
            failures.push(format!("{name}: bootstrap is 8 MB or more"));
        }
    }
    if failures.is_empty() {
        println!("all targets met");
    } else {
        println!("targets missed:\n  {}", failures.join("\n  "));
        std::process::exit(1);
    }
}
