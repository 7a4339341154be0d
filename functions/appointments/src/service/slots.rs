//! An exhibitor's slots: one or a batch of them on daily windows, listed, moved and deleted;
//! the calendar keeps them from overlapping.

use super::*;

impl AppointmentsService<'_> {
    fn check_times(&self, checks: &mut Checks, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
        checks.instant("startsAt", starts_at);
        checks.instant("endsAt", ends_at);
        checks.check(starts_at > self.now(), "startsAt", "must be in the future");
        checks.check(ends_at > starts_at, "endsAt", "must be after startsAt");
        checks.check(
            ends_at - starts_at <= Duration::minutes(MAX_SLOT_MINUTES),
            "endsAt",
            "a slot lasts at most four hours",
        );
    }

    pub async fn create_slot(
        &self,
        caller: &Account,
        eid: &str,
        input: NewSlot,
    ) -> Result<SlotView, DomainError> {
        require_main(caller, eid)?;
        let ends_at = input.ends_at.unwrap_or_else(|| {
            input
                .starts_at
                .checked_add_signed(Duration::minutes(DEFAULT_SLOT_MINUTES))
                .unwrap_or(input.starts_at)
        });
        let mut checks = Checks::new();
        self.check_times(&mut checks, input.starts_at, ends_at);
        checks.into_result()?;
        let created = self
            .create_free_slots(
                eid,
                &[SlotTime {
                    starts_at: input.starts_at,
                    ends_at,
                }],
            )
            .await?;
        match created.into_iter().next() {
            Some(slot) => Ok(SlotView::of(slot, self.capacity(eid).await?)),
            None => Err(slot_overlaps()),
        }
    }

    /// Creates those of the wanted slots (sorted by start, at most MAX_SLOTS_PER_WRITE) that
    /// have not begun and overlap neither the exhibitor's slots nor each other, checked
    /// against the calendar as read just before the write, which lands only if the calendar
    /// did not change meanwhile (else it is read again).
    async fn create_free_slots(
        &self,
        eid: &str,
        wanted: &[SlotTime],
    ) -> Result<Vec<Slot>, DomainError> {
        let Some(first) = wanted.first() else {
            return Ok(Vec::new());
        };
        let from = first.starts_at;
        let to = wanted.iter().map(|w| w.ends_at).max().unwrap_or(from);
        retry_on_lost_race(CALENDAR, || async move {
            let calendar = self.repo.slot_calendar(eid, from, to).await?;
            let now = self.now();
            let mut fresh: Vec<Slot> = Vec::new();
            for &SlotTime { starts_at, ends_at } in wanted {
                let clashes = calendar
                    .overlapping
                    .iter()
                    .chain(&fresh)
                    .any(|s| s.overlaps(starts_at, ends_at));
                if clashes || starts_at <= now {
                    continue;
                }
                fresh.push(Slot {
                    id: self.ports.ids.new_id("slt"),
                    exhibitor_id: eid.to_string(),
                    starts_at,
                    ends_at,
                    booked: 0,
                    created_at: now,
                });
            }
            let written = self
                .repo
                .create_slots(eid, &fresh, calendar.version)
                .await?;
            slot_change_attempt(written).map(|attempt| attempt.map(|()| fresh))
        })
        .await
    }

    /// Slots on daily windows of a range of days, in the exhibitor's (or the fair's) time
    /// zone; those that would overlap a slot or lie in the past are skipped.
    pub async fn create_batch(
        &self,
        caller: &Account,
        eid: &str,
        input: SlotBatch,
    ) -> Result<BatchResult, DomainError> {
        require_main(caller, eid)?;
        let plan = self.batch_plan(&input).await?;
        // Every slot the dates and windows make, in UTC, each its length in real time.
        let wanted = slot_windows::expand(
            input.from,
            input.to,
            &plan.windows,
            plan.zone,
            plan.length,
            MAX_BATCH_SLOTS,
        )
        .ok_or_else(|| {
            DomainError::field(
                "windows",
                format!("the batch would make over {MAX_BATCH_SLOTS} slots"),
            )
        })?;
        let mut skipped = 0;
        // In writes of up to MAX_SLOTS_PER_WRITE, each against the calendar as then.
        let mut slots: Vec<Slot> = Vec::new();
        for chunk in wanted.chunks(MAX_SLOTS_PER_WRITE) {
            let created = self.create_free_slots(eid, chunk).await?;
            skipped += chunk.len() - created.len();
            slots.extend(created);
        }
        let capacity = self.capacity(eid).await?;
        Ok(BatchResult {
            created: slots.len(),
            skipped,
            items: slots
                .into_iter()
                .map(|s| SlotView::of(s, capacity))
                .collect(),
        })
    }

    /// A batch's windows, zone and slot length, every bad field reported at once.
    async fn batch_plan(&self, input: &SlotBatch) -> Result<BatchPlan, DomainError> {
        let mut checks = Checks::new();
        let duration = input.duration_minutes.unwrap_or(DEFAULT_SLOT_MINUTES);
        checks.check(
            (5..=MAX_SLOT_MINUTES).contains(&duration),
            "durationMinutes",
            "must be from 5 to 240",
        );
        checks.check(input.from <= input.to, "to", "must not be before from");
        checks.check(
            (input.to - input.from).num_days() < 93,
            "to",
            "a batch covers at most 92 days",
        );
        checks.check(
            !input.windows.is_empty() && input.windows.len() <= 12,
            "windows",
            "must hold 1 to 12 windows",
        );
        let zone_name = match &input.time_zone {
            Some(zone) => zone.clone(),
            None => self
                .repo
                .fair()
                .await?
                .map(|f| f.time_zone)
                .unwrap_or_else(|| "Asia/Shanghai".into()),
        };
        let zone = parse_time_zone(&zone_name);
        checks.check(zone.is_some(), "timeZone", "is not an IANA time zone");
        checks.date("from", input.from);
        checks.date("to", input.to);
        let mut windows = Vec::new();
        for (i, window) in input.windows.iter().enumerate() {
            let start = NaiveTime::parse_from_str(&window.start, "%H:%M");
            let end = NaiveTime::parse_from_str(&window.end, "%H:%M");
            match (start, end) {
                (Ok(start), Ok(end)) if start < end => windows.push(DailyWindow { start, end }),
                (Ok(_), Ok(_)) => checks.fail(format!("windows[{i}].end"), "must be after start"),
                _ => checks.fail(format!("windows[{i}]"), "start and end must be HH:MM"),
            }
        }
        checks.into_result()?;
        Ok(BatchPlan {
            windows,
            zone: zone.unwrap_or(chrono_tz::Asia::Shanghai),
            length: Duration::minutes(duration),
        })
    }

    /// Main sees every slot (filtered by time and status); anyone else the future slots
    /// with room.
    pub async fn list_slots(
        &self,
        caller: &Account,
        eid: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        status: Option<SlotStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<SlotView>, DomainError> {
        if self.repo.exhibitor(eid).await?.is_none() {
            return Err(DomainError::NotFound("exhibitor"));
        }
        let capacity = self.capacity(eid).await?;
        let slots = if caller.is_main_of(eid) {
            self.repo
                .exhibitor_slots(eid, from, to, page, |s: &Slot| match status {
                    None => true,
                    Some(SlotStatus::Free) => s.booked == 0,
                    Some(SlotStatus::Booked) => s.booked > 0,
                })
                .await?
        } else {
            let now = self.now();
            let from = Some(from.map_or(now, |f| f.max(now)));
            self.repo
                .exhibitor_slots(eid, from, to, page, |s: &Slot| {
                    s.starts_at > now && s.booked < capacity
                })
                .await?
        };
        Ok(slots.map(|s| SlotView::of(s, capacity)))
    }

    /// One slot, seen as the list shows it: its exhibitor's main account sees it always,
    /// anyone else while it is in the future with room (else 404, as if it were not there).
    pub async fn slot(&self, caller: &Account, sid: &str) -> Result<SlotView, DomainError> {
        let slot = self
            .repo
            .slot(sid)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        let capacity = self.capacity(&slot.exhibitor_id).await?;
        let open = slot.starts_at > self.now() && slot.booked < capacity;
        if caller.is_main_of(&slot.exhibitor_id) || open {
            Ok(SlotView::of(slot, capacity))
        } else {
            Err(DomainError::NotFound("slot"))
        }
    }

    /// The slot the caller (its exhibitor's main account) may change: read and checked
    /// before the change itself is read, so a caller without the right hears 404 or 403
    /// whatever it sent.
    pub async fn slot_to_change(
        &self,
        caller: &Account,
        sid: &str,
    ) -> Result<SlotToChange, DomainError> {
        self.own_slot(caller, sid).await.map(SlotToChange)
    }

    async fn own_slot(&self, caller: &Account, sid: &str) -> Result<Slot, DomainError> {
        let slot = self
            .repo
            .slot(sid)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        if !caller.belongs_to(&slot.exhibitor_id) {
            return Err(DomainError::NotFound("slot"));
        }
        require_main(caller, &slot.exhibitor_id)?;
        Ok(slot)
    }

    pub async fn patch_slot(
        &self,
        slot: SlotToChange,
        patch: SlotPatch,
    ) -> Result<SlotView, DomainError> {
        let SlotToChange(before) = slot;
        if before.booked > 0 {
            return Err(slot_has_bookings());
        }
        let starts_at = patch.starts_at.unwrap_or(before.starts_at);
        let ends_at = match (patch.ends_at, patch.starts_at) {
            (Some(ends_at), _) => ends_at,
            // Moving the start keeps the length.
            (None, Some(starts_at)) => starts_at
                .checked_add_signed(before.ends_at - before.starts_at)
                .filter(|end| instant_in_range(*end))
                .unwrap_or(starts_at),
            (None, None) => before.ends_at,
        };
        let mut checks = Checks::new();
        self.check_times(&mut checks, starts_at, ends_at);
        checks.into_result()?;
        let mut after = before.clone();
        after.starts_at = starts_at;
        after.ends_at = ends_at;
        let eid = &before.exhibitor_id;
        let (before, after) = (&before, &after);
        retry_on_lost_race(CALENDAR, || async move {
            let calendar = self.repo.slot_calendar(eid, starts_at, ends_at).await?;
            if calendar.overlapping.iter().any(|s| s.id != before.id) {
                return Err(slot_overlaps());
            }
            let saved = self.repo.save_slot(before, after, calendar.version).await?;
            slot_change_attempt(saved)
        })
        .await?;
        Ok(SlotView::of(after.clone(), self.capacity(eid).await?))
    }

    pub async fn delete_slot(&self, caller: &Account, sid: &str) -> Result<(), DomainError> {
        let slot = match self.repo.slot(sid).await? {
            Some(slot) => slot,
            None => return Ok(()),
        };
        if !caller.belongs_to(&slot.exhibitor_id) {
            return Err(DomainError::NotFound("slot"));
        }
        require_main(caller, &slot.exhibitor_id)?;
        match self.repo.delete_slot(&slot).await? {
            Ok(()) => Ok(()),
            Err(SlotRefusal::SlotBooked) => Err(slot_has_bookings()),
            Err(SlotRefusal::CalendarMoved) => Err(DomainError::conflict(
                "conflict",
                "the slot is changing; try again",
            )),
        }
    }
}

fn slot_overlaps() -> DomainError {
    DomainError::conflict("slot_overlaps", "the exhibitor has a slot at that time")
}

fn slot_has_bookings() -> DomainError {
    DomainError::conflict(
        "slot_has_bookings",
        "the slot has bookings; it can no longer change",
    )
}

/// `free`: nobody has booked it; `booked`: somebody has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum SlotStatus {
    Free,
    Booked,
}

/// What a batch of slots is cut from.
struct BatchPlan {
    windows: Vec<DailyWindow>,
    zone: chrono_tz::Tz,
    length: Duration,
}

/// A slot write's outcome for the optimistic loop: a moved calendar (or a slot changing
/// meanwhile) is a lost race; a booked slot, a refusal.
fn slot_change_attempt(written: Result<(), SlotRefusal>) -> Result<Attempt<()>, DomainError> {
    match written {
        Ok(()) => Ok(Attempt::Done(())),
        Err(SlotRefusal::CalendarMoved) => Ok(Attempt::LostRace),
        Err(SlotRefusal::SlotBooked) => Err(slot_has_bookings()),
    }
}

/// Batches make at most this many slots.
const MAX_BATCH_SLOTS: usize = 2_000;

/// Reads of the exhibitor's calendar a slot change makes while others change it meanwhile.
const CALENDAR: Contended = Contended::on("the exhibitor's slots", 5);
