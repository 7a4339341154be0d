//! The notifier under provider faults, on the embedded store and queue: throttling is
//! retried with backoff, a message that keeps failing ends in the dead-letter queue with its
//! sends still unclaimed, and a phone number the SMS provider refuses does not stop the email.

use fairlink_domain::ports::IdentitySubject;
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use fairlink_domain::{
    Ports,
    jobs::NotifierJob,
    model::{Account, Booking, BookingStatus, Exhibitor, Language, Meeting, Permission, Role},
    ports::{
        DeliveryError, Email, EmailSender, JobHandler, QueueName, Sms, SmsSender, handle_deliveries,
    },
};
use fairlink_embedded::{InProcessQueue, TestClock};
use fairlink_notifier::Notifier;
use fairlink_store::{NotificationFor, ReminderPath, Repository};
use fairlink_tests::eventually;

/// An email provider that throttles the first `throttle` sends, then accepts.
#[derive(Default)]
struct FlakyEmail {
    throttle: AtomicU32,
    sent: Mutex<Vec<Email>>,
}

#[async_trait]
impl EmailSender for FlakyEmail {
    async fn send_email(&self, email: &Email) -> Result<(), DeliveryError> {
        if self
            .throttle
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(DeliveryError::Throttled(
                "Maximum sending rate exceeded".into(),
            ));
        }
        self.sent.lock().unwrap().push(email.clone());
        Ok(())
    }
}

/// An SMS provider that refuses one number for good.
#[derive(Default)]
struct PickySms {
    sent: Mutex<Vec<Sms>>,
}

const REFUSED: &str = "+15005550001";

#[async_trait]
impl SmsSender for PickySms {
    async fn send_sms(&self, sms: &Sms) -> Result<(), DeliveryError> {
        if sms.to == REFUSED {
            return Err(DeliveryError::Rejected(
                "Invalid parameter: PhoneNumber".into(),
            ));
        }
        self.sent.lock().unwrap().push(sms.clone());
        Ok(())
    }
}

struct World {
    ports: Ports,
    email: Arc<FlakyEmail>,
    sms: Arc<PickySms>,
    _dir: tempfile::TempDir,
}

fn account(id: &str, role: Role, phone: &str, language: Language, zone: &str) -> Account {
    Account {
        id: id.into(),
        role,
        exhibitor_id: (role == Role::Exhibitor).then(|| "exh_1".into()),
        is_main: role == Role::Exhibitor,
        name: id.into(),
        email: format!("{id}@example.com"),
        phone: Some(phone.into()),
        language,
        time_zone: zone.into(),
        permissions: Permission::ALL.into_iter().collect(),
        zone_ids: vec![],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: Utc::now(),
    }
}

/// A confirmed booking whose reminder is due at the clock's time; the buyer's phone is one
/// the SMS provider refuses.
async fn world(throttle: u32) -> World {
    let dir = tempfile::tempdir().unwrap();
    let starts_at = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let clock = Arc::new(TestClock::new(starts_at - chrono::Duration::minutes(15)));
    let base = fairlink_embedded::ports(dir.path(), Some(clock.clone())).unwrap();
    let email = Arc::new(FlakyEmail {
        throttle: AtomicU32::new(throttle),
        ..Default::default()
    });
    let sms = Arc::new(PickySms::default());
    let ports = Ports {
        email: email.clone(),
        sms: sms.clone(),
        // Redelivered at once, and dead-lettered after three deliveries.
        queue: Arc::new(InProcessQueue::with_settings(clock, Duration::ZERO, 3)),
        ..base
    };
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    let seller = account(
        "acc_seller",
        Role::Exhibitor,
        "+8613800000001",
        Language::ZH,
        "Asia/Shanghai",
    );
    let buyer = account(
        "acc_buyer",
        Role::Buyer,
        REFUSED,
        Language::EN,
        "Europe/Berlin",
    );
    let exhibitor = Exhibitor {
        id: "exh_1".into(),
        name: "Acme".into(),
        zone_ids: vec![],
        recommendation_quota: None,
        main_account_id: seller.id.clone(),
        created_at: starts_at,
    };
    repo.create_exhibitor(
        &exhibitor,
        &seller,
        &IdentitySubject(seller.id.clone()),
        None,
    )
    .await
    .unwrap()
    .expect("the account is new");
    repo.create_account(&buyer, &IdentitySubject(buyer.id.clone()), None)
        .await
        .unwrap()
        .expect("the account is new");
    let booking = Booking {
        id: "bkg_1".into(),
        slot_id: "slt_1".into(),
        exhibitor_id: "exh_1".into(),
        buyer_id: buyer.id.clone(),
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(30),
        status: BookingStatus::Confirmed,
        message: None,
        intent_id: None,
        assignee_id: Some(seller.id.clone()),
        meeting: Some(Meeting {
            provider: "jitsi".into(),
            room_id: "r".into(),
            join_url: "https://meet.example/r".into(),
        }),
        invitees: vec![],
        created_at: starts_at,
        confirmed_at: Some(starts_at),
        cancelled_at: None,
        cancelled_by: None,
    };
    let before = Booking {
        status: BookingStatus::Requested,
        assignee_id: None,
        ..booking.clone()
    };
    let slot = fairlink_domain::model::Slot {
        id: "slt_1".into(),
        exhibitor_id: "exh_1".into(),
        starts_at,
        ends_at: booking.ends_at,
        booked: 0,
        created_at: starts_at,
    };
    // A fresh exhibitor calendar: version 0.
    repo.create_slots("exh_1", &[slot], 0)
        .await
        .unwrap()
        .expect("a fresh calendar takes the slot");
    let note = note();
    let to_seller = NotificationFor {
        account_id: "acc_seller",
        notification: &note,
    };
    repo.book(&before, 5, to_seller).await.unwrap().unwrap();
    repo.confirm_booking(&before, &booking, ReminderPath::QueuedJob, &[], &[])
        .await
        .unwrap()
        .unwrap();
    World {
        ports,
        email,
        sms,
        _dir: dir,
    }
}

fn note() -> fairlink_domain::model::Notification {
    fairlink_domain::model::Notification::new(
        "ntf_1".into(),
        fairlink_domain::model::NotificationKind::BookingRequested,
        "t",
        "b",
        serde_json::json!({}),
        Utc::now(),
    )
}

/// Delivers what the notifier queue holds to the handler until it is empty.
async fn drain(w: &World, handler: &dyn JobHandler) -> usize {
    let mut deliveries = 0;
    loop {
        let batch = w
            .ports
            .queue
            .receive(QueueName::Notifier, 10, Duration::ZERO)
            .await
            .unwrap();
        if batch.is_empty() {
            return deliveries;
        }
        deliveries += batch.len();
        handle_deliveries(w.ports.queue.as_ref(), QueueName::Notifier, handler, batch).await;
    }
}

#[tokio::test]
async fn throttling_is_retried_and_a_refused_phone_does_not_stop_the_email() {
    let w = world(2).await;
    let notifier = Notifier::with_backoff(w.ports.clone(), Duration::from_millis(5));
    let job = NotifierJob::Reminder {
        booking_id: "bkg_1".into(),
    };
    job.enqueue(w.ports.queue.as_ref(), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        drain(&w, &notifier).await,
        1,
        "handled in one delivery, throttling retried in process"
    );
    let emails = w.email.sent.lock().unwrap().clone();
    let to: Vec<&str> = emails.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(to.len(), 2, "{to:?}");
    assert!(to.contains(&"acc_buyer@example.com") && to.contains(&"acc_seller@example.com"));
    let sms = w.sms.sent.lock().unwrap().clone();
    assert_eq!(
        sms.len(),
        1,
        "the seller's SMS; the buyer's number was refused"
    );
    assert_eq!(sms[0].to, "+8613800000001");

    // Delivered again: nothing more, and the refused number is not tried again.
    job.enqueue(w.ports.queue.as_ref(), Duration::ZERO)
        .await
        .unwrap();
    drain(&w, &notifier).await;
    assert_eq!(w.email.sent.lock().unwrap().len(), 2);
    assert_eq!(w.sms.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_provider_that_keeps_throttling_sends_the_message_to_the_dead_letter_queue() {
    // Throttled on every attempt of three deliveries (3 attempts each).
    let w = world(1_000).await;
    let notifier = Notifier::with_backoff(w.ports.clone(), Duration::from_millis(1));
    let job = NotifierJob::Reminder {
        booking_id: "bkg_1".into(),
    };
    job.enqueue(w.ports.queue.as_ref(), Duration::ZERO)
        .await
        .unwrap();
    let ok = NotifierJob::Email {
        key: "other".into(),
        to: "someone@example.com".into(),
        subject: "s".into(),
        text: "t".into(),
        language: Language::EN,
    };
    assert_eq!(
        drain(&w, &notifier).await,
        3,
        "delivered maxReceiveCount times"
    );
    let dead = w
        .ports
        .queue
        .dead_letters(QueueName::Notifier, 10)
        .await
        .unwrap();
    assert_eq!(dead, vec![job.body().unwrap()]);
    // The sends were given back: once the provider recovers, a redrive sends them once.
    w.email.throttle.store(0, Ordering::SeqCst);
    job.enqueue(w.ports.queue.as_ref(), Duration::ZERO)
        .await
        .unwrap();
    ok.enqueue(w.ports.queue.as_ref(), Duration::ZERO)
        .await
        .unwrap();
    drain(&w, &notifier).await;
    assert_eq!(w.email.sent.lock().unwrap().len(), 3);
    assert_eq!(w.sms.sent.lock().unwrap().len(), 1);
}

/// An SMS provider that never answers in time, yet sends every message it is given.
#[derive(Default)]
struct SlowSms {
    calls: Mutex<Vec<Sms>>,
}

#[async_trait]
impl SmsSender for SlowSms {
    async fn send_sms(&self, sms: &Sms) -> Result<(), DeliveryError> {
        self.calls.lock().unwrap().push(sms.clone());
        Err(DeliveryError::Unknown(
            "dispatch failure: the attempt timed out".into(),
        ))
    }
}

/// A send that may have gone out (no answer in time) is tried once more at most, and the
/// claim stays: a reminder delivered again sends nothing more, and the message does not fail.
#[tokio::test]
async fn a_send_that_may_have_gone_out_is_tried_once_more_at_most() {
    let mut w = world(0).await;
    let slow = Arc::new(SlowSms::default());
    w.ports.sms = slow.clone();
    let notifier = Notifier::with_backoff(w.ports.clone(), Duration::from_millis(5));
    let job = NotifierJob::Reminder {
        booking_id: "bkg_1".into(),
    };
    for _ in 0..2 {
        job.enqueue(w.ports.queue.as_ref(), Duration::ZERO)
            .await
            .unwrap();
    }
    assert_eq!(drain(&w, &notifier).await, 2, "each delivery handled once");
    let calls = slow.calls.lock().unwrap().clone();
    for phone in ["+8613800000001", REFUSED] {
        let to_phone = calls.iter().filter(|s| s.to == phone).count();
        assert_eq!(
            to_phone, 2,
            "{phone}: one send and one retry, then none: {calls:?}"
        );
    }
    assert_eq!(
        w.ports
            .queue
            .dead_letters(QueueName::Notifier, 10)
            .await
            .unwrap()
            .len(),
        0,
        "nothing to retry from the queue"
    );
    assert_eq!(w.email.sent.lock().unwrap().len(), 2, "the emails went");
}

/// The SNS adapter over the real SDK, against an endpoint that takes the request and never
/// answers: the publish is sent once (the SDK does not retry a send), and fails as an
/// unknown outcome after the send timeout.
#[tokio::test]
async fn an_sms_publish_without_an_answer_is_sent_once() {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicU32::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let mut counted = false;
                // Read the request, answer nothing; hold the connection open.
                while let Ok(n) = socket.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    if !counted && buffer[..n].windows(4).any(|w| w == b"POST") {
                        counted = true;
                        seen.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(fairlink_aws::https_client())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    let settings = fairlink_aws::AwsSettings::from_lookup(|name| {
        (name == "FAIRLINK_AWS_SEND_TIMEOUT_MS").then(|| "300".to_string())
    });
    // The client the adapter is given in production, with the attempts it transmits counted.
    let attempts = Attempts::default();
    let config = aws_sdk_sns::config::Builder::from(&settings.for_sends(&sdk))
        .interceptor(attempts.clone())
        .build();
    let sender = fairlink_aws::SnsSmsSender::new(aws_sdk_sns::Client::from_conf(config));
    let started = std::time::Instant::now();
    let outcome = sender
        .send_sms(&Sms::new("+8613800000001", "Meeting at 09:00"))
        .await;
    assert!(
        matches!(outcome, Err(DeliveryError::Unknown(_))),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the send timeout holds"
    );
    // The call is over, and with it every attempt the SDK would make.
    assert_eq!(
        attempts.0.load(Ordering::SeqCst),
        1,
        "sent once, never retried"
    );
    // And the endpoint got that one request (its reader counts it as it arrives).
    let seen = eventually("the endpoint to read the request", || async {
        let seen = requests.load(Ordering::SeqCst);
        (seen > 0).then_some(seen)
    })
    .await;
    assert_eq!(seen, 1, "one request on the wire");
}

/// Counts the attempts an SDK client transmits, retries included.
#[derive(Debug, Clone, Default)]
struct Attempts(Arc<AtomicU32>);

impl aws_sdk_sns::config::Intercept for Attempts {
    fn name(&self) -> &'static str {
        "Attempts"
    }

    fn read_before_transmit(
        &self,
        _context: &aws_sdk_sns::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_sns::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sns::config::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}
