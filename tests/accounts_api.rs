//! The accounts feature over HTTP against fairlink-local, on both backends.

use fairlink_tests::{
    Store, TestServer,
    fixtures::{buyer, exhibitor, id, profile, sub_account, unique_email, with_fair},
    sample_fair, start,
};
use serde_json::{Value, json};

fairlink_tests::scenarios!(
    the_organizer_sets_up_the_fair_and_exhibitors,
    main_accounts_manage_their_sub_accounts,
    sub_accounts_cannot_raise_their_own_rights,
    deactivated_accounts_are_shut_out,
    buyers_register_and_see_themselves,
    distribution_defaults_to_auto_and_locks_at_the_lock_time,
    auto_replies_are_the_main_accounts_to_set,
    tokens_are_required_and_verified,
    bad_input_answers_problems,
    creates_are_idempotent,
    the_message_centre_lists_and_marks_read,
    data_survives_a_restart,
);

async fn the_organizer_sets_up_the_fair_and_exhibitors(store: Store) {
    let server = start(store).await;
    let organizer = server.organizer().await;
    server
        .get("/v1/fair", &organizer)
        .await
        .expect_problem(404, "not_found");
    let early = json!({"name": "Early", "zoneIds": ["electronics"], "mainAccount": profile("M", &unique_email("m"))});
    server
        .post("/v1/exhibitors", &organizer, early)
        .await
        .expect_problem(409, "fair_not_configured");

    let now = server.now().await;
    let fair = server
        .put("/v1/fair", &organizer, sample_fair(now))
        .await
        .expect(200)
        .clone();
    assert_eq!(fair["zones"].as_array().unwrap().len(), 2);
    assert!(fair["id"].as_str().unwrap().starts_with("fair_"));
    let again = server
        .put("/v1/fair", &organizer, sample_fair(now))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        again["id"], fair["id"],
        "replacing the settings keeps the fair's id"
    );

    let (_, buyer) = buyer(&server).await;
    assert_eq!(
        server.get("/v1/fair", &buyer).await.expect(200)["timeZone"],
        "Asia/Shanghai"
    );
    server
        .put("/v1/fair", &buyer, sample_fair(now))
        .await
        .expect_problem(403, "forbidden");

    let email = unique_email("acme");
    let body = json!({"name": "Acme Audio", "zoneIds": ["electronics"], "recommendationQuota": 12, "mainAccount": profile("Wang Wei", &email)});
    let created = server
        .post("/v1/exhibitors", &organizer, body.clone())
        .await
        .expect(201)
        .clone();
    let main = &created["mainAccount"];
    assert_eq!(main["isMain"], true);
    assert_eq!(main["role"], "exhibitor");
    assert_eq!(main["exhibitorId"], created["exhibitor"]["id"]);
    assert_eq!(
        main["permissions"].as_array().unwrap().len(),
        7,
        "a main account has every permission"
    );
    assert_eq!(created["exhibitor"]["recommendationQuota"], 12);

    let eid = id(&created["exhibitor"]);
    let public = server
        .get(&format!("/v1/exhibitors/{eid}"), &buyer)
        .await
        .expect(200)
        .clone();
    assert_eq!(public["name"], "Acme Audio");
    assert!(
        public.get("mainAccountId").is_none(),
        "the public profile shows no accounts"
    );
    server
        .get("/v1/exhibitors/exh_nothing", &buyer)
        .await
        .expect_problem(404, "not_found");

    server
        .post("/v1/exhibitors", &organizer, body)
        .await
        .expect_problem(409, "email_taken");
    let main_token = server.token(&id(main)).await;
    let me = server.get("/v1/me", &main_token).await.expect(200).clone();
    assert_eq!(me["email"], email);
    server
        .post("/v1/exhibitors", &main_token, json!({"name": "X", "zoneIds": ["home"], "mainAccount": profile("M", &unique_email("x"))}))
        .await
        .expect_problem(403, "forbidden");

    let bad = json!({"name": "Bad", "zoneIds": ["moon"], "mainAccount": profile("M", &unique_email("b"))});
    let response = server.post("/v1/exhibitors", &organizer, bad).await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "zoneIds[0]");
}

async fn main_accounts_manage_their_sub_accounts(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let other = exhibitor(&server, &organizer, "Other").await;
    let (_, buyer) = buyer(&server).await;

    let (sub_id, sub) = sub_account(&server, &acme, json!(["im", "intents"])).await;
    let me = server.get("/v1/me", &sub).await.expect(200).clone();
    assert_eq!(me["isMain"], false);
    assert_eq!(me["permissions"], json!(["im", "intents"]));
    assert_eq!(me["zoneIds"], json!(["electronics"]));

    let mut outside_zone = profile("Z", &unique_email("z"));
    outside_zone["zoneIds"] = json!(["home"]);
    server
        .post(
            &format!("/v1/exhibitors/{}/accounts", acme.id),
            &acme.main,
            outside_zone,
        )
        .await
        .expect_problem(422, "validation_failed");
    let mut bad_permission = profile("P", &unique_email("p"));
    bad_permission["permissions"] = json!(["fly"]);
    let response = server
        .post(
            &format!("/v1/exhibitors/{}/accounts", acme.id),
            &acme.main,
            bad_permission,
        )
        .await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "permissions[0]");

    // Three more, then page through all five, two at a time.
    for _ in 0..3 {
        sub_account(&server, &acme, json!(["appointments"])).await;
    }
    let mut seen = Vec::new();
    let mut path = format!("/v1/exhibitors/{}/accounts?limit=2", acme.id);
    loop {
        let page = server.get(&path, &acme.main).await.expect(200).clone();
        seen.extend(page["items"].as_array().unwrap().iter().map(id));
        match page["nextCursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/v1/exhibitors/{}/accounts?limit=2&cursor={cursor}",
                    acme.id
                )
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[0], acme.main_id, "oldest first");
    assert_eq!(seen[1], sub_id);

    let accounts = format!("/v1/exhibitors/{}/accounts", acme.id);
    server
        .get(&accounts, &sub)
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&accounts, &other.main)
        .await
        .expect_problem(404, "not_found");
    server
        .get(&accounts, &buyer)
        .await
        .expect_problem(403, "forbidden");
    server
        .post(&accounts, &other.main, profile("X", &unique_email("x")))
        .await
        .expect_problem(404, "not_found");

    let sub_path = format!("/v1/accounts/{sub_id}");
    let patched = server
        .patch(
            &sub_path,
            &acme.main,
            json!({"permissions": ["im", "recommend"], "name": "Li Na"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(patched["permissions"], json!(["im", "recommend"]));
    assert_eq!(
        server.get("/v1/me", &sub).await.expect(200)["name"],
        "Li Na"
    );
    server
        .patch(&sub_path, &other.main, json!({"name": "Hijack"}))
        .await
        .expect_problem(404, "not_found");
    server
        .patch(&sub_path, &buyer, json!({"name": "Hijack"}))
        .await
        .expect_problem(404, "not_found");
    server
        .patch(&sub_path, &acme.main, json!({"email": "new@example.cn"}))
        .await
        .expect_problem(422, "validation_failed");
    server
        .patch(
            &format!("/v1/accounts/{}", acme.main_id),
            &acme.main,
            json!({"permissions": ["im"]}),
        )
        .await
        .expect_problem(422, "validation_failed");

    server
        .delete(&format!("/v1/accounts/{}", acme.main_id), &acme.main)
        .await
        .expect_problem(409, "conflict");
    server
        .delete(&sub_path, &other.main)
        .await
        .expect_problem(404, "not_found");
    server
        .delete(&sub_path, &sub)
        .await
        .expect_problem(403, "forbidden");
    server
        .delete("/v1/accounts/acc_nothing", &acme.main)
        .await
        .expect_problem(404, "not_found");
    server
        .put("/v1/me/presence", &sub, json!({"online": true}))
        .await
        .expect(200);
    assert_eq!(server.get("/v1/me", &sub).await.expect(200)["online"], true);
    server
        .put("/v1/me/presence", &buyer, json!({"online": true}))
        .await
        .expect_problem(403, "forbidden");
}

async fn sub_accounts_cannot_raise_their_own_rights(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (sub_id, sub) = sub_account(&server, &acme, json!(["im"])).await;
    let (colleague_id, _) = sub_account(&server, &acme, json!(["im"])).await;
    let me = format!("/v1/accounts/{sub_id}");
    server
        .patch(
            &me,
            &sub,
            json!({"permissions": ["im", "recommend", "intents"]}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .patch(&me, &sub, json!({"zoneIds": ["electronics", "home"]}))
        .await
        .expect_problem(403, "forbidden");
    let mine = server.get("/v1/me", &sub).await.expect(200).clone();
    assert_eq!(mine["permissions"], json!(["im"]));
    // Its own profile it may change, and clear its phone with null.
    let changed = server
        .patch(
            &me,
            &sub,
            json!({"timeZone": "Europe/Berlin", "language": "en", "phone": null}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(changed["timeZone"], "Europe/Berlin");
    assert_eq!(changed["phone"], Value::Null);
    server
        .patch(&me, &sub, json!({"timeZone": "Europe/Atlantis"}))
        .await
        .expect_problem(422, "validation_failed");
    // A colleague's account is the main account's business.
    server
        .patch(
            &format!("/v1/accounts/{colleague_id}"),
            &sub,
            json!({"name": "x"}),
        )
        .await
        .expect_problem(403, "forbidden");
    server
        .get(&format!("/v1/exhibitors/{}/distribution", acme.id), &sub)
        .await
        .expect_problem(403, "forbidden");
}

async fn deactivated_accounts_are_shut_out(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (sub_id, sub) = sub_account(&server, &acme, json!(["im"])).await;
    assert_eq!(
        server
            .delete(&format!("/v1/accounts/{sub_id}"), &acme.main)
            .await
            .status,
        204
    );
    server
        .get("/v1/me", &sub)
        .await
        .expect_problem(401, "account_deactivated");
    // Deactivating again changes nothing; the account still shows, inactive.
    assert_eq!(
        server
            .delete(&format!("/v1/accounts/{sub_id}"), &acme.main)
            .await
            .status,
        204
    );
    let list = server
        .get(&format!("/v1/exhibitors/{}/accounts", acme.id), &acme.main)
        .await
        .expect(200)
        .clone();
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == sub_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["active"], false);
}

async fn buyers_register_and_see_themselves(store: Store) {
    let server = start(store).await;
    let email = unique_email("buyer");
    let body = json!({"name": "Ann Lee", "company": "Lee Imports", "country": "us", "email": email,
        "language": "en", "timeZone": "America/New_York"});
    let created = server
        .send("POST", "/v1/buyers", None, Some(body.clone()))
        .await
        .expect(201)
        .clone();
    assert_eq!(created["role"], "buyer");
    assert_eq!(created["country"], "US");
    assert_eq!(created["company"], "Lee Imports");
    let mut shouted = body.clone();
    shouted["email"] = json!(email.to_uppercase());
    server
        .send("POST", "/v1/buyers", None, Some(shouted))
        .await
        .expect_problem(409, "email_taken");

    let bad = json!({"name": "", "company": "C", "country": "USA", "email": "nope", "phone": "555",
        "language": "en", "timeZone": "America/Gotham"});
    let response = server.send("POST", "/v1/buyers", None, Some(bad)).await;
    response.expect_problem(422, "validation_failed");
    let fields: Vec<&str> = response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "country", "email", "phone", "timeZone"]);
    // Any language the fair offers; a regional form of one; not one it does not offer.
    let french = server.send("POST", "/v1/buyers", None, Some(json!({"name": "A", "company": "C", "country": "FR", "email": "a@b.fr", "language": "fr", "timeZone": "Europe/Paris"}))).await;
    assert_eq!(french.expect(201)["language"], "fr");
    let brazilian = server.send("POST", "/v1/buyers", None, Some(json!({"name": "A", "company": "C", "country": "BR", "email": "a@b.br", "language": "pt-br", "timeZone": "America/Sao_Paulo"}))).await;
    assert_eq!(brazilian.expect(201)["language"], "pt-BR");
    let response = server.send("POST", "/v1/buyers", None, Some(json!({"name": "A", "company": "C", "country": "DE", "email": "a@b.de", "language": "de", "timeZone": "UTC"}))).await;
    response.expect_problem(422, "unsupported_language");
    assert_eq!(
        response.body["languages"],
        json!(["en", "zh", "es", "fr", "ru", "ar", "pt"])
    );
    let response = server.send("POST", "/v1/buyers", None, Some(json!({"name": "A", "company": "C", "country": "DE", "email": "a@b.de", "language": "Deutsch!", "timeZone": "UTC"}))).await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "language");

    let token = server.token(&id(&created)).await;
    let me = server.get("/v1/me", &token).await.expect(200).clone();
    assert_eq!(me["id"], created["id"]);
    assert!(me.get("exhibitorId").is_none());
    let changed = server
        .patch(
            &format!("/v1/accounts/{}", id(&created)),
            &token,
            json!({"timeZone": "Europe/Berlin"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(changed["timeZone"], "Europe/Berlin");
    let (other_buyer, _) = buyer(&server).await;
    server
        .patch(
            &format!("/v1/accounts/{other_buyer}"),
            &token,
            json!({"name": "x"}),
        )
        .await
        .expect_problem(404, "not_found");
    server
        .delete(&format!("/v1/accounts/{other_buyer}"), &token)
        .await
        .expect_problem(404, "not_found");
}

async fn distribution_defaults_to_auto_and_locks_at_the_lock_time(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let other = exhibitor(&server, &organizer, "Other").await;
    let (_, buyer) = buyer(&server).await;
    let path = format!("/v1/exhibitors/{}/distribution", acme.id);
    assert_eq!(
        server.get(&path, &acme.main).await.expect(200),
        &json!({"imMode": "auto", "intentMode": "auto", "locked": false})
    );
    let manual = json!({"imMode": "manual", "intentMode": "auto"});
    assert_eq!(
        server
            .put(&path, &acme.main, manual.clone())
            .await
            .expect(200)["imMode"],
        "manual"
    );
    assert_eq!(
        server.get(&path, &acme.main).await.expect(200)["imMode"],
        "manual"
    );
    server
        .get(&path, &other.main)
        .await
        .expect_problem(404, "not_found");
    server
        .put(&path, &other.main, manual.clone())
        .await
        .expect_problem(404, "not_found");
    server
        .get(&path, &buyer)
        .await
        .expect_problem(403, "forbidden");
    server
        .put(
            &path,
            &acme.main,
            json!({"imMode": "sometimes", "intentMode": "auto"}),
        )
        .await
        .expect_problem(422, "validation_failed");

    // The sample fair locks distribution one day from now.
    server.advance_clock(24 * 3600 + 1).await;
    let main = server.token(&acme.main_id).await; // the first token expired with the day
    let locked = server
        .put(
            &path,
            &main,
            json!({"imMode": "auto", "intentMode": "manual"}),
        )
        .await;
    locked.expect_problem(409, "settings_locked");
    assert_eq!(
        server.get(&path, &main).await.expect(200),
        &json!({"imMode": "manual", "intentMode": "auto", "locked": true})
    );
}

async fn auto_replies_are_the_main_accounts_to_set(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let other = exhibitor(&server, &organizer, "Other").await;
    let (_, sub) = sub_account(&server, &acme, json!(["im"])).await;
    let path = format!("/v1/exhibitors/{}/auto-replies", acme.id);
    assert_eq!(
        server.get(&path, &acme.main).await.expect(200),
        &json!({"online": null, "offline": null})
    );
    let texts =
        json!({"online": "您好，欢迎咨询！", "offline": "We are offline and will reply soon."});
    assert_eq!(
        server
            .put(&path, &acme.main, texts.clone())
            .await
            .expect(200),
        &texts
    );
    assert_eq!(server.get(&path, &acme.main).await.expect(200), &texts);
    let cleared = server
        .put(&path, &acme.main, json!({"online": "  ", "offline": null}))
        .await
        .expect(200)
        .clone();
    assert_eq!(cleared, json!({"online": null, "offline": null}));
    let response = server
        .put(
            &path,
            &acme.main,
            json!({"online": "x".repeat(1001), "offline": null}),
        )
        .await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "online");
    server
        .get(&path, &sub)
        .await
        .expect_problem(403, "forbidden");
    server
        .put(&path, &other.main, texts)
        .await
        .expect_problem(404, "not_found");
}

async fn tokens_are_required_and_verified(store: Store) {
    let server = start(store).await;
    assert_eq!(
        server.send("GET", "/health", None, None).await.expect(200)["status"],
        "ok"
    );
    server
        .send("GET", "/v1/me", None, None)
        .await
        .expect_problem(401, "unauthenticated");
    let token = server.organizer().await;
    server.get("/v1/me", &token).await.expect(200);

    let mut tampered = token.clone().into_bytes();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    server
        .get("/v1/me", &String::from_utf8(tampered).unwrap())
        .await
        .expect_problem(401, "unauthenticated");
    let (header, rest) = token.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let forged_claims = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"organizer","iss":"fairlink-local","aud":"fairlink","iat":0,"exp":99999999999}"#)
    };
    server
        .get("/v1/me", &format!("{header}.{forged_claims}.{signature}"))
        .await
        .expect_problem(401, "unauthenticated");
    let now = server.now().await;
    let foreign = fairlink_http::issue_token(
        b"another secret",
        "organizer",
        now,
        chrono::Duration::hours(1),
    );
    server
        .get("/v1/me", &foreign)
        .await
        .expect_problem(401, "unauthenticated");
    let ghost = fairlink_http::issue_token(
        server.config.jwt_secret.as_bytes(),
        "acc_ghost",
        now,
        chrono::Duration::hours(1),
    );
    server
        .get("/v1/me", &ghost)
        .await
        .expect_problem(401, "unknown_identity");
    server
        .send_raw(
            "GET",
            "/v1/me",
            None,
            vec![],
            &[("authorization", "Basic b3JnYW5pemVyOng=")],
        )
        .await
        .expect_problem(401, "unauthenticated");
    server
        .send(
            "POST",
            "/v1/dev/tokens",
            None,
            Some(json!({"accountId": "acc_ghost"})),
        )
        .await
        .expect_problem(404, "not_found");

    // Expiry follows the server's clock (dev tokens last 30 days).
    server.advance_clock(31 * 86_400).await;
    server
        .get("/v1/me", &token)
        .await
        .expect_problem(401, "unauthenticated");
}

async fn bad_input_answers_problems(store: Store) {
    let server = start(store).await;
    let organizer = server.organizer().await;
    // Six bad fields of a registration, type errors and rule errors, named in one answer,
    // each with its JSON pointer.
    let response = server
        .send(
            "POST",
            "/v1/buyers",
            None,
            Some(
                json!({"name": "", "company": " ", "country": "", "email": "not-an-email",
                "language": "x!", "timeZone": "Mars/Olympus"}),
            ),
        )
        .await;
    response.expect_problem(422, "validation_failed");
    let mut named: Vec<(String, String)> = response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    named.sort();
    let fields: Vec<&str> = named.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "company", "country", "email", "language", "name", "timeZone"
        ],
        "{named:?}"
    );
    assert!(named.iter().all(|(f, p)| *p == format!("/{f}")));
    let json_header = [("content-type", "application/json")];
    let response = server
        .send_raw(
            "PUT",
            "/v1/fair",
            Some(&organizer),
            b"{\"name\": ".to_vec(),
            &json_header,
        )
        .await;
    response.expect_problem(400, "malformed_json");
    assert!(response.body["detail"].as_str().unwrap().contains("JSON"));
    server
        .send_raw("PUT", "/v1/fair", Some(&organizer), vec![], &json_header)
        .await
        .expect_problem(400, "malformed_json");

    // A body said to be something else than JSON.
    let fair = serde_json::to_vec(&sample_fair(server.now().await)).unwrap();
    server
        .send_raw(
            "PUT",
            "/v1/fair",
            Some(&organizer),
            fair,
            &[("content-type", "text/plain")],
        )
        .await
        .expect_problem(415, "unsupported_media_type");
    // A malformed language tag in plain words.
    let answer = server
        .send(
            "POST",
            "/v1/buyers",
            None,
            Some(
                json!({"name": "Ann", "company": "Lee", "country": "US", "email": "ann@x.example",
                        "language": "French!", "timeZone": "UTC"}),
            ),
        )
        .await;
    answer.expect_problem(422, "validation_failed");
    assert_eq!(answer.body["errors"][0]["field"], "language");
    assert_eq!(
        answer.body["errors"][0]["message"],
        "must be a BCP 47 language tag such as en, zh, pt-BR"
    );

    let mut wrong_type = sample_fair(server.now().await);
    wrong_type["defaultRecommendationQuota"] = json!("ten");
    let response = server.put("/v1/fair", &organizer, wrong_type).await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(
        response.body["errors"][0]["field"],
        "defaultRecommendationQuota"
    );
    let mut missing = sample_fair(server.now().await);
    missing["zones"][1].as_object_mut().unwrap().remove("name");
    let response = server.put("/v1/fair", &organizer, missing).await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "zones[1].name");
    let mut unknown_zone = sample_fair(server.now().await);
    unknown_zone["timeZone"] = json!("Asia/Beijing");
    let response = server.put("/v1/fair", &organizer, unknown_zone).await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "timeZone");

    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1_100_000));
    server
        .send_raw(
            "POST",
            "/v1/buyers",
            None,
            huge.clone().into_bytes(),
            &json_header,
        )
        .await
        .expect_problem(413, "payload_too_large");
    let with_key = [
        ("content-type", "application/json"),
        ("idempotency-key", "big-1"),
    ];
    server
        .send_raw("POST", "/v1/buyers", None, huge.into_bytes(), &with_key)
        .await
        .expect_problem(413, "payload_too_large");

    server
        .get("/v1/nothing-here", &organizer)
        .await
        .expect_problem(404, "not_found");
    server
        .send("DELETE", "/v1/fair", Some(&organizer), None)
        .await
        .expect_problem(405, "method_not_allowed");
    server
        .get("/v1/exhibitors/x/accounts?limit=0", &organizer)
        .await
        .expect_problem(422, "validation_failed");
    let response = server
        .get("/v1/me/notifications?limit=abc", &organizer)
        .await;
    response.expect_problem(422, "validation_failed");
    assert_eq!(response.body["errors"][0]["field"], "limit");
    server
        .get("/v1/me/notifications?cursor=bm90IGEgY3Vyc29y", &organizer)
        .await
        .expect_problem(422, "validation_failed");
}

async fn creates_are_idempotent(store: Store) {
    let server = start(store).await;
    let body = json!({"name": "Ann", "company": "C", "country": "US", "email": unique_email("idem"), "language": "en", "timeZone": "UTC"});
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "register-ann-1"),
    ];
    let bytes = serde_json::to_vec(&body).unwrap();
    let first = server
        .send_raw("POST", "/v1/buyers", None, bytes.clone(), &headers)
        .await;
    first.expect(201);
    let second = server
        .send_raw("POST", "/v1/buyers", None, bytes, &headers)
        .await;
    second.expect(201);
    assert_eq!(
        second.body["id"], first.body["id"],
        "the same response, not a second buyer"
    );
    assert_eq!(second.headers["idempotency-replayed"], "true");
    let mut other = body.clone();
    other["name"] = json!("Bob");
    server
        .send_raw(
            "POST",
            "/v1/buyers",
            None,
            serde_json::to_vec(&other).unwrap(),
            &headers,
        )
        .await
        .expect_problem(422, "idempotency_key_reused");
    server
        .send_raw(
            "POST",
            "/v1/buyers",
            None,
            serde_json::to_vec(&other).unwrap(),
            &[("idempotency-key", "has spaces")],
        )
        .await
        .expect_problem(422, "validation_failed");

    // Keys belong to the caller: an exhibitor's retried create makes one account.
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let mut sub = profile("Sales", &unique_email("s"));
    sub["permissions"] = json!(["im"]);
    let path = format!("/v1/exhibitors/{}/accounts", acme.id);
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "register-ann-1"),
    ];
    let sub_bytes = serde_json::to_vec(&sub).unwrap();
    let a = server
        .send_raw("POST", &path, Some(&acme.main), sub_bytes.clone(), &headers)
        .await;
    let b = server
        .send_raw("POST", &path, Some(&acme.main), sub_bytes, &headers)
        .await;
    assert_eq!(a.expect(201)["id"], b.expect(201)["id"]);
    let list = server.get(&path, &acme.main).await.expect(200).clone();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "main and one sub-account"
    );
}

async fn the_message_centre_lists_and_marks_read(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let (_, sub) = sub_account(&server, &acme, json!(["notifications"])).await;
    let all = server
        .get("/v1/me/notifications", &sub)
        .await
        .expect(200)
        .clone();
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "account.created");
    assert_eq!(
        items[0]["title"], "欢迎使用 fairlink",
        "in the account's language"
    );
    assert_eq!(items[0]["readAt"], Value::Null);
    let nid = id(&items[0]);
    assert_eq!(
        server
            .get("/v1/me/notifications?unread=true", &sub)
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Another account cannot read it or mark it.
    server
        .post(
            &format!("/v1/me/notifications/{nid}/read"),
            &acme.main,
            json!({}),
        )
        .await
        .expect_problem(404, "not_found");
    let read = server
        .post(&format!("/v1/me/notifications/{nid}/read"), &sub, json!({}))
        .await
        .expect(200)
        .clone();
    assert!(read["readAt"].is_string());
    let again = server
        .post(&format!("/v1/me/notifications/{nid}/read"), &sub, json!({}))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        again["readAt"], read["readAt"],
        "reading again changes nothing"
    );
    assert_eq!(
        server
            .get("/v1/me/notifications?unread=true", &sub)
            .await
            .expect(200)["items"],
        json!([])
    );
    assert_eq!(
        server.get("/v1/me/notifications", &sub).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    server
        .post("/v1/me/notifications/ntf_nothing/read", &sub, json!({}))
        .await
        .expect_problem(404, "not_found");
    let main_items = server
        .get("/v1/me/notifications", &acme.main)
        .await
        .expect(200)
        .clone();
    assert!(
        main_items["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != nid.as_str())
    );
}

async fn data_survives_a_restart(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let clock = server.now().await;
    let (mut config, keep) = server.stop().await;
    config.bootstrap = true; // again: creating what exists is a no-op
    let server = TestServer::start(config, keep).await;
    server.set_clock(clock).await;
    let me = server.get("/v1/me", &acme.main).await.expect(200).clone();
    assert_eq!(me["id"], acme.main_id.as_str());
    assert_eq!(
        server.get("/v1/fair", &organizer).await.expect(200)["name"],
        "Canton Fair (online), 129th session"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let server = start(Store::Embedded).await;
    let doc = server
        .send("GET", "/openapi.json", None, None)
        .await
        .expect(200)
        .clone();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/health", &["get"][..]),
        ("/v1/fair", &["get", "put"]),
        ("/v1/exhibitors", &["post"]),
        ("/v1/exhibitors/{eid}", &["get"]),
        ("/v1/buyers", &["post"]),
        ("/v1/me", &["get"]),
        ("/v1/me/presence", &["put"]),
        ("/v1/exhibitors/{eid}/accounts", &["get", "post"]),
        ("/v1/accounts/{aid}", &["get", "patch", "delete"]),
        ("/v1/exhibitors/{eid}/distribution", &["get", "put"]),
        ("/v1/exhibitors/{eid}/auto-replies", &["get", "put"]),
        ("/v1/me/notifications", &["get"]),
        ("/v1/me/notifications/{nid}/read", &["post"]),
        ("/v1/dev/tokens", &["post"]),
        ("/v1/dev/outbox", &["get"]),
        ("/v1/dev/clock", &["post"]),
    ] {
        for method in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*method)).is_some(),
                "{method} {path} is not described"
            );
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let not_found = &doc["paths"]["/v1/exhibitors/{eid}"]["get"]["responses"]["404"]["content"];
    assert!(
        not_found["application/problem+json"]["schema"].is_object(),
        "errors are documented as problem+json: {not_found}"
    );
    let ok = &doc["paths"]["/v1/exhibitors/{eid}"]["get"]["responses"]["200"]["content"];
    assert!(ok["application/json"]["schema"].is_object());
}

#[tokio::test]
async fn dev_endpoints_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = fairlink_tests::local_config(Store::Embedded, dir.path().to_path_buf());
    config.dev_endpoints = false;
    config.test_clock = false;
    let server = TestServer::start(config, None).await;
    server
        .send(
            "POST",
            "/v1/dev/tokens",
            None,
            Some(json!({"accountId": "organizer"})),
        )
        .await
        .expect_problem(404, "not_found");
    let doc = server
        .send("GET", "/openapi.json", None, None)
        .await
        .expect(200)
        .clone();
    assert!(doc["paths"].get("/v1/dev/tokens").is_none());
}

#[tokio::test]
async fn the_clock_moves_only_in_test_clock_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = fairlink_tests::local_config(Store::Embedded, dir.path().to_path_buf());
    config.test_clock = false;
    let server = TestServer::start(config, None).await;
    server
        .send(
            "POST",
            "/v1/dev/clock",
            None,
            Some(json!({"advanceSeconds": 60})),
        )
        .await
        .expect_problem(409, "test_clock_off");
    let started = start(Store::Embedded).await;
    started
        .send(
            "POST",
            "/v1/dev/clock",
            None,
            Some(json!({"now": "2021-04-15T08:00:00Z", "advanceSeconds": 1})),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(
        started
            .set_clock("2021-04-15T08:00:00Z".parse().unwrap())
            .await
            .to_rfc3339(),
        "2021-04-15T08:00:00+00:00"
    );
}
