//! Conditional requests over HTTP against fairlink-local, on both backends (API.md,
//! Conventions): a GET of one resource answers an `ETag`; a PUT, PATCH or DELETE with a
//! stale `If-Match` answers 412 `precondition_failed` and writes nothing. Also who may read
//! one account and one slot, since those GETs give the tags their writes compare with.

use chrono::{Duration, TimeZone, Utc};
use fairlink_tests::{
    Response, Store,
    fixtures::{buyer_in, exhibitor, id, staff, with_fair},
    start,
};
use serde_json::json;

fairlink_tests::scenarios!(
    stale_if_match_writes_nothing,
    one_account_is_read_by_itself_and_its_main,
    account_writes_honour_if_match,
    one_slot_is_seen_as_the_slot_list_shows_it,
    slot_writes_honour_if_match,
);

fn tag(read: &Response) -> String {
    read.headers["etag"].to_str().unwrap().to_string()
}

/// The fair and an exhibit: a PUT, PATCH or DELETE with a stale `If-Match` answers 412
/// `precondition_failed` and changes nothing; with the current tag (or `*`) it goes ahead.
async fn stale_if_match_writes_nothing(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let read = server.get("/v1/fair", &organizer).await;
    let fair = read.expect(200).clone();
    let tag = read.headers["etag"].to_str().unwrap().to_string();
    let mut renamed = fair.clone();
    renamed["name"] = json!("Renamed by main");
    let first = server
        .send_with(
            "PUT",
            "/v1/fair",
            &organizer,
            renamed.clone(),
            &[("if-match", &tag)],
        )
        .await;
    first.expect(200);
    let new_tag = server.get("/v1/fair", &organizer).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(new_tag, tag, "the tag follows the representation");
    // A colleague still holding the old tag.
    let mut stale = fair.clone();
    stale["name"] = json!("Overwritten by a stale page");
    server
        .send_with("PUT", "/v1/fair", &organizer, stale, &[("if-match", &tag)])
        .await
        .expect_problem(412, "precondition_failed");
    assert_eq!(
        server.get("/v1/fair", &organizer).await.body["name"],
        "Renamed by main"
    );

    let acme = exhibitor(&server, &organizer, "Acme").await;
    let created = server
        .post(
            &format!("/v1/exhibitors/{}/exhibits", acme.id),
            &acme.main,
            json!({"name": "蓝牙音箱", "categoryId": "speakers"}),
        )
        .await;
    let xid = created.expect(201)["id"].as_str().unwrap().to_string();
    let path = format!("/v1/exhibits/{xid}");
    let tag = server.get(&path, &acme.main).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_string();
    server
        .send_with(
            "PATCH",
            &path,
            &acme.main,
            json!({"description": "v2"}),
            &[("if-match", &tag)],
        )
        .await
        .expect(200);
    server
        .send_with(
            "PATCH",
            &path,
            &acme.main,
            json!({"description": "stale"}),
            &[("if-match", &tag)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", &tag)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    assert_eq!(
        server.get(&path, &acme.main).await.expect(200)["description"],
        "v2"
    );
    let gone = server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(gone.status, 204);
    // Lists carry no tag.
    let list = server
        .get(&format!("/v1/exhibitors/{}/exhibits", acme.id), &acme.main)
        .await;
    assert!(!list.headers.contains_key("etag"));
}

/// An account is read by itself and by its exhibitor's main account; a colleague without
/// main's rights hears 403; anyone else (another tenant, a buyer, the organizer) 404.
async fn one_account_is_read_by_itself_and_its_main(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let beta = exhibitor(&server, &organizer, "Beta").await;
    let li = staff(&server, &acme, "Li", json!(["im", "appointments"])).await;
    let wu = staff(&server, &acme, "Wu", json!(["im"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let path = format!("/v1/accounts/{}", li.id);

    let by_main = server.get(&path, &acme.main).await;
    assert_eq!(by_main.expect(200)["id"], li.id.as_str());
    assert_eq!(by_main.body["name"], "Li");
    assert!(
        by_main.headers.contains_key("etag"),
        "one account has a tag"
    );
    let by_itself = server.get(&path, &li.token).await;
    assert_eq!(
        by_itself.expect(200)["permissions"],
        json!(["im", "appointments"])
    );
    server
        .get(&format!("/v1/accounts/{}", acme.main_id), &li.token)
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&path, &wu.token)
        .await
        .expect_problem(403, "forbidden");
    for stranger in [&beta.main, &buyer.token, &organizer] {
        server
            .get(&path, stranger)
            .await
            .expect_problem(404, "not_found");
    }
    server
        .get("/v1/accounts/acc_none", &acme.main)
        .await
        .expect_problem(404, "not_found");
    server
        .get(&format!("/v1/accounts/{}", buyer.id), &buyer.token)
        .await
        .expect(200);
}

/// PATCH and DELETE of an account with a stale tag answer 412 and change nothing.
async fn account_writes_honour_if_match(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let beta = exhibitor(&server, &organizer, "Beta").await;
    let li = staff(&server, &acme, "Li", json!(["im"])).await;
    let path = format!("/v1/accounts/{}", li.id);
    let old = tag(&server.get(&path, &acme.main).await);

    let changed = server
        .send_with(
            "PATCH",
            &path,
            &acme.main,
            json!({"permissions": ["im", "appointments"]}),
            &[("if-match", &old)],
        )
        .await;
    changed.expect(200);
    let current = tag(&server.get(&path, &acme.main).await);
    assert_ne!(current, old, "the tag follows the representation");
    assert_eq!(
        tag(&server.get(&path, &li.token).await),
        current,
        "the same account has the same tag whoever reads it"
    );
    server
        .send_with(
            "PATCH",
            &path,
            &acme.main,
            json!({"permissions": []}),
            &[("if-match", &old)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", &old)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    // The account holder's own profile change, from a page read before main's change.
    server
        .send_with(
            "PATCH",
            &path,
            &li.token,
            json!({"name": "Li Na"}),
            &[("if-match", &old)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    let kept = server.get(&path, &acme.main).await.expect(200).clone();
    assert_eq!(kept["permissions"], json!(["im", "appointments"]));
    assert_eq!(kept["name"], "Li");
    assert_eq!(tag(&server.get(&path, &acme.main).await), current);

    // Another tenant's main learns nothing, tag or no tag.
    server
        .send_with(
            "DELETE",
            &path,
            &beta.main,
            json!(null),
            &[("if-match", &current)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    server
        .delete(&path, &beta.main)
        .await
        .expect_problem(404, "not_found");
    server.get(&path, &acme.main).await.expect(200);

    server
        .send_with(
            "PATCH",
            &path,
            &li.token,
            json!({"name": "Li Na"}),
            &[("if-match", &current)],
        )
        .await
        .expect(200);
    let renamed = tag(&server.get(&path, &acme.main).await);
    let gone = server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", &renamed)],
        )
        .await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        server.get(&path, &acme.main).await.expect(200)["active"],
        false,
        "a deleted account is deactivated"
    );
}

/// A slot is seen by its exhibitor's main account always, by anyone else while it is in the
/// future with room, as the slot list shows it; else 404.
async fn one_slot_is_seen_as_the_slot_list_shows_it(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    server.set_clock(now).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let ann = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let bob = buyer_in(&server, "Bob", "en", "America/New_York").await;
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap();
    let created = server
        .post(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &acme.main,
            json!({"startsAt": at}),
        )
        .await
        .expect(201)
        .clone();
    let sid = id(&created);
    let path = format!("/v1/slots/{sid}");

    let read = server.get(&path, &ann.token).await;
    assert_eq!(read.expect(200)["id"], sid.as_str());
    assert_eq!(read.body["startsAt"], created["startsAt"]);
    assert_eq!(read.body["capacity"], 1);
    assert!(read.headers.contains_key("etag"));
    assert_eq!(server.get(&path, &acme.main).await.expect(200)["booked"], 0);
    server.get(&path, &rival.main).await.expect(200);
    server
        .get("/v1/slots/slt_none", &ann.token)
        .await
        .expect_problem(404, "not_found");

    // Full: only its exhibitor's main still sees it.
    server
        .post(
            &format!("{path}/bookings"),
            &bob.token,
            json!({"message": "About speakers"}),
        )
        .await
        .expect(201);
    server
        .get(&path, &ann.token)
        .await
        .expect_problem(404, "not_found");
    server
        .get(&path, &rival.main)
        .await
        .expect_problem(404, "not_found");
    assert_eq!(server.get(&path, &acme.main).await.expect(200)["booked"], 1);

    // Past: likewise.
    let later = server
        .post(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &acme.main,
            json!({"startsAt": at + Duration::hours(2)}),
        )
        .await
        .expect(201)
        .clone();
    let later = format!("/v1/slots/{}", id(&later));
    server.get(&later, &ann.token).await.expect(200);
    server.set_clock(at + Duration::hours(3)).await;
    server
        .get(&later, &ann.token)
        .await
        .expect_problem(404, "not_found");
    server.get(&later, &acme.main).await.expect(200);
}

/// PATCH and DELETE of a slot with a stale tag answer 412 and change nothing; a booking
/// changes the tag, so a page read before it cannot move the slot.
async fn slot_writes_honour_if_match(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 4, 10, 0, 0, 0).unwrap();
    server.set_clock(now).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    staff(&server, &acme, "Li", json!(["appointments"])).await;
    let ann = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap();
    let created = server
        .post(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &acme.main,
            json!({"startsAt": at}),
        )
        .await
        .expect(201)
        .clone();
    let path = format!("/v1/slots/{}", id(&created));
    let old = tag(&server.get(&path, &acme.main).await);

    let moved = server
        .send_with(
            "PATCH",
            &path,
            &acme.main,
            json!({"startsAt": at + Duration::hours(1)}),
            &[("if-match", &old)],
        )
        .await;
    assert_eq!(moved.expect(200)["startsAt"], "2026-04-15T02:00:00.000Z");
    server
        .send_with(
            "PATCH",
            &path,
            &acme.main,
            json!({"startsAt": at + Duration::hours(4)}),
            &[("if-match", &old)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", &old)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    assert_eq!(
        server.get(&path, &acme.main).await.expect(200)["startsAt"],
        "2026-04-15T02:00:00.000Z"
    );

    let before_booking = tag(&server.get(&path, &acme.main).await);
    server
        .post(
            &format!("{path}/bookings"),
            &ann.token,
            json!({"message": "About speakers"}),
        )
        .await
        .expect(201);
    let booked = server.get(&path, &acme.main).await;
    assert_eq!(booked.expect(200)["booked"], 1);
    assert_ne!(tag(&booked), before_booking, "a booking changes the tag");
    server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", &before_booking)],
        )
        .await
        .expect_problem(412, "precondition_failed");
    // With the current tag, the slot's own rule still holds.
    server
        .send_with(
            "DELETE",
            &path,
            &acme.main,
            json!(null),
            &[("if-match", &tag(&booked))],
        )
        .await
        .expect_problem(409, "slot_has_bookings");
    assert_eq!(server.get(&path, &acme.main).await.expect(200)["booked"], 1);
}
