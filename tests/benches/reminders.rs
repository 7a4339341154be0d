//! Reminder benchmark (issue 4): 50,000 meetings starting in the same slot. On the embedded
//! backend it reports how long the scheduler takes to find and enqueue every reminder and the
//! notifier to send them all (an email and an SMS to each side: four sends a meeting); against
//! moto it reports messages per second through real SQS, SES v2 and SNS.
//!
//! Run: `cargo bench -p fairlink-tests --bench reminders` (FAIRLINK_BENCH_MEETINGS, default
//! 50,000, and FAIRLINK_BENCH_MOTO_MEETINGS, default 1,000, size the two runs; 0 skips one).
//! On the embedded run, FAIRLINK_BENCH_SEND_MS makes each send answer after that long (as a
//! provider does), FAIRLINK_BENCH_WORKERS sets how many batches are handled at once (8, as
//! Lambda instances), and FAIRLINK_BENCH_ONE_AT_A_TIME=1 handles a batch's jobs one after
//! another, as before issue 34, to compare.

use std::{
    collections::BTreeSet,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use fairlink_domain::{
    Ports,
    model::{
        Account, Booking, BookingStatus, Exhibitor, Language, Meeting, Permission, REMINDER_LEAD,
        Role,
    },
    ports::{
        DeliveryError, Email, EmailSender, JobHandler, Key, QueueName, Sms, SmsSender, WriteOp,
        handle_deliveries,
    },
};
use fairlink_embedded::TestClock;
use fairlink_store::{ReminderPath, booking_write, keys, to_item};

type CountedEmail = Counted<dyn EmailSender>;
type CountedSms = Counted<dyn SmsSender>;

/// Counts what reaches the providers, each send answering after `latency` (a provider's
/// round trip: SES and SNS answer in tens of milliseconds, the embedded outbox at once).
struct Counted<T: ?Sized> {
    inner: Arc<T>,
    sent: AtomicU64,
    latency: Duration,
}

#[async_trait]
impl EmailSender for Counted<dyn EmailSender> {
    async fn send_email(&self, email: &Email) -> Result<(), DeliveryError> {
        tokio::time::sleep(self.latency).await;
        self.inner.send_email(email).await?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[async_trait]
impl SmsSender for Counted<dyn SmsSender> {
    async fn send_sms(&self, sms: &Sms) -> Result<(), DeliveryError> {
        tokio::time::sleep(self.latency).await;
        self.inner.send_sms(sms).await?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn account(id: &str, role: Role, exhibitor: Option<&str>, n: usize) -> Account {
    Account {
        id: id.into(),
        role,
        exhibitor_id: exhibitor.map(Into::into),
        is_main: exhibitor.is_some(),
        name: id.into(),
        email: format!("{id}@bench.example"),
        phone: Some(format!("+1{:010}", 2_000_000_000 + n)),
        language: if n.is_multiple_of(2) {
            Language::EN
        } else {
            Language::ZH
        },
        time_zone: ["America/New_York", "Europe/Berlin", "Asia/Shanghai"][n % 3].into(),
        permissions: Permission::ALL.into_iter().collect::<BTreeSet<_>>(),
        zone_ids: vec![],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: Utc::now(),
    }
}

/// `meetings` confirmed bookings starting at `starts_at`, each between its own exhibitor
/// account and its own buyer, in the reminder index.
async fn seed(
    ports: &Ports,
    meetings: usize,
    starts_at: DateTime<Utc>,
    tag: &str,
    transactional: bool,
) {
    let mut ops = Vec::new();
    for n in 0..meetings {
        let eid = format!("exh_{tag}{n:06}");
        let seller = account(&format!("acc_{tag}s{n:06}"), Role::Exhibitor, Some(&eid), n);
        let buyer = account(&format!("acc_{tag}b{n:06}"), Role::Buyer, None, n + 1);
        let exhibitor = Exhibitor {
            id: eid.clone(),
            name: format!("Exhibitor {n}"),
            zone_ids: vec![],
            recommendation_quota: None,
            main_account_id: seller.id.clone(),
            created_at: starts_at,
        };
        let booking = Booking {
            id: format!("bkg_{tag}{n:06}"),
            slot_id: format!("slt_{tag}{n:06}"),
            exhibitor_id: eid.clone(),
            buyer_id: buyer.id.clone(),
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(30),
            status: BookingStatus::Confirmed,
            message: None,
            intent_id: None,
            assignee_id: Some(seller.id.clone()),
            meeting: Some(Meeting {
                provider: "jitsi".into(),
                room_id: format!("fairlink-{n}"),
                join_url: format!("https://meet.jit.si/fairlink-{n}"),
            }),
            invitees: vec![],
            created_at: starts_at,
            confirmed_at: Some(starts_at),
            cancelled_at: None,
            cancelled_by: None,
        };
        let put = |item| WriteOp::Put {
            item,
            condition: None,
        };
        ops.push(put(to_item(
            &Key::new(keys::exhibitor(&eid), keys::PROFILE),
            "Exhibitor",
            &exhibitor,
        )));
        ops.push(put(to_item(
            &Key::new(keys::account(&seller.id), keys::ACCOUNT),
            "Account",
            &seller,
        )));
        ops.push(put(to_item(
            &Key::new(keys::account(&buyer.id), keys::ACCOUNT),
            "Account",
            &buyer,
        )));
        ops.push(booking_write(&booking, ReminderPath::ReminderIndex));
        if ops.len() >= 96 {
            write(ports, std::mem::take(&mut ops), transactional).await;
        }
    }
    write(ports, ops, transactional).await;
}

/// Writes a batch: one transaction on the embedded store; concurrent puts on moto, which
/// copies a whole table for every transaction and makes bulk loads crawl.
async fn write(ports: &Ports, ops: Vec<WriteOp>, transactional: bool) {
    if transactional {
        if !ops.is_empty() {
            ports.store.transact(ops).await.expect("seed");
        }
        return;
    }
    let puts = ops.into_iter().map(|op| async {
        if let WriteOp::Put { item, .. } = op {
            ports.store.put(item, None).await.expect("seed");
        }
    });
    futures::future::join_all(puts).await;
}

/// Runs `workers` notifier loops until `expected` messages were handled (or nothing came
/// for a while); returns the time taken.
/// The notifier as it ran a batch before issue 34: one job after another
/// (`FAIRLINK_BENCH_ONE_AT_A_TIME=1`, to compare).
struct OneAtATime(fairlink_notifier::Notifier);

#[async_trait]
impl JobHandler for OneAtATime {
    async fn handle(&self, body: &str) -> Result<(), fairlink_domain::ports::JobError> {
        self.0.handle(body).await
    }
}

async fn drain(ports: &Ports, workers: usize, wait: Duration, expected: usize) -> Duration {
    let handled = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let notifier = fairlink_notifier::Notifier::new(ports.clone());
    let notifier: Arc<dyn JobHandler> = if env_usize("FAIRLINK_BENCH_ONE_AT_A_TIME", 0) == 1 {
        Arc::new(OneAtATime(notifier))
    } else {
        Arc::new(notifier)
    };
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let ports = ports.clone();
            let notifier = notifier.clone();
            let handled = handled.clone();
            tokio::spawn(async move {
                let mut idle = 0;
                while idle < 30 && handled.load(Ordering::Relaxed) < expected as u64 {
                    let batch = ports
                        .queue
                        .receive(QueueName::Notifier, 10, wait)
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        idle += 1;
                        continue;
                    }
                    idle = 0;
                    handled.fetch_add(batch.len() as u64, Ordering::Relaxed);
                    let failed = handle_deliveries(
                        ports.queue.as_ref(),
                        QueueName::Notifier,
                        notifier.as_ref(),
                        batch,
                    )
                    .await;
                    assert!(failed.is_empty(), "failed: {failed:?}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}

fn counted(ports: Ports) -> (Ports, Arc<CountedEmail>, Arc<CountedSms>) {
    let latency = Duration::from_millis(env_usize("FAIRLINK_BENCH_SEND_MS", 0) as u64);
    let email = Arc::new(Counted {
        inner: ports.email.clone(),
        sent: AtomicU64::new(0),
        latency,
    });
    let sms = Arc::new(Counted {
        inner: ports.sms.clone(),
        sent: AtomicU64::new(0),
        latency,
    });
    (
        Ports {
            email: email.clone(),
            sms: sms.clone(),
            ..ports
        },
        email,
        sms,
    )
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn report(
    label: &str,
    meetings: usize,
    sweep: Duration,
    enqueued: usize,
    send: Duration,
    emails: u64,
    sms: u64,
) {
    let messages = emails + sms;
    println!(
        "{label}: {meetings} meetings; scheduler enqueued {enqueued} reminders in {:.2} s; \
         notifier sent {emails} emails and {sms} SMS in {:.1} s ({:.0} sends/s, {:.0} reminders/s)",
        sweep.as_secs_f64(),
        send.as_secs_f64(),
        messages as f64 / send.as_secs_f64(),
        enqueued as f64 / send.as_secs_f64(),
    );
}

async fn embedded(meetings: usize) {
    let starts_at = Utc.with_ymd_and_hms(2026, 4, 15, 8, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock::new(starts_at - chrono::Duration::hours(2)));
    let ports = fairlink_embedded::ports(dir.path(), Some(clock.clone())).unwrap();
    let t = Instant::now();
    seed(&ports, meetings, starts_at, "e", true).await;
    println!(
        "embedded: seeded {meetings} confirmed meetings in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (ports, emails, sms) = counted(ports);
    // The sweep a minute before the reminders are due enqueues them all, delayed.
    clock.set(starts_at - REMINDER_LEAD - chrono::Duration::minutes(1));
    let scheduler = fairlink_scheduler::Scheduler::new(ports.clone());
    let t = Instant::now();
    let swept = scheduler.sweep().await.unwrap();
    let sweep = t.elapsed();
    // The delays run out: the reminders' time.
    clock.set(starts_at - REMINDER_LEAD);
    let workers = env_usize("FAIRLINK_BENCH_WORKERS", 8);
    let send = drain(&ports, workers, Duration::ZERO, swept.enqueued).await;
    report(
        "embedded",
        meetings,
        sweep,
        swept.enqueued,
        send,
        emails.sent.load(Ordering::Relaxed),
        sms.sent.load(Ordering::Relaxed),
    );
}

async fn against_moto(meetings: usize) {
    let starts_at = Utc::now() + chrono::Duration::minutes(16);
    let (sdk, settings) = fairlink_tests::bootstrapped_moto().await;
    let ports = fairlink_aws::ports(&sdk, &settings, None).await.unwrap();
    let t = Instant::now();
    seed(&ports, meetings, starts_at, "m", false).await;
    println!(
        "moto: seeded {meetings} confirmed meetings in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (ports, emails, sms) = counted(ports);
    let scheduler = fairlink_scheduler::Scheduler::new(ports.clone());
    let t = Instant::now();
    let swept = scheduler.sweep().await.unwrap();
    let sweep = t.elapsed();
    // Wait out the SQS delays (about a minute), then drain.
    let due = starts_at - REMINDER_LEAD;
    let wait = (due - Utc::now()).to_std().unwrap_or_default();
    println!(
        "moto: waiting {:.0} s for the reminders' time",
        wait.as_secs_f64()
    );
    tokio::time::sleep(wait).await;
    let send = drain(&ports, 8, Duration::from_secs(1), swept.enqueued).await;
    report(
        "moto",
        meetings,
        sweep,
        swept.enqueued,
        send,
        emails.sent.load(Ordering::Relaxed),
        sms.sent.load(Ordering::Relaxed),
    );
}

#[tokio::main]
async fn main() {
    let meetings = env_usize("FAIRLINK_BENCH_MEETINGS", 50_000);
    if meetings > 0 {
        embedded(meetings).await;
    }
    let moto = env_usize("FAIRLINK_BENCH_MOTO_MEETINGS", 1_000);
    if moto > 0 {
        against_moto(moto).await;
    }
}
