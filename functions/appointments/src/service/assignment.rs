//! The main account's assignment of a booking: confirmed with a meeting room, both sides
//! told, the reminder scheduled.

use super::*;

impl AppointmentsService<'_> {
    /// The booking the caller (its exhibitor's main account) may assign, checked before the
    /// assignment is read.
    pub async fn booking_to_assign(
        &self,
        caller: &Account,
        bid: &str,
    ) -> Result<BookingToAssign, DomainError> {
        let booking = self.visible_booking(caller, bid).await?;
        require_main(caller, &booking.exhibitor_id)?;
        Ok(BookingToAssign(booking))
    }

    /// The main account picks who receives the buyer: the booking is confirmed with a
    /// meeting room, both sides are told, and the reminders are scheduled.
    pub async fn assign(
        &self,
        booking: BookingToAssign,
        input: BookingAssignment,
    ) -> Result<Booking, DomainError> {
        let BookingToAssign(before) = booking;
        if before.status == BookingStatus::Cancelled {
            return Err(DomainError::conflict(
                "booking_cancelled",
                "the booking was cancelled",
            ));
        }
        let assignee = self
            .repo
            .account(&input.account_id)
            .await?
            .filter(|a| a.belongs_to(&before.exhibitor_id) && a.can(Permission::Appointments))
            .ok_or_else(|| {
                DomainError::field(
                    "accountId",
                    "is not an active account of this exhibitor with the `appointments` permission",
                )
            })?;
        if before.assignee_id.as_deref() == Some(assignee.id.as_str()) {
            return Ok(before);
        }
        let meeting = match &before.meeting {
            Some(meeting) => meeting.clone(),
            None => self
                .ports
                .meetings
                .create_room(&before.id)
                .await
                .map_err(|detail| DomainError::Unavailable {
                    code: "meeting_rooms_unavailable",
                    detail,
                })?,
        };
        let now = self.now();
        let mut after = before.clone();
        after.status = BookingStatus::Confirmed;
        after.assignee_id = Some(assignee.id.clone());
        after.meeting = Some(meeting);
        after.confirmed_at = Some(now);
        let meeting = self.repo.meeting(after.clone()).await?;
        let confirmed = |language: Language| {
            let (title, body) = confirmed_notice(language, &meeting);
            self.notice(NotificationKind::BookingConfirmed, title, body, &after)
        };
        let to_assignee = confirmed(assignee.language);
        let to_buyer = confirmed(
            meeting
                .buyer
                .as_ref()
                .map(|b| b.language)
                .unwrap_or_default(),
        );
        let reminder = match reminder_delay(after.reminder_at(), now) {
            Some(_) => ReminderPath::QueuedJob,
            None => ReminderPath::ReminderIndex,
        };
        let jobs = self.confirmation_jobs(&meeting, reminder, now)?;
        self.repo
            .confirm_booking(
                &before,
                &after,
                reminder,
                &[
                    NotificationFor {
                        account_id: &assignee.id,
                        notification: &to_assignee,
                    },
                    NotificationFor {
                        account_id: &before.buyer_id,
                        notification: &to_buyer,
                    },
                ],
                &jobs,
            )
            .await?
            .map_err(booking_change_refused)?;
        Ok(after)
    }

    /// The join link by email to both sides, and the reminder when it is due soon (a
    /// booking confirmed after its reminder time gets it at once); later ones are the
    /// scheduler's. Stored with the confirmation, sent once it is committed.
    fn confirmation_jobs(
        &self,
        meeting: &Meeting,
        reminder: ReminderPath,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutgoingJob>, DomainError> {
        let booking = &meeting.booking;
        let facts = meeting.facts();
        let mut jobs = Vec::new();
        for recipient in meeting.active_participants() {
            let (subject, text) = confirmation(recipient.language, &recipient.time_zone, &facts);
            let email = NotifierJob::Email {
                key: format!("confirmed:{}:{}", booking.id, recipient.id),
                to: recipient.email.clone(),
                subject,
                text,
                language: recipient.language,
            };
            jobs.push(email.outgoing(self.ports.ids.new_id("job"), now, now)?);
        }
        if reminder == ReminderPath::QueuedJob {
            let job = NotifierJob::Reminder {
                booking_id: booking.id.clone(),
            };
            let due = booking.reminder_at().max(now);
            jobs.push(job.outgoing(self.ports.ids.new_id("job"), now, due)?);
        }
        Ok(jobs)
    }
}

/// The notification that a meeting is confirmed, for both sides.
fn confirmed_notice(language: Language, meeting: &Meeting) -> (String, String) {
    let facts = meeting.facts();
    let texts = language.texts();
    texts.title_and_body(
        "booking-confirmed",
        &[
            ("exhibitor", facts.exhibitor.into()),
            ("buyer", facts.buyer.into()),
            ("beijing", beijing(&texts, facts.starts_at).into()),
        ],
    )
}
