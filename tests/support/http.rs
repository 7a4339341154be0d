use std::{
    any::Any,
    sync::Arc,
    time::{Duration, Instant},
};

use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use fairlink_domain::ports::QueueName;
use fairlink_local::{Backend, Config};
use serde_json::{Value, json};

/// fairlink-local on a loopback port, and a client for it.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub config: Config,
    /// The running system's ports, for tests that drive a worker or the queue directly.
    pub ports: fairlink_domain::Ports,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// When this client's last write was answered, for reading lists under lagging indexes.
    last_write: std::sync::Mutex<Option<Instant>>,
    /// Keeps the data directory alive for the server's life.
    _keep: Option<Arc<dyn Any + Send + Sync>>,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Response {
    /// The problem's `code`, for error answers.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected answer: {} {}",
            self.status, self.body
        );
        if status >= 400 {
            assert_eq!(
                self.content_type, "application/problem+json",
                "errors are problem+json"
            );
        }
        &self.body
    }

    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) {
        self.expect(status);
        assert_eq!(self.code(), code, "problem: {}", self.body);
    }
}

impl TestServer {
    pub async fn start(config: Config, keep: Option<Arc<dyn Any + Send + Sync>>) -> Self {
        let app = crate::build_app(&config).await;
        let ports = app.state.ports.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            fairlink_local::serve(app, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            client: reqwest::Client::new(),
            config,
            ports,
            shutdown: Some(tx),
            task: Some(task),
            last_write: std::sync::Mutex::new(None),
            _keep: keep,
        }
    }

    /// Stops serving (the data stays), for restart tests.
    pub async fn stop(mut self) -> (Config, Option<Arc<dyn Any + Send + Sync>>) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        (self.config.clone(), self._keep.take())
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.dispatch(request).await
    }

    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.dispatch(request).await
    }

    /// Sends a request. Under lagging indexes (`index_lag`) a list is an index read that may
    /// not show this client's writes yet, as on DynamoDB: a list read within the lag of a
    /// write is read again once the lag has passed, as a front-end would refresh it. Single
    /// resources are never read again, so one that rests on an index still fails its test.
    async fn dispatch(&self, request: reqwest::RequestBuilder) -> Response {
        let retry = request.try_clone();
        let sent = request.build().unwrap();
        let (method, path) = (sent.method().to_string(), sent.url().path().to_string());
        let is_read = sent.method() == reqwest::Method::GET;
        let response = Self::read(self.client.execute(sent).await.unwrap()).await;
        let response = if !is_read {
            *self.last_write.lock().unwrap() = Some(Instant::now());
            response
        } else {
            let is_list = response.body.get("items").is_some_and(|v| v.is_array());
            match (is_list, self.lag_left(), retry) {
                (true, Some(left), Some(retry)) => {
                    tokio::time::sleep(left).await;
                    Self::read(retry.send().await.unwrap()).await
                }
                _ => response,
            }
        };
        crate::documented::assert_documented(&method, &path, response.status, &response.body);
        response
    }

    /// For a test that wrote straight through the repository: its lists wait for the indexes
    /// as after a write through the API.
    pub fn wrote_directly(&self) {
        *self.last_write.lock().unwrap() = Some(Instant::now());
    }

    /// Under lagging indexes, waits until they hold this client's last write.
    async fn wait_for_indexes(&self) {
        if let Some(left) = self.lag_left() {
            tokio::time::sleep(left).await;
        }
    }

    /// How long the indexes may still miss this client's last write.
    fn lag_left(&self) -> Option<Duration> {
        let lag = self.config.index_lag?;
        let since = self.last_write.lock().unwrap().map(|at| at.elapsed())?;
        lag.checked_sub(since).filter(|left| !left.is_zero())
    }

    /// A JSON request (no body for `null`) with extra headers, such as `If-Match`.
    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            all.push(("content-type", "application/json"));
            serde_json::to_vec(&body).unwrap()
        };
        self.send_raw(method, path, Some(token), bytes, &all).await
    }

    async fn read(response: reqwest::Response) -> Response {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else if content_type.starts_with("application/x-ndjson") {
            // JSON lines, read as the array of their values.
            Value::Array(
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| serde_json::from_str(l).expect("every line is JSON"))
                    .collect(),
            )
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        crate::times::assert_times_in_one_format(&body);
        Response {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.send("POST", path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.send("PUT", path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.send("PATCH", path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.send("DELETE", path, Some(token), None).await
    }

    /// A token for an account, from the dev endpoint.
    pub async fn token(&self, account_id: &str) -> String {
        let response = self
            .send(
                "POST",
                "/v1/dev/tokens",
                None,
                Some(json!({"accountId": account_id})),
            )
            .await;
        response.expect(200)["token"].as_str().unwrap().to_string()
    }

    pub async fn organizer(&self) -> String {
        self.token("organizer").await
    }

    /// Sets the test clock; returns its new time. Moving the fair's clock stands for time
    /// passing, so under lagging indexes it first waits until they hold this client's writes
    /// (a reminder is confirmed minutes before the scheduler reads its index, not 300 ms).
    pub async fn set_clock(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.wait_for_indexes().await;
        let response = self
            .send("POST", "/v1/dev/clock", None, Some(json!({"now": now})))
            .await;
        response.expect(200)["now"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    pub async fn advance_clock(&self, seconds: i64) -> DateTime<Utc> {
        if seconds > 0 {
            self.wait_for_indexes().await;
        }
        let response = self
            .send(
                "POST",
                "/v1/dev/clock",
                None,
                Some(json!({"advanceSeconds": seconds})),
            )
            .await;
        response.expect(200)["now"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The fair's clock as the server sees it now.
    pub async fn now(&self) -> DateTime<Utc> {
        self.advance_clock(0).await
    }

    /// Brings the background work up to date, for a test about to assert that something did
    /// *not* happen: runs the reminder sweep for the clock's time (what the scheduler does
    /// within a second of a clock move), then waits until the matcher's and the notifier's
    /// queues hold no message that is due, whether waiting or handed to a worker. A message
    /// leaves its queue only once its worker has had its effects (the acknowledgement comes
    /// after), so whatever the work so far causes has happened by the time this returns.
    /// The realtime queue is not waited for (the embedded one keeps no record of it; it only
    /// pushes to sockets).
    pub async fn settle(&self) {
        fairlink_scheduler::Scheduler::new(self.ports.clone())
            .sweep()
            .await
            .expect("a reminder sweep");
        // The matcher first: what it hands to the notifier is sent before its message goes.
        let queues = [QueueName::Matcher, QueueName::Notifier];
        crate::eventually("the workers to drain their queues", || async {
            for queue in queues {
                if self.due_in(queue).await > 0 {
                    return None;
                }
            }
            Some(())
        })
        .await;
    }

    /// How many messages of a queue are due and not yet acknowledged: waiting or in flight.
    async fn due_in(&self, queue: QueueName) -> usize {
        match self.config.backend {
            // The embedded queue keeps each message in the store from its send until its
            // acknowledgement (`InProcessQueue::durable`), with the clock time it is due at.
            Backend::Embedded => {
                #[derive(serde::Deserialize)]
                struct Queued {
                    due: DateTime<Utc>,
                }
                let now = self.ports.clock.now();
                let partition = fairlink_store::keys::queued(queue.slug());
                let queued: Vec<Queued> = fairlink_store::query_all(
                    self.ports.store.as_ref(),
                    fairlink_domain::ports::Query::table(partition),
                )
                .await
                .expect("the queue's journal");
                queued.iter().filter(|m| m.due <= now).count()
            }
            // SQS counts the visible and the in-flight messages; delayed ones are neither.
            Backend::Aws => {
                let sqs = aws_sdk_sqs::Client::new(&crate::moto_sdk_config().await);
                let url = sqs
                    .get_queue_url()
                    .queue_name(format!("{}-{}", self.config.aws.stack, queue.slug()))
                    .send()
                    .await
                    .expect("the queue's URL")
                    .queue_url
                    .expect("a queue URL");
                let attributes = sqs
                    .get_queue_attributes()
                    .queue_url(url)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                    .send()
                    .await
                    .expect("the queue's attributes")
                    .attributes
                    .unwrap_or_default();
                [
                    QueueAttributeName::ApproximateNumberOfMessages,
                    QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
                ]
                .iter()
                .map(|name| {
                    attributes
                        .get(name)
                        .and_then(|n| n.parse::<usize>().ok())
                        .expect("a message count")
                })
                .sum()
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
