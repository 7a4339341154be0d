//! The reminder scheduler: finds the reminders coming due and hands them to the notifier
//! queue with a delay that makes them go out on time (DESIGN.md, "Queue-driven workers").
//!
//! It sweeps the reminder index from where the last sweep stopped to two minutes ahead, so
//! that sweeps a minute apart overlap nothing and miss nothing; overlapping or repeated
//! sweeps only enqueue a reminder twice, which the notifier sends once. Reminders due within
//! fifteen minutes of a booking's confirmation never enter the index: the appointments
//! feature enqueues those itself.
//!
//! Each sweep also sends the outgoing jobs a feature stored with a change but could not
//! send (its queue failed, or its process stopped in between), once they are a minute old.

use chrono::{DateTime, Duration, Utc};
use fairlink_domain::{
    DomainError, Ports,
    jobs::{NotifierJob, reminder_delay},
    ports::QueueName,
};
use fairlink_store::Repository;
use serde::Serialize;

/// How far ahead a sweep looks: beyond the next sweep, a minute away.
pub const LOOKAHEAD: Duration = Duration::minutes(2);
/// How far back a first sweep (or one after an outage) looks: a reminder older than this
/// is for a meeting that is over or nearly so.
pub const MAX_LOOKBACK: Duration = Duration::hours(1);
/// An outgoing job still stored this long after its change is stranded: its own send failed.
pub const STRANDED_AFTER: Duration = Duration::minutes(1);

pub struct Scheduler {
    repo: Repository,
    ports: Ports,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub from: Option<DateTime<Utc>>,
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub through: Option<DateTime<Utc>>,
    pub enqueued: usize,
    /// Stranded outgoing jobs sent again.
    pub resent: usize,
}

impl Scheduler {
    pub fn new(ports: Ports) -> Self {
        Self {
            repo: Repository::new(ports.store.clone(), ports.queue.clone()),
            ports,
        }
    }

    pub async fn sweep(&self) -> Result<SweepReport, DomainError> {
        let now = self.ports.clock.now();
        let resent = self
            .repo
            .resend_outgoing_jobs(now - STRANDED_AFTER, now)
            .await?;
        let through = now + LOOKAHEAD;
        // Where the last sweep stopped; a cursor ahead of the window means the clock went
        // back (the test clock can), and the sweep starts over from the lookback.
        let from = match self.repo.scheduler_cursor().await? {
            Some(cursor) if cursor <= through => cursor.max(now - MAX_LOOKBACK),
            _ => now - MAX_LOOKBACK,
        };
        if from >= through {
            return Ok(SweepReport {
                resent,
                ..SweepReport::default()
            });
        }
        let due = self.repo.due_reminders(from, through).await?;
        // Delays are worked out just before each chunk goes, so that a long sweep (50,000
        // reminders) does not make the last ones late.
        for chunk in due.chunks(500) {
            let now = self.ports.clock.now();
            let messages = chunk
                .iter()
                .map(|d| {
                    let body = NotifierJob::Reminder {
                        booking_id: d.booking_id.clone(),
                    }
                    .body()?;
                    // Always within 15 minutes here: the window ends two minutes ahead.
                    let delay = reminder_delay(d.reminder_at, now).unwrap_or_default();
                    Ok((body, delay))
                })
                .collect::<Result<Vec<_>, DomainError>>()?;
            self.ports
                .queue
                .send_many(QueueName::Notifier, &messages)
                .await?;
        }
        self.repo.set_scheduler_cursor(through).await?;
        Ok(SweepReport {
            from: Some(from),
            through: Some(through),
            enqueued: due.len(),
            resent,
        })
    }
}
