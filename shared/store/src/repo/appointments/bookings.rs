//! Bookings: a place in a slot, its confirmation with the assignee's time claimed, its
//! cancellation, its details; the meeting's people; the lists of bookings.

use super::*;

impl Repository {
    /// The booking with its people: the exhibitor's name, the buyer's account and the
    /// assignee's (one read of the exhibitor, one batch read of the accounts).
    pub async fn meeting(&self, booking: Booking) -> Result<Meeting, DomainError> {
        let exhibitor_name = self
            .exhibitor(&booking.exhibitor_id)
            .await?
            .map(|e| e.name)
            .unwrap_or_default();
        let mut ids = vec![booking.buyer_id.as_str()];
        ids.extend(booking.assignee_id.as_deref());
        let mut people = self.accounts(&ids).await?.into_iter();
        let buyer = people.next().flatten();
        let assignee = people.next().flatten();
        Ok(Meeting {
            booking,
            exhibitor_name,
            buyer,
            assignee,
        })
    }

    /// Books a place in the slot: the slot's count grows only while under `capacity`, the
    /// buyer holds at most one place in it, all in one transaction (racing buyers never
    /// overbook a slot).
    pub async fn book(
        &self,
        booking: &Booking,
        capacity: u32,
        notify: NotificationFor<'_>,
    ) -> Result<Result<(), BookingRefusal>, DomainError> {
        let mut place = codec::to_item(
            &place_key(&booking.slot_id, &booking.buyer_id),
            "Place",
            &json!({}),
        );
        set(&mut place, "bookingId", booking.id.clone());
        let tx = Transaction::new()
            .guarded(
                Rule::SlotHasRoomAsRead,
                WriteOp::Update {
                    key: slot_key(&booking.slot_id),
                    changes: vec![Change::Add("booked".into(), 1)],
                    // On the slot as it was read: moved meanwhile, it refuses the booking.
                    condition: Some(Condition::And(vec![
                        Condition::Exists,
                        Condition::LessThan("booked".into(), json!(capacity)),
                        Condition::Equals(
                            "startsAt".into(),
                            json!(time::format(booking.starts_at)),
                        ),
                        Condition::Equals("endsAt".into(), json!(time::format(booking.ends_at))),
                    ])),
                },
            )
            .guarded(
                Rule::BuyerHoldsNoPlace,
                WriteOp::Put {
                    item: place,
                    condition: Some(Condition::NotExists),
                },
            )
            .write(WriteOp::Put {
                item: booking_item(booking, false),
                condition: Some(Condition::NotExists),
            })
            .write(schedule_entry(&booking.buyer_id, booking))
            .writes(notify.writes())
            .write(realtime::booking_event(None, booking, booking.created_at));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(TransactionError::Refused(Rule::SlotHasRoomAsRead)) => {
                let now = self.slot(&booking.slot_id).await?;
                let unchanged = now.is_some_and(|slot| {
                    slot.starts_at == booking.starts_at && slot.ends_at == booking.ends_at
                });
                Ok(Err(if unchanged {
                    BookingRefusal::SlotFull
                } else {
                    BookingRefusal::SlotChanged
                }))
            }
            Err(TransactionError::Refused(Rule::BuyerHoldsNoPlace)) => {
                Ok(Err(BookingRefusal::AlreadyBooked))
            }
            Err(err) => Err(unexpected(err)),
        }
    }

    pub async fn booking(&self, bkid: &str) -> Result<Option<Booking>, DomainError> {
        self.store()
            .get(&booking_key(bkid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Confirms (or reassigns) a booking: the new assignee's place at that time is claimed
    /// (`account_busy` when taken), a previous assignee's freed, schedules and notifications
    /// written, and the booking put in the reminder index when its reminder goes that way.
    /// All or nothing, and only if the booking is still as `before` had it.
    pub async fn confirm_booking(
        &self,
        before: &Booking,
        after: &Booking,
        reminder: ReminderPath,
        notifications: &[NotificationFor<'_>],
        jobs: &[OutgoingJob],
    ) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
        let assignee = after.assignee_id.as_deref().unwrap_or_default();
        let mut tx = Transaction::new()
            .guarded(
                Rule::BookingAsRead,
                WriteOp::Put {
                    item: booking_item(after, reminder == ReminderPath::ReminderIndex),
                    condition: Some(same_state(before)),
                },
            )
            .guarded(
                Rule::AssigneeFreeThen,
                WriteOp::Put {
                    item: codec::to_item(
                        &busy_key(assignee, after.starts_at),
                        "Busy",
                        &json!({"bookingId": after.id}),
                    ),
                    condition: Some(Condition::NotExists),
                },
            )
            .write(schedule_entry(assignee, after));
        if let Some(previous) = before.assignee_id.as_deref().filter(|p| *p != assignee) {
            tx = tx
                .write(WriteOp::Delete {
                    key: busy_key(previous, before.starts_at),
                    condition: None,
                })
                .write(WriteOp::Delete {
                    key: Key::new(
                        keys::schedule(previous),
                        keys::timed(before.starts_at, &before.id),
                    ),
                    condition: None,
                });
        }
        let at = after.confirmed_at.unwrap_or(after.created_at);
        let tx = tx
            .writes(notifications.iter().flat_map(|n| n.writes()))
            .writes(jobs.iter().map(crate::repo::outgoing_job_write))
            .write(realtime::booking_event(Some(before), after, at));
        booking_change_outcome(self.commit(tx).await)
    }

    /// Cancels a booking: its place in the slot and its assignee's time are freed, and it
    /// leaves the reminder index; only if it is still as `before` had it.
    pub async fn cancel_booking(
        &self,
        before: &Booking,
        after: &Booking,
        notifications: &[NotificationFor<'_>],
    ) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
        let mut tx = Transaction::new()
            .guarded(
                Rule::BookingAsRead,
                WriteOp::Put {
                    item: booking_item(after, false),
                    condition: Some(same_state(before)),
                },
            )
            // A booking's slot is deleted only without bookings: it exists while this one does.
            .write(WriteOp::Update {
                key: slot_key(&before.slot_id),
                changes: vec![Change::Add("booked".into(), -1)],
                condition: Some(Condition::Exists),
            })
            .write(WriteOp::Delete {
                key: place_key(&before.slot_id, &before.buyer_id),
                condition: None,
            });
        if let Some(assignee) = &before.assignee_id {
            tx = tx.write(WriteOp::Delete {
                key: busy_key(assignee, before.starts_at),
                condition: None,
            });
        }
        let at = after.cancelled_at.unwrap_or(after.created_at);
        let tx = tx
            .writes(notifications.iter().flat_map(|n| n.writes()))
            .write(realtime::booking_event(Some(before), after, at));
        booking_change_outcome(self.commit(tx).await)
    }

    /// Saves a change that leaves the booking's state as it is (invitees), keeping it in the
    /// reminder index if it was there, with the jobs it calls for.
    pub async fn save_booking_details(
        &self,
        before: &Booking,
        after: &Booking,
        jobs: &[OutgoingJob],
    ) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
        let changes =
            codec::changes_between(&booking_item(before, false), &booking_item(after, false));
        let tx = Transaction::new()
            .guarded(
                Rule::BookingAsRead,
                WriteOp::Update {
                    key: booking_key(&after.id),
                    changes,
                    condition: Some(same_state(before)),
                },
            )
            .writes(jobs.iter().map(crate::repo::outgoing_job_write));
        booking_change_outcome(self.commit(tx).await)
    }

    /// An exhibitor's bookings by time, optionally of one status.
    pub async fn exhibitor_bookings(
        &self,
        eid: &str,
        status: Option<BookingStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        let query = Query::index(Index::Gsi1, keys::exhibitor_bookings(eid));
        query_page_filtered(self.store(), query, page, |b: &Booking| {
            status.is_none_or(|s| b.status == s)
        })
        .await
    }

    /// An account's schedule by time: its entries, and the bookings in one batch read.
    pub async fn schedule(
        &self,
        aid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        let entries: PageOf<Item> =
            query_page(self.store(), Query::table(keys::schedule(aid)), page).await?;
        let keys: Vec<Key> = entries
            .items
            .iter()
            .filter_map(|e| e.get("bookingId").and_then(Value::as_str))
            .map(booking_key)
            .collect();
        let bookings: Vec<Option<Booking>> = self.get_many_of(&keys).await?;
        Ok(PageOf {
            items: bookings.into_iter().flatten().collect(),
            next_cursor: entries.next_cursor,
        })
    }
}
