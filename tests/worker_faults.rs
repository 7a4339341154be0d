//! Queue faults, on both backends, through the workers' Lambda adapter
//! (`handle_sqs_event`) fed the way an SQS event source mapping feeds it: batches from the
//! real queue (the in-process one, or SQS on moto), successes deleted, reported failures
//! left to come back after the visibility timeout.
//!
//! - A poison message on each queue (no job of it) is given up on: it goes to that queue's
//!   dead-letter queue at its first delivery, while the other messages of its batch succeed
//!   once.
//! - Every kind of queue message delivered twice (once, then twice at the same time) has the
//!   effects of one delivery: pushes, matches, notifications, emails and SMS.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use fairlink_domain::{
    Ports,
    matching::{
        ExhibitVectors, PackedCandidate, exhibit_name_text, exhibit_text, intent_name_text,
        intent_text,
    },
    ports::{JobHandler, JobQueue, QueueName, TextRole},
};
use fairlink_embedded::{InProcessQueue, TestClock};
use fairlink_store::{NotificationFilter, PageRequest, PushList, Repository, StoredQuery};
use fairlink_tests::{
    Store, bootstrapped_moto, moto_emails_to, moto_sms_to,
    sample::{event, http_apps, replay, seed},
};
use serde_json::Value;

const VISIBILITY: Duration = Duration::from_secs(1);
const MAX_RECEIVE_COUNT: u32 = 5;

/// moto's SES and SNS records are global and the sample's addresses are fixed: the AWS
/// variants of this binary take turns.
static MOTO_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct World {
    store: Store,
    ports: Ports,
    _dir: Option<tempfile::TempDir>,
}

async fn world(store: Store) -> World {
    let (ports, dir) = match store {
        Store::Embedded => {
            let dir = tempfile::tempdir().unwrap();
            let clock = Arc::new(TestClock::new(chrono::Utc::now()));
            let mut ports = fairlink_embedded::ports(dir.path(), Some(clock.clone())).unwrap();
            ports.queue = Arc::new(InProcessQueue::with_settings(
                clock,
                VISIBILITY,
                MAX_RECEIVE_COUNT,
            ));
            (ports, Some(dir))
        }
        Store::Aws => {
            let (sdk, settings) = bootstrapped_moto().await;
            // The template's 180 s visibility would make redelivery slow: 1 s here.
            let sqs = aws_sdk_sqs::Client::new(&sdk);
            for queue in QueueName::ALL {
                let url = sqs
                    .get_queue_url()
                    .queue_name(format!("{}-{}", settings.stack, queue.slug()))
                    .send()
                    .await
                    .unwrap()
                    .queue_url
                    .unwrap();
                sqs.set_queue_attributes()
                    .queue_url(url)
                    .attributes(
                        aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
                        VISIBILITY.as_secs().to_string(),
                    )
                    .send()
                    .await
                    .unwrap();
            }
            (
                fairlink_aws::ports(&sdk, &settings, None).await.unwrap(),
                None,
            )
        }
    };
    seed(&Repository::new(ports.store.clone(), ports.queue.clone())).await;
    // The sample exhibit recommended, so intents in its category have something to match.
    let (status, body) = replay(
        &http_apps(&ports)["exhibits"],
        &event("exhibits", "recommend"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // Its candidate, as the matcher's analysis writes it (the job itself is left to the
    // tests, which deliver it).
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    let exhibit = repo.exhibit("exb_sample").await.unwrap().unwrap();
    let mut vectors = fairlink_tests::test_embedder()
        .embed(
            &[exhibit_text(&exhibit), exhibit_name_text(&exhibit)],
            TextRole::Passage,
        )
        .await
        .unwrap();
    let vectors = ExhibitVectors {
        name: vectors.pop(),
        text: vectors.remove(0),
    };
    assert!(
        repo.store_candidate(&exhibit, &PackedCandidate::of(&exhibit, &vectors))
            .await
            .unwrap()
    );
    // The sample intent as its first run leaves it: its vectors stored.
    let intent = repo.intent("int_sample").await.unwrap().unwrap();
    let mut vectors = fairlink_tests::test_embedder()
        .embed(
            &[intent_text(&intent), intent_name_text(&intent)],
            TextRole::Query,
        )
        .await
        .unwrap();
    repo.store_intent_query(
        "int_sample",
        &StoredQuery {
            name_vector: vectors.pop(),
            vector: vectors.remove(0),
            feedback: None,
        },
    )
    .await
    .unwrap();
    World {
        store,
        ports,
        _dir: dir,
    }
}

fn handler(ports: &Ports, queue: QueueName) -> Arc<dyn JobHandler> {
    match queue {
        QueueName::Matcher => Arc::new(fairlink_matcher::Matcher::new(
            ports.clone(),
            fairlink_tests::test_embedder(),
        )),
        QueueName::Notifier => Arc::new(fairlink_notifier::Notifier::new(ports.clone())),
        QueueName::Realtime => Arc::new(fairlink_realtime::RealtimeWorker::new(
            ports,
            Arc::new(fairlink_local::LocalSockets::default()),
        )),
    }
}

fn sqs_event(deliveries: &[fairlink_domain::ports::Delivery]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = deliveries
        .iter()
        .map(|d| {
            let mut message = SqsMessage::default();
            message.message_id = Some(d.message_id.clone());
            message.receipt_handle = Some(d.receipt.clone());
            message.body = Some(d.body.clone());
            message.attributes.insert(
                "ApproximateReceiveCount".into(),
                d.receive_count.to_string(),
            );
            message
        })
        .collect();
    event
}

/// Feeds the queue to the handler the way Lambda's event source mapping does, until the
/// queue is empty; returns the failures each batch reported. Its sleeps wait out the real
/// visibility timeout (1 s; moto's runs on real time) so that failures come back before the
/// next look, and the queue counts as empty only after three such looks find nothing.
async fn drain_like_lambda(
    queue: &Arc<dyn JobQueue>,
    name: QueueName,
    handler: &dyn JobHandler,
) -> Vec<Vec<String>> {
    let mut reports = Vec::new();
    let mut idle = 0;
    while idle < 3 && reports.len() < 20 {
        let deliveries = queue
            .receive(name, 10, Duration::from_millis(300))
            .await
            .unwrap();
        if deliveries.is_empty() {
            idle += 1;
            tokio::time::sleep(VISIBILITY).await;
            continue;
        }
        idle = 0;
        let dead_letters = fairlink_aws::lambda_sqs::DeadLetters {
            queue: queue.clone(),
            name,
        };
        let response = fairlink_aws::lambda_sqs::handle_sqs_event(
            handler,
            sqs_event(&deliveries),
            Some(&dead_letters),
        )
        .await;
        let failed: Vec<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        for delivery in &deliveries {
            if !failed.contains(&delivery.message_id) {
                queue.ack(name, &delivery.receipt).await.unwrap();
            }
        }
        reports.push(failed);
        tokio::time::sleep(VISIBILITY + Duration::from_millis(200)).await;
    }
    reports
}

/// The bodies of a sample SQS event.
fn bodies(worker: &str, name: &str) -> Vec<String> {
    let event: Value = serde_json::from_str(&event(worker, name)).unwrap();
    event["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap().to_string())
        .collect()
}

/// What the system did, counted: the effects a message may have.
async fn effects(w: &World) -> BTreeMap<&'static str, usize> {
    let repo = Repository::new(w.ports.store.clone(), w.ports.queue.clone());
    let all = PageRequest {
        limit: 200,
        cursor: None,
    };
    let mut counts = BTreeMap::new();
    counts.insert(
        "pushes to the buyer",
        repo.pushes("acc_sample_buyer", PushList::Standing, &all)
            .await
            .unwrap()
            .items
            .len(),
    );
    counts.insert(
        "exhibit matches",
        repo.exhibit_matches("exh_sample", &all)
            .await
            .unwrap()
            .items
            .len(),
    );
    for account in ["acc_sample_buyer", "acc_sample_main"] {
        let notices = repo
            .notifications(account, NotificationFilter::All, &all)
            .await
            .unwrap()
            .items
            .len();
        counts.insert(
            if account == "acc_sample_buyer" {
                "buyer notifications"
            } else {
                "main notifications"
            },
            notices,
        );
    }
    let (emails, sms) = match w.store {
        Store::Embedded => {
            let outbox = repo.outbox(&all).await.unwrap().items;
            (
                outbox.iter().filter(|e| e.channel == "email").count(),
                outbox.iter().filter(|e| e.channel == "sms").count(),
            )
        }
        Store::Aws => {
            let mut emails = 0;
            for to in [
                "acc_sample_buyer@example.cn",
                "acc_sample_main@example.cn",
                "ann.lee@lee.example",
            ] {
                emails += moto_emails_to(to).await.len();
            }
            (emails, moto_sms_to("+8613800138000").await.len())
        }
    };
    counts.insert("emails", emails);
    counts.insert("sms", sms);
    counts
}

fairlink_tests::scenarios!(
    a_poison_message_ends_in_its_dead_letter_queue,
    every_message_kind_delivered_twice_has_one_effect,
);

async fn a_poison_message_ends_in_its_dead_letter_queue(store: Store) {
    let _turn = match store {
        Store::Aws => Some(MOTO_TURN.lock().await),
        Store::Embedded => None,
    };
    let w = world(store).await;
    for (queue, worker) in [
        (QueueName::Matcher, "matcher"),
        (QueueName::Notifier, "notifier"),
    ] {
        let batch = bodies(worker, "batch-with-poison");
        let (good, poison) = (&batch[0], &batch[1]);
        let before = effects(&w).await;
        for body in &batch {
            w.ports
                .queue
                .send(queue, body, Duration::ZERO)
                .await
                .unwrap();
        }
        let handler = handler(&w.ports, queue);
        let reports = drain_like_lambda(&w.ports.queue, queue, handler.as_ref()).await;

        // The poison was given up on at its first delivery: no delivery failed, none again.
        let failed_deliveries: usize = reports.iter().map(Vec::len).sum();
        assert_eq!(failed_deliveries, 0, "{worker}: {reports:?}");
        let dead = w.ports.queue.dead_letters(queue, 10).await.unwrap();
        assert_eq!(dead, std::slice::from_ref(poison), "{worker}");
        // The good message of the batch had its effect, once.
        let after = effects(&w).await;
        assert_ne!(before, after, "{worker}: {good} had no effect");
    }
}

async fn every_message_kind_delivered_twice_has_one_effect(store: Store) {
    let _turn = match store {
        Store::Aws => Some(MOTO_TURN.lock().await),
        Store::Embedded => None,
    };
    let kinds = [
        (QueueName::Matcher, "matcher", "intent-published"),
        (QueueName::Matcher, "matcher", "exhibit-recommended"),
        (QueueName::Notifier, "notifier", "reminder"),
        (QueueName::Notifier, "notifier", "email"),
    ];
    for (queue, worker, name) in kinds {
        // Each kind in a world of its own, so one kind's effects do not hide another's.
        let w = world(store).await;
        // A confirmed booking, so the reminder has something to send.
        let (status, body) = replay(
            &http_apps(&w.ports)["appointments"],
            &event("appointments", "assign-booking"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let body = bodies(worker, name).remove(0);
        let handler = handler(&w.ports, queue);
        let before = effects(&w).await;
        handler.handle(&body).await.unwrap();
        let once = effects(&w).await;
        // Redelivered, and delivered to two consumers at the same time.
        handler.handle(&body).await.unwrap();
        let (a, b) = tokio::join!(handler.handle(&body), handler.handle(&body));
        a.unwrap();
        b.unwrap();
        let again = effects(&w).await;
        println!("{store:?} {worker}/{name}: {before:?} → {once:?}");
        assert_ne!(
            before, once,
            "{worker}/{name}: the first delivery had no effect"
        );
        assert_eq!(
            once, again,
            "{worker}/{name}: a second delivery had an effect"
        );
    }
}
