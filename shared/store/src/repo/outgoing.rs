//! Outgoing jobs: queue messages stored with the change that calls for them, sent after the
//! commit, and swept by the scheduler when that send failed (see `OutgoingJob`).

use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    jobs::OutgoingJob,
    ports::{Condition, Key, Query, QueueName, SortCondition, WriteOp},
};
use futures::future::try_join_all;

use super::Repository;
use crate::{codec, keys};

/// Jobs sent and forgotten per batch (the queue and the store split it further).
const DISPATCH_BATCH: usize = 100;

/// Outgoing jobs spread over this many partitions, so a burst of writes is not one hot key.
pub const OUTGOING_SHARDS: u32 = 8;

fn shard_of(job_id: &str) -> u32 {
    (codec::stable_hash(job_id) % u64::from(OUTGOING_SHARDS)) as u32
}

fn outgoing_key(job: &OutgoingJob) -> Key {
    Key::new(
        keys::outgoing(shard_of(&job.id)),
        keys::timed(job.created_at, &job.id),
    )
}

/// The write that stores the job, for the transaction of the change that calls for it.
pub fn outgoing_job_write(job: &OutgoingJob) -> WriteOp {
    WriteOp::Put {
        item: codec::to_item(&outgoing_key(job), "OutgoingJob", job),
        condition: Some(Condition::NotExists),
    }
}

/// The jobs and events among a transaction's writes.
fn jobs_in(ops: &[WriteOp]) -> Vec<OutgoingJob> {
    ops.iter()
        .filter_map(|op| match op {
            WriteOp::Put { item, .. }
                if item.get("_type").and_then(|t| t.as_str()) == Some("OutgoingJob") =>
            {
                codec::from_item(item.clone()).ok()
            }
            _ => None,
        })
        .collect()
}

impl Repository {
    /// Hands the jobs and events of a committed transaction to their queues, whatever
    /// committed it (a failed send leaves them to the scheduler's sweep).
    pub(crate) async fn send_committed_jobs(&self, ops: &[WriteOp]) {
        let jobs = jobs_in(ops);
        if let Some(first) = jobs.first() {
            self.dispatch(&jobs, first.created_at).await;
        }
    }

    /// Sends committed jobs to their queues, forgetting those sent; how many the queues
    /// took. The jobs of one queue go in one batch (SQS: ten a call) and are forgotten in
    /// one batch (DynamoDB: 25 a call), so a matcher run's dozens of notifications cost a
    /// few calls, not two each. A failed send is logged and left for `resend_outgoing_jobs`; it never fails
    /// the caller.
    async fn dispatch(&self, jobs: &[OutgoingJob], now: DateTime<Utc>) -> usize {
        let queue = self.queue.as_ref();
        let mut sent = 0;
        for name in QueueName::ALL {
            let batch: Vec<&OutgoingJob> = jobs.iter().filter(|job| job.queue == name).collect();
            for chunk in batch.chunks(DISPATCH_BATCH) {
                let messages: Vec<(String, std::time::Duration)> = chunk
                    .iter()
                    .map(|job| (job.body.clone(), job.delay(now)))
                    .collect();
                if let Err(err) = queue.send_many(name, &messages).await {
                    let first = chunk.first().map_or("", |job| job.id.as_str());
                    tracing::warn!(first = %first, jobs = chunk.len(), queue = name.slug(), error = %err, "sending failed; the scheduler sends them later");
                    continue;
                }
                sent += chunk.len();
                let forget: Vec<Key> = chunk.iter().map(|job| outgoing_key(job)).collect();
                if let Err(err) = self.store().delete_many(&forget).await {
                    // Sent twice at worst, by the sweep: handlers are idempotent.
                    tracing::warn!(jobs = chunk.len(), error = %err, "sent jobs stay stored");
                }
            }
        }
        sent
    }

    /// Jobs created before `before` and still stored (their send failed, or the process
    /// stopped in between), oldest first, up to `limit` per shard.
    pub async fn stranded_jobs(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutgoingJob>, DomainError> {
        // The shards are independent partitions: read them all at once.
        let pages = try_join_all((0..OUTGOING_SHARDS).map(|shard| {
            let query = Query::table(keys::outgoing(shard))
                .sort(SortCondition::LessThan(keys::at(before)))
                .limit(limit);
            self.store().query(query)
        }))
        .await?;
        pages
            .into_iter()
            .flat_map(|page| page.items)
            .map(codec::from_item)
            .collect()
    }

    /// Sends the stranded jobs created before `before`; how many were sent.
    pub async fn resend_outgoing_jobs(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<usize, DomainError> {
        let jobs = self.stranded_jobs(before, 100).await?;
        Ok(self.dispatch(&jobs, now).await)
    }
}
