//! A committed change never loses its queue message: the message is stored in the change's
//! transaction and sent after it; when the queue fails, the request still succeeds (its
//! change is made) and the scheduler sends the stranded message a minute later. On both
//! backends, with a queue that can be switched off.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use chrono::Utc;
use fairlink_domain::{
    Ports,
    ports::{Clock, Delivery, JobQueue, QueueError, QueueName},
};
use fairlink_embedded::TestClock;
use fairlink_store::Repository;
use fairlink_tests::{
    Store, bootstrapped_moto,
    sample::{event, http_apps, replay, seed},
};
use serde_json::Value;

/// A queue whose sends fail while it is off.
struct Switchable {
    inner: Arc<dyn JobQueue>,
    on: AtomicBool,
}

#[async_trait]
impl JobQueue for Switchable {
    async fn send(&self, queue: QueueName, body: &str, delay: Duration) -> Result<(), QueueError> {
        if !self.on.load(Ordering::SeqCst) {
            return Err(QueueError::Unavailable("switched off by the test".into()));
        }
        self.inner.send(queue, body, delay).await
    }
    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        self.inner.receive(queue, max, wait).await
    }
    async fn ack(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError> {
        self.inner.ack(queue, receipt).await
    }
    async fn dead_letters(&self, queue: QueueName, max: usize) -> Result<Vec<String>, QueueError> {
        self.inner.dead_letters(queue, max).await
    }
    async fn dead_letter(&self, queue: QueueName, delivery: &Delivery) -> Result<(), QueueError> {
        self.inner.dead_letter(queue, delivery).await
    }
}

async fn ports(store: Store, clock: Arc<TestClock>) -> (Ports, Option<tempfile::TempDir>) {
    match store {
        Store::Embedded => {
            let dir = tempfile::tempdir().unwrap();
            (
                fairlink_embedded::ports(dir.path(), Some(clock)).unwrap(),
                Some(dir),
            )
        }
        Store::Aws => {
            let (sdk, settings) = bootstrapped_moto().await;
            (
                fairlink_aws::ports(&sdk, &settings, Some(clock))
                    .await
                    .unwrap(),
                None,
            )
        }
    }
}

async fn matcher_messages(queue: &dyn JobQueue) -> Vec<Value> {
    let mut bodies = Vec::new();
    loop {
        let got = queue
            .receive(QueueName::Matcher, 10, Duration::from_millis(300))
            .await
            .unwrap();
        if got.is_empty() {
            return bodies;
        }
        for delivery in got {
            queue
                .ack(QueueName::Matcher, &delivery.receipt)
                .await
                .unwrap();
            bodies.push(serde_json::from_str(&delivery.body).unwrap());
        }
    }
}

fairlink_tests::scenarios!(a_failing_queue_delays_messages_but_loses_none);

async fn a_failing_queue_delays_messages_but_loses_none(store: Store) {
    let clock = Arc::new(TestClock::new(Utc::now()));
    let (mut ports, _dir) = ports(store, clock.clone()).await;
    let queue = Arc::new(Switchable {
        inner: ports.queue.clone(),
        on: AtomicBool::new(true),
    });
    ports.queue = queue.clone();
    // The sample data's events go out as it is written, as every request's do.
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    seed(&repo).await;
    let apps = http_apps(&ports);
    let scheduler = fairlink_scheduler::Scheduler::new(ports.clone());

    // Queue up: the message goes at once and nothing stays stored.
    let (status, body) = replay(&apps["exhibits"], &event("exhibits", "recommend")).await;
    assert_eq!(status, 201, "{body}");
    let sent = matcher_messages(queue.as_ref()).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["kind"], "exhibitRecommended");
    assert!(
        repo.stranded_jobs(clock.now(), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Queue down: the intent is published all the same, its message stored.
    queue.on.store(false, Ordering::SeqCst);
    let (status, intent) = replay(&apps["intents"], &event("intents", "publish-intent")).await;
    assert_eq!(status, 201, "{intent}");
    queue.on.store(true, Ordering::SeqCst);
    assert!(matcher_messages(queue.as_ref()).await.is_empty());
    let stranded = repo
        .stranded_jobs(clock.now() + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    // The matcher's job, and the real-time event of the assignee's notification.
    let queues: Vec<QueueName> = stranded.iter().map(|j| j.queue).collect();
    assert_eq!(queues.len(), 2, "{stranded:?}");
    assert!(queues.contains(&QueueName::Matcher) && queues.contains(&QueueName::Realtime));

    // A sweep leaves a fresh job to its own send; a minute on, it sends them, once.
    assert_eq!(scheduler.sweep().await.unwrap().resent, 0);
    clock.advance(chrono::Duration::seconds(90));
    assert_eq!(scheduler.sweep().await.unwrap().resent, 2);
    let sent = matcher_messages(queue.as_ref()).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["kind"], "intentPublished");
    assert_eq!(sent[0]["intentId"], intent["id"]);
    assert_eq!(scheduler.sweep().await.unwrap().resent, 0);
    assert!(matcher_messages(queue.as_ref()).await.is_empty());
}

/// There is one way to make a repository, and it sends what every committed transaction
/// stores, whichever function commits it: a notification's event written through the
/// repository each worker builds from its ports (matcher, notifier, scheduler, realtime
/// worker, provisioning: `Repository::new(store, queue)`) is on the realtime queue at once,
/// before any sweep of stranded jobs.
#[tokio::test]
async fn every_repository_sends_its_committed_events_without_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock::new(Utc::now()));
    let ports = fairlink_embedded::ports(dir.path(), Some(clock.clone())).unwrap();
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    let notice = fairlink_domain::model::Notification::new(
        "ntf_worker".into(),
        fairlink_domain::model::NotificationKind::BookingConfirmed,
        "t",
        "b",
        serde_json::json!({}),
        clock.now(),
    );
    repo.add_notification("acc_someone", &notice).await.unwrap();
    let events = ports
        .queue
        .receive(QueueName::Realtime, 10, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "the event went at its commit");
    assert!(
        repo.stranded_jobs(clock.now() + chrono::Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing left for the sweep"
    );
}
