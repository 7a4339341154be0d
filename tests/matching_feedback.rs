//! Buyers' matches and verdicts over HTTP against fairlink-local, on both backends (on AWS
//! the matcher consumes real SQS messages on moto): an intent's ranked matches for its buyer,
//! a verdict on a push (the last one stands), a dismissed push leaving the list and replaced
//! within the budget, the exhibitor's counts, and the organizer's export.

use fairlink_tests::{
    Store, TestServer, eventually,
    fixtures::{Exhibitor, add_exhibit, buyer, exhibitor, id, recommend, with_fair},
    start,
};
use serde_json::{Value, json};

fairlink_tests::scenarios!(
    a_buyer_reads_the_ranked_matches_of_its_intent,
    a_dismissed_push_leaves_the_list_and_is_replaced,
    verdicts_are_the_buyers_own_and_well_formed,
);

fn speaker(name: &str, name_en: &str) -> Value {
    json!({"name": name, "nameEn": name_en, "categoryId": "speakers",
        "description": "Portable, waterproof", "keywords": ["bluetooth", "speaker", "蓝牙音箱"],
        "moq": {"quantity": 100, "unit": "pcs"}, "price": {"min": 5.0, "max": 9.0, "currency": "USD"},
        "certifications": ["CE"], "markets": ["US"], "images": ["https://img.example.com/s.jpg"]})
}

/// Eight exhibitors with one Bluetooth speaker each, all recommended.
async fn eight_speakers(server: &TestServer, organizer: &str) -> Vec<(Exhibitor, String)> {
    let mut out = Vec::new();
    for i in 0..8 {
        let ex = exhibitor(server, organizer, &format!("Audio {i}")).await;
        let xid = add_exhibit(
            server,
            &ex,
            speaker(
                &format!("蓝牙音箱 便携 防水 {i}号"),
                &format!("Portable Bluetooth Speaker Waterproof No.{i}"),
            ),
        )
        .await;
        recommend(server, &ex.main, &xid).await;
        out.push((ex, xid));
    }
    out
}

async fn publish(server: &TestServer, buyer: &str) -> String {
    let now = server.now().await;
    let intent = server
        .post(
            "/v1/intents",
            buyer,
            json!({"productName": "Bluetooth speakers", "categoryId": "speakers",
                "keywords": ["portable speaker", "waterproof"],
                "quantity": {"amount": 500, "unit": "pcs"},
                "targetPrice": {"min": 6.0, "max": 12.0, "currency": "USD"},
                "destinationCountry": "US", "certifications": ["CE"],
                "validUntil": (now + chrono::Duration::days(30)).to_rfc3339()}),
        )
        .await;
    id(intent.expect(201))
}

async fn standing(server: &TestServer, buyer: &str) -> Vec<Value> {
    server
        .get("/v1/me/recommendations?limit=200", buyer)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The buyer's pushes once the matcher has pushed at least `count`, and a moment more for
/// the rest of the run.
async fn pushed_at_least(server: &TestServer, buyer: &str, count: usize) -> Vec<Value> {
    eventually(&format!("{count} pushes"), || async {
        let items = standing(server, buyer).await;
        (items.len() >= count).then_some(items)
    })
    .await
}

async fn matches(server: &TestServer, buyer: &str, iid: &str) -> Vec<Value> {
    server
        .get(&format!("/v1/intents/{iid}/matches?limit=50"), buyer)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn a_buyer_reads_the_ranked_matches_of_its_intent(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let speakers = eight_speakers(&server, &organizer).await;
    let (_, buyer_token) = buyer(&server).await;
    let iid = publish(&server, &buyer_token).await;
    let pushed = pushed_at_least(&server, &buyer_token, 1).await;
    assert!(pushed.len() <= 6, "at most six pushes: {}", pushed.len());

    let listed = eventually("the ranked matches", || async {
        let items = matches(&server, &buyer_token, &iid).await;
        (items.len() == speakers.len()).then_some(items)
    })
    .await;
    let scores: Vec<f64> = listed
        .iter()
        .map(|m| m["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    // Those pushed say so, with the push to judge; the others not.
    let pushed_ids: Vec<&str> = pushed
        .iter()
        .map(|p| p["exhibit"]["id"].as_str().unwrap())
        .collect();
    for m in &listed {
        let xid = m["exhibit"]["id"].as_str().unwrap();
        assert_eq!(m["pushed"], json!(pushed_ids.contains(&xid)), "{m}");
        assert_eq!(m["pushId"].is_string(), pushed_ids.contains(&xid), "{m}");
        assert!(m["reasonCodes"].as_array().is_some_and(|c| !c.is_empty()));
        assert!(
            speakers
                .iter()
                .any(|(ex, x)| x == xid && m["exhibitorId"] == ex.id.as_str())
        );
    }
    // Paged with a cursor, nothing missing or repeated.
    let first = server
        .get(&format!("/v1/intents/{iid}/matches?limit=3"), &buyer_token)
        .await
        .expect(200)
        .clone();
    let cursor = first["nextCursor"]
        .as_str()
        .expect("more follow")
        .to_string();
    let second = server
        .get(
            &format!("/v1/intents/{iid}/matches?limit=50&cursor={cursor}"),
            &buyer_token,
        )
        .await
        .expect(200)
        .clone();
    let paged: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|m| &m["exhibit"]["id"])
        .collect();
    let whole: Vec<&Value> = listed.iter().map(|m| &m["exhibit"]["id"]).collect();
    assert_eq!(paged, whole);
    assert!(second["nextCursor"].is_null());
    server
        .get(
            &format!("/v1/intents/{iid}/matches?cursor=not-a-cursor"),
            &buyer_token,
        )
        .await
        .expect_problem(422, "validation_failed");

    // Only its buyer reads them: another buyer and an exhibitor of a match get a 404 / 403.
    let (_, other) = buyer(&server).await;
    server
        .get(&format!("/v1/intents/{iid}/matches"), &other)
        .await
        .expect_problem(404, "not_found");
    let answer = server
        .get(&format!("/v1/intents/{iid}/matches"), &speakers[0].0.main)
        .await;
    assert!(answer.status == 403 || answer.status == 404, "{answer:?}");
    server
        .get("/v1/intents/int_unknown/matches", &buyer_token)
        .await
        .expect_problem(404, "not_found");
}

/// The exhibitor's counts of the buyers' verdicts on one of its recommended exhibits.
async fn feedback_counts(server: &TestServer, owner: &Exhibitor, xid: &str) -> Value {
    let list = server
        .get(
            &format!("/v1/exhibitors/{}/recommendations", owner.id),
            &owner.main,
        )
        .await
        .expect(200)
        .clone();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["exhibit"]["id"] == xid)
        .unwrap()["feedback"]
        .clone()
}

async fn a_dismissed_push_leaves_the_list_and_is_replaced(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let speakers = eight_speakers(&server, &organizer).await;
    let (_, buyer_token) = buyer(&server).await;
    let iid = publish(&server, &buyer_token).await;
    // Eight of a kind: the matcher is confident of all, and pushes its budget of six.
    let pushed = pushed_at_least(&server, &buyer_token, 6).await;
    assert_eq!(pushed.len(), 6);
    let judged = &pushed[0];
    let pid = judged["id"].as_str().unwrap().to_string();
    let xid = judged["exhibit"]["id"].as_str().unwrap().to_string();
    let owner = speakers
        .iter()
        .find(|(_, x)| *x == xid)
        .map(|(ex, _)| ex.clone())
        .unwrap();

    // Relevant first, then (the last verdict stands) not relevant for its price.
    let relevant = server
        .post(
            &format!("/v1/me/recommendations/{pid}/feedback"),
            &buyer_token,
            json!({"verdict": "relevant"}),
        )
        .await;
    assert_eq!(relevant.expect(200)["feedback"]["verdict"], "relevant");

    assert_eq!(
        feedback_counts(&server, &owner, &xid).await,
        json!({"relevant": 1, "dismissed": 0, "byReason": {}})
    );
    let dismissed = server
        .post(
            &format!("/v1/me/recommendations/{pid}/feedback"),
            &buyer_token,
            json!({"verdict": "not_relevant", "reason": "price"}),
        )
        .await;
    let dismissed = dismissed.expect(200).clone();
    assert_eq!(dismissed["feedback"]["verdict"], "not_relevant");
    assert_eq!(dismissed["feedback"]["reason"], "price");
    // The same verdict again changes nothing.
    let again = server
        .post(
            &format!("/v1/me/recommendations/{pid}/feedback"),
            &buyer_token,
            json!({"verdict": "not_relevant", "reason": "price"}),
        )
        .await;
    assert_eq!(again.expect(200)["feedback"], dismissed["feedback"]);
    // Counts only, never who: the relevant verdict taken back, the dismissal by reason.
    assert_eq!(
        feedback_counts(&server, &owner, &xid).await,
        json!({"relevant": 0, "dismissed": 1, "byReason": {"price": 1}})
    );
    assert!(
        !standing(&server, &buyer_token)
            .await
            .iter()
            .any(|p| p["id"] == pid.as_str()),
        "a dismissed push leaves the list"
    );
    let hidden = server
        .get("/v1/me/recommendations?dismissed=true", &buyer_token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0]["id"], pid.as_str());

    // The intent is ranked again and a seventh exhibit replaces the dismissed one.
    let replaced = eventually("a replacement push", || async {
        let items = standing(&server, &buyer_token).await;
        (items.len() == 6).then_some(items)
    })
    .await;
    let ids: Vec<&str> = replaced
        .iter()
        .map(|p| p["exhibit"]["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&xid.as_str()), "never pushed again: {ids:?}");
    assert!(replaced.iter().all(|p| p["intentId"] == iid.as_str()));
    let listed = matches(&server, &buyer_token, &iid).await;
    assert!(
        !listed.iter().any(|m| m["exhibit"]["id"] == xid.as_str()),
        "a dismissed exhibit leaves the ranked matches"
    );

    // The organizer exports the judgment as a labelled pair, without the buyer.
    let export = server.get("/v1/fair/matching-feedback", &organizer).await;
    assert!(export.content_type.starts_with("application/x-ndjson"));
    let lines = export.expect(200).as_array().unwrap().clone();
    let line = lines
        .iter()
        .find(|l| l["exhibit"]["id"] == xid.as_str())
        .expect("the judgment");
    assert_eq!(line["verdict"], "not_relevant");
    assert_eq!(line["reason"], "price");
    assert_eq!(line["grade"], 2);
    assert_eq!(line["intent"]["productName"], "Bluetooth speakers");
    let text = line.to_string();
    assert!(!text.contains("buyer"), "no buyer in {text}");
    server
        .get("/v1/fair/matching-feedback", &buyer_token)
        .await
        .expect_problem(403, "forbidden");
}

async fn verdicts_are_the_buyers_own_and_well_formed(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    eight_speakers(&server, &organizer).await;
    let (_, buyer_token) = buyer(&server).await;
    publish(&server, &buyer_token).await;
    let pushed = pushed_at_least(&server, &buyer_token, 1).await;
    let pid = pushed[0]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/me/recommendations/{pid}/feedback");

    // Another buyer's push is as good as none.
    let (_, other) = buyer(&server).await;
    server
        .post(&path, &other, json!({"verdict": "relevant"}))
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            "/v1/me/recommendations/psh_unknown/feedback",
            &buyer_token,
            json!({"verdict": "relevant"}),
        )
        .await
        .expect_problem(404, "not_found");
    // A reason goes only with not_relevant; verdicts and reasons are the listed ones.
    server
        .post(
            &path,
            &buyer_token,
            json!({"verdict": "relevant", "reason": "price"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    server
        .post(&path, &buyer_token, json!({"verdict": "maybe"}))
        .await
        .expect_problem(422, "validation_failed");
    server
        .post(
            &path,
            &buyer_token,
            json!({"verdict": "not_relevant", "reason": "colour"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    // Nothing was judged by any of them.
    let push = &standing(&server, &buyer_token).await[0];
    assert!(push["feedback"].is_null(), "{push}");
    // Wrong product, without a reason given, is a dismissal too.
    let dismissed = server
        .post(&path, &buyer_token, json!({"verdict": "not_relevant"}))
        .await;
    assert_eq!(dismissed.expect(200)["feedback"]["reason"], Value::Null);
}
