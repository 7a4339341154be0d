//! The reminder index the scheduler sweeps, its cursor, and the claims that make each
//! reminder go out once.

use super::*;

impl Repository {
    /// Bookings whose reminder falls in `(after, through]`, from the reminder index.
    pub async fn due_reminders(
        &self,
        after: DateTime<Utc>,
        through: DateTime<Utc>,
    ) -> Result<Vec<DueReminder>, DomainError> {
        let mut bucket_start = after;
        // Every bucket the window touches, every shard of each.
        let mut buckets = Vec::new();
        while bucket_start <= through {
            let bucket = keys::reminder_bucket(bucket_start);
            if buckets.last() != Some(&bucket) {
                buckets.push(bucket);
            }
            bucket_start += Duration::minutes(10);
        }
        let last = keys::reminder_bucket(through);
        if buckets.last() != Some(&last) {
            buckets.push(last);
        }
        let low = keys::after_second(after);
        let high = keys::after_second(through);
        // A first sweep reads an hour back (56 partitions): several at a time, in order.
        let mut reads = Vec::new();
        for bucket in &buckets {
            for shard in 0..keys::REMINDER_SHARDS {
                let query = Query::index(Index::Gsi2, keys::reminders(bucket, shard))
                    .sort(SortCondition::Between(low.clone(), high.clone()));
                reads.push(query_all::<Booking>(self.store(), query));
            }
        }
        let mut pages = stream::iter(reads).buffered(CONCURRENT_REMINDER_QUERIES);
        let mut due = Vec::new();
        while let Some(bookings) = pages.next().await {
            due.extend(bookings?.into_iter().map(|booking| DueReminder {
                reminder_at: booking.reminder_at(),
                booking_id: booking.id,
            }));
        }
        Ok(due)
    }

    /// Up to when the scheduler has swept the reminder index.
    pub async fn scheduler_cursor(&self) -> Result<Option<DateTime<Utc>>, DomainError> {
        let item = self
            .store()
            .get(&Key::new(keys::SCHEDULER, keys::CURSOR))
            .await?;
        Ok(item
            .and_then(|i| i.get("through").and_then(Value::as_str).map(str::to_owned))
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    /// Records where the sweep stopped. Overlapping sweeps may set it a little back, which
    /// only sweeps a window twice: the notifier sends each reminder once.
    pub async fn set_scheduler_cursor(&self, through: DateTime<Utc>) -> Result<(), DomainError> {
        let key = Key::new(keys::SCHEDULER, keys::CURSOR);
        let change = Change::Set("through".into(), json!(keys::at(through)));
        self.store().update(&key, vec![change], None).await?;
        Ok(())
    }

    /// Claims the sending of one message (`key` names it): `true` for the first claimant.
    pub async fn claim_sent(&self, key: &str, at: DateTime<Utc>) -> Result<bool, DomainError> {
        let mut item = codec::to_item(&Key::new(keys::sent(key), keys::SENT), "Sent", &json!({}));
        set(&mut item, "claimedAt", time::format(at));
        match self.store().put(item, Some(Condition::NotExists)).await {
            Ok(()) => Ok(true),
            Err(err) if err.is_condition_failed() => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Gives a claim back after a failed send, so that a retry sends it.
    pub async fn release_sent(&self, key: &str) -> Result<(), DomainError> {
        self.store()
            .delete(&Key::new(keys::sent(key), keys::SENT), None)
            .await?;
        Ok(())
    }
}
