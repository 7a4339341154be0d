//! Instant messaging and business cards over HTTP against fairlink-local, on both backends.

use chrono::Utc;
use fairlink_domain::model::{Conversation, Message, MessageType};
use fairlink_store::Repository;
use fairlink_tests::{
    Store, TestServer,
    fixtures::{Exhibitor, Person, buyer_in, exhibitor, id, staff, with_fair},
    start,
};
use serde_json::{Value, json};

fairlink_tests::scenarios!(
    buyers_open_one_conversation_per_exhibitor,
    exhibitors_write_first_only_about_their_intents,
    messages_carry_unread_counts_and_read_markers,
    both_sides_marking_read_at_once_lose_neither_marker,
    auto_replies_follow_presence,
    transfers_keep_the_history,
    translation_without_a_provider_says_so,
    conversations_are_kept_to_their_tenants,
    ten_thousand_messages_page_both_ways,
    an_account_lists_its_latest_two_thousand,
    cards_go_only_to_the_other_side,
    revoking_im_stops_a_sub_account_chatting_at_once,
    an_account_sends_at_most_its_limit_a_minute,
);

async fn speaker(server: &TestServer, ex: &Exhibitor, reps: &[&str]) -> String {
    fairlink_tests::fixtures::speaker_with_reps(server, ex, reps).await
}

async fn open(server: &TestServer, buyer: &Person, ex: &Exhibitor, exhibit: Option<&str>) -> Value {
    let body = json!({"exhibitorId": ex.id, "exhibitId": exhibit});
    server
        .post("/v1/conversations", &buyer.token, body)
        .await
        .expect(201)
        .clone()
}

async fn say(server: &TestServer, token: &str, cid: &str, text: &str) -> Value {
    let body = json!({"type": "text", "text": text});
    server
        .post(&format!("/v1/conversations/{cid}/messages"), token, body)
        .await
        .expect(201)
        .clone()
}

fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().unwrap()
}

async fn buyers_open_one_conversation_per_exhibitor(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rep = staff(&server, &acme, "Li", json!(["im"])).await;
    let xid = speaker(&server, &acme, &[&rep.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;

    let opened = open(&server, &buyer, &acme, Some(&xid)).await;
    assert_eq!(
        opened["assigneeId"],
        rep.id.as_str(),
        "the exhibit's rep with im"
    );
    assert_eq!(
        opened["context"],
        json!({"kind": "exhibit", "id": xid, "title": "蓝牙音箱"})
    );
    let again = server
        .post(
            "/v1/conversations",
            &buyer.token,
            json!({"exhibitorId": acme.id}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(again["id"], opened["id"], "one open conversation per pair");
    let notes = server
        .get("/v1/me/notifications", &rep.token)
        .await
        .expect(200)
        .clone();
    assert!(
        items(&notes)
            .iter()
            .any(|n| n["type"] == "conversation.assigned")
    );
    let mine = server
        .get("/v1/conversations", &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&mine).len(), 1);

    let other = exhibitor(&server, &organizer, "Other").await;
    let answer = server
        .post(
            "/v1/conversations",
            &buyer.token,
            json!({"exhibitorId": other.id, "exhibitId": xid}),
        )
        .await;
    answer.expect_problem(422, "validation_failed");
    assert_eq!(answer.body["errors"][0]["field"], "exhibitId");
    server
        .post("/v1/conversations", &buyer.token, json!({}))
        .await
        .expect_problem(422, "validation_failed");
    server
        .post(
            "/v1/conversations",
            &organizer,
            json!({"exhibitorId": acme.id}),
        )
        .await
        .expect_problem(403, "forbidden");
    // Without an exhibit and with no able zone account: the main account.
    let plain = open(&server, &buyer, &other, None).await;
    assert_eq!(plain["assigneeId"], other.main_id.as_str());
}

async fn exhibitors_write_first_only_about_their_intents(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let no_im = staff(&server, &acme, "Wu", json!(["intents"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let now = server.now().await;
    let intent = |to: Option<&str>| {
        json!({"productName": "Speakers", "categoryId": "speakers", "quantity": {"amount": 100, "unit": "pcs"},
            "destinationCountry": "US", "validUntil": (now + chrono::Duration::days(10)).to_rfc3339(), "exhibitorId": to})
    };
    let cold = id(server
        .post("/v1/intents", &buyer.token, intent(None))
        .await
        .expect(201));
    server
        .post(
            "/v1/conversations",
            &acme.main,
            json!({"buyerId": buyer.id, "intentId": cold}),
        )
        .await
        .expect_problem(403, "forbidden");
    let delivered = id(server
        .post("/v1/intents", &buyer.token, intent(Some(&acme.id)))
        .await
        .expect(201));
    server
        .post(
            "/v1/conversations",
            &no_im.token,
            json!({"buyerId": buyer.id, "intentId": delivered}),
        )
        .await
        .expect_problem(403, "forbidden");
    let opened = server
        .post(
            "/v1/conversations",
            &acme.main,
            json!({"buyerId": buyer.id, "intentId": delivered}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(opened["assigneeId"], acme.main_id.as_str());
    assert_eq!(opened["context"]["kind"], "intent");
    // The buyer opening towards the same exhibitor gets the same conversation.
    let same = server
        .post(
            "/v1/conversations",
            &buyer.token,
            json!({"exhibitorId": acme.id}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(same["id"], opened["id"]);
}

/// The buyer and the assignee mark read at the same moment, round after round: each side's
/// count ends at the messages after its own marker (none), never put back by the other
/// side's write of the conversation as it read it.
async fn both_sides_marking_read_at_once_lose_neither_marker(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rep = staff(&server, &acme, "Li", json!(["im"])).await;
    let xid = speaker(&server, &acme, &[&rep.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, Some(&xid)).await);
    let read = format!("/v1/conversations/{cid}/read");
    for round in 0..8 {
        let asked = say(&server, &buyer.token, &cid, &format!("Question {round}")).await;
        let answered = say(&server, &rep.token, &cid, &format!("Answer {round}")).await;
        let (by_buyer, by_rep) = tokio::join!(
            server.post(
                &read,
                &buyer.token,
                json!({"upToMessageId": answered["id"]})
            ),
            server.post(&read, &rep.token, json!({"upToMessageId": answered["id"]})),
        );
        for marked in [by_buyer, by_rep] {
            if marked.status != 200 {
                marked.expect_problem(409, "conflict");
            }
        }
        for (who, token) in [("buyer", &buyer.token), ("assignee", &rep.token)] {
            let seen = server
                .get(&format!("/v1/conversations/{cid}"), token)
                .await
                .expect(200)
                .clone();
            assert_eq!(
                seen["unreadCount"], 0,
                "round {round}: the {who} read up to the last message ({asked})"
            );
        }
    }
}

async fn messages_carry_unread_counts_and_read_markers(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rep = staff(&server, &acme, "Li", json!(["im"])).await;
    let xid = speaker(&server, &acme, &[&rep.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, Some(&xid)).await);

    let first = say(&server, &buyer.token, &cid, "Hello, do you ship to the US?").await;
    say(&server, &buyer.token, &cid, "And the MOQ?").await;
    let assigned = server
        .get("/v1/conversations", &rep.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&assigned)[0]["unreadCount"], 2);
    assert_eq!(items(&assigned)[0]["lastMessagePreview"], "And the MOQ?");
    let reply = say(&server, &rep.token, &cid, "Yes, MOQ 100 pcs").await;
    let seen = server
        .get(&format!("/v1/conversations/{cid}"), &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(seen["unreadCount"], 1);
    let read = server
        .post(
            &format!("/v1/conversations/{cid}/read"),
            &rep.token,
            json!({"upToMessageId": first["id"]}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(read["unreadCount"], 1, "one message after the marker");
    let read = server
        .post(
            &format!("/v1/conversations/{cid}/read"),
            &buyer.token,
            json!({"upToMessageId": reply["id"]}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(read["unreadCount"], 0);

    let image = server
        .post(
            &format!("/v1/conversations/{cid}/messages"),
            &buyer.token,
            json!({"type": "image", "imageUrl": "https://img.example.com/a.jpg"}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(image["type"], "image");
    let card = server
        .post(
            &format!("/v1/conversations/{cid}/messages"),
            &rep.token,
            json!({"type": "card"}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(card["card"]["email"], rep.email.as_str());
    for (body, code) in [
        (
            json!({"type": "voice", "text": "x"}),
            "unsupported_message_type",
        ),
        (json!({"type": "video"}), "unsupported_message_type"),
        (
            json!({"type": "image", "imageUrl": "http://insecure.example/a.jpg"}),
            "validation_failed",
        ),
        (
            json!({"type": "text", "text": "x".repeat(4_001)}),
            "validation_failed",
        ),
        (json!({"type": "text", "text": ""}), "validation_failed"),
    ] {
        server
            .post(
                &format!("/v1/conversations/{cid}/messages"),
                &buyer.token,
                body,
            )
            .await
            .expect_problem(422, code);
    }
    // Main reads but does not write in a conversation assigned to another account.
    let all = server
        .get(&format!("/v1/conversations/{cid}/messages"), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&all).len(), 5);
    assert_eq!(items(&all)[0]["type"], "card", "newest first");
    server
        .post(
            &format!("/v1/conversations/{cid}/messages"),
            &acme.main,
            json!({"type": "text", "text": "hi"}),
        )
        .await
        .expect_problem(403, "forbidden");
    let new_ones = server
        .get(
            &format!(
                "/v1/conversations/{cid}/messages?after={}",
                reply["id"].as_str().unwrap()
            ),
            &buyer.token,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&new_ones).len(), 2);
    assert_eq!(items(&new_ones)[0]["type"], "image", "oldest first");
}

async fn auto_replies_follow_presence(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rep = staff(&server, &acme, "Li", json!(["im"])).await;
    let xid = speaker(&server, &acme, &[&rep.id]).await;
    server
        .put(
            &format!("/v1/exhibitors/{}/auto-replies", acme.id),
            &acme.main,
            json!({"online": "欢迎！", "offline": "We are away; back soon."}),
        )
        .await
        .expect(200);
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, Some(&xid)).await);
    let auto = |list: &Value| -> Vec<String> {
        items(list)
            .iter()
            .filter(|m| m["type"] == "autoReply")
            .map(|m| m["text"].as_str().unwrap().to_string())
            .collect()
    };

    // Offline: the offline text, at most once an hour.
    say(&server, &buyer.token, &cid, "Hello?").await;
    say(&server, &buyer.token, &cid, "Anyone?").await;
    let list = server
        .get(&format!("/v1/conversations/{cid}/messages"), &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(auto(&list), vec!["We are away; back soon."]);
    server.advance_clock(3_601).await;
    say(&server, &buyer.token, &cid, "Still there?").await;
    let list = server
        .get(&format!("/v1/conversations/{cid}/messages"), &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(auto(&list).len(), 2);
    let seen = server
        .get(&format!("/v1/conversations/{cid}"), &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(
        seen["unreadCount"], 2,
        "auto-replies count as unread for the buyer"
    );

    // Online: the greeting on a conversation's first buyer message only.
    server
        .put("/v1/me/presence", &rep.token, json!({"online": true}))
        .await
        .expect(200);
    let other = buyer_in(&server, "Bo", "en", "Europe/Berlin").await;
    let cid = id(&open(&server, &other, &acme, Some(&xid)).await);
    say(&server, &other.token, &cid, "Hi").await;
    say(&server, &other.token, &cid, "Price?").await;
    let list = server
        .get(&format!("/v1/conversations/{cid}/messages"), &other.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(auto(&list), vec!["欢迎！"]);
}

async fn transfers_keep_the_history(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let li = staff(&server, &acme, "Li", json!(["im"])).await;
    let wu = staff(&server, &acme, "Wu", json!(["im"])).await;
    let zhao = staff(&server, &acme, "Zhao", json!(["intents"])).await;
    let xid = speaker(&server, &acme, &[&li.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, Some(&xid)).await);
    say(&server, &buyer.token, &cid, "Hello").await;
    say(&server, &li.token, &cid, "Hi Ann").await;

    let path = format!("/v1/conversations/{cid}/transfer");
    server
        .post(&path, &wu.token, json!({"toAccountId": wu.id}))
        .await
        .expect_problem(403, "forbidden");
    server
        .post(&path, &li.token, json!({"toAccountId": zhao.id}))
        .await
        .expect_problem(422, "validation_failed");
    let moved = server
        .post(&path, &li.token, json!({"toAccountId": wu.id}))
        .await
        .expect(200)
        .clone();
    assert_eq!(moved["assigneeId"], wu.id.as_str());
    assert!(
        items(
            &server
                .get("/v1/conversations", &li.token)
                .await
                .expect(200)
                .clone()
        )
        .is_empty()
    );
    let wu_list = server
        .get("/v1/conversations", &wu.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&wu_list)[0]["id"], cid.as_str());
    let history = server
        .get(
            &format!("/v1/conversations/{cid}/messages?order=asc"),
            &wu.token,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&history).len(), 2);
    assert_eq!(items(&history)[0]["text"], "Hello");
    say(&server, &wu.token, &cid, "I take over").await;
    server
        .get(&format!("/v1/conversations/{cid}"), &li.token)
        .await
        .expect_problem(403, "forbidden");
    let notes = server
        .get("/v1/me/notifications", &wu.token)
        .await
        .expect(200)
        .clone();
    assert!(
        items(&notes)
            .iter()
            .any(|n| n["type"] == "conversation.assigned")
    );
    // Main may move it too.
    server
        .post(&path, &acme.main, json!({"toAccountId": li.id}))
        .await
        .expect(200);
}

async fn translation_without_a_provider_says_so(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, None).await);
    let mid = id(&say(&server, &acme.main, &cid, "您好，欢迎咨询").await);
    let path = format!("/v1/conversations/{cid}/messages/{mid}/translation");
    server
        .get(&format!("{path}?lang=en"), &buyer.token)
        .await
        .expect_problem(503, "translation_unavailable");
    server
        .get(&format!("{path}?lang=e%20n"), &buyer.token)
        .await
        .expect_problem(422, "validation_failed");
    server
        .get(
            &format!("/v1/conversations/{cid}/messages/msg_none/translation?lang=en"),
            &buyer.token,
        )
        .await
        .expect_problem(404, "not_found");
    let kept = server
        .get(&format!("/v1/conversations/{cid}/messages"), &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(
        items(&kept)[0]["text"],
        "您好，欢迎咨询",
        "the original is kept"
    );
}

async fn conversations_are_kept_to_their_tenants(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let li = staff(&server, &acme, "Li", json!(["im"])).await;
    let wu = staff(&server, &acme, "Wu", json!(["im"])).await;
    let xid = speaker(&server, &acme, &[&li.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let stranger = buyer_in(&server, "Eve", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, Some(&xid)).await);
    open(&server, &stranger, &acme, None).await;
    let mid = id(&say(&server, &buyer.token, &cid, "Hello").await);

    for token in [&stranger.token, &rival.main] {
        server
            .get(&format!("/v1/conversations/{cid}"), token)
            .await
            .expect_problem(404, "not_found");
        server
            .get(&format!("/v1/conversations/{cid}/messages"), token)
            .await
            .expect_problem(404, "not_found");
        server
            .post(
                &format!("/v1/conversations/{cid}/messages"),
                token,
                json!({"type": "text", "text": "x"}),
            )
            .await
            .expect_problem(404, "not_found");
        server
            .post(
                &format!("/v1/conversations/{cid}/read"),
                token,
                json!({"upToMessageId": mid}),
            )
            .await
            .expect_problem(404, "not_found");
        server
            .post(
                &format!("/v1/conversations/{cid}/transfer"),
                token,
                json!({"toAccountId": wu.id}),
            )
            .await
            .expect_problem(404, "not_found");
        server
            .get(
                &format!("/v1/conversations/{cid}/messages/{mid}/translation?lang=en"),
                token,
            )
            .await
            .expect_problem(404, "not_found");
    }
    let all = server
        .get("/v1/conversations?scope=all", &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&all).len(), 2);
    assert_eq!(
        items(&all)[0]["id"],
        cid.as_str(),
        "the latest activity first"
    );
    server
        .get("/v1/conversations?scope=all", &li.token)
        .await
        .expect_problem(403, "forbidden");
    assert!(
        items(
            &server
                .get("/v1/conversations?scope=all", &rival.main)
                .await
                .expect(200)
                .clone()
        )
        .is_empty()
    );
    server
        .get("/v1/conversations?scope=everything", &acme.main)
        .await
        .expect_problem(422, "validation_failed");
}

async fn ten_thousand_messages_page_both_ways(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, None).await);
    let repo = Repository::new(server.ports.store.clone(), server.ports.queue.clone());
    let messages: Vec<Message> = (0..10_000)
        .map(|i| Message {
            id: server.ports.ids.new_id("msg"),
            conversation_id: cid.clone(),
            sender_id: if i % 2 == 0 {
                buyer.id.clone()
            } else {
                acme.main_id.clone()
            },
            kind: MessageType::Text,
            text: Some(format!("message {i}")),
            image_url: None,
            card: None,
            created_at: Utc::now(),
        })
        .collect();
    repo.put_messages(&messages).await.unwrap();
    let expected: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();

    let newest_first = collect(
        &server,
        &buyer.token,
        format!("/v1/conversations/{cid}/messages?limit=200"),
    )
    .await;
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(
        newest_first, reversed,
        "backward: every message once, in order"
    );
    let oldest_first = collect(
        &server,
        &buyer.token,
        format!("/v1/conversations/{cid}/messages?order=asc&limit=200"),
    )
    .await;
    assert_eq!(
        oldest_first, expected,
        "forward: every message once, in order"
    );
    let after = collect(
        &server,
        &buyer.token,
        format!(
            "/v1/conversations/{cid}/messages?after={}&limit=200",
            expected[4_999]
        ),
    )
    .await;
    assert_eq!(after, expected[5_000..].to_vec());
}

/// Every id of a message list, following its cursors.
async fn collect(server: &TestServer, token: &str, first: String) -> Vec<String> {
    let mut seen = Vec::new();
    let mut path = first.clone();
    loop {
        let page = server.get(&path, token).await.expect(200).clone();
        seen.extend(
            items(&page)
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("{first}&cursor={c}"),
            None => return seen,
        }
    }
}

async fn an_account_lists_its_latest_two_thousand(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let repo = Repository::new(server.ports.store.clone(), server.ports.queue.clone());
    let now = Utc::now();
    let conversations: Vec<Conversation> = (0..2_010)
        .map(|i| Conversation {
            id: server.ports.ids.new_id("cnv"),
            buyer_id: format!("acc_buyer{i}"),
            exhibitor_id: acme.id.clone(),
            assignee_id: acme.main_id.clone(),
            context: None,
            created_at: now,
            last_message_at: now,
            last_message_preview: None,
            activity: server.ports.ids.new_id("msg"),
            buyer_unread: 0,
            exhibitor_unread: 0,
            last_buyer_message_at: None,
            offline_reply_at: None,
        })
        .collect();
    repo.put_conversations(&conversations).await.unwrap();
    server.wrote_directly();
    let mut seen = Vec::new();
    let mut path = "/v1/conversations?limit=200".to_string();
    loop {
        let page = server.get(&path, &acme.main).await.expect(200).clone();
        seen.extend(
            items(&page)
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("/v1/conversations?limit=200&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 2_000, "the most recent 2,000");
    assert_eq!(seen[0], conversations[2_009].id, "the latest first");
    let oldest = &conversations[0].id;
    assert!(!seen.contains(oldest));
    // Dropped off the list, still readable by id.
    server
        .get(&format!("/v1/conversations/{oldest}"), &acme.main)
        .await
        .expect(200);
}

async fn cards_go_only_to_the_other_side(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rival = exhibitor(&server, &organizer, "Rival").await;
    let li = staff(&server, &acme, "Li", json!(["im", "appointments"])).await;
    let xid = speaker(&server, &acme, &[&li.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let stranger = buyer_in(&server, "Eve", "en", "America/New_York").await;

    let default = server
        .get("/v1/me/card", &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(default["company"], "Ann Trading");
    assert_eq!(default["email"], buyer.email.as_str());
    let card = json!({"name": "Ann Lee", "title": "Buyer", "company": "Lee Imports", "phone": "+12125550100",
        "email": buyer.email, "website": "https://lee.example", "social": {"linkedin": "ann-lee"}});
    server
        .put("/v1/me/card", &buyer.token, card.clone())
        .await
        .expect(200);
    let mut bad = card.clone();
    bad["email"] = json!("not-an-email");
    server
        .put("/v1/me/card", &buyer.token, bad)
        .await
        .expect_problem(422, "validation_failed");

    let cid = id(&open(&server, &buyer, &acme, Some(&xid)).await);
    server
        .post(
            "/v1/cards/send",
            &buyer.token,
            json!({"toAccountId": li.id}),
        )
        .await
        .expect_problem(422, "validation_failed");
    server
        .post(
            "/v1/cards/send",
            &stranger.token,
            json!({"toAccountId": li.id, "conversationId": cid}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .post(
            "/v1/cards/send",
            &buyer.token,
            json!({"toAccountId": acme.main_id, "conversationId": cid}),
        )
        .await
        .expect_problem(403, "forbidden");
    let sent = server
        .post(
            "/v1/cards/send",
            &buyer.token,
            json!({"toAccountId": li.id, "conversationId": cid}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(sent["card"]["title"], "Buyer");
    let received = server
        .get("/v1/me/cards/received", &li.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&received)[0]["senderId"], buyer.id.as_str());
    assert_eq!(items(&received)[0]["conversationId"], cid.as_str());
    let notes = server
        .get("/v1/me/notifications", &li.token)
        .await
        .expect(200)
        .clone();
    assert!(items(&notes).iter().any(|n| n["type"] == "card.received"));
    let messages = server
        .get(&format!("/v1/conversations/{cid}/messages"), &li.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&messages)[0]["type"], "card");
    assert_eq!(items(&messages)[0]["card"]["name"], "Ann Lee");

    // In a booking, the other way.
    let at = server.now().await + chrono::Duration::days(3);
    let sid = id(server
        .post(
            &format!("/v1/exhibitors/{}/slots", acme.id),
            &acme.main,
            json!({"startsAt": at}),
        )
        .await
        .expect(201));
    let bid = id(server
        .post(
            &format!("/v1/slots/{sid}/bookings"),
            &buyer.token,
            json!({}),
        )
        .await
        .expect(201));
    server
        .post(
            "/v1/cards/send",
            &li.token,
            json!({"toAccountId": buyer.id, "bookingId": bid}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .post(
            &format!("/v1/bookings/{bid}/assignment"),
            &acme.main,
            json!({"accountId": li.id}),
        )
        .await
        .expect(200);
    server
        .post(
            "/v1/cards/send",
            &li.token,
            json!({"toAccountId": buyer.id, "bookingId": bid}),
        )
        .await
        .expect(201);
    let ann_got = server
        .get("/v1/me/cards/received", &buyer.token)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&ann_got)[0]["bookingId"], bid.as_str());

    // Main sees every staff card and every card the company received.
    let staff_cards = server
        .get(&format!("/v1/exhibitors/{}/cards", acme.id), &acme.main)
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&staff_cards).len(), 2);
    let company = server
        .get(
            &format!("/v1/exhibitors/{}/cards/received", acme.id),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&company).len(), 1);
    let by_li = server
        .get(
            &format!(
                "/v1/exhibitors/{}/cards/received?accountId={}",
                acme.id, li.id
            ),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(items(&by_li).len(), 1);
    let by_main = server
        .get(
            &format!(
                "/v1/exhibitors/{}/cards/received?accountId={}",
                acme.id, acme.main_id
            ),
            &acme.main,
        )
        .await
        .expect(200)
        .clone();
    assert!(items(&by_main).is_empty());
    for path in [
        format!("/v1/exhibitors/{}/cards", acme.id),
        format!("/v1/exhibitors/{}/cards/received", acme.id),
    ] {
        server
            .get(&path, &rival.main)
            .await
            .expect_problem(404, "not_found");
        server
            .get(&path, &li.token)
            .await
            .expect_problem(403, "forbidden");
    }
}

/// Permissions hold at every request: once main takes `im` away, the rep can neither send
/// nor read nor list, though the conversation stays assigned to it (main sees it and can
/// transfer it). Messages keep their line breaks.
async fn revoking_im_stops_a_sub_account_chatting_at_once(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let rep = staff(&server, &acme, "Li", json!(["im"])).await;
    let xid = speaker(&server, &acme, &[&rep.id]).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let opened = open(&server, &buyer, &acme, Some(&xid)).await;
    let cid = opened["id"].as_str().unwrap();
    assert_eq!(opened["assigneeId"], rep.id.as_str());
    let sent = say(
        &server,
        &rep.token,
        cid,
        "Hello,\nour catalogue:\n- speakers",
    )
    .await;
    assert_eq!(sent["text"], "Hello,\nour catalogue:\n- speakers");

    server
        .patch(
            &format!("/v1/accounts/{}", rep.id),
            &acme.main,
            json!({"permissions": []}),
        )
        .await
        .expect(200);
    let messages = format!("/v1/conversations/{cid}/messages");
    server
        .post(
            &messages,
            &rep.token,
            json!({"type": "text", "text": "still here?"}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&messages, &rep.token)
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&format!("/v1/conversations/{cid}"), &rep.token)
        .await
        .expect_problem(403, "forbidden");
    server
        .get("/v1/conversations", &rep.token)
        .await
        .expect_problem(403, "forbidden");
    // The buyer still writes; main sees the conversation and hands it on.
    say(&server, &buyer.token, cid, "Any news?").await;
    let all = server
        .get("/v1/conversations?scope=all", &acme.main)
        .await
        .expect(200)
        .clone();
    assert!(items(&all).iter().any(|c| c["id"] == cid));
    server
        .post(
            &format!("/v1/conversations/{cid}/transfer"),
            &acme.main,
            json!({"toAccountId": acme.main_id}),
        )
        .await
        .expect(200);
    say(&server, &acme.main, cid, "Main here.").await;
    // Given back, the permission works again at once.
    server
        .patch(
            &format!("/v1/accounts/{}", rep.id),
            &acme.main,
            json!({"permissions": ["im"]}),
        )
        .await
        .expect(200);
    server
        .get("/v1/conversations", &rep.token)
        .await
        .expect(200);
}

/// With `FAIRLINK_MESSAGE_LIMIT=3/60`, an account's fourth message within the minute answers
/// 429 with `Retry-After`; the other side is not held back, and the next minute opens again.
async fn an_account_sends_at_most_its_limit_a_minute(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = fairlink_tests::local_config(store, dir.path().to_path_buf());
    config.message_limit = Some(fairlink_domain::rate_limit::RateLimit {
        max: 3,
        window_seconds: 60,
    });
    let server = TestServer::start(config, Some(std::sync::Arc::new(dir))).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&server, &buyer, &acme, None).await);
    let start = server.now().await;
    // At the start of a window, so the four land in one.
    server
        .set_clock(start - chrono::Duration::seconds(start.timestamp().rem_euclid(60)))
        .await;
    let path = format!("/v1/conversations/{cid}/messages");
    for n in 0..3 {
        let sent = server
            .post(
                &path,
                &buyer.token,
                json!({"type": "text", "text": format!("message {n}")}),
            )
            .await;
        sent.expect(201);
        // Where the sender stands, on every answer.
        assert_eq!(sent.headers["ratelimit-policy"], r#""message";q=3;w=60"#);
        let standing = sent.headers["ratelimit"].to_str().unwrap();
        assert!(
            standing.starts_with(&format!(r#""message";r={};t="#, 2 - n)),
            "{standing}"
        );
    }
    let over = server
        .post(
            &path,
            &buyer.token,
            json!({"type": "text", "text": "one too many"}),
        )
        .await;
    over.expect_problem(429, "rate_limited");
    assert!(over.headers.contains_key("retry-after"));
    let standing = over.headers["ratelimit"].to_str().unwrap();
    assert!(standing.starts_with(r#""message";r=0;t="#), "{standing}");
    say(&server, &acme.main, &cid, "The exhibitor still answers").await;
    server.advance_clock(60).await;
    say(&server, &buyer.token, &cid, "a new minute").await;
}

/// Two fairlink-local processes over one store (moto), their clocks five seconds apart, as
/// two Lambda instances may be: the buyer writes through one, the assignee through the
/// other, at once. A poller catching up with `after=` through the first misses nothing and
/// sees the messages in the order they committed, and a read marker's unread count is the
/// other side's messages after it.
#[tokio::test]
async fn two_processes_apart_in_time_keep_one_order() {
    let first = start(Store::Aws).await;
    let organizer = with_fair(&first).await;
    let acme = exhibitor(&first, &organizer, "Acme").await;
    let rep = staff(&first, &acme, "Li", json!(["im"])).await;
    let xid = speaker(&first, &acme, &[&rep.id]).await;
    let buyer = buyer_in(&first, "Ann", "en", "America/New_York").await;
    let cid = id(&open(&first, &buyer, &acme, Some(&xid)).await);
    let dir = tempfile::tempdir().unwrap();
    let mut config = first.config.clone();
    config.data_dir = dir.path().to_path_buf();
    let second = TestServer::start(config, None).await;
    let now = first.now().await;
    second.set_clock(now - chrono::Duration::seconds(5)).await;

    let path = format!("/v1/conversations/{cid}/messages");
    let done = std::sync::atomic::AtomicBool::new(false);
    let poll = async {
        let mut seen: Vec<Value> = Vec::new();
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            let url = match seen.last() {
                Some(last) => format!("{path}?limit=200&after={}", last["id"].as_str().unwrap()),
                None => format!("{path}?limit=200&order=asc"),
            };
            let page = first.get(&url, &buyer.token).await.expect(200).clone();
            seen.extend(items(&page).iter().cloned());
            if finished {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let write = async {
        let mut sent = Vec::new();
        for round in 0..12 {
            let (question, answer) = (format!("Question {round}"), format!("Answer {round}"));
            let (asked, answered) = tokio::join!(
                say(&first, &buyer.token, &cid, &question),
                say(&second, &rep.token, &cid, &answer),
            );
            sent.push(asked["id"].as_str().unwrap().to_string());
            sent.push(answered["id"].as_str().unwrap().to_string());
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        sent
    };
    let (seen, sent) = tokio::join!(poll, write);
    let seen_ids: Vec<&str> = seen.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let mut missed: Vec<&String> = sent
        .iter()
        .filter(|id| !seen_ids.contains(&id.as_str()))
        .collect();
    missed.sort();
    assert!(missed.is_empty(), "the poller skipped {missed:?}");
    assert_eq!(seen_ids.len(), sent.len(), "each message once");
    let listed = first
        .get(&format!("{path}?limit=200&order=asc"), &buyer.token)
        .await
        .expect(200)
        .clone();
    let listed: Vec<&str> = items(&listed)
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed, seen_ids,
        "catching up reads them in the order of the list"
    );

    // The buyer reads up to each message in turn: its unread count is the assignee's
    // messages after that marker.
    for (at, marker) in listed.iter().enumerate() {
        let after_marker = seen[at + 1..]
            .iter()
            .filter(|m| m["senderId"] == rep.id.as_str())
            .count();
        let read = second
            .post(
                &format!("/v1/conversations/{cid}/read"),
                &buyer.token,
                json!({"upToMessageId": marker}),
            )
            .await
            .expect(200)
            .clone();
        assert_eq!(read["unreadCount"], after_marker, "after {marker}");
    }
    second.stop().await;
}
