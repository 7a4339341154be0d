//! Colleagues invited to a confirmed meeting.

use super::*;

impl AppointmentsService<'_> {
    /// The booking the caller (a participant, or main) may invite a colleague to, checked
    /// before the invitee is read.
    pub async fn booking_to_invite_to(
        &self,
        caller: &Account,
        bid: &str,
    ) -> Result<BookingToInviteTo, DomainError> {
        let booking = self.visible_booking(caller, bid).await?;
        Ok(BookingToInviteTo {
            booking,
            inviter: caller.clone(),
        })
    }

    /// A participant (or main) sends the meeting link to a colleague.
    pub async fn invite(
        &self,
        booking: BookingToInviteTo,
        input: NewInvitee,
    ) -> Result<Invitee, DomainError> {
        let BookingToInviteTo {
            booking: before,
            inviter,
        } = booking;
        let mut checks = Checks::new();
        checks.check(is_email(&input.email), "email", "is not an email address");
        checks.text("name", &input.name, 200);
        checks.into_result()?;
        if before.meeting.is_none() || before.status != BookingStatus::Confirmed {
            return Err(DomainError::conflict(
                "booking_not_confirmed",
                "the meeting has no room until the booking is confirmed",
            ));
        };
        let invitee = Invitee {
            email: input.email.trim().to_string(),
            name: input.name,
            invited_by: inviter.id.clone(),
        };
        let known = before
            .invitees
            .iter()
            .any(|i| i.email.eq_ignore_ascii_case(&invitee.email));
        if known {
            // Invited before: that invitation's email was stored with it, and goes out.
            return Ok(invitee);
        }
        if before.invitees.len() >= 20 {
            return Err(DomainError::conflict(
                "too_many_invitees",
                "a meeting takes at most 20 invitees",
            ));
        }
        let meeting = self.repo.meeting(before.clone()).await?;
        let facts = meeting.facts();
        // In the inviter's language and zone: the colleague is theirs.
        let (subject, text) =
            invitation(inviter.language, &inviter.time_zone, &invitee.name, &facts);
        let email = NotifierJob::Email {
            key: format!("invite:{}:{}", before.id, invitee.email.to_lowercase()),
            to: invitee.email.clone(),
            subject,
            text,
            language: inviter.language,
        };
        let now = self.now();
        let jobs = [email.outgoing(self.ports.ids.new_id("job"), now, now)?];
        let mut after = before.clone();
        after.invitees.push(invitee.clone());
        self.repo
            .save_booking_details(&before, &after, &jobs)
            .await?
            .map_err(booking_change_refused)?;
        Ok(invitee)
    }
}
