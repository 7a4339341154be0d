//! The rules that must hold, with indexes that lag behind the table as DynamoDB's do
//! (`FAIRLINK_INDEX_LAG_MS`, `fairlink_embedded::LaggingIndexes`): neither test backend
//! shows eventual consistency by itself, so a rule resting on an index read passes on both
//! and breaks on DynamoDB. Here it fails.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use fairlink_domain::ports::{Index, ItemStore, Key, Query, attr};
use fairlink_embedded::{EmbeddedItemStore, LaggingIndexes};
use fairlink_store::Repository;
use fairlink_tests::{
    Store, TestServer, eventually,
    fixtures::{add_exhibit, buyer_in, exhibitor, id, recommend, staff, with_fair},
    local_config,
};
use serde_json::{Value, json};

/// Longer than any of these tests takes: every index read in them lags.
const LAG: Duration = Duration::from_secs(30);

async fn lagging_server() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = local_config(Store::Embedded, dir.path().to_path_buf());
    config.index_lag = Some(LAG);
    TestServer::start(config, Some(Arc::new(dir))).await
}

fn item(pk: &str, sk: &str, gsi1pk: &str, n: i64) -> fairlink_domain::ports::Item {
    let value =
        json!({attr::PK: pk, attr::SK: sk, attr::GSI1_PK: gsi1pk, attr::GSI1_SK: sk, "n": n});
    value.as_object().unwrap().clone()
}

/// Reads the index until `caught_up` holds, for at most a few seconds past the lag, and
/// asserts that it did not hold before the lag had passed since `wrote` (taken before the
/// write). The lag is real time (`LaggingIndexes` reads `Instant`, not the clock port), so
/// this polls for the catching up rather than sleeping past it.
async fn index_catches_up_after(lag: Duration, wrote: Instant, caught_up: impl AsyncFn() -> bool) {
    loop {
        if caught_up().await {
            assert!(
                wrote.elapsed() >= lag,
                "the index caught up {:?} after the write, within its lag",
                wrote.elapsed()
            );
            return;
        }
        assert!(
            wrote.elapsed() < lag + Duration::from_secs(5),
            "the index has not caught up {:?} after the write",
            wrote.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn index_queries_lag_and_table_reads_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let file = Arc::new(EmbeddedItemStore::open(dir.path()).unwrap());
    let lag = Duration::from_millis(300);
    let store = LaggingIndexes::new(file, lag);
    let index = |partition: &str| Query::index(Index::Gsi1, partition.to_string());

    let wrote = Instant::now();
    store.put(item("A", "1", "LIST#x", 1), None).await.unwrap();
    // The table sees the write at once, the index not yet.
    assert!(store.get(&Key::new("A", "1")).await.unwrap().is_some());
    assert_eq!(store.query(Query::table("A")).await.unwrap().items.len(), 1);
    assert!(store.query(index("LIST#x")).await.unwrap().items.is_empty());
    index_catches_up_after(lag, wrote, async || {
        store.query(index("LIST#x")).await.unwrap().items.len() == 1
    })
    .await;

    // A change shows as it was, in the partition it left; a delete still shows.
    let wrote = Instant::now();
    store.put(item("A", "1", "LIST#y", 2), None).await.unwrap();
    let old = store.query(index("LIST#x")).await.unwrap().items;
    assert_eq!(old.len(), 1);
    assert_eq!(old[0]["n"], 1);
    assert!(store.query(index("LIST#y")).await.unwrap().items.is_empty());
    index_catches_up_after(lag, wrote, async || {
        store.query(index("LIST#x")).await.unwrap().items.is_empty()
    })
    .await;
    store.delete(&Key::new("A", "1"), None).await.unwrap();
    assert_eq!(store.query(index("LIST#y")).await.unwrap().items.len(), 1);
    assert!(store.get(&Key::new("A", "1")).await.unwrap().is_none());
}

async fn slot(server: &TestServer, token: &str, eid: &str, body: Value) -> (u16, Value) {
    let answer = server
        .post(&format!("/v1/exhibitors/{eid}/slots"), token, body)
        .await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn slots_never_overlap_while_the_index_lags() {
    let server = lagging_server().await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let at = server.now().await + chrono::Duration::days(3);
    let (status, first) = slot(&server, &acme.main, &acme.id, json!({"startsAt": at})).await;
    assert_eq!(status, 201, "{first}");
    // A slot made a moment ago is not in the index yet: the check must not rest on it.
    let overlapping = json!({"startsAt": at + chrono::Duration::minutes(15)});
    let (status, body) = slot(&server, &acme.main, &acme.id, overlapping).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("slot_overlaps")),
        "{body}"
    );

    // Nor may a slot be moved onto it.
    let later = json!({"startsAt": at + chrono::Duration::hours(2)});
    let (status, second) = slot(&server, &acme.main, &acme.id, later).await;
    assert_eq!(status, 201, "{second}");
    let moved = server
        .patch(
            &format!("/v1/slots/{}", id(&second)),
            &acme.main,
            json!({"startsAt": at + chrono::Duration::minutes(10)}),
        )
        .await;
    moved.expect_problem(409, "slot_overlaps");

    // A batch whose daily windows repeat one another makes each time once, however it is
    // split into transactions.
    let from = (at + chrono::Duration::days(1)).date_naive();
    let batch = json!({"from": from, "to": from + chrono::Duration::days(39),
        "timeZone": "Asia/Shanghai",
        "windows": [{"start": "09:00", "end": "10:00"}, {"start": "09:00", "end": "10:00"}, {"start": "09:30", "end": "10:30"}]});
    let made = server
        .post(
            &format!("/v1/exhibitors/{}/slots/batch", acme.id),
            &acme.main,
            batch,
        )
        .await;
    let made = made.expect(201);
    let mut times: Vec<(String, String)> = made["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["startsAt"].as_str().unwrap().to_string(),
                s["endsAt"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    times.sort();
    assert!(times.len() >= 40, "{} slots", times.len());
    for pair in times.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "{pair:?} overlap");
    }
}

#[tokio::test]
async fn a_revoked_account_stops_counting_for_capacity_at_once() {
    let server = lagging_server().await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let li = staff(&server, &acme, "Li", json!(["appointments"])).await;
    // Li no longer receives buyers: the exhibitor's capacity is its main account alone.
    server
        .patch(
            &format!("/v1/accounts/{}", li.id),
            &acme.main,
            json!({"permissions": []}),
        )
        .await
        .expect(200);
    let at = server.now().await + chrono::Duration::days(3);
    let (status, made) = slot(&server, &acme.main, &acme.id, json!({"startsAt": at})).await;
    assert_eq!(status, 201, "{made}");
    let sid = id(&made);
    let ann = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let bob = buyer_in(&server, "Bob", "en", "Europe/London").await;
    let book = |token: String| {
        let server = &server;
        let sid = sid.clone();
        async move {
            server
                .post(&format!("/v1/slots/{sid}/bookings"), &token, json!({}))
                .await
        }
    };
    book(ann.token.clone()).await.expect(201);
    book(bob.token.clone())
        .await
        .expect_problem(409, "slot_full");
}

#[tokio::test]
async fn an_exhibit_recommended_right_after_an_intent_is_matched_with_it() {
    let server = lagging_server().await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let ann = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let repo = Repository::new(server.ports.store.clone(), server.ports.queue.clone());
    let until = server.now().await + chrono::Duration::days(30);
    let intent = json!({"productName": "Bluetooth speaker", "categoryId": "speakers",
        "keywords": ["bluetooth", "speaker"], "quantity": {"amount": 500, "unit": "pcs"},
        "destinationCountry": "US", "validUntil": until});
    let iid = id(server
        .post("/v1/intents", &ann.token, intent)
        .await
        .expect(201));
    // The intent's own job has run, and found no exhibit yet.
    eventually("the intent's job", || async {
        repo.intent_query(&iid).await.unwrap().map(|_| ())
    })
    .await;
    let exhibit = json!({"name": "蓝牙音箱", "nameEn": "Bluetooth speaker", "categoryId": "speakers",
        "keywords": ["bluetooth", "speaker"], "moq": {"quantity": 100, "unit": "pcs"}});
    let xid = add_exhibit(&server, &acme, exhibit).await;
    recommend(&server, &acme.main, &xid).await;
    // The recommendation's job must find the intent, published a moment ago: no index has
    // it yet.
    eventually("the match", || async {
        repo.intent_matched_exhibitor(&iid, &acme.id)
            .await
            .unwrap()
            .then_some(())
    })
    .await;
}
