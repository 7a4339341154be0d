//! Appointment negotiation over HTTP against fairlink-local, on both backends: slots,
//! bookings under racing buyers, assignment with meeting rooms, calendars, and the SMS and
//! email reminders (read back from the dev outbox, or from moto on AWS).

use chrono::{DateTime, Duration, TimeZone, Utc};
use fairlink_domain::{jobs::NotifierJob, ports::JobHandler};
use fairlink_tests::{
    Store, TestServer, emails_to, eventually,
    fixtures::{Exhibitor, Person, assign, book, buyer_in, exhibitor, id, slot, staff, with_fair},
    sms_to, start,
};
use serde_json::json;

fairlink_tests::scenarios!(
    slots_are_made_one_by_one_and_in_batches,
    slots_change_only_while_unbooked,
    fifty_buyers_racing_for_one_slot_never_overbook_it,
    racing_slot_changes_never_overlap,
    bookings_are_confirmed_with_a_room_and_reminded_once,
    cancelled_bookings_get_no_reminder,
    a_late_confirmation_is_reminded_at_once,
    reminders_speak_each_recipients_time,
    bookings_are_kept_to_their_participants,
    far_future_dates_are_refused_not_a_crash,
    a_deactivated_account_gets_no_reminder,
    a_booking_racing_a_move_keeps_the_slots_time,
    a_fall_back_night_gets_its_repeated_hour_in_30_minute_slots,
    times_keep_their_milliseconds_and_overlaps_see_them,
);

/// A fair whose clock stands at `now`.
/// A meeting people: the exhibitor Acme with Li (appointments) and a buyer, Ann.
struct Meeting {
    acme: Exhibitor,
    li: Person,
    buyer: Person,
}

/// Acme's slot at `starts_at`, booked by Ann: the people and the booking's id (not assigned).
async fn booked_meeting(
    server: &TestServer,
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
) -> (Meeting, String) {
    let organizer = fair_at(server, now).await;
    let acme = exhibitor(server, &organizer, "Acme").await;
    let li = staff(server, &acme, "Li", json!(["appointments"])).await;
    let buyer = buyer_in(server, "Ann", "en", "America/New_York").await;
    let sid = id(&slot(server, &acme, starts_at).await);
    let bid = id(&book(server, &buyer, &sid).await);
    (Meeting { acme, li, buyer }, bid)
}

async fn fair_at(server: &TestServer, now: DateTime<Utc>) -> String {
    server.set_clock(now).await;
    with_fair(server).await
}

async fn slots_are_made_one_by_one_and_in_batches(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    staff(&server, &acme, "Li", json!(["appointments"])).await;
    staff(&server, &acme, "Wu", json!(["im"])).await;

    // 09:00 Beijing time on 15 April is 01:00 UTC.
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap();
    let one = slot(&server, &acme, at).await;
    assert_eq!(
        one["endsAt"], "2026-04-15T01:30:00.000Z",
        "30 minutes by default"
    );
    assert_eq!(
        one["capacity"], 2,
        "main and the one account with appointments"
    );
    assert_eq!(one["booked"], 0);
    server
        .post(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &acme.main,
            json!({"startsAt": at + Duration::minutes(15)}),
        )
        .await
        .expect_problem(409, "slot_overlaps");
    for (body, field) in [
        (json!({"startsAt": now - Duration::hours(1)}), "startsAt"),
        (
            json!({"startsAt": at + Duration::days(1), "endsAt": at + Duration::days(1) - Duration::minutes(5)}),
            "endsAt",
        ),
        (
            json!({"startsAt": at + Duration::days(1), "endsAt": at + Duration::days(1) + Duration::hours(5)}),
            "endsAt",
        ),
    ] {
        let answer = server
            .post(
                &format!("/v1/exhibitors/{}/slots", acme.id),
                &acme.main,
                body,
            )
            .await;
        answer.expect_problem(422, "validation_failed");
        assert_eq!(answer.body["errors"][0]["field"], field);
    }

    // Two days × two windows of an hour, in Beijing time: eight slots, one of them taken.
    let batch = json!({"from": "2026-04-15", "to": "2026-04-16",
        "windows": [{"start": "09:00", "end": "10:00"}, {"start": "14:00", "end": "15:00"}]});
    let made = server
        .post(
            &format!("/v1/exhibitors/{}/slots/batch", acme.id),
            &acme.main,
            batch,
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(
        (made["created"].as_u64(), made["skipped"].as_u64()),
        (Some(7), Some(1)),
        "{made}"
    );
    assert_eq!(made["items"][0]["startsAt"], "2026-04-15T01:30:00.000Z");
    assert_eq!(
        made["items"][1]["startsAt"], "2026-04-15T06:00:00.000Z",
        "14:00 Beijing time"
    );
    // The same in New York time, 45 minutes each: 09:00 EDT is 13:00 UTC.
    let batch = json!({"from": "2026-04-20", "to": "2026-04-20", "windows": [{"start": "09:00", "end": "10:30"}],
        "durationMinutes": 45, "timeZone": "America/New_York"});
    let made = server
        .post(
            &format!("/v1/exhibitors/{}/slots/batch", acme.id),
            &acme.main,
            batch,
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(made["created"], 2);
    assert_eq!(made["items"][0]["startsAt"], "2026-04-20T13:00:00.000Z");
    assert_eq!(made["items"][1]["endsAt"], "2026-04-20T14:30:00.000Z");
    let bad = json!({"from": "2026-04-20", "to": "2026-04-19", "windows": [{"start": "9am", "end": "10:00"}], "timeZone": "Mars/Olympus"});
    let answer = server
        .post(
            &format!("/v1/exhibitors/{}/slots/batch", acme.id),
            &acme.main,
            bad,
        )
        .await;
    answer.expect_problem(422, "validation_failed");
    let fields: Vec<&str> = answer.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"to") && fields.contains(&"timeZone") && fields.contains(&"windows[0]"),
        "{fields:?}"
    );

    // Lists by time, filtered; pages with cursors.
    let path = format!("/v1/exhibitors/{}/slots", acme.id);
    let all = server
        .get(&format!("{path}?limit=200"), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(all["items"].as_array().unwrap().len(), 10);
    let day = server
        .get(
            &format!("{path}?from=2026-04-15T00:00:00Z&to=2026-04-15T23:59:59Z"),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(day["items"].as_array().unwrap().len(), 4);
    let first = server
        .get(&format!("{path}?limit=3"), &acme.main)
        .await
        .expect(200)
        .clone();
    let cursor = first["nextCursor"].as_str().unwrap();
    let next = server
        .get(&format!("{path}?limit=3&cursor={cursor}"), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(next["items"][0]["startsAt"], all["items"][3]["startsAt"]);
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let seen = server
        .get(&format!("{path}?limit=200"), &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(seen["items"].as_array().unwrap().len(), 10);
    server
        .get(&format!("{path}?status=full"), &acme.main)
        .await
        .expect_problem(422, "validation_failed");
    server
        .get("/v1/exhibitors/exh_none/slots", &buyer.token)
        .await
        .expect_problem(404, "not_found");
}

async fn slots_change_only_while_unbooked(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, at).await);
    let other = id(&slot(&server, &acme, at + Duration::hours(2)).await);

    let moved = server
        .patch(
            &format!("/v1/slots/{sid}"),
            &acme.main,
            json!({"startsAt": at + Duration::hours(1)}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(
        moved["endsAt"], "2026-04-15T02:30:00.000Z",
        "moving keeps the length"
    );
    server
        .patch(
            &format!("/v1/slots/{sid}"),
            &acme.main,
            json!({"startsAt": at + Duration::hours(2)}),
        )
        .await
        .expect_problem(409, "slot_overlaps");
    server
        .patch(
            &format!("/v1/slots/{sid}"),
            &rival.main,
            json!({"startsAt": at}),
        )
        .await
        .expect_problem(404, "not_found");
    server
        .delete(&format!("/v1/slots/{sid}"), &rival.main)
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &rival.main,
            json!({"startsAt": at}),
        )
        .await
        .expect_problem(404, "not_found");

    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    book(&server, &buyer, &sid).await;
    server
        .patch(
            &format!("/v1/slots/{sid}"),
            &acme.main,
            json!({"startsAt": at}),
        )
        .await
        .expect_problem(409, "slot_has_bookings");
    server
        .delete(&format!("/v1/slots/{sid}"), &acme.main)
        .await
        .expect_problem(409, "slot_has_bookings");
    server
        .delete(&format!("/v1/slots/{other}"), &acme.main)
        .await
        .expect(204);
    server
        .delete(&format!("/v1/slots/{other}"), &acme.main)
        .await
        .expect(204);
    let booked = server
        .get(
            &format!("/v1/exhibitors/{}/slots?status=booked", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(booked["items"].as_array().unwrap().len(), 1);
    assert_eq!(booked["items"][0]["booked"], 1);
}

async fn fifty_buyers_racing_for_one_slot_never_overbook_it(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    staff(&server, &acme, "Li", json!(["appointments"])).await;
    staff(&server, &acme, "Zhao", json!(["appointments", "im"])).await;
    staff(&server, &acme, "Wu", json!(["im"])).await;
    let sid = id(&slot(
        &server,
        &acme,
        Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap(),
    )
    .await);

    let mut buyers = Vec::new();
    for i in 0..50 {
        buyers.push(buyer_in(&server, &format!("Buyer {i}"), "en", "Europe/Berlin").await);
    }
    let path = format!("/v1/slots/{sid}/bookings");
    let answers = futures::future::join_all(
        buyers
            .iter()
            .map(|b| server.post(&path, &b.token, json!({}))),
    )
    .await;
    let won = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(won, 3, "capacity: main and two accounts with appointments");
    for answer in answers.iter().filter(|a| a.status != 201) {
        answer.expect_problem(409, "slot_full");
    }
    let listed = server
        .get(&format!("/v1/exhibitors/{}/slots", acme.id), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(listed["items"][0]["booked"], 3);
    let bookings = server
        .get(
            &format!("/v1/exhibitors/{}/bookings?limit=200", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(bookings["items"].as_array().unwrap().len(), 3);
    // A full slot is not offered to buyers.
    let offered = server
        .get(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &buyers[0].token,
        )
        .await
        .expect(200)
        .clone();
    assert!(offered["items"].as_array().unwrap().is_empty());

    // One booking per buyer per slot.
    let second = id(&slot(
        &server,
        &acme,
        Utc.with_ymd_and_hms(2026, 4, 15, 3, 0, 0).unwrap(),
    )
    .await);
    book(&server, &buyers[0], &second).await;
    server
        .post(
            &format!("/v1/slots/{second}/bookings"),
            &buyers[0].token,
            json!({}),
        )
        .await
        .expect_problem(409, "already_booked");
    server
        .post(
            &format!("/v1/slots/{second}/bookings"),
            &acme.main,
            json!({}),
        )
        .await
        .expect_problem(403, "forbidden");
    server.advance_clock(6 * 86_400).await;
    server
        .post(
            &format!("/v1/slots/{second}/bookings"),
            &buyers[1].token,
            json!({}),
        )
        .await
        .expect_problem(422, "slot_in_past");
}

/// Waits until the address has `count` emails and returns them.
async fn wait_emails(server: &TestServer, to: &str, count: usize) -> Vec<fairlink_tests::Sent> {
    eventually(&format!("{count} emails to {to}"), || async {
        let sent = emails_to(server, to).await;
        (sent.len() >= count).then_some(sent)
    })
    .await
}

async fn wait_sms(server: &TestServer, to: &str, count: usize) -> Vec<fairlink_tests::Sent> {
    eventually(&format!("{count} SMS to {to}"), || async {
        let sent = sms_to(server, to).await;
        (sent.len() >= count).then_some(sent)
    })
    .await
}

async fn bookings_are_confirmed_with_a_room_and_reminded_once(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme Audio").await;
    let li = staff(&server, &acme, "Li", json!(["appointments"])).await;
    let wu = staff(&server, &acme, "Wu", json!(["im"])).await;
    let buyer = buyer_in(&server, "Ann Lee", "en", "America/New_York").await;
    let second_buyer = buyer_in(&server, "Bo Chen", "en", "America/New_York").await;
    // 13:00 UTC on 15 July: 09:00 in New York (EDT), 21:00 in Beijing.
    let starts_at = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, starts_at).await);

    let booking = book(&server, &buyer, &sid).await;
    assert_eq!(booking["status"], "requested");
    let bid = id(&booking);
    let main_notes = server
        .get("/v1/me/notifications", &acme.main)
        .await
        .expect(200)
        .clone();
    assert!(
        main_notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "booking.requested")
    );

    server
        .post(
            &format!("/v1/bookings/{bid}/assignment"),
            &acme.main,
            json!({"accountId": wu.id}),
        )
        .await
        .expect_problem(422, "validation_failed");
    server
        .post(
            &format!("/v1/bookings/{bid}/invitees"),
            &buyer.token,
            json!({"email": "colleague@lee.example", "name": "Cole"}),
        )
        .await
        .expect_problem(409, "booking_not_confirmed");
    let confirmed = assign(&server, &acme, &bid, &li.id).await;
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["assigneeId"], li.id.as_str());
    let join_url = confirmed["meeting"]["joinUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let room = confirmed["meeting"]["roomId"].as_str().unwrap();
    assert!(room.len() >= 32 && join_url.ends_with(room), "{confirmed}");
    assert_eq!(confirmed["meeting"]["provider"], "jitsi");

    // The same account cannot receive two buyers at once.
    let other = id(&book(&server, &second_buyer, &sid).await);
    server
        .post(
            &format!("/v1/bookings/{other}/assignment"),
            &acme.main,
            json!({"accountId": li.id}),
        )
        .await
        .expect_problem(409, "account_busy");

    // Both sides are told, in-app and by email with the join link.
    for person in [&buyer, &li] {
        let notes = server
            .get("/v1/me/notifications", &person.token)
            .await
            .expect(200)
            .clone();
        assert!(
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["type"] == "booking.confirmed"),
            "{notes}"
        );
        let emails = wait_emails(&server, &person.email, 1).await;
        assert!(emails[0].body.contains(&join_url), "{emails:?}");
    }
    let mine = server
        .get("/v1/me/bookings", &li.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(mine["items"][0]["id"], bid.as_str());
    let theirs = server
        .get("/v1/me/bookings", &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(theirs["items"][0]["meeting"]["joinUrl"], join_url.as_str());
    let confirmed_list = server
        .get(
            &format!("/v1/exhibitors/{}/bookings?status=confirmed", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(confirmed_list["items"].as_array().unwrap().len(), 1);

    // Invitees get the link; the calendar entry keeps its UID.
    server
        .post(
            &format!("/v1/bookings/{bid}/invitees"),
            &buyer.token,
            json!({"email": "cole@lee.example", "name": "Cole"}),
        )
        .await
        .expect(201);
    let invite = wait_emails(&server, "cole@lee.example", 1).await;
    assert!(invite[0].body.contains(&join_url) && invite[0].body.contains("Cole"));
    let calendar = server
        .client
        .get(format!("{}/v1/bookings/{bid}/calendar.ics", server.base))
        .bearer_auth(&buyer.token)
        .send()
        .await
        .unwrap();
    assert!(
        calendar.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = calendar.text().await.unwrap();
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("BEGIN:VEVENT"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:{bid}@fairlink")), "{ics}");
    assert!(ics.contains("DTSTART:20260715T130000Z"), "{ics}");
    assert!(ics.contains("STATUS:CONFIRMED"));

    // Fifteen minutes before: SMS and email to both, once.
    assert!(sms_to(&server, &buyer.phone).await.is_empty());
    server
        .set_clock(starts_at - Duration::minutes(15) + Duration::seconds(1))
        .await;
    let buyer_sms = wait_sms(&server, &buyer.phone, 1).await;
    let li_sms = wait_sms(&server, &li.phone, 1).await;
    let buyer_mail = wait_emails(&server, &buyer.email, 2).await;
    let li_mail = wait_emails(&server, &li.email, 2).await;
    assert!(
        buyer_sms[0].body.contains("9:00 AM EDT (Beijing 9:00 PM)"),
        "{buyer_sms:?}"
    );
    assert!(li_sms[0].body.contains("21:00 CST"), "{li_sms:?}");
    let reminder = buyer_mail
        .iter()
        .find(|m| m.subject.starts_with("Reminder"))
        .expect("a reminder email");
    assert!(
        reminder
            .body
            .contains("Jul 15, 2026, 9:00 AM EDT (America/New_York)")
            && reminder.body.contains(&join_url)
    );
    assert!(
        li_mail.iter().any(|m| m.subject.starts_with("会议提醒")),
        "{li_mail:?}"
    );

    // A delivery of the same reminder again, and more sweeps: nothing more.
    let job = NotifierJob::Reminder {
        booking_id: bid.clone(),
    }
    .body()
    .unwrap();
    let notifier = fairlink_notifier::Notifier::new(server.ports.clone());
    notifier.handle(&job).await.unwrap();
    notifier.handle(&job).await.unwrap();
    server.advance_clock(60).await;
    server.settle().await;
    assert_eq!(sms_to(&server, &buyer.phone).await.len(), 1);
    assert_eq!(sms_to(&server, &li.phone).await.len(), 1);
    assert_eq!(
        emails_to(&server, &buyer.email).await.len(),
        2,
        "the confirmation and one reminder"
    );
    assert_eq!(emails_to(&server, &li.email).await.len(), 2);
    assert!(emails_to(&server, &wu.email).await.is_empty());
}

async fn cancelled_bookings_get_no_reminder(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let li = staff(&server, &acme, "Li", json!(["appointments"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let other_buyer = buyer_in(&server, "Bo", "en", "America/New_York").await;
    let starts_at = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, starts_at).await);
    let bid = id(&book(&server, &buyer, &sid).await);
    assign(&server, &acme, &bid, &li.id).await;
    wait_emails(&server, &buyer.email, 1).await;

    server
        .post(
            &format!("/v1/bookings/{bid}/cancel"),
            &other_buyer.token,
            json!({}),
        )
        .await
        .expect_problem(404, "not_found");
    let cancelled = server
        .post(
            &format!("/v1/bookings/{bid}/cancel"),
            &buyer.token,
            json!({}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancelledBy"], buyer.id.as_str());
    server
        .post(&format!("/v1/bookings/{bid}/cancel"), &li.token, json!({}))
        .await
        .expect(200);
    for person in [&buyer, &li] {
        let notes = server
            .get("/v1/me/notifications", &person.token)
            .await
            .expect(200)
            .clone();
        assert!(
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["type"] == "booking.cancelled")
        );
    }
    let slots = server
        .get(&format!("/v1/exhibitors/{}/slots", acme.id), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(slots["items"][0]["booked"], 0, "the place is free again");
    // Li is free again too: a new booking can be given to Li.
    let again = id(&book(&server, &other_buyer, &sid).await);
    assign(&server, &acme, &again, &li.id).await;
    server
        .post(
            &format!("/v1/bookings/{again}/cancel"),
            &acme.main,
            json!({}),
        )
        .await
        .expect(200);

    server.set_clock(starts_at - Duration::minutes(14)).await;
    server.settle().await;
    assert!(
        sms_to(&server, &buyer.phone).await.is_empty(),
        "no reminder after a cancellation"
    );
    assert_eq!(
        emails_to(&server, &buyer.email).await.len(),
        1,
        "only the confirmation"
    );
    assert!(sms_to(&server, &li.phone).await.is_empty());
}

async fn a_late_confirmation_is_reminded_at_once(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let li = staff(&server, &acme, "Li", json!(["appointments"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let starts_at = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, starts_at).await);
    let bid = id(&book(&server, &buyer, &sid).await);
    // Confirmed ten minutes before the start: past the reminder time.
    server.set_clock(starts_at - Duration::minutes(10)).await;
    assign(&server, &acme, &bid, &li.id).await;
    wait_sms(&server, &buyer.phone, 1).await;
    wait_sms(&server, &li.phone, 1).await;
}

async fn reminders_speak_each_recipients_time(store: Store) {
    let server = start(store).await;
    let winter = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, winter).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let li = staff(&server, &acme, "Li", json!(["appointments"])).await;
    let zhao = staff(&server, &acme, "Zhao", json!(["appointments"])).await;
    let new_york = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let berlin = buyer_in(&server, "Jonas", "en", "Europe/Berlin").await;
    let shanghai = buyer_in(&server, "王芳", "zh", "Asia/Shanghai").await;

    // Winter: 14:00 UTC is 09:00 EST in New York, 15:00 CET in Berlin, 22:00 in Beijing.
    let january = Utc.with_ymd_and_hms(2026, 1, 15, 14, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, january).await);
    let ny_booking = id(&book(&server, &new_york, &sid).await);
    let berlin_booking = id(&book(&server, &berlin, &sid).await);
    assign(&server, &acme, &ny_booking, &li.id).await;
    assign(&server, &acme, &berlin_booking, &zhao.id).await;
    server.set_clock(january - Duration::minutes(15)).await;
    let ny = wait_emails(&server, &new_york.email, 2).await;
    let reminder = ny
        .iter()
        .find(|m| m.subject.starts_with("Reminder"))
        .unwrap();
    assert!(
        reminder
            .body
            .contains("Jan 15, 2026, 9:00 AM EST (America/New_York)"),
        "{reminder:?}"
    );
    assert!(
        reminder
            .body
            .contains("Beijing time: Jan 15, 2026, 10:00 PM")
    );
    let de = wait_emails(&server, &berlin.email, 2).await;
    let reminder = de
        .iter()
        .find(|m| m.subject.starts_with("Reminder"))
        .unwrap();
    assert!(
        reminder
            .body
            .contains("Jan 15, 2026, 3:00 PM CET (Europe/Berlin)"),
        "{reminder:?}"
    );
    let li_sms = wait_sms(&server, &li.phone, 1).await;
    assert!(li_sms[0].body.contains("22:00 CST"), "{li_sms:?}");

    // Summer: 13:00 UTC is 09:00 EDT in New York, 21:00 in Beijing (and in Shanghai). Tokens
    // from January have expired by July: fresh ones.
    server
        .set_clock(Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap())
        .await;
    let mut acme = acme;
    acme.main = server.token(&acme.main_id).await;
    let mut new_york = new_york;
    new_york.token = server.token(&new_york.id).await;
    let mut shanghai = shanghai;
    shanghai.token = server.token(&shanghai.id).await;
    let july = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, july).await);
    let ny_booking = id(&book(&server, &new_york, &sid).await);
    let sh_booking = id(&book(&server, &shanghai, &sid).await);
    assign(&server, &acme, &ny_booking, &li.id).await;
    assign(&server, &acme, &sh_booking, &zhao.id).await;
    server.set_clock(july - Duration::minutes(15)).await;
    let ny = wait_emails(&server, &new_york.email, 4).await;
    let summer: Vec<_> = ny
        .iter()
        .filter(|m| m.body.contains("Jul 15, 2026"))
        .collect();
    assert!(
        summer.iter().any(|m| m.subject.starts_with("Reminder")
            && m.body
                .contains("Jul 15, 2026, 9:00 AM EDT (America/New_York)")),
        "{ny:?}"
    );
    let sh = wait_emails(&server, &shanghai.email, 2).await;
    let reminder = sh
        .iter()
        .find(|m| m.subject.starts_with("会议提醒"))
        .expect("a Chinese reminder");
    assert!(
        reminder
            .body
            .contains("2026年7月15日 21:00 CST (Asia/Shanghai)")
            && reminder.body.contains("北京时间：2026年7月15日 21:00"),
        "{reminder:?}"
    );
    let sh_sms = wait_sms(&server, &shanghai.phone, 1).await;
    assert!(sh_sms[0].body.contains("21:00 CST"), "{sh_sms:?}");
}

async fn bookings_are_kept_to_their_participants(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let li = staff(&server, &acme, "Li", json!(["appointments"])).await;
    let wu = staff(&server, &acme, "Wu", json!(["appointments"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let stranger = buyer_in(&server, "Eve", "en", "America/New_York").await;
    let sid = id(&slot(
        &server,
        &acme,
        Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap(),
    )
    .await);
    let bid = id(&book(&server, &buyer, &sid).await);
    assign(&server, &acme, &bid, &li.id).await;

    for token in [&buyer.token, &li.token, &acme.main] {
        server
            .get(&format!("/v1/bookings/{bid}"), token)
            .await
            .expect(200);
    }
    for token in [&stranger.token, &rival.main, &wu.token] {
        server
            .get(&format!("/v1/bookings/{bid}"), token)
            .await
            .expect_problem(404, "not_found");
        server
            .post(&format!("/v1/bookings/{bid}/cancel"), token, json!({}))
            .await
            .expect_problem(404, "not_found");
        server
            .post(
                &format!("/v1/bookings/{bid}/invitees"),
                token,
                json!({"email": "x@y.example", "name": "X"}),
            )
            .await
            .expect_problem(404, "not_found");
        let ics = server
            .get(&format!("/v1/bookings/{bid}/calendar.ics"), token)
            .await;
        assert_eq!(ics.status, 404);
    }
    server
        .post(
            &format!("/v1/bookings/{bid}/assignment"),
            &rival.main,
            json!({"accountId": li.id}),
        )
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            &format!("/v1/bookings/{bid}/assignment"),
            &li.token,
            json!({"accountId": wu.id}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&format!("/v1/exhibitors/{}/bookings", acme.id), &rival.main)
        .await
        .expect_problem(404, "not_found");
    server
        .get(&format!("/v1/exhibitors/{}/bookings", acme.id), &li.token)
        .await
        .expect_problem(403, "forbidden");
    assert!(
        server
            .get("/v1/me/bookings", &stranger.token)
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        server.get("/v1/me/bookings", &wu.token).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Main reassigns to Wu: Li's schedule empties, Wu's fills.
    assign(&server, &acme, &bid, &wu.id).await;
    assert!(
        server.get("/v1/me/bookings", &li.token).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        server.get("/v1/me/bookings", &wu.token).await.expect(200)["items"][0]["id"],
        bid.as_str()
    );
    server
        .get(&format!("/v1/bookings/{bid}"), &li.token)
        .await
        .expect_problem(404, "not_found");
}

/// Slot creations, a batch and moves racing for the same hours: whatever lands, no two of the
/// exhibitor's slots overlap, and every refusal is a clean 409.
async fn racing_slot_changes_never_overlap(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap();
    // A slot two hours later, to be moved onto the contested hour.
    let mover = id(&slot(&server, &acme, at + chrono::Duration::hours(2)).await);

    let path = format!("/v1/exhibitors/{}/slots", acme.id);
    let batch_path = format!("/v1/exhibitors/{}/slots/batch", acme.id);
    let singles = (0..8).map(|i| {
        // 01:00, 01:05, … 01:35: each overlaps the others near it.
        let starts_at = at + chrono::Duration::minutes(5 * i);
        server.post(&path, &acme.main, json!({"startsAt": starts_at}))
    });
    let batch = server.post(
        &batch_path,
        &acme.main,
        json!({"from": "2026-04-15", "to": "2026-04-15",
               "windows": [{"start": "09:00", "end": "10:00"}], "timeZone": "Asia/Shanghai"}),
    );
    let mover_path = format!("/v1/slots/{mover}");
    let moved = server.patch(
        &mover_path,
        &acme.main,
        json!({"startsAt": at + chrono::Duration::minutes(10)}),
    );
    let (singles, batch, moved) = tokio::join!(futures::future::join_all(singles), batch, moved);
    for answer in &singles {
        if answer.status != 201 {
            answer.expect_problem(409, "slot_overlaps");
        }
    }
    assert_eq!(batch.status, 201, "{:?}", batch.body);
    if moved.status != 200 {
        moved.expect_problem(409, "slot_overlaps");
    }

    let listed = server
        .get(&format!("{path}?limit=100"), &acme.main)
        .await
        .expect(200)
        .clone();
    let slots: Vec<(DateTime<Utc>, DateTime<Utc>)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["startsAt"].as_str().unwrap().parse().unwrap(),
                s["endsAt"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert!(!slots.is_empty());
    for (i, a) in slots.iter().enumerate() {
        for b in &slots[i + 1..] {
            assert!(
                a.1 <= b.0 || b.1 <= a.0,
                "slots {a:?} and {b:?} overlap: {slots:?}"
            );
        }
    }
}

/// Dates at the end of chrono's range once overflowed the slot arithmetic and killed the
/// connection; they answer 422, and the server goes on serving.
async fn far_future_dates_are_refused_not_a_crash(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let slots = format!("/v1/exhibitors/{}/slots", acme.id);
    let far = "+262142-12-31T23:59:00Z";
    for body in [
        json!({"startsAt": far}),
        json!({"startsAt": far, "endsAt": far}),
        json!({"startsAt": "10000-01-01T00:00:00Z"}),
    ] {
        let answer = server.post(&slots, &acme.main, body.clone()).await;
        answer.expect_problem(422, "validation_failed");
        assert_eq!(answer.body["errors"][0]["field"], "startsAt", "{body}");
    }
    let batch = json!({"from": "+262142-12-31", "to": "+262142-12-31",
        "windows": [{"start": "23:00", "end": "23:59"}]});
    server
        .post(&format!("{slots}/batch"), &acme.main, batch)
        .await
        .expect_problem(422, "validation_failed");
    let one = slot(
        &server,
        &acme,
        Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap(),
    )
    .await;
    let sid = one["id"].as_str().unwrap();
    server
        .patch(
            &format!("/v1/slots/{sid}"),
            &acme.main,
            json!({"startsAt": far}),
        )
        .await
        .expect_problem(422, "validation_failed");
    // Still serving, the slot unchanged.
    let read = server.get(&slots, &acme.main).await;
    assert_eq!(
        read.expect(200)["items"][0]["startsAt"],
        "2026-04-15T01:00:00.000Z"
    );
    let intent = server
        .post(
            "/v1/intents",
            &buyer_in(&server, "Ann", "en", "America/New_York")
                .await
                .token,
            json!({"productName": "Speakers", "categoryId": "speakers",
                   "quantity": {"amount": 10, "unit": "pcs"}, "destinationCountry": "US",
                   "validUntil": far}),
        )
        .await;
    intent.expect_problem(422, "validation_failed");
}

/// New York, 2026-11-01: 02:00 EDT becomes 01:00 EST, so 00:00-03:00 local is four hours.
/// Every slot lasts 30 minutes of real time and the repeated hour gets its two.
async fn a_fall_back_night_gets_its_repeated_hour_in_30_minute_slots(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let batch = json!({"from": "2026-11-01", "to": "2026-11-01",
        "windows": [{"start": "00:00", "end": "03:00"}], "timeZone": "America/New_York"});
    let made = server
        .post(
            &format!("/v1/exhibitors/{}/slots/batch", acme.id),
            &acme.main,
            batch,
        )
        .await
        .expect(201)
        .clone();
    let items = made["items"].as_array().unwrap();
    assert_eq!(items.len(), 8, "{made}");
    for item in items {
        let starts: DateTime<Utc> = item["startsAt"].as_str().unwrap().parse().unwrap();
        let ends: DateTime<Utc> = item["endsAt"].as_str().unwrap().parse().unwrap();
        assert_eq!(ends - starts, Duration::minutes(30), "{item}");
    }
    let starts: Vec<&str> = items
        .iter()
        .map(|i| i["startsAt"].as_str().unwrap())
        .collect();
    assert_eq!(starts[0], "2026-11-01T04:00:00.000Z");
    assert!(
        starts.contains(&"2026-11-01T05:30:00.000Z")
            && starts.contains(&"2026-11-01T06:00:00.000Z")
    );
    assert_eq!(items[7]["endsAt"], "2026-11-01T08:00:00.000Z");
}

/// The account a meeting was given to is deactivated before it: the buyer is still reminded,
/// the deactivated account gets no reminder and no join link.
async fn a_deactivated_account_gets_no_reminder(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    let starts_at = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let (Meeting { acme, li, buyer }, bid) = booked_meeting(&server, now, starts_at).await;
    assign(&server, &acme, &bid, &li.id).await;
    wait_emails(&server, &buyer.email, 1).await;
    let li_confirmations = emails_to(&server, &li.email).await.len();
    assert_eq!(li_confirmations, 1, "Li got the join link while active");
    let deleted = server
        .delete(&format!("/v1/accounts/{}", li.id), &acme.main)
        .await;
    assert_eq!(deleted.status, 204);

    server.set_clock(starts_at - Duration::minutes(14)).await;
    wait_sms(&server, &buyer.phone, 1).await;
    wait_emails(&server, &buyer.email, 2).await;
    server.settle().await;
    assert!(
        sms_to(&server, &li.phone).await.is_empty(),
        "no SMS to the deactivated account"
    );
    assert_eq!(emails_to(&server, &li.email).await.len(), li_confirmations);
}

/// Confirmed 20 minutes ahead, the reminder is queued with a 5-minute delay; fairlink-local
/// restarts meanwhile. The test clock was kept in the data directory, so the server goes on
/// from the time it was moved to (a fair day in the past of the real time), and the embedded
/// queue kept the reminder in the store: it goes out when due, not dropped as over.
/// (Embedded only: on SQS the delay is real time, and SQS keeps its messages anyway.)
#[tokio::test]
async fn a_reminder_queued_before_a_restart_still_goes_out() {
    let server = start(Store::Embedded).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let starts_at = now + Duration::days(2);
    let (Meeting { acme, li, buyer }, bid) = booked_meeting(&server, now, starts_at).await;
    let moved_to = server.set_clock(starts_at - Duration::minutes(20)).await;
    assign(&server, &acme, &bid, &li.id).await;
    wait_emails(&server, &buyer.email, 1).await;
    assert!(
        sms_to(&server, &buyer.phone).await.is_empty(),
        "not due yet"
    );

    let (config, keep) = server.stop().await;
    let server = TestServer::start(config, keep).await;
    assert_eq!(
        server.now().await,
        moved_to,
        "the clock goes on from where it was moved, not from the real time"
    );
    server.settle().await;
    assert!(
        sms_to(&server, &buyer.phone).await.is_empty(),
        "still not due after the restart"
    );
    server.advance_clock(6 * 60).await;
    wait_sms(&server, &buyer.phone, 1).await;
    wait_sms(&server, &li.phone, 1).await;
}

/// A buyer books a slot while main moves it half an hour: whichever lands first, the booking
/// is at the slot's time (the booking commits only on the slot as it was read; a booked slot
/// no longer moves), and every refusal is a clean 409.
async fn a_booking_racing_a_move_keeps_the_slots_time(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    for round in 0..6 {
        let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap() + Duration::hours(2 * round);
        let sid = id(&slot(&server, &acme, at).await);
        let (bookings, slot_path) = (
            format!("/v1/slots/{sid}/bookings"),
            format!("/v1/slots/{sid}"),
        );
        let booking = server.post(
            &bookings,
            &buyer.token,
            json!({"message": "About speakers"}),
        );
        let moved = server.patch(
            &slot_path,
            &acme.main,
            json!({"startsAt": at + Duration::minutes(30)}),
        );
        let (booking, moved) = tokio::join!(booking, moved);
        if moved.status != 200 {
            moved.expect_problem(409, "slot_has_bookings");
        }
        if booking.status != 201 {
            booking.expect_problem(409, "conflict");
            continue;
        }
        let slots = server
            .get(
                &format!("/v1/exhibitors/{}/slots?limit=100", acme.id),
                &acme.main,
            )
            .await
            .expect(200)
            .clone();
        let slot = slots["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == sid.as_str())
            .unwrap()
            .clone();
        let bid = booking.body["id"].as_str().unwrap();
        let read = server
            .get(&format!("/v1/bookings/{bid}"), &buyer.token)
            .await;
        let read = read.expect(200);
        assert_eq!(
            read["startsAt"], slot["startsAt"],
            "round {round}: {read} / {slot}"
        );
        assert_eq!(read["endsAt"], slot["endsAt"], "round {round}");
        assert_eq!(slot["booked"], 1);
    }
}

/// Times are kept to the millisecond (API.md): one given finer comes back cut, in the one
/// format; and a slot that starts in the same second another ends, a fraction earlier, is an
/// overlap (the calendar's range reads the whole second, not only up to its start).
async fn times_keep_their_milliseconds_and_overlaps_see_them(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    let organizer = fair_at(&server, now).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let path = format!("/v1/exhibitors/{}/slots", acme.id);

    let made = server
        .post(
            &path,
            &acme.main,
            json!({"startsAt": "2026-04-15T09:00:00.123456+08:00"}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(made["startsAt"], "2026-04-15T01:00:00.123Z");
    assert_eq!(made["endsAt"], "2026-04-15T01:30:00.123Z");
    let read = server.get(&path, &acme.main).await;
    assert_eq!(
        read.expect(200)["items"][0]["startsAt"],
        "2026-04-15T01:00:00.123Z"
    );

    // Ends 0.4 s into the first slot's second, after it started: they overlap.
    server
        .post(
            &path,
            &acme.main,
            json!({"startsAt": "2026-04-15T00:30:00.500Z", "endsAt": "2026-04-15T01:00:00.500Z"}),
        )
        .await
        .expect_problem(409, "slot_overlaps");
    // Ends as it starts: no overlap.
    server
        .post(
            &path,
            &acme.main,
            json!({"startsAt": "2026-04-15T00:30:00.123Z", "endsAt": "2026-04-15T01:00:00.123Z"}),
        )
        .await
        .expect(201);
}
