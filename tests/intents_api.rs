//! Exhibits, recommendations, intents, the matcher and distribution over HTTP against
//! fairlink-local, on both backends (on AWS the matcher consumes real SQS messages on moto).

use fairlink_domain::{jobs::MatchJob, ports::JobHandler};
use fairlink_tests::{
    Store, TestServer, emails_to, eventually,
    fixtures::{
        Exhibitor, add_exhibit, buyer, exhibitor, id, profile, recommend, sub_account,
        unique_email, with_fair,
    },
    start,
};
use serde_json::{Value, json};

fairlink_tests::scenarios!(
    exhibits_are_listed_edited_and_scored_for_completeness,
    exhibits_are_the_main_accounts_to_change,
    the_recommendation_quota_holds_under_racing_calls,
    intents_are_matched_and_the_best_exhibits_pushed,
    new_recommendations_reach_open_intents_only,
    a_job_delivered_twice_pushes_once,
    directed_intents_are_distributed_and_worked,
    manual_intent_distribution_goes_to_main,
    intents_are_validated_and_kept_to_their_buyer,
    exhibitor_lists_show_intents_closed_or_expired_as_they_are,
    a_category_change_racing_a_recommendation_moves_its_candidate,
);

fn speaker(name: &str) -> Value {
    json!({"name": name, "nameEn": "Bluetooth speaker", "categoryId": "speakers",
        "description": "Portable, waterproof", "keywords": ["bluetooth", "speaker"],
        "moq": {"quantity": 100, "unit": "pcs"}, "price": {"min": 5.0, "max": 9.0, "currency": "USD"},
        "certifications": ["CE"], "markets": ["US", "DE"], "images": ["https://img.example.com/s.jpg"]})
}

fn intent_body(server_now: chrono::DateTime<chrono::Utc>, name: &str) -> Value {
    json!({"productName": name, "categoryId": "speakers", "keywords": [],
        "quantity": {"amount": 500, "unit": "pcs"}, "targetPrice": {"min": 6.0, "max": 12.0, "currency": "USD"},
        "destinationCountry": "US", "certifications": ["CE"],
        "validUntil": (server_now + chrono::Duration::days(30)).to_rfc3339()})
}

async fn pushes(server: &TestServer, buyer: &str) -> Vec<Value> {
    server
        .get("/v1/me/recommendations?limit=200", buyer)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until the buyer has `count` pushes.
async fn wait_for_pushes(server: &TestServer, buyer: &str, count: usize) -> Vec<Value> {
    eventually(&format!("{count} pushes"), || async {
        let items = pushes(server, buyer).await;
        (items.len() >= count).then_some(items)
    })
    .await
}

async fn exhibits_are_listed_edited_and_scored_for_completeness(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (_, buyer) = buyer(&server).await;

    let minimal = server
        .post(
            &format!("/v1/exhibitors/{}/exhibits", acme.id),
            &acme.main,
            json!({"name": "Speaker", "categoryId": "speakers"}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(
        minimal["zoneId"], "electronics",
        "the zone comes from the category"
    );
    assert_eq!(minimal["completeness"], 0.1);
    let full = server
        .post(
            &format!("/v1/exhibitors/{}/exhibits", acme.id),
            &acme.main,
            speaker("蓝牙音箱"),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(full["completeness"], 0.9, "every field but specs");

    let xid = id(&minimal);
    let patched = server
        .patch(
            &format!("/v1/exhibits/{xid}"),
            &acme.main,
            json!({"description": "Loud", "images": ["https://img.example.com/a.jpg"]}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(
        patched["completeness"], 0.3,
        "completeness grows with every field"
    );
    let cleared = server
        .patch(
            &format!("/v1/exhibits/{xid}"),
            &acme.main,
            json!({"description": null}),
        )
        .await
        .expect(200)
        .clone();
    assert!(cleared["description"].is_null());
    assert_eq!(cleared["completeness"], 0.2);
    let moved = server
        .patch(
            &format!("/v1/exhibits/{xid}"),
            &acme.main,
            json!({"categoryId": "furniture"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(moved["zoneId"], "home", "a new category brings its zone");

    let seen = server
        .get(&format!("/v1/exhibits/{xid}"), &buyer)
        .await
        .expect(200)
        .clone();
    assert_eq!(seen["name"], "Speaker");
    let list = server
        .get(
            &format!("/v1/exhibitors/{}/exhibits?limit=1", acme.id),
            &buyer,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let cursor = list["nextCursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let rest = server
        .get(
            &format!(
                "/v1/exhibitors/{}/exhibits?limit=1&cursor={cursor}",
                acme.id
            ),
            &buyer,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["nextCursor"].is_null());
    assert_ne!(rest["items"][0]["id"], list["items"][0]["id"]);
    server
        .get("/v1/exhibitors/exh_none/exhibits", &buyer)
        .await
        .expect_problem(404, "not_found");

    for (body, field) in [
        (json!({"name": "X", "categoryId": "planets"}), "categoryId"),
        (json!({"name": "", "categoryId": "audio"}), "name"),
        (
            json!({"name": "X", "categoryId": "audio", "images": ["http://insecure.example/a.jpg"]}),
            "images[0]",
        ),
        (
            json!({"name": "X", "categoryId": "audio", "price": {"min": 9, "max": 5, "currency": "USD"}}),
            "price",
        ),
        (
            json!({"name": "X", "categoryId": "audio", "markets": ["usa"]}),
            "markets[0]",
        ),
        (
            json!({"name": "X", "categoryId": "audio", "zoneId": "moon"}),
            "zoneId",
        ),
    ] {
        let answer = server
            .post(
                &format!("/v1/exhibitors/{}/exhibits", acme.id),
                &acme.main,
                body,
            )
            .await;
        answer.expect_problem(422, "validation_failed");
        assert!(
            answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field} in {}",
            answer.body
        );
    }

    server
        .delete(&format!("/v1/exhibits/{xid}"), &acme.main)
        .await
        .expect(204);
    server
        .delete(&format!("/v1/exhibits/{xid}"), &acme.main)
        .await
        .expect(204);
    server
        .get(&format!("/v1/exhibits/{xid}"), &buyer)
        .await
        .expect_problem(404, "not_found");
}

async fn exhibits_are_the_main_accounts_to_change(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let (sub_id, sub) = sub_account(&server, &acme, json!(["im"])).await;
    let (rival_sub_id, _) = sub_account(&server, &rival, json!(["im"])).await;
    let (_, buyer) = buyer(&server).await;
    let xid = add_exhibit(&server, &acme, speaker("Speaker")).await;
    let path = format!("/v1/exhibits/{xid}");

    // Another tenant's exhibit is "not found" for every change; a sub-account is forbidden.
    server
        .patch(&path, &rival.main, json!({"name": "Mine"}))
        .await
        .expect_problem(404, "not_found");
    server
        .delete(&path, &rival.main)
        .await
        .expect_problem(404, "not_found");
    server
        .put(
            &format!("{path}/reps"),
            &rival.main,
            json!({"accountIds": []}),
        )
        .await
        .expect_problem(404, "not_found");
    server
        .post(&format!("{path}/recommendation"), &rival.main, json!({}))
        .await
        .expect_problem(404, "not_found");
    server
        .delete(&format!("{path}/recommendation"), &rival.main)
        .await
        .expect_problem(404, "not_found");
    server
        .patch(&path, &sub, json!({"name": "Mine"}))
        .await
        .expect_problem(403, "forbidden");
    server
        .patch(&path, &buyer, json!({"name": "Mine"}))
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            &format!("/v1/exhibitors/{}/exhibits", acme.id),
            &rival.main,
            speaker("X"),
        )
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            &format!("/v1/exhibitors/{}/exhibits", acme.id),
            &sub,
            speaker("X"),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .get(
            &format!("/v1/exhibitors/{}/recommendations", acme.id),
            &rival.main,
        )
        .await
        .expect_problem(404, "not_found");

    let reps = server
        .put(
            &format!("{path}/reps"),
            &acme.main,
            json!({"accountIds": [sub_id]}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(reps["repIds"], json!([sub_id]));
    let answer = server
        .put(
            &format!("{path}/reps"),
            &acme.main,
            json!({"accountIds": [sub_id, rival_sub_id]}),
        )
        .await;
    answer.expect_problem(422, "validation_failed");
    assert_eq!(answer.body["errors"][0]["field"], "accountIds[1]");
    assert_eq!(
        server.get(&path, &buyer).await.expect(200)["name"],
        "Speaker"
    );
}

async fn the_recommendation_quota_holds_under_racing_calls(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let body = json!({"name": "Small", "zoneIds": ["electronics"], "recommendationQuota": 3, "mainAccount": profile("M", &unique_email("m"))});
    let created = server
        .post("/v1/exhibitors", &organizer, body)
        .await
        .expect(201)
        .clone();
    let small = Exhibitor {
        id: id(&created["exhibitor"]),
        main_id: id(&created["mainAccount"]),
        main: server.token(&id(&created["mainAccount"])).await,
    };
    let (_, recommender) = sub_account(&server, &small, json!(["recommend"])).await;
    let (_, other_sub) = sub_account(&server, &small, json!(["im"])).await;
    let mut exhibits = Vec::new();
    for i in 0..12 {
        exhibits.push(
            add_exhibit(
                &server,
                &small,
                json!({"name": format!("Speaker {i}"), "categoryId": "speakers"}),
            )
            .await,
        );
    }
    server
        .post(
            &format!("/v1/exhibits/{}/recommendation", exhibits[0]),
            &other_sub,
            json!({}),
        )
        .await
        .expect_problem(403, "forbidden");

    // Ten racing calls, from the main account and the sub-account with `recommend`.
    let calls = exhibits[..10].iter().enumerate().map(|(i, xid)| {
        let token = if i % 2 == 0 {
            small.main.clone()
        } else {
            recommender.clone()
        };
        let server = &server;
        async move {
            server
                .post(
                    &format!("/v1/exhibits/{xid}/recommendation"),
                    &token,
                    json!({}),
                )
                .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    let won: Vec<&fairlink_tests::Response> = answers.iter().filter(|a| a.status == 201).collect();
    assert_eq!(won.len(), 3, "exactly the quota is spent");
    for answer in answers.iter().filter(|a| a.status != 201) {
        answer.expect_problem(409, "quota_exhausted");
    }
    let winner = won[0].body["exhibitId"].as_str().unwrap().to_string();
    server
        .post(
            &format!("/v1/exhibits/{winner}/recommendation"),
            &small.main,
            json!({}),
        )
        .await
        .expect_problem(409, "already_recommended");

    let list = server
        .get(
            &format!("/v1/exhibitors/{}/recommendations", small.id),
            &recommender,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(
        list["quota"],
        json!({"total": 3, "used": 3, "remaining": 0})
    );
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert_eq!(list["items"][0]["matchedIntents"], 0);

    // Withdrawing refunds nothing.
    server
        .delete(
            &format!("/v1/exhibits/{winner}/recommendation"),
            &small.main,
        )
        .await
        .expect(204);
    server
        .post(
            &format!("/v1/exhibits/{}/recommendation", exhibits[11]),
            &small.main,
            json!({}),
        )
        .await
        .expect_problem(409, "quota_exhausted");
    let list = server
        .get(
            &format!("/v1/exhibitors/{}/recommendations", small.id),
            &small.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(list["quota"]["remaining"], 0);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let recommended = server
        .get(
            &format!("/v1/exhibitors/{}/exhibits?recommended=true", small.id),
            &small.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(recommended["items"].as_array().unwrap().len(), 2);
}

async fn intents_are_matched_and_the_best_exhibits_pushed(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let beta = exhibitor(&server, &organizer, "Beta").await;
    let gamma = exhibitor(&server, &organizer, "Gamma").await;
    // Acme: four matching exhibits; only two of them may be pushed.
    let mut acme_exhibits = Vec::new();
    for i in 0..4 {
        let xid = add_exhibit(&server, &acme, speaker(&format!("蓝牙音箱 {i}"))).await;
        recommend(&server, &acme.main, &xid).await;
        acme_exhibits.push(xid);
    }
    let beta_speaker = add_exhibit(
        &server,
        &beta,
        json!({"name": "蓝牙音箱", "categoryId": "speakers"}),
    )
    .await;
    recommend(&server, &beta.main, &beta_speaker).await;
    // Matching text in another category, and an unrelated exhibit of the same category.
    let chair = add_exhibit(
        &server,
        &gamma,
        json!({"name": "蓝牙音箱 chair", "categoryId": "furniture"}),
    )
    .await;
    recommend(&server, &gamma.main, &chair).await;
    let horn = add_exhibit(
        &server,
        &gamma,
        json!({"name": "Brass horn", "categoryId": "speakers"}),
    )
    .await;
    recommend(&server, &gamma.main, &horn).await;
    // Not recommended: never pushed.
    add_exhibit(&server, &gamma, speaker("蓝牙音箱 unrecommended")).await;

    let (buyer_id, buyer) = buyer(&server).await;
    let buyer_email = server.get("/v1/me", &buyer).await.expect(200)["email"]
        .as_str()
        .unwrap()
        .to_string();
    let now = server.now().await;
    let intent = server
        .post("/v1/intents", &buyer, intent_body(now, "蓝牙 音箱"))
        .await
        .expect(201)
        .clone();
    assert_eq!(intent["status"], "open");
    let iid = id(&intent);

    let pushed = wait_for_pushes(&server, &buyer, 3).await;
    // Give the worker time to finish the run before counting.
    let emails = eventually("the push email", || async {
        let sent = emails_to(&server, &buyer_email).await;
        (!sent.is_empty()).then_some(sent)
    })
    .await;
    let pushed_after = pushes(&server, &buyer).await;
    assert_eq!(
        pushed_after.len(),
        3,
        "two of Acme's and Beta's: {pushed:?}"
    );
    let from_acme = pushed_after
        .iter()
        .filter(|p| p["exhibitorId"] == acme.id.as_str())
        .count();
    assert_eq!(from_acme, 2, "at most two per exhibitor");
    for push in &pushed_after {
        assert_eq!(push["intentId"], iid.as_str());
        assert!(push["score"].as_f64().unwrap() > 0.0);
        let codes: Vec<&str> = push["reasonCodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(codes.contains(&"keywords"), "{codes:?}");
        let reasons: Vec<&str> = push["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(reasons.len(), codes.len());
        assert!(
            reasons.iter().any(|r| r.starts_with("Matches your words: ")
                && r.contains("蓝牙")
                && r.contains("音箱")),
            "reasons in the buyer's language, with whole words: {reasons:?}"
        );
        assert!(
            !reasons.iter().any(|r| r.contains("omplete")),
            "completeness is no reason: {reasons:?}"
        );
        assert_ne!(push["exhibit"]["id"], json!(chair));
        assert_ne!(push["exhibit"]["id"], json!(horn));
    }
    // Better-described exhibits rank first: Acme's complete ones before Beta's bare one.
    let first = &pushed_after
        .iter()
        .max_by(|a, b| {
            a["score"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["score"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(first["exhibitorId"], acme.id.as_str());
    let acme_push = pushed_after
        .iter()
        .find(|p| p["exhibitorId"] == acme.id.as_str())
        .unwrap();
    for reason in [
        "moq_fits",
        "price_fits",
        "certifications_held",
        "market_fits",
    ] {
        assert!(
            acme_push["reasonCodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == reason),
            "{reason}: {acme_push}"
        );
    }

    assert_eq!(emails.len(), 1, "one email per intent");
    assert!(
        emails[0].subject.contains("3 recommended exhibits"),
        "{:?}",
        emails[0]
    );
    let notes = server
        .get("/v1/me/notifications", &buyer)
        .await
        .expect(200)
        .clone();
    let pushed_notes = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "recommendation.pushed")
        .count();
    assert_eq!(pushed_notes, 3);

    // The exhibitors see the match, and the intent.
    let matches = server
        .get(
            &format!("/v1/exhibitors/{}/exhibit-matches", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(
        matches["items"].as_array().unwrap().len(),
        4,
        "every matching exhibit is recorded"
    );
    assert_eq!(matches["items"][0]["intent"]["id"], iid.as_str());
    assert!(matches["items"][0]["reasons"].as_array().is_some());
    server
        .get(&format!("/v1/intents/{iid}"), &acme.main)
        .await
        .expect(200);
    let (_, acme_sub) = sub_account(&server, &acme, json!(["exhibitMatches"])).await;
    server
        .get(
            &format!("/v1/exhibitors/{}/exhibit-matches", acme.id),
            &acme_sub,
        )
        .await
        .expect(200);
    server
        .get(&format!("/v1/intents/{iid}"), &acme_sub)
        .await
        .expect(200);
    let (_, plain_sub) = sub_account(&server, &acme, json!(["im"])).await;
    server
        .get(
            &format!("/v1/exhibitors/{}/exhibit-matches", acme.id),
            &plain_sub,
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .get(
            &format!("/v1/exhibitors/{}/exhibit-matches", acme.id),
            &gamma.main,
        )
        .await
        .expect_problem(404, "not_found");
    server
        .get(&format!("/v1/intents/{iid}"), &gamma.main)
        .await
        .expect_problem(404, "not_found");
    let gamma_matches = server
        .get(
            &format!("/v1/exhibitors/{}/exhibit-matches", gamma.id),
            &gamma.main,
        )
        .await
        .expect(200)
        .clone();
    assert!(gamma_matches["items"].as_array().unwrap().is_empty());
    let acme_notes = server
        .get("/v1/me/notifications", &acme.main)
        .await
        .expect(200)
        .clone();
    assert!(
        acme_notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "intent.matched")
    );

    let list = server
        .get(
            &format!("/v1/exhibitors/{}/recommendations", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["matchedIntents"] == 1));
    assert_eq!(
        items
            .iter()
            .map(|i| i["pushedBuyers"].as_u64().unwrap())
            .sum::<u64>(),
        2
    );
    let _ = buyer_id;
}

async fn new_recommendations_reach_open_intents_only(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (_, buyer) = buyer(&server).await;
    let now = server.now().await;
    let open = id(server
        .post("/v1/intents", &buyer, intent_body(now, "Bluetooth speaker"))
        .await
        .expect(201));
    let mut short = intent_body(now, "Bluetooth speaker");
    short["validUntil"] = json!((now + chrono::Duration::hours(1)).to_rfc3339());
    let short = id(server.post("/v1/intents", &buyer, short).await.expect(201));
    let closed = id(server
        .post("/v1/intents", &buyer, intent_body(now, "Bluetooth speaker"))
        .await
        .expect(201));
    let closed_answer = server
        .post(&format!("/v1/intents/{closed}/close"), &buyer, json!({}))
        .await
        .expect(200)
        .clone();
    assert_eq!(closed_answer["status"], "closed");
    server.advance_clock(2 * 3600).await;
    assert_eq!(
        server
            .get(&format!("/v1/intents/{short}"), &buyer)
            .await
            .expect(200)["status"],
        "expired"
    );

    let xid = add_exhibit(&server, &acme, speaker("Speaker")).await;
    recommend(&server, &acme.main, &xid).await;
    let pushed = wait_for_pushes(&server, &buyer, 1).await;
    assert_eq!(
        pushed[0]["intentId"],
        open.as_str(),
        "only the open intent matches"
    );
    let matches = eventually("the match", || async {
        let m = server
            .get(
                &format!("/v1/exhibitors/{}/exhibit-matches", acme.id),
                &acme.main,
            )
            .await
            .expect(200)
            .clone();
        (!m["items"].as_array().unwrap().is_empty()).then_some(m)
    })
    .await;
    assert_eq!(matches["items"].as_array().unwrap().len(), 1);
    // A second recommended exhibit the buyer gets too; the same exhibit never twice.
    let second = add_exhibit(&server, &acme, speaker("Speaker two")).await;
    recommend(&server, &acme.main, &second).await;
    let pushed = wait_for_pushes(&server, &buyer, 2).await;
    let ids: Vec<&str> = pushed
        .iter()
        .map(|p| p["exhibit"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&xid.as_str()) && ids.contains(&second.as_str()));
    let listed = server.get("/v1/intents", &buyer).await.expect(200).clone();
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    assert_eq!(listed["items"][0]["id"], closed.as_str(), "newest first");
}

async fn a_job_delivered_twice_pushes_once(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    for i in 0..3 {
        let xid = add_exhibit(&server, &acme, speaker(&format!("Speaker {i}"))).await;
        recommend(&server, &acme.main, &xid).await;
    }
    let (_, buyer) = buyer(&server).await;
    let email = server.get("/v1/me", &buyer).await.expect(200)["email"]
        .as_str()
        .unwrap()
        .to_string();
    let now = server.now().await;
    let iid = id(server
        .post("/v1/intents", &buyer, intent_body(now, "bluetooth speaker"))
        .await
        .expect(201));
    wait_for_pushes(&server, &buyer, 2).await;
    eventually("the email", || async {
        (!emails_to(&server, &email).await.is_empty()).then_some(())
    })
    .await;

    // The same message again, through the worker's own handler and through the queue.
    let job = serde_json::to_string(&MatchJob::IntentPublished {
        intent_id: iid.clone(),
    })
    .unwrap();
    let matcher =
        fairlink_matcher::Matcher::new(server.ports.clone(), fairlink_tests::test_embedder());
    matcher.handle(&job).await.unwrap();
    matcher.handle(&job).await.unwrap();
    fairlink_domain::jobs::MatchJob::IntentPublished {
        intent_id: iid.clone(),
    }
    .enqueue(server.ports.queue.as_ref())
    .await
    .unwrap();
    server.settle().await;

    assert_eq!(
        pushes(&server, &buyer).await.len(),
        2,
        "two per exhibitor, once"
    );
    assert_eq!(emails_to(&server, &email).await.len(), 1);
    let notes = server
        .get("/v1/me/notifications", &buyer)
        .await
        .expect(200)
        .clone();
    let count = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "recommendation.pushed")
        .count();
    assert_eq!(count, 2);
    let matches = server
        .get(
            &format!("/v1/exhibitors/{}/exhibit-matches", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(matches["items"].as_array().unwrap().len(), 3);
    let list = server
        .get(
            &format!("/v1/exhibitors/{}/recommendations", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    let counted: u64 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["matchedIntents"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 3, "counters move once per match");
    // A message that is not a job fails (and so ends in the DLQ after its retries).
    assert!(matcher.handle("{\"kind\":\"nonsense\"}").await.is_err());
}

async fn directed_intents_are_distributed_and_worked(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let (rep_id, rep) = sub_account(&server, &acme, json!(["intents"])).await;
    // sub_account puts accounts in the electronics zone.
    let (zone_id, zone) = sub_account(&server, &acme, json!(["intents"])).await;
    let (_, no_rights) = sub_account(&server, &acme, json!(["im"])).await;
    let xid = add_exhibit(&server, &acme, speaker("Speaker")).await;
    server
        .put(
            &format!("/v1/exhibits/{xid}/reps"),
            &acme.main,
            json!({"accountIds": [rep_id]}),
        )
        .await
        .expect(200);
    let (_, buyer) = buyer(&server).await;
    let now = server.now().await;

    // From an exhibit page: the exhibit's rep receives it.
    let mut body = intent_body(now, "Speakers");
    body["exhibitId"] = json!(xid);
    let intent = server
        .post("/v1/intents", &buyer, body)
        .await
        .expect(201)
        .clone();
    assert_eq!(intent["exhibitorId"], acme.id.as_str());
    let iid = id(&intent);
    let mine = server.get("/v1/me/intents", &rep).await.expect(200).clone();
    assert_eq!(mine["items"][0]["intent"]["id"], iid.as_str());
    assert_eq!(mine["items"][0]["status"], "assigned");
    let notes = server
        .get("/v1/me/notifications", &rep)
        .await
        .expect(200)
        .clone();
    assert_eq!(notes["items"][0]["type"], "intent.assigned");
    server
        .get(&format!("/v1/intents/{iid}"), &rep)
        .await
        .expect(200);
    server
        .get(&format!("/v1/intents/{iid}"), &rival.main)
        .await
        .expect_problem(404, "not_found");

    // Addressed to the exhibitor only: an account of its zones (not main, not the rep's
    // exhibit-less turn) receives it.
    let mut body = intent_body(now, "Amplifier");
    body["exhibitorId"] = json!(acme.id);
    let second = id(server.post("/v1/intents", &buyer, body).await.expect(201));
    let all = server
        .get(&format!("/v1/exhibitors/{}/intents", acme.id), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let assignee = all["items"][0]["assigneeId"].as_str().unwrap().to_string();
    assert!(
        assignee == rep_id || assignee == zone_id,
        "a zone account: {assignee}"
    );
    assert_eq!(all["items"][0]["intent"]["id"], second.as_str());

    // Main reassigns; the new assignee is told; only able accounts qualify.
    let reassigned = server
        .post(
            &format!("/v1/intents/{iid}/assignment"),
            &acme.main,
            json!({"accountId": zone_id}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(reassigned["assigneeId"], zone_id.as_str());
    let zone_notes = server
        .get("/v1/me/notifications?unread=true", &zone)
        .await
        .expect(200)
        .clone();
    assert!(
        zone_notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "intent.assigned" && n["data"]["intentId"] == iid.as_str())
    );
    let no_rights_id = server.get("/v1/me", &no_rights).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .post(
            &format!("/v1/intents/{iid}/assignment"),
            &acme.main,
            json!({"accountId": no_rights_id}),
        )
        .await
        .expect_problem(422, "validation_failed");
    server
        .post(
            &format!("/v1/intents/{iid}/assignment"),
            &rep,
            json!({"accountId": rep_id}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .post(
            &format!("/v1/intents/{iid}/assignment"),
            &rival.main,
            json!({"accountId": zone_id}),
        )
        .await
        .expect_problem(404, "not_found");

    // The assignee (or main) completes it; others may not.
    server
        .post(&format!("/v1/intents/{iid}/complete"), &rep, json!({}))
        .await
        .expect_problem(403, "forbidden");
    server
        .post(
            &format!("/v1/intents/{iid}/complete"),
            &rival.main,
            json!({}),
        )
        .await
        .expect_problem(404, "not_found");
    let done = server
        .post(&format!("/v1/intents/{iid}/complete"), &zone, json!({}))
        .await
        .expect(200)
        .clone();
    assert_eq!(done["status"], "completed");
    let completed = server
        .get(
            &format!("/v1/exhibitors/{}/intents?status=completed", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(completed["items"].as_array().unwrap().len(), 1);
    let by_zone = server
        .get(
            &format!(
                "/v1/exhibitors/{}/intents?assigneeId={zone_id}&status=completed",
                acme.id
            ),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(by_zone["items"][0]["intent"]["id"], iid.as_str());
    server
        .get("/v1/me/intents", &no_rights)
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&format!("/v1/exhibitors/{}/intents", acme.id), &rival.main)
        .await
        .expect_problem(404, "not_found");
    server
        .get(&format!("/v1/exhibitors/{}/intents", acme.id), &rep)
        .await
        .expect_problem(403, "forbidden");
    server
        .get(
            &format!("/v1/exhibitors/{}/intents?status=lost", acme.id),
            &acme.main,
        )
        .await
        .expect_problem(422, "validation_failed");
}

async fn manual_intent_distribution_goes_to_main(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (_, _zone) = sub_account(&server, &acme, json!(["intents"])).await;
    server
        .put(
            &format!("/v1/exhibitors/{}/distribution", acme.id),
            &acme.main,
            json!({"imMode": "auto", "intentMode": "manual"}),
        )
        .await
        .expect(200);
    let (_, buyer) = buyer(&server).await;
    let now = server.now().await;
    let mut body = intent_body(now, "Speakers");
    body["exhibitorId"] = json!(acme.id);
    let iid = id(server.post("/v1/intents", &buyer, body).await.expect(201));
    let mine = server
        .get("/v1/me/intents", &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(mine["items"][0]["intent"]["id"], iid.as_str());
    assert_eq!(mine["items"][0]["assigneeId"], acme.main_id.as_str());
}

async fn intents_are_validated_and_kept_to_their_buyer(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let xid = add_exhibit(&server, &acme, speaker("Speaker")).await;
    let (_, buyer) = buyer(&server).await;
    let (_, other_buyer) = fairlink_tests::fixtures::buyer(&server).await;
    let now = server.now().await;

    let mut past = intent_body(now, "Speakers");
    past["validUntil"] = json!((now - chrono::Duration::minutes(1)).to_rfc3339());
    for (body, field) in [
        (past, "validUntil"),
        (
            {
                let mut b = intent_body(now, "Speakers");
                b["categoryId"] = json!("planets");
                b
            },
            "categoryId",
        ),
        (
            {
                let mut b = intent_body(now, "Speakers");
                b["destinationCountry"] = json!("usa");
                b
            },
            "destinationCountry",
        ),
        (
            {
                let mut b = intent_body(now, "Speakers");
                b["quantity"]["amount"] = json!(0);
                b
            },
            "quantity.amount",
        ),
        (
            {
                let mut b = intent_body(now, "Speakers");
                b["exhibitId"] = json!("exb_none");
                b
            },
            "exhibitId",
        ),
        (
            {
                let mut b = intent_body(now, "Speakers");
                b["exhibitId"] = json!(xid);
                b["exhibitorId"] = json!(rival.id);
                b
            },
            "exhibitorId",
        ),
    ] {
        let answer = server.post("/v1/intents", &buyer, body).await;
        answer.expect_problem(422, "validation_failed");
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.body);
    }
    server
        .post("/v1/intents", &acme.main, intent_body(now, "Speakers"))
        .await
        .expect_problem(403, "forbidden");

    let iid = id(server
        .post("/v1/intents", &buyer, intent_body(now, "Speakers"))
        .await
        .expect(201));
    server
        .get(&format!("/v1/intents/{iid}"), &other_buyer)
        .await
        .expect_problem(404, "not_found");
    server
        .post(&format!("/v1/intents/{iid}/close"), &other_buyer, json!({}))
        .await
        .expect_problem(404, "not_found");
    server
        .post(&format!("/v1/intents/{iid}/close"), &acme.main, json!({}))
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            &format!("/v1/intents/{iid}/assignment"),
            &acme.main,
            json!({"accountId": acme.main_id}),
        )
        .await
        .expect_problem(404, "not_found");
    server
        .post(
            &format!("/v1/intents/{iid}/complete"),
            &acme.main,
            json!({}),
        )
        .await
        .expect_problem(404, "not_found");
    assert!(
        server.get("/v1/intents", &other_buyer).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    server
        .get("/v1/me/recommendations", &acme.main)
        .await
        .expect_problem(403, "forbidden");
    server
        .get("/v1/intents/int_none", &buyer)
        .await
        .expect_problem(404, "not_found");
    // Closing twice is harmless.
    server
        .post(&format!("/v1/intents/{iid}/close"), &buyer, json!({}))
        .await
        .expect(200);
    assert_eq!(
        server
            .post(&format!("/v1/intents/{iid}/close"), &buyer, json!({}))
            .await
            .expect(200)["status"],
        "closed"
    );
}

/// The exhibitor's lists keep a copy of the intent taken at delivery; they show it as it is
/// now: closed by its buyer, or expired.
async fn exhibitor_lists_show_intents_closed_or_expired_as_they_are(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (_, buyer) = buyer(&server).await;
    let now = server.now().await;
    let mut closing = intent_body(now, "Speakers");
    closing["exhibitorId"] = json!(acme.id);
    let closed = id(server
        .post("/v1/intents", &buyer, closing)
        .await
        .expect(201));
    let mut short = intent_body(now, "Amplifiers");
    short["exhibitorId"] = json!(acme.id);
    short["validUntil"] = json!((now + chrono::Duration::hours(1)).to_rfc3339());
    let expiring = id(server.post("/v1/intents", &buyer, short).await.expect(201));
    server
        .post(&format!("/v1/intents/{closed}/close"), &buyer, json!({}))
        .await
        .expect(200);
    server.advance_clock(2 * 3600).await;
    let status_in = |list: &Value, iid: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["intent"]["id"] == iid)
            .map(|d| d["intent"]["status"].clone())
    };
    for path in [
        format!("/v1/exhibitors/{}/intents", acme.id),
        "/v1/me/intents".to_string(),
    ] {
        let list = server.get(&path, &acme.main).await.expect(200).clone();
        assert_eq!(
            status_in(&list, &closed),
            Some(json!("closed")),
            "{path}: {list}"
        );
        assert_eq!(
            status_in(&list, &expiring),
            Some(json!("expired")),
            "{path}: {list}"
        );
    }
}

/// Main changes an exhibit's category while a colleague recommends it: whichever lands
/// first, once the matcher is done the exhibit is a candidate of its new category only.
async fn a_category_change_racing_a_recommendation_moves_its_candidate(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let repo =
        fairlink_store::Repository::new(server.ports.store.clone(), server.ports.queue.clone());
    for round in 0..4 {
        let xid = add_exhibit(&server, &acme, speaker(&format!("Speaker {round}"))).await;
        let recommendation = format!("/v1/exhibits/{xid}/recommendation");
        let exhibit = format!("/v1/exhibits/{xid}");
        let (recommended, moved) = tokio::join!(
            server.post(&recommendation, &acme.main, json!({})),
            server.patch(&exhibit, &acme.main, json!({"categoryId": "audio"})),
        );
        assert_eq!(recommended.status, 201, "{}", recommended.body);
        assert_eq!(moved.status, 200, "{}", moved.body);
        let holds = |candidates: Vec<fairlink_domain::matching::PackedCandidate>| {
            candidates
                .iter()
                .filter_map(|c| c.view())
                .any(|v| v.exhibit_id == xid)
        };
        eventually("the candidate in its new category", || async {
            holds(repo.match_candidates("audio").await.unwrap()).then_some(())
        })
        .await;
        assert!(
            !holds(repo.match_candidates("speakers").await.unwrap()),
            "round {round}: still a candidate of its old category"
        );
    }
}
