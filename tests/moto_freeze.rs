//! Fault: the AWS backend's emulator freezes (SIGSTOP) in the middle of a burst of bookings
//! for longer than the SDK's timeouts, then goes on (SIGCONT). Every request must end within
//! the request timeout with its success, a refusal, or a clean 503 problem+json; afterwards
//! no acknowledged booking is missing and no slot is over its capacity.
//!
//! This binary has this one test: it freezes the moto every test of the binary shares.
//! moto keeps its state only in memory, so it is frozen, never restarted.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use fairlink_tests::{
    Store, TestServer,
    fixtures::{buyer_in, exhibitor, id, staff, with_fair},
    local_config, moto_pid,
};
use serde_json::{Value, json};

const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(400);
const OPERATION_TIMEOUT: Duration = Duration::from_millis(1_200);
const REQUEST_TIMEOUT: Duration = Duration::from_millis(2_500);
const FREEZE: Duration = Duration::from_secs(4);

fn signal(name: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), moto_pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

struct Outcome {
    status: u16,
    code: String,
    content_type: String,
    elapsed: Duration,
    booking: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_frozen_emulator_costs_time_not_bookings() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = local_config(Store::Aws, dir.path().to_path_buf());
    config.aws.attempt_timeout = ATTEMPT_TIMEOUT;
    config.aws.operation_timeout = OPERATION_TIMEOUT;
    config.request_timeout = REQUEST_TIMEOUT;
    let server = Arc::new(TestServer::start(config, Some(Arc::new(dir))).await);

    // An exhibitor with two sales accounts (capacity 3), four slots, 16 buyers.
    let organizer = with_fair(&server).await;
    let ex = exhibitor(&server, &organizer, "Xiamen Stone").await;
    for n in 0..2 {
        staff(&server, &ex, &format!("Sales {n}"), json!(["appointments"])).await;
    }
    let starts = server.now().await + chrono::Duration::days(3);
    let mut slots = Vec::new();
    for n in 0..4 {
        let slot = server
            .post(
                &format!("/v1/exhibitors/{}/slots", ex.id),
                &ex.main,
                json!({"startsAt": starts + chrono::Duration::hours(n)}),
            )
            .await
            .expect(201)
            .clone();
        assert_eq!(slot["capacity"], 3);
        slots.push(id(&slot));
    }
    let mut buyers = Vec::new();
    for n in 0..16 {
        buyers.push(buyer_in(&server, &format!("Buyer {n}"), "en", "UTC").await);
    }

    // The burst: every buyer tries two slots, one request every 40 ms; moto freezes 0.5 s in,
    // or once the first booking is through when a loaded machine makes that take longer
    // (the test is about bookings made before and during a freeze).
    let started = Instant::now();
    let booked_one = Arc::new(tokio::sync::Notify::new());
    let mut requests = Vec::new();
    for (n, buyer) in buyers.iter().enumerate() {
        for k in 0..2 {
            let slot = slots[(n + k) % slots.len()].clone();
            let token = buyer.token.clone();
            let server = server.clone();
            let delay = Duration::from_millis(40 * (2 * n + k) as u64);
            let booked_one = booked_one.clone();
            requests.push(tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let at = Instant::now();
                let response = server
                    .post(&format!("/v1/slots/{slot}/bookings"), &token, json!({}))
                    .await;
                if response.status == 201 {
                    booked_one.notify_one();
                }
                Outcome {
                    status: response.status,
                    code: response.code().to_string(),
                    content_type: response.content_type.clone(),
                    elapsed: at.elapsed(),
                    booking: (response.status == 201).then(|| id(&response.body)),
                }
            }));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), booked_one.notified()).await;
    signal("STOP");
    tokio::time::sleep(FREEZE).await;
    signal("CONT");
    let mut outcomes = Vec::new();
    for request in requests {
        outcomes.push(request.await.unwrap());
    }
    println!(
        "{} bookings tried in {:?} (slowest answer {:?}): {} booked, {} refused (409), {} unavailable (503)",
        outcomes.len(),
        started.elapsed(),
        outcomes.iter().map(|o| o.elapsed).max().unwrap_or_default(),
        outcomes.iter().filter(|o| o.status == 201).count(),
        outcomes.iter().filter(|o| o.status == 409).count(),
        outcomes.iter().filter(|o| o.status == 503).count(),
    );

    // Every answer in time, and each a success, a refusal of the state, or a clean 503.
    for o in &outcomes {
        assert!(
            o.elapsed <= REQUEST_TIMEOUT + Duration::from_millis(1_000),
            "an answer took {:?}",
            o.elapsed
        );
        match o.status {
            201 => {}
            409 => assert!(matches!(o.code.as_str(), "slot_full" | "already_booked")),
            503 => {
                assert!(matches!(o.code.as_str(), "store_unavailable" | "timeout"));
                assert_eq!(o.content_type, "application/problem+json");
            }
            other => panic!("unexpected {other} {}", o.code),
        }
    }
    assert!(
        outcomes.iter().any(|o| o.status == 503),
        "the freeze was not felt"
    );
    assert!(
        outcomes.iter().any(|o| o.status == 201),
        "nothing was booked"
    );

    // Afterwards: fairlink answers again; every acknowledged booking is there; no slot is
    // over its capacity, and each slot's count matches the bookings made of it.
    // (moto first works off the requests that queued up while it was frozen.)
    let mut answered = None;
    for _ in 0..40 {
        let response = server
            .get(
                &format!("/v1/exhibitors/{}/bookings?limit=200", ex.id),
                &ex.main,
            )
            .await;
        if response.status == 200 {
            answered = Some(response.body.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let _ = answered.expect("fairlink answers again after the freeze");
    // Writes that timed out may still land as moto works off its backlog: let it settle,
    // then read the final state. (A wait on an outside process: moto gives no signal that
    // the requests the SDK gave up on have all been served, and a poll for a consistent
    // state would hide the half-done one this test is looking for.)
    tokio::time::sleep(Duration::from_secs(3)).await;
    let listed = server
        .get(
            &format!("/v1/exhibitors/{}/bookings?limit=200", ex.id),
            &ex.main,
        )
        .await
        .expect(200)
        .clone();
    let bookings: Vec<&Value> = listed["items"].as_array().unwrap().iter().collect();
    for o in outcomes.iter().filter(|o| o.status == 201) {
        let booking = o.booking.as_deref().unwrap();
        assert!(
            bookings.iter().any(|b| b["id"] == booking),
            "acknowledged booking {booking} is missing"
        );
    }
    let list = server
        .get(&format!("/v1/exhibitors/{}/slots", ex.id), &ex.main)
        .await;
    for slot in list.expect(200)["items"].as_array().unwrap() {
        let made = bookings
            .iter()
            .filter(|b| b["slotId"] == slot["id"] && b["status"] != "cancelled")
            .count() as u64;
        let booked = slot["booked"].as_u64().unwrap();
        assert!(booked <= 3, "slot {} holds {booked}", slot["id"]);
        assert_eq!(
            booked, made,
            "slot {}: count and bookings differ",
            slot["id"]
        );
    }
    // A slot with room still takes a booking (or, if moto's backlog of late writes filled it
    // meanwhile, refuses it cleanly).
    let with_room = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["booked"].as_u64() < Some(3))
        .map(id);
    if let Some(slot) = with_room {
        let late = buyer_in(&server, "Late buyer", "en", "UTC").await;
        let response = server
            .post(
                &format!("/v1/slots/{slot}/bookings"),
                &late.token,
                json!({}),
            )
            .await;
        assert!(
            response.status == 201 || response.code() == "slot_full",
            "{} {:?}",
            response.status,
            response.body
        );
    }
}
