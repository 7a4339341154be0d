//! An exhibitor's slots and the calendar that keeps them from overlapping.

use super::*;

impl Repository {
    /// The exhibitor's slots overlapping `[from, to)` and its calendar's version, read before
    /// a change of slot times that must not overlap them.
    pub async fn slot_calendar(
        &self,
        eid: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SlotCalendar, DomainError> {
        let version = self
            .store()
            .get(&calendar_key(eid))
            .await?
            .and_then(|item| item.get("version").and_then(Value::as_u64))
            .unwrap_or(0);
        let overlapping = self.overlapping_slots(eid, from, to).await?;
        Ok(SlotCalendar {
            overlapping,
            version,
        })
    }

    /// Creates slots of one exhibitor (at most `MAX_SLOTS_PER_WRITE`) in one transaction,
    /// if its calendar is still at `version`.
    pub async fn create_slots(
        &self,
        eid: &str,
        slots: &[Slot],
        version: u64,
    ) -> Result<Result<(), SlotRefusal>, DomainError> {
        if slots.is_empty() {
            return Ok(Ok(()));
        }
        if slots.len() > MAX_SLOTS_PER_WRITE {
            return Err(DomainError::Internal(format!(
                "{} slots in one write, over {MAX_SLOTS_PER_WRITE}",
                slots.len()
            )));
        }
        let mut tx = Transaction::new().guarded(Rule::CalendarAsRead, calendar_bump(eid, version));
        for slot in slots {
            // A fresh id: its condition failing would be a bug, not a refusal.
            tx = tx
                .write(WriteOp::Put {
                    item: slot_item(slot),
                    condition: Some(Condition::NotExists),
                })
                .write(interval_put(slot));
        }
        slot_outcome(self.commit(tx).await)
    }

    pub async fn slot(&self, sid: &str) -> Result<Option<Slot>, DomainError> {
        self.store()
            .get(&slot_key(sid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// The exhibitor's slots that start in `[from, to]`, by time, those `keep` accepts.
    pub async fn exhibitor_slots(
        &self,
        eid: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        page: &PageRequest,
        keep: impl Fn(&Slot) -> bool,
    ) -> Result<PageOf<Slot>, DomainError> {
        // `~` sorts after every id character, so a slot starting at `to` is included.
        // (DynamoDB refuses an empty string in a key condition: no bound, no condition.)
        let low = from.map(keys::at);
        let high = to.map(keys::after_second);
        let mut query = Query::index(Index::Gsi1, keys::exhibitor_slots(eid));
        query = match (low, high) {
            (Some(low), Some(high)) => query.sort(SortCondition::Between(low, high)),
            (Some(low), None) => query.sort(SortCondition::GreaterOrEqual(low)),
            (None, Some(high)) => query.sort(SortCondition::LessOrEqual(high)),
            (None, None) => query,
        };
        query_page_filtered(self.store(), query, page, keep).await
    }

    /// Every slot of the exhibitor that overlaps `[from, to)` (for overlap checks), from
    /// its calendar's intervals: a table query, which sees every slot committed before it
    /// (the slots' index may not yet). Only the times and ids of these slots are current.
    pub async fn overlapping_slots(
        &self,
        eid: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Slot>, DomainError> {
        // A slot that overlaps starts less than the longest slot before `from`.
        let low = keys::at(from - Duration::minutes(MAX_SLOT_MINUTES));
        let query = Query::table(keys::slot_intervals(eid))
            .sort(SortCondition::Between(low, keys::after_second(to)));
        let slots: Vec<Slot> = query_all(self.store(), query).await?;
        Ok(slots.into_iter().filter(|s| s.overlaps(from, to)).collect())
    }

    /// Saves a changed slot while nobody has booked it, if the exhibitor's calendar is still
    /// at `version`.
    pub async fn save_slot(
        &self,
        before: &Slot,
        after: &Slot,
        version: u64,
    ) -> Result<Result<(), SlotRefusal>, DomainError> {
        let changes = codec::changes_between(&slot_item(before), &slot_item(after));
        let unbooked = Condition::And(vec![
            Condition::Exists,
            Condition::Equals("booked".into(), json!(0)),
        ]);
        let tx = Transaction::new()
            .guarded(
                Rule::CalendarAsRead,
                calendar_bump(&after.exhibitor_id, version),
            )
            .guarded(
                Rule::SlotUnbooked,
                WriteOp::Update {
                    key: slot_key(&after.id),
                    changes,
                    condition: Some(unbooked),
                },
            )
            .writes(interval_moves(before, after));
        slot_outcome(self.commit(tx).await)
    }

    /// Deletes an unbooked slot with its interval; deleting it again changes nothing.
    pub async fn delete_slot(&self, slot: &Slot) -> Result<Result<(), SlotRefusal>, DomainError> {
        let mut known = Some(slot.clone());
        let sid = slot.id.as_str();
        retry_on_lost_race(SLOT, || {
            let known = known.take();
            async move {
                let slot = match known {
                    Some(slot) => slot,
                    None => match self.slot(sid).await? {
                        None => return Ok(Attempt::Done(Ok(()))),
                        Some(now) if now.booked > 0 => {
                            return Ok(Attempt::Done(Err(SlotRefusal::SlotBooked)));
                        }
                        Some(now) => now,
                    },
                };
                // As read: moved meanwhile, its interval is another one; read it again.
                let unchanged = Condition::And(vec![
                    Condition::Equals("booked".into(), json!(0)),
                    Condition::Equals("startsAt".into(), json!(time::format(slot.starts_at))),
                ]);
                let tx = Transaction::new()
                    .guarded(
                        Rule::SlotAsRead,
                        WriteOp::Delete {
                            key: slot_key(&slot.id),
                            condition: Some(unchanged),
                        },
                    )
                    .write(WriteOp::Delete {
                        key: interval_key(&slot),
                        condition: None,
                    });
                match self.commit(tx).await {
                    Ok(()) => Ok(Attempt::Done(Ok(()))),
                    Err(err) => err.refusal().map(|_| Attempt::LostRace),
                }
            }
        })
        .await
    }
}
