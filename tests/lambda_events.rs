//! Replays every sample event in events/ through lambda_http's request parsing into the
//! router each Lambda serves (`lambda_app`), with an embedded store seeded with the ids the
//! events name. Also checks that the claims of API Gateway's JWT authorizer are the only
//! source of identity there.

use std::collections::BTreeSet;

use fairlink_domain::Ports;
use fairlink_store::Repository;
use fairlink_tests::sample::{
    EXPECTED, event, events_dir, http_apps, http_event_files, replay, seed,
};
use serde_json::{Value, json};

async fn seeded_ports(dir: &std::path::Path) -> Ports {
    let ports = fairlink_embedded::ports(dir, None).unwrap();
    seed(&Repository::new(ports.store.clone(), ports.queue.clone())).await;
    ports
}

#[tokio::test]
async fn every_sample_event_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let ports = seeded_ports(dir.path()).await;
    let apps = http_apps(&ports);
    let mut replayed = BTreeSet::new();
    for (feature, name, status, field) in EXPECTED {
        let (got, body) = replay(&apps[feature], &event(feature, name)).await;
        assert_eq!(got, *status, "{feature}/{name}: {body}");
        if !field.is_empty() {
            let value = body.pointer(field);
            assert!(
                value.is_some_and(|v| !v.is_null()),
                "{feature}/{name}: no {field} in {body}"
            );
        }
        replayed.insert(format!("{feature}/{name}.json"));
    }
    // Every event file is replayed by this test.
    for name in http_event_files() {
        assert!(replayed.contains(&name), "{name} is not replayed");
    }
}

#[tokio::test]
async fn identity_comes_only_from_the_authorizer_claims() {
    let dir = tempfile::tempdir().unwrap();
    let app = fairlink_accounts::lambda_app(seeded_ports(dir.path()).await);
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("accounts/list-accounts.json")).unwrap(),
    )
    .unwrap();

    let claims = |event: &mut Value, sub: &str, account: Option<&str>| {
        let claims = &mut event["requestContext"]["authorizer"]["jwt"]["claims"];
        claims["sub"] = json!(sub);
        match account {
            Some(account) => claims["custom:account_id"] = json!(account),
            None => {
                claims.as_object_mut().unwrap().remove("custom:account_id");
            }
        }
    };
    let sub_of = |aid: &str| fairlink_tests::sample::sample_identity(aid).0;

    // Another exhibitor's main account, by its verified claims: not found.
    claims(
        &mut event,
        &sub_of("acc_other_main"),
        Some("acc_other_main"),
    );
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));

    // A sub-account: forbidden.
    claims(
        &mut event,
        &sub_of("acc_sample_sub"),
        Some("acc_sample_sub"),
    );
    assert_eq!(replay(&app, &event.to_string()).await.0, 403);

    // An access token names only the identity: its link finds the account.
    claims(&mut event, &sub_of("acc_sample_main"), None);
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!(status, 200, "{body}");

    // A link claim that names someone else's account: the account's identity is not the
    // token's, so the token is refused (were the claim ever writable, it would still fail).
    claims(
        &mut event,
        &sub_of("acc_sample_sub"),
        Some("acc_sample_main"),
    );
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unknown_identity"))
    );

    // An identity that signs in as no account.
    claims(&mut event, "0b9a7c34-unknown", None);
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unknown_identity"))
    );

    // The development convention (the sub is the account id) means nothing in Lambda.
    claims(&mut event, "acc_sample_main", None);
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unknown_identity"))
    );

    // No authorizer context: a bearer header alone proves nothing in Lambda.
    event["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    event["headers"]["authorization"] = json!("Bearer anything");
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}

fn sqs_event(name: &str) -> aws_lambda_events::sqs::SqsEvent {
    queue_event("matcher", name)
}

fn queue_event(worker: &str, name: &str) -> aws_lambda_events::sqs::SqsEvent {
    let text = std::fs::read_to_string(events_dir().join(worker).join(name)).unwrap();
    serde_json::from_str(&text).expect("an SQS event")
}

#[tokio::test]
async fn the_matcher_lambda_reports_partial_batch_failures() {
    let dir = tempfile::tempdir().unwrap();
    let ports = seeded_ports(dir.path()).await;
    let matcher = fairlink_matcher::Matcher::new(ports, fairlink_tests::test_embedder());
    for name in [
        "intent-published.json",
        "exhibit-recommended.json",
        "intent-judged.json",
    ] {
        let response =
            fairlink_aws::lambda_sqs::handle_sqs_event(&matcher, sqs_event(name), None).await;
        assert!(
            response.batch_item_failures.is_empty(),
            "{name}: {response:?}"
        );
    }
    let response = fairlink_aws::lambda_sqs::handle_sqs_event(
        &matcher,
        sqs_event("batch-with-poison.json"),
        None,
    )
    .await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(
        failed,
        ["44444444-4444-4444-8444-444444444444"],
        "only the poison message fails"
    );
    let wire = serde_json::to_value(&response).unwrap();
    assert_eq!(
        wire["batchItemFailures"][0]["itemIdentifier"],
        "44444444-4444-4444-8444-444444444444"
    );
}

#[tokio::test]
async fn the_notifier_lambda_sends_and_reports_partial_batch_failures() {
    let dir = tempfile::tempdir().unwrap();
    let ports = seeded_ports(dir.path()).await;
    let notifier = fairlink_notifier::Notifier::new(ports.clone());
    for name in ["reminder.json", "email.json"] {
        let event = queue_event("notifier", name);
        let response = fairlink_aws::lambda_sqs::handle_sqs_event(&notifier, event, None).await;
        assert!(
            response.batch_item_failures.is_empty(),
            "{name}: {response:?}"
        );
    }
    let event = queue_event("notifier", "batch-with-poison.json");
    let response = fairlink_aws::lambda_sqs::handle_sqs_event(&notifier, event, None).await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["88888888-8888-4888-8888-888888888888"]);
    // The sample email went out once, though two events carried it.
    let outbox = Repository::new(ports.store.clone(), ports.queue.clone())
        .outbox(&fairlink_store::PageRequest::default())
        .await
        .unwrap();
    let to_ann = outbox
        .items
        .iter()
        .filter(|e| e.to == "ann.lee@lee.example")
        .count();
    assert_eq!(to_ann, 1);
}

#[tokio::test]
async fn the_scheduler_lambda_takes_its_schedule_event() {
    let dir = tempfile::tempdir().unwrap();
    let scheduler = fairlink_scheduler::Scheduler::new(seeded_ports(dir.path()).await);
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("scheduler/every-minute.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(event["detail-type"], "Scheduled Event");
    let report = scheduler.sweep().await.unwrap();
    assert_eq!(report.enqueued, 0, "nothing is due in the sample data");
    assert!(report.through.is_some());
}

/// A socket pusher that records what it was asked to send (the replay has no sockets).
#[derive(Default)]
struct RecordedPushes(std::sync::Mutex<Vec<(String, Value)>>);

#[async_trait::async_trait]
impl fairlink_domain::ports::SocketPusher for RecordedPushes {
    async fn push(
        &self,
        connection_id: &str,
        frame: &str,
    ) -> Result<(), fairlink_domain::ports::PushError> {
        let frame = serde_json::from_str(frame).expect("frames are JSON");
        self.0.lock().unwrap().push((connection_id.into(), frame));
        Ok(())
    }

    async fn close(&self, _: &str) -> Result<(), fairlink_domain::ports::PushError> {
        Ok(())
    }
}

async fn open_sample_socket(repo: &Repository, account_id: &str, connection_id: &str) {
    repo.open_socket(&fairlink_store::OpenSocket {
        connection_id: connection_id.into(),
        account_id: account_id.into(),
        connected_at: chrono::Utc::now(),
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_realtime_lambda_delivers_and_reports_partial_batch_failures() {
    let dir = tempfile::tempdir().unwrap();
    let ports = seeded_ports(dir.path()).await;
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    open_sample_socket(&repo, "acc_sample_main", "conn-main").await;
    open_sample_socket(&repo, "acc_sample_buyer", "conn-buyer").await;
    let pushes = std::sync::Arc::new(RecordedPushes::default());
    let worker = fairlink_realtime::RealtimeWorker::new(&ports, pushes.clone());

    let event = queue_event("realtime", "message-created.json");
    let response = fairlink_aws::lambda_sqs::handle_sqs_event(&worker, event, None).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    {
        let sent = pushes.0.lock().unwrap();
        // To the assignee (the main account), not back to the buyer who wrote it.
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].0, "conn-main");
        assert_eq!(sent[0].1["type"], "message.created");
        assert_eq!(sent[0].1["data"]["message"]["id"], "msg_sample_2");
    }

    let event = queue_event("realtime", "batch-with-poison.json");
    let response = fairlink_aws::lambda_sqs::handle_sqs_event(&worker, event, None).await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["99999999-9999-4999-8999-999999999993"]);
    let sent = pushes.0.lock().unwrap();
    assert_eq!(sent.last().unwrap().0, "conn-buyer");
    assert_eq!(sent.last().unwrap().1["type"], "notification.created");
}

fn socket_event(name: &str) -> aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest {
    let text = std::fs::read_to_string(events_dir().join("sockets").join(name)).unwrap();
    serde_json::from_str(&text).expect("a WebSocket event")
}

#[tokio::test]
async fn the_socket_lambda_connects_pings_and_disconnects() {
    let dir = tempfile::tempdir().unwrap();
    let ports = seeded_ports(dir.path()).await;
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    let secret = fairlink_local::DEV_SECRET.as_bytes();
    let routes =
        fairlink_realtime::SocketRoutes::new(&ports, fairlink_http::Authenticator::hs256(secret));
    let connect = |token: &str| {
        let mut event: Value = serde_json::from_str(
            &std::fs::read_to_string(events_dir().join("sockets/connect.json")).unwrap(),
        )
        .unwrap();
        event["queryStringParameters"]["token"] = json!(token);
        event["multiValueQueryStringParameters"]["token"] = json!([token]);
        serde_json::from_value::<aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest>(event)
            .unwrap()
    };
    let now = chrono::Utc::now();
    let sockets = |repo: Repository| async move {
        repo.sockets_of("acc_sample_buyer", chrono::Utc::now())
            .await
            .unwrap()
    };

    // A bad token refuses the connection and records nothing.
    let forged = fairlink_http::issue_token(
        b"other",
        "acc_sample_buyer",
        now,
        chrono::Duration::hours(1),
    );
    assert_eq!(routes.handle(connect(&forged)).await.status_code, 401);
    assert_eq!(routes.handle(connect("")).await.status_code, 401);
    assert!(sockets(repo.clone()).await.is_empty());

    let token =
        fairlink_http::issue_token(secret, "acc_sample_buyer", now, chrono::Duration::hours(1));
    assert_eq!(routes.handle(connect(&token)).await.status_code, 200);
    let open = sockets(repo.clone()).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].connection_id, "SampleConn0001=");

    let pong = routes.handle(socket_event("ping.json")).await;
    assert_eq!(pong.status_code, 200);
    let body = serde_json::to_value(&pong).unwrap()["body"].clone();
    assert_eq!(body, json!(fairlink_realtime::PONG));

    assert_eq!(
        routes
            .handle(socket_event("disconnect.json"))
            .await
            .status_code,
        200
    );
    assert!(sockets(repo).await.is_empty());
}
