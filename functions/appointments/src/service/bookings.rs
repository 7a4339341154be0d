//! A buyer's booking of a place in a slot, its cancellation, and the lists and calendar
//! file of bookings.

use super::*;

impl AppointmentsService<'_> {
    /// A buyer books a place in a future slot while it has room, once per slot.
    pub async fn book(
        &self,
        caller: &Account,
        sid: &str,
        input: NewBooking,
    ) -> Result<Booking, DomainError> {
        require_role(caller, Role::Buyer)?;
        let slot = self
            .repo
            .slot(sid)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        let mut checks = Checks::new();
        checks.optional_text("message", input.message.as_deref(), 2_000);
        if let Some(iid) = &input.intent_id {
            let own = self
                .repo
                .intent(iid)
                .await?
                .is_some_and(|i| i.buyer_id == caller.id);
            checks.check(own, "intentId", "is not one of your intents");
        }
        checks.into_result()?;
        let now = self.now();
        if slot.starts_at <= now {
            return Err(DomainError::Unprocessable {
                code: "slot_in_past",
                detail: "the slot has started already".into(),
            });
        }
        let exhibitor = self
            .repo
            .exhibitor(&slot.exhibitor_id)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        let capacity = self.capacity(&slot.exhibitor_id).await?;
        let booking = Booking {
            id: self.ports.ids.new_id("bkg"),
            slot_id: slot.id.clone(),
            exhibitor_id: slot.exhibitor_id.clone(),
            buyer_id: caller.id.clone(),
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            status: BookingStatus::Requested,
            message: input.message,
            intent_id: input.intent_id,
            assignee_id: None,
            meeting: None,
            invitees: Vec::new(),
            created_at: now,
            confirmed_at: None,
            cancelled_at: None,
            cancelled_by: None,
        };
        let main = self.repo.account(&exhibitor.main_account_id).await?;
        let language = main.map(|a| a.language).unwrap_or_default();
        let (title, body) = requested_notice(language, &caller.name, slot.starts_at);
        let notice = self.notice(NotificationKind::BookingRequested, title, body, &booking);
        match self
            .repo
            .book(
                &booking,
                capacity,
                NotificationFor {
                    account_id: &exhibitor.main_account_id,
                    notification: &notice,
                },
            )
            .await?
        {
            Ok(()) => Ok(booking),
            Err(refusal) => Err(booking_refused(refusal)),
        }
    }

    pub async fn get(&self, caller: &Account, bid: &str) -> Result<Booking, DomainError> {
        self.visible_booking(caller, bid).await
    }

    /// The buyer, the assignee or main cancels: the place is freed and no reminder goes out.
    pub async fn cancel(&self, caller: &Account, bid: &str) -> Result<Booking, DomainError> {
        let before = self.visible_booking(caller, bid).await?;
        if before.status == BookingStatus::Cancelled {
            return Ok(before);
        }
        let now = self.now();
        let mut after = before.clone();
        after.status = BookingStatus::Cancelled;
        after.cancelled_at = Some(now);
        after.cancelled_by = Some(caller.id.clone());
        // Both sides: the buyer, and the assignee (main while nobody is assigned).
        let exhibitor_side = match &before.assignee_id {
            Some(assignee) => assignee.clone(),
            None => self
                .repo
                .exhibitor(&before.exhibitor_id)
                .await?
                .map(|e| e.main_account_id)
                .unwrap_or_default(),
        };
        let side_ids = [before.buyer_id.as_str(), exhibitor_side.as_str()];
        let sides = self.repo.accounts(&side_ids).await?;
        let mut notices = Vec::new();
        for (id, account) in side_ids.iter().zip(&sides) {
            let texts = account
                .as_ref()
                .map(|a| a.language)
                .unwrap_or_default()
                .texts();
            let (title, body) = texts.title_and_body(
                "booking-cancelled",
                &[("beijing", beijing(&texts, before.starts_at).into())],
            );
            notices.push((
                *id,
                self.notice(NotificationKind::BookingCancelled, title, body, &after),
            ));
        }
        let refs: Vec<NotificationFor> = notices
            .iter()
            .map(|(account_id, notification)| NotificationFor {
                account_id,
                notification,
            })
            .collect();
        self.repo
            .cancel_booking(&before, &after, &refs)
            .await?
            .map_err(booking_change_refused)?;
        Ok(after)
    }

    /// The booking's calendar entry, for its participants.
    pub async fn calendar(&self, caller: &Account, bid: &str) -> Result<String, DomainError> {
        let booking = self
            .repo
            .booking(bid)
            .await?
            .ok_or(DomainError::NotFound("booking"))?;
        if !booking.is_participant(&caller.id) {
            return Err(DomainError::NotFound("booking"));
        }
        let meeting = self.repo.meeting(booking).await?;
        Ok(crate::calendar::booking_calendar(&meeting))
    }

    /// The caller's schedule: a buyer's bookings, an exhibitor account's assigned ones.
    pub async fn my_bookings(
        &self,
        caller: &Account,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        if caller.role == Role::Organizer {
            return Err(DomainError::forbidden("organizers have no schedule"));
        }
        self.repo.schedule(&caller.id, page).await
    }

    pub async fn exhibitor_bookings(
        &self,
        caller: &Account,
        eid: &str,
        status: Option<BookingStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        require_main(caller, eid)?;
        self.repo.exhibitor_bookings(eid, status, page).await
    }
}

/// The main account's notification of a new booking.
fn requested_notice(language: Language, buyer: &str, starts_at: DateTime<Utc>) -> (String, String) {
    let texts = language.texts();
    texts.title_and_body(
        "booking-requested",
        &[
            ("buyer", buyer.into()),
            ("beijing", beijing(&texts, starts_at).into()),
        ],
    )
}

fn booking_refused(refusal: BookingRefusal) -> DomainError {
    match refusal {
        BookingRefusal::SlotFull => DomainError::conflict("slot_full", "the slot has no room left"),
        BookingRefusal::AlreadyBooked => {
            DomainError::conflict("already_booked", "you have booked this slot already")
        }
        BookingRefusal::SlotChanged => DomainError::conflict(
            "conflict",
            "the slot changed while it was being booked; read it again",
        ),
    }
}
