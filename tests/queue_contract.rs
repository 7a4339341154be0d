//! The job-queue contract, on the in-process queue and on SQS (moto), and the email and SMS
//! adapters: SES v2 and SNS read back from moto, the embedded ones from the outbox.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::Utc;
use fairlink_domain::ports::{
    Clock, Email, EmailSender, JobError, JobHandler, JobQueue, QueueName, Sms, SmsSender, Worker,
    handle_deliveries,
};
use fairlink_embedded::{InProcessQueue, TestClock};

struct Subject {
    queue: Arc<dyn JobQueue>,
    /// The journal's data directory of a durable in-process queue.
    _dir: Option<tempfile::TempDir>,
    /// Moves time forward for delays: the test clock in-process, real time on SQS.
    clock: Option<Arc<TestClock>>,
    visibility: Duration,
}

impl Subject {
    async fn pass(&self, seconds: u64) {
        match &self.clock {
            Some(clock) => {
                clock.advance(chrono::Duration::seconds(seconds as i64));
            }
            // SQS delays run on moto's real clock: no test clock moves them.
            None => tokio::time::sleep(Duration::from_secs(seconds)).await,
        }
    }

    /// Waits out the visibility timeout, which is real time on every queue (moto's, and the
    /// in-process one's by design): what comes back after it, or does not, is the contract.
    async fn wait_for_redelivery(&self) {
        tokio::time::sleep(self.visibility + Duration::from_millis(200)).await;
    }
}

fn in_process() -> Subject {
    let clock = Arc::new(TestClock::new(Utc::now()));
    let visibility = Duration::from_millis(300);
    let queue = InProcessQueue::with_settings(clock.clone(), visibility, 5);
    Subject {
        queue: Arc::new(queue),
        _dir: None,
        clock: Some(clock),
        visibility,
    }
}

/// The in-process queue with its journal in an embedded store (what fairlink-local runs).
fn journaled() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap());
    let clock = Arc::new(TestClock::new(Utc::now()));
    let visibility = Duration::from_millis(300);
    let queue = InProcessQueue::with_settings(clock.clone(), visibility, 5).journaled(store);
    Subject {
        queue: Arc::new(queue),
        _dir: Some(dir),
        clock: Some(clock),
        visibility,
    }
}

async fn sqs() -> Subject {
    let (sdk, settings) = fairlink_tests::bootstrapped_moto().await;
    let client = aws_sdk_sqs::Client::new(&sdk);
    // The template's 60 s visibility would make redelivery tests slow: shorten it here.
    for queue in QueueName::ALL {
        let url = client
            .get_queue_url()
            .queue_name(format!("{}-{}", settings.stack, queue.slug()))
            .send()
            .await
            .unwrap();
        client
            .set_queue_attributes()
            .queue_url(url.queue_url.unwrap())
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
                "1",
            )
            .send()
            .await
            .unwrap();
    }
    let queue = fairlink_aws::SqsJobQueue::connect(client, &settings.stack)
        .await
        .unwrap();
    Subject {
        queue: Arc::new(queue),
        _dir: None,
        clock: None,
        visibility: Duration::from_secs(1),
    }
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod in_process_queue {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::in_process()).await })*
        }
        mod journaled_in_process_queue {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::journaled()).await })*
        }
        mod sqs_queue {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::sqs().await).await })*
        }
    };
}

contract!(
    messages_are_delivered_and_acknowledged,
    delays_hold_messages_back,
    unacknowledged_messages_come_back_then_go_to_the_dead_letter_queue,
    a_batch_reports_only_its_failures,
    a_message_given_up_on_is_dead_lettered_at_once,
    a_workers_batch_runs_as_many_jobs_at_once_as_it_says,
    many_messages_are_sent_at_once_each_with_its_delay,
);

const NOW: Duration = Duration::ZERO;

async fn receive_all(s: &Subject, queue: QueueName) -> Vec<fairlink_domain::ports::Delivery> {
    let mut all = Vec::new();
    for _ in 0..5 {
        let got = s
            .queue
            .receive(queue, 10, Duration::from_millis(200))
            .await
            .unwrap();
        if got.is_empty() && !all.is_empty() {
            break;
        }
        all.extend(got);
    }
    all
}

async fn messages_are_delivered_and_acknowledged(s: Subject) {
    for body in ["one", "two", "three"] {
        s.queue.send(QueueName::Matcher, body, NOW).await.unwrap();
    }
    let deliveries = receive_all(&s, QueueName::Matcher).await;
    let mut bodies: Vec<_> = deliveries.iter().map(|d| d.body.as_str()).collect();
    bodies.sort();
    assert_eq!(bodies, ["one", "three", "two"]);
    assert!(deliveries.iter().all(|d| d.receive_count == 1));
    for delivery in &deliveries {
        s.queue
            .ack(QueueName::Matcher, &delivery.receipt)
            .await
            .unwrap();
    }
    s.wait_for_redelivery().await;
    assert!(
        s.queue
            .receive(QueueName::Matcher, 10, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // Queues are separate.
    assert!(
        s.queue
            .receive(QueueName::Notifier, 10, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.queue
            .send(QueueName::Notifier, "x", Duration::from_secs(901))
            .await,
        Err(fairlink_domain::ports::QueueError::DelayTooLong)
    );
}

/// `send_many`, as the dispatch of a transaction's events uses it: more than one SQS batch,
/// each message with its own delay, and a delay over the limit refusing the whole batch.
async fn many_messages_are_sent_at_once_each_with_its_delay(s: Subject) {
    let mut messages: Vec<(String, Duration)> =
        (0..23).map(|i| (format!("now {i:02}"), NOW)).collect();
    messages.push(("later".into(), Duration::from_secs(2)));
    assert_eq!(
        s.queue
            .send_many(
                QueueName::Realtime,
                &[("x".into(), NOW), ("y".into(), Duration::from_secs(901))]
            )
            .await,
        Err(fairlink_domain::ports::QueueError::DelayTooLong)
    );
    s.queue
        .send_many(QueueName::Realtime, &messages)
        .await
        .unwrap();
    let now = receive_all(&s, QueueName::Realtime).await;
    let mut bodies: Vec<&str> = now.iter().map(|d| d.body.as_str()).collect();
    bodies.sort();
    let expected: Vec<String> = (0..23).map(|i| format!("now {i:02}")).collect();
    assert_eq!(
        bodies, expected,
        "the refused batch sent nothing, the delayed one waits"
    );
    for delivery in &now {
        s.queue
            .ack(QueueName::Realtime, &delivery.receipt)
            .await
            .unwrap();
    }
    s.pass(3).await;
    let later = s
        .queue
        .receive(QueueName::Realtime, 10, Duration::from_secs(1))
        .await
        .unwrap();
    let bodies: Vec<&str> = later.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(bodies, ["later"]);
}

async fn delays_hold_messages_back(s: Subject) {
    s.queue
        .send(QueueName::Notifier, "later", Duration::from_secs(2))
        .await
        .unwrap();
    assert!(
        s.queue
            .receive(QueueName::Notifier, 10, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    s.pass(3).await;
    let got = s
        .queue
        .receive(QueueName::Notifier, 10, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, "later");
}

async fn unacknowledged_messages_come_back_then_go_to_the_dead_letter_queue(s: Subject) {
    s.queue
        .send(QueueName::Matcher, "poison", NOW)
        .await
        .unwrap();
    let mut receives = 0;
    for _ in 0..12 {
        let got = s
            .queue
            .receive(QueueName::Matcher, 10, Duration::from_millis(500))
            .await
            .unwrap();
        if let Some(delivery) = got.first() {
            receives += 1;
            assert_eq!(delivery.receive_count, receives);
        }
        if !s
            .queue
            .dead_letters(QueueName::Matcher, 10)
            .await
            .unwrap()
            .is_empty()
        {
            break;
        }
        s.wait_for_redelivery().await;
    }
    assert_eq!(receives, 5, "delivered maxReceiveCount times");
    assert_eq!(
        s.queue.dead_letters(QueueName::Matcher, 10).await.unwrap(),
        ["poison"]
    );
}

/// Fails the messages whose body says so.
struct PickyHandler;

#[async_trait]
impl JobHandler for PickyHandler {
    async fn handle(&self, body: &str) -> Result<(), JobError> {
        if body.starts_with("bad") {
            Err(JobError::Retry(format!("cannot handle {body}")))
        } else if body.starts_with("poison") {
            Err(JobError::GiveUp(format!("{body} is no job")))
        } else {
            Ok(())
        }
    }
}

async fn a_batch_reports_only_its_failures(s: Subject) {
    for body in ["good-1", "bad-1", "good-2"] {
        s.queue.send(QueueName::Matcher, body, NOW).await.unwrap();
    }
    let deliveries = receive_all(&s, QueueName::Matcher).await;
    let bad_id = deliveries
        .iter()
        .find(|d| d.body == "bad-1")
        .unwrap()
        .message_id
        .clone();
    let failed = handle_deliveries(
        s.queue.as_ref(),
        QueueName::Matcher,
        &PickyHandler,
        deliveries,
    )
    .await;
    assert_eq!(failed, [bad_id]);
    s.wait_for_redelivery().await;
    let again = receive_all(&s, QueueName::Matcher).await;
    let bodies: Vec<_> = again.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(bodies, ["bad-1"], "only the failure comes back");
}

/// A worker whose jobs each wait until three of them run together: it finishes a batch of
/// three only if they run at once.
struct Gathering(tokio::sync::Barrier);

#[async_trait]
impl Worker for Gathering {
    type Job = String;
    const CONCURRENT_JOBS: usize = 3;

    async fn run(&self, _job: String) -> Result<(), JobError> {
        match tokio::time::timeout(Duration::from_secs(10), self.0.wait()).await {
            Ok(_) => Ok(()),
            Err(_) => Err(JobError::Retry("ran alone".into())),
        }
    }
}

async fn a_workers_batch_runs_as_many_jobs_at_once_as_it_says(s: Subject) {
    for body in ["\"one\"", "\"two\"", "\"three\""] {
        s.queue.send(QueueName::Notifier, body, NOW).await.unwrap();
    }
    let deliveries = receive_all(&s, QueueName::Notifier).await;
    assert_eq!(deliveries.len(), 3);
    let worker = Gathering(tokio::sync::Barrier::new(3));
    let failed =
        handle_deliveries(s.queue.as_ref(), QueueName::Notifier, &worker, deliveries).await;
    assert!(
        failed.is_empty(),
        "each job ran with the others: {failed:?}"
    );
}

async fn a_message_given_up_on_is_dead_lettered_at_once(s: Subject) {
    for body in ["good-1", "poison-1", "good-2"] {
        s.queue.send(QueueName::Notifier, body, NOW).await.unwrap();
    }
    let deliveries = receive_all(&s, QueueName::Notifier).await;
    let failed = handle_deliveries(
        s.queue.as_ref(),
        QueueName::Notifier,
        &PickyHandler,
        deliveries,
    )
    .await;
    assert!(failed.is_empty(), "nothing to deliver again: {failed:?}");
    assert_eq!(
        s.queue.dead_letters(QueueName::Notifier, 10).await.unwrap(),
        ["poison-1"]
    );
    s.wait_for_redelivery().await;
    assert!(
        receive_all(&s, QueueName::Notifier).await.is_empty(),
        "nothing comes back"
    );
}

#[tokio::test]
async fn ses_and_sns_deliver_through_moto() {
    let (sdk, settings) = fairlink_tests::bootstrapped_moto().await;
    let email =
        fairlink_aws::SesEmailSender::new(aws_sdk_sesv2::Client::new(&sdk), &settings.email_from);
    let to = format!("{}@buyer.example", settings.stack);
    email
        .send_email(&Email {
            to: to.clone(),
            subject: "会议提醒 Meeting reminder".into(),
            text: "15 minutes".into(),
            html: None,
        })
        .await
        .unwrap();
    let sent = fairlink_tests::moto_emails_to(&to).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["subject"], "会议提醒 Meeting reminder");

    let unverified = fairlink_aws::SesEmailSender::new(
        aws_sdk_sesv2::Client::new(&sdk),
        "nobody@unverified.example",
    );
    let err = unverified
        .send_email(&Email {
            to,
            subject: "s".into(),
            text: "t".into(),
            html: None,
        })
        .await
        .unwrap_err();
    assert!(
        !err.is_retryable(),
        "an unverified sender is refused for good: {err:?}"
    );

    let sms = fairlink_aws::SnsSmsSender::new(aws_sdk_sns::Client::new(&sdk));
    let phone = format!("+1555{:07}", rand_digits());
    sms.send_sms(&Sms {
        to: phone.clone(),
        text: "Meeting in 15 minutes".into(),
    })
    .await
    .unwrap();
    assert_eq!(fairlink_tests::moto_sms_to(&phone).await.len(), 1);
    let err = sms
        .send_sms(&Sms {
            to: "not-a-phone".into(),
            text: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(
        !err.is_retryable(),
        "an invalid number is refused for good: {err:?}"
    );
}

fn rand_digits() -> u32 {
    (ulid::Ulid::new().random() % 10_000_000) as u32
}

#[tokio::test]
async fn the_embedded_outbox_keeps_what_it_sends() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(TestClock::new("2021-04-15T08:00:00Z".parse().unwrap()));
    let ports = fairlink_embedded::ports(dir.path(), Some(clock)).unwrap();
    ports
        .email
        .send_email(&Email {
            to: "a@b.cn".into(),
            subject: "s".into(),
            text: "t".into(),
            html: None,
        })
        .await
        .unwrap();
    ports
        .sms
        .send_sms(&Sms {
            to: "+8613800138000".into(),
            text: "短信".into(),
        })
        .await
        .unwrap();
    assert!(
        !ports
            .sms
            .send_sms(&Sms {
                to: "138".into(),
                text: "x".into()
            })
            .await
            .unwrap_err()
            .is_retryable()
    );
    let repo = fairlink_store::Repository::new(ports.store.clone(), ports.queue.clone());
    let outbox = repo.outbox(&Default::default()).await.unwrap().items;
    let summary: Vec<_> = outbox
        .iter()
        .map(|e| (e.channel.as_str(), e.to.as_str()))
        .collect();
    assert_eq!(summary, [("email", "a@b.cn"), ("sms", "+8613800138000")]);
    assert_eq!(outbox[1].sent_at.to_rfc3339(), "2021-04-15T08:00:00+00:00");
}

/// fairlink-local's queue keeps what it holds in the store: after a restart the delayed
/// reminder, the message handed out but not acknowledged and the dead letters are all there;
/// what was acknowledged is not.
#[tokio::test]
async fn a_restart_loses_no_queued_job() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock::new(Utc::now()));
    let open = || {
        let store = Arc::new(fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap());
        InProcessQueue::with_settings(clock.clone(), Duration::from_millis(100), 2).journaled(store)
    };
    let wait = Duration::from_millis(300);
    {
        let queue = open();
        queue
            .send(
                QueueName::Notifier,
                "reminder in 10 min",
                Duration::from_secs(600),
            )
            .await
            .unwrap();
        queue
            .send(QueueName::Notifier, "handed out", NOW)
            .await
            .unwrap();
        queue.send(QueueName::Notifier, "done", NOW).await.unwrap();
        queue.send(QueueName::Matcher, "poison", NOW).await.unwrap();

        let got = queue.receive(QueueName::Notifier, 10, wait).await.unwrap();
        assert_eq!(got.len(), 2);
        let done = got.iter().find(|d| d.body == "done").unwrap();
        queue.ack(QueueName::Notifier, &done.receipt).await.unwrap();
        for _ in 0..2 {
            assert_eq!(
                queue
                    .receive(QueueName::Matcher, 10, wait)
                    .await
                    .unwrap()
                    .len(),
                1
            );
            // Past the 100 ms visibility timeout (real time): the poison is delivered again.
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        // Third look: over its two deliveries, to the dead letters.
        assert!(
            queue
                .receive(QueueName::Matcher, 10, NOW)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            queue.dead_letters(QueueName::Matcher, 10).await.unwrap(),
            ["poison"]
        );
    }
    // The process stops; a new one opens the same store.
    let queue = open();
    let again = queue.receive(QueueName::Notifier, 10, wait).await.unwrap();
    let bodies: Vec<&str> = again.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["handed out"],
        "delivered again; the acknowledged one is gone"
    );
    assert_eq!(
        again[0].receive_count, 2,
        "its deliveries are counted across the restart"
    );
    queue
        .ack(QueueName::Notifier, &again[0].receipt)
        .await
        .unwrap();
    clock.advance(chrono::Duration::minutes(10));
    let due = queue.receive(QueueName::Notifier, 10, wait).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["reminder in 10 min"]
    );
    assert_eq!(
        queue.dead_letters(QueueName::Matcher, 10).await.unwrap(),
        ["poison"]
    );
}

/// A batch is journaled like single messages; real-time events are not (the sockets they
/// are for close with the process).
#[tokio::test]
async fn a_restart_keeps_batches_but_not_socket_events() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock::new(Utc::now()));
    let open = || {
        let store = Arc::new(fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap());
        InProcessQueue::with_settings(clock.clone(), Duration::from_millis(100), 2).journaled(store)
    };
    let batch = [("a".to_string(), NOW), ("b".to_string(), NOW)];
    {
        let queue = open();
        queue.send_many(QueueName::Notifier, &batch).await.unwrap();
        queue.send_many(QueueName::Realtime, &batch).await.unwrap();
    }
    let queue = open();
    let wait = Duration::from_millis(300);
    let kept = queue.receive(QueueName::Notifier, 10, wait).await.unwrap();
    assert_eq!(
        kept.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(
        queue
            .receive(QueueName::Realtime, 10, NOW)
            .await
            .unwrap()
            .is_empty()
    );
}
