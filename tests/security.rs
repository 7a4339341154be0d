//! Tokens, ids, logs and the buyer registration limit (issue 7).

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use fairlink_domain::rate_limit::RateLimit;
use fairlink_http::auth::{LOCAL_AUDIENCE, LOCAL_ISSUER, TokenClaims};
use fairlink_tests::{
    Store, TestServer,
    fixtures::{buyer_in, exhibitor, id, speaker_with_reps, staff, with_fair},
    local_config, start,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

fairlink_tests::scenarios!(
    bad_tokens_are_refused,
    ids_do_not_reveal_their_neighbours,
    buyer_registration_is_limited_per_client_address,
    line_breaks_never_reach_email_subjects_or_sms,
    card_websites_are_web_links_only,
    browser_pages_of_local_origins_may_call,
    a_caller_without_the_right_is_refused_before_its_body_is_read,
    a_caller_without_the_right_to_an_object_is_refused_before_its_body_is_read,
);

fn sign(secret: &[u8], algorithm: Algorithm, claims: &TokenClaims) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn bad_tokens_are_refused(store: Store) {
    let server = start(store).await;
    let secret = server.config.jwt_secret.clone().into_bytes();
    let now = server.now().await.timestamp();
    let good = TokenClaims {
        sub: "organizer".into(),
        iss: LOCAL_ISSUER.into(),
        aud: LOCAL_AUDIENCE.into(),
        iat: now,
        exp: now + 3600,
    };
    // The reference: the same claims, correctly signed, are accepted.
    server
        .get("/v1/me", &sign(&secret, Algorithm::HS256, &good))
        .await
        .expect(200);

    let with = |change: &dyn Fn(&mut TokenClaims)| {
        let mut claims = good.clone();
        change(&mut claims);
        claims
    };
    let unsigned = {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).unwrap());
        format!("{header}.{body}.")
    };
    let cases = [
        (
            "expired",
            sign(&secret, Algorithm::HS256, &with(&|c| c.exp = now - 1)),
        ),
        (
            "wrong audience",
            sign(
                &secret,
                Algorithm::HS256,
                &with(&|c| c.aud = "other-app".into()),
            ),
        ),
        (
            "wrong issuer",
            sign(
                &secret,
                Algorithm::HS256,
                &with(&|c| c.iss = "https://evil.example".into()),
            ),
        ),
        ("alg none", unsigned),
        // Another HMAC algorithm with the right secret: only HS256 is accepted.
        ("alg HS512", sign(&secret, Algorithm::HS512, &good)),
        (
            "another secret",
            sign(b"not the secret", Algorithm::HS256, &good),
        ),
        ("not a JWT", "hello".to_string()),
    ];
    for (case, token) in cases {
        let response = server.get("/v1/me", &token).await;
        assert_eq!(
            (response.status, response.code()),
            (401, "unauthenticated"),
            "{case}: {:?}",
            response.body
        );
        assert_eq!(response.content_type, "application/problem+json", "{case}");
    }
}

/// Ids made one after another by one instance (a booking and the notices it brings, say)
/// are not each other plus one: knowing one id tells nothing of the next.
async fn ids_do_not_reveal_their_neighbours(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let ex = exhibitor(&server, &organizer, "Ningbo Tools").await;
    let mut ids = Vec::new();
    for n in 0..20 {
        let person = staff(&server, &ex, &format!("Sales {n}"), json!([])).await;
        ids.push(person.id);
    }
    let value = |id: &str| {
        let (_, ulid) = id.split_once('_').unwrap();
        assert_eq!(ulid.len(), 26, "{id}");
        ulid::Ulid::from_string(ulid).unwrap().0
    };
    for pair in ids.windows(2) {
        let step = value(&pair[1]).abs_diff(value(&pair[0]));
        assert!(step > 1 << 32, "{} then {}", pair[0], pair[1]);
    }
}

async fn buyer_registration_is_limited_per_client_address(store: Store) {
    // Off unless configured (local mode's default): many registrations from one address.
    let server = start(store).await;
    for n in 0..6 {
        buyer_in(&server, &format!("Free {n}"), "en", "UTC").await;
    }
    drop(server);

    let dir = tempfile::tempdir().unwrap();
    let mut config = local_config(store, dir.path().to_path_buf());
    config.registration_limit = Some(RateLimit {
        max: 3,
        window_seconds: 3600,
    });
    let server = TestServer::start(config, Some(Arc::new(dir))).await;
    let body = |n: usize| {
        json!({"name": format!("Buyer {n}"), "company": "Lee Imports", "country": "US",
            "email": fairlink_tests::fixtures::unique_email("limited"), "phone": "+12125550100",
            "language": "en", "timeZone": "UTC"})
    };
    let first = body(0);
    server
        .send("POST", "/v1/buyers", None, Some(first.clone()))
        .await
        .expect(201);
    server
        .send("POST", "/v1/buyers", None, Some(body(1)))
        .await
        .expect(201);
    // A refused attempt counts too: probing for registered emails costs a registration.
    server
        .send("POST", "/v1/buyers", None, Some(first))
        .await
        .expect_problem(409, "email_taken");
    let refused = server.send("POST", "/v1/buyers", None, Some(body(3))).await;
    refused.expect_problem(429, "rate_limited");
    let retry_after: u64 = refused
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert!((1..=3600).contains(&retry_after));

    // The next window lets the address in again.
    server.advance_clock(3600).await;
    server
        .send("POST", "/v1/buyers", None, Some(body(4)))
        .await
        .expect(201);
}

/// Collects the JSON log lines the production subscriber writes (masking included).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One test owns the process's log subscriber: a whole flow at `debug`, on both backends
/// (the SDK's own debug logs included), and not one token, phone number or email address in
/// full in what was written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_carry_tokens_phone_numbers_or_emails_in_full() {
    use fairlink_telemetry::{Masked, json_logs};
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = json_logs(
        tracing_subscriber::EnvFilter::new("debug"),
        Masked(move || writer.clone()),
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let mut secrets = Vec::new();
    for store in [Store::Embedded, Store::Aws] {
        let server = start(store).await;
        let organizer = with_fair(&server).await;
        let ex = exhibitor(&server, &organizer, "Foshan Lighting").await;
        let sales = staff(&server, &ex, "Li Wei", json!(["appointments", "im"])).await;
        let buyer = buyer_in(&server, "Ann Lee", "en", "America/New_York").await;
        // Errors that name the address: a taken email, a refused token.
        let again = json!({"name": "Ann Again", "company": "X", "country": "US", "email": buyer.email,
            "phone": buyer.phone, "language": "en", "timeZone": "UTC"});
        server
            .send("POST", "/v1/buyers", None, Some(again))
            .await
            .expect_problem(409, "email_taken");
        server
            .get("/v1/me", &format!("{}x", buyer.token))
            .await
            .expect_problem(401, "unauthenticated");
        // A value logged on purpose is masked too, so this test would see a leak.
        tracing::warn!(email = %buyer.email, phone = %buyer.phone, token = %buyer.token, "deliberate");
        secrets.extend([
            buyer.email,
            buyer.phone,
            buyer.token,
            sales.email,
            sales.phone,
            sales.token,
            ex.main,
            organizer,
        ]);
        server.stop().await;
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("deliberate"), "nothing was captured");
    assert!(logs.contains("+***") && logs.contains("***@***") && logs.contains("[token]"));
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "{secret} is in the logs");
    }
    // No token fragment either: a token's signature never appears.
    for secret in secrets.iter().filter(|s| s.starts_with("eyJ")) {
        let signature = secret.rsplit('.').next().unwrap();
        assert!(
            !logs.contains(signature),
            "a token's signature is in the logs"
        );
    }
}

/// A name with CR/LF (`Eve\r\nBcc: …`) would shape the subject of the emails that carry it:
/// single-line fields refuse control characters, and whatever is sent is one line anyway.
async fn line_breaks_never_reach_email_subjects_or_sms(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let evil = "Eve\r\nBcc: victim@evil.test";
    let answer = server
        .send(
            "POST",
            "/v1/buyers",
            None,
            Some(
                json!({"name": evil, "company": "Evil\nCorp", "country": "US",
                        "email": "eve@evil.test", "language": "en", "timeZone": "UTC"}),
            ),
        )
        .await;
    answer.expect_problem(422, "validation_failed");
    let fields: Vec<&str> = answer.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "company"], "{}", answer.body);
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let li = staff(&server, &acme, "Li", json!(["im"])).await;
    server
        .patch(
            &format!("/v1/accounts/{}", li.id),
            &acme.main,
            json!({"name": evil}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let card = server
        .put("/v1/me/card", &acme.main, json!({"name": "Li", "title": evil, "company": "Acme",
                                               "phone": "+8613800138000", "email": "li@acme.example"}))
        .await;
    card.expect_problem(422, "validation_failed");
    assert_eq!(card.body["errors"][0]["field"], "title", "{}", card.body);
    let buyer = buyer_in(&server, "Ann", "en", "UTC").await;
    server
        .patch(
            &format!("/v1/accounts/{}", buyer.id),
            &buyer.token,
            json!({"name": "Ann\u{2028}Bcc: x@y.z"}),
        )
        .await
        .expect_problem(422, "validation_failed");
}

/// A card's website is shown as a link: only http(s), never `javascript:` or `data:`.
async fn card_websites_are_web_links_only(store: Store) {
    let server = start(store).await;
    let buyer = buyer_in(&server, "Ann", "en", "UTC").await;
    let card = |website: &str| {
        json!({"name": "Ann", "title": "Buyer", "company": "Lee Imports", "phone": "+12125550100",
               "email": "ann@lee.example", "website": website})
    };
    for bad in [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>x</script>",
        "file:///etc/passwd",
    ] {
        let answer = server.put("/v1/me/card", &buyer.token, card(bad)).await;
        answer.expect_problem(422, "validation_failed");
        assert_eq!(answer.body["errors"][0]["field"], "website", "{bad}");
    }
    server
        .put("/v1/me/card", &buyer.token, card("https://lee.example"))
        .await
        .expect(200);
}

/// A front-end's dev server (another origin) calls fairlink-local: preflights are answered
/// as the template's CORS answers them, other origins get no CORS headers.
async fn browser_pages_of_local_origins_may_call(store: Store) {
    let server = start(store).await;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, format!("{}/v1/me", server.base))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization, if-match")
            .send()
    };
    let allowed = preflight("http://localhost:5173").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let allowed_headers = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed_headers.contains("authorization") && allowed_headers.contains("if-match"));
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PATCH")
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );

    let token = server.organizer().await;
    let answer = server
        .client
        .get(format!("{}/v1/me", server.base))
        .header("origin", "http://127.0.0.1:8080")
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    let exposed = answer.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for name in ["retry-after", "etag", "x-request-id"] {
        assert!(exposed.contains(name), "{exposed}");
    }
}

/// Whoever may not call an operation hears so (403, or 404 for another tenant's exhibitor)
/// whatever its body holds: the body's faults are described only to those who may send it.
async fn a_caller_without_the_right_is_refused_before_its_body_is_read(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let beta = exhibitor(&server, &organizer, "Beta").await;
    let sales = staff(&server, &acme, "Li", json!(["appointments", "recommend"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let bad = json!({"startsAt": "not a time", "name": 5, "email": false});
    let slots = format!("/v1/exhibitors/{}/slots", acme.id);
    let exhibits = format!("/v1/exhibitors/{}/exhibits", acme.id);
    let accounts = format!("/v1/exhibitors/{}/accounts", acme.id);
    for (path, token, status, code) in [
        (slots.as_str(), sales.token.as_str(), 403, "forbidden"),
        (slots.as_str(), beta.main.as_str(), 404, "not_found"),
        (slots.as_str(), buyer.token.as_str(), 403, "forbidden"),
        (exhibits.as_str(), sales.token.as_str(), 403, "forbidden"),
        (accounts.as_str(), beta.main.as_str(), 404, "not_found"),
        ("/v1/exhibitors", acme.main.as_str(), 403, "forbidden"),
        ("/v1/intents", acme.main.as_str(), 403, "forbidden"),
    ] {
        let answer = server.post(path, token, bad.clone()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "POST {path}: {}",
            answer.body
        );
    }
    let answer = server
        .put("/v1/fair", &buyer.token, json!({"name": 1}))
        .await;
    answer.expect_problem(403, "forbidden");
    // The one who may is told what is wrong with the body.
    let answer = server.post(&slots, &acme.main, bad).await;
    answer.expect_problem(422, "validation_failed");
}

/// The same where the right depends on the object the path names (a slot's, booking's,
/// exhibit's, delivered intent's, conversation's or account's exhibitor and participants):
/// the object is read and the caller checked before the body is looked at.
async fn a_caller_without_the_right_to_an_object_is_refused_before_its_body_is_read(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let acme = exhibitor(&server, &organizer, "Acme").await;
    let beta = exhibitor(&server, &organizer, "Beta").await;
    let sales = staff(&server, &acme, "Li", json!(["appointments", "im"])).await;
    let colleague = staff(&server, &acme, "Wu", json!(["appointments"])).await;
    let buyer = buyer_in(&server, "Ann", "en", "America/New_York").await;
    let stranger = buyer_in(&server, "Bob", "en", "Europe/Berlin").await;
    let now = server.now().await;

    let slots = format!("/v1/exhibitors/{}/slots", acme.id);
    let starts_at = fairlink_domain::time::format(now + chrono::Duration::days(2));
    let sid = id(server
        .post(&slots, &acme.main, json!({"startsAt": starts_at}))
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
    let xid = speaker_with_reps(&server, &acme, &[&sales.id]).await;
    let cid = id(server
        .post(
            "/v1/conversations",
            &buyer.token,
            json!({"exhibitorId": acme.id, "exhibitId": xid}),
        )
        .await
        .expect(201));
    let intent = json!({"productName": "Speaker", "categoryId": "speakers", "keywords": [],
        "quantity": {"amount": 500, "unit": "pcs"}, "destinationCountry": "US",
        "exhibitorId": acme.id,
        "validUntil": fairlink_domain::time::format(now + chrono::Duration::days(30))});
    let iid = id(server
        .post("/v1/intents", &buyer.token, intent)
        .await
        .expect(201));

    // Wrong in every field any of these operations reads.
    let bad = json!({"startsAt": "not a time", "endsAt": 1, "accountId": 7, "accountIds": "x",
        "email": false, "name": 5, "type": 9, "text": [], "upToMessageId": {}, "toAccountId": 2,
        "permissions": "all"});
    let slot = format!("/v1/slots/{sid}");
    let assignment = format!("/v1/bookings/{bid}/assignment");
    let invitees = format!("/v1/bookings/{bid}/invitees");
    let exhibit = format!("/v1/exhibits/{xid}");
    let reps = format!("/v1/exhibits/{xid}/reps");
    let intent_assignment = format!("/v1/intents/{iid}/assignment");
    let messages = format!("/v1/conversations/{cid}/messages");
    let read = format!("/v1/conversations/{cid}/read");
    let transfer = format!("/v1/conversations/{cid}/transfer");
    let account = format!("/v1/accounts/{}", sales.id);
    for (method, path, token, status) in [
        ("PATCH", &slot, &sales.token, 403),
        ("PATCH", &slot, &beta.main, 404),
        // Not a participant: the booking is not its to see.
        ("POST", &assignment, &sales.token, 404),
        ("POST", &assignment, &beta.main, 404),
        ("POST", &invitees, &stranger.token, 404),
        ("POST", &invitees, &beta.main, 404),
        ("PATCH", &exhibit, &sales.token, 403),
        ("PATCH", &exhibit, &beta.main, 404),
        ("PUT", &reps, &sales.token, 403),
        ("PUT", &reps, &beta.main, 404),
        ("POST", &intent_assignment, &colleague.token, 403),
        ("POST", &intent_assignment, &beta.main, 404),
        ("POST", &messages, &stranger.token, 404),
        ("POST", &messages, &beta.main, 404),
        ("POST", &read, &stranger.token, 404),
        ("POST", &transfer, &buyer.token, 403),
        ("POST", &transfer, &beta.main, 404),
        ("PATCH", &account, &colleague.token, 403),
        ("PATCH", &account, &beta.main, 404),
    ] {
        let answer = server
            .send(method, path, Some(token.as_str()), Some(bad.clone()))
            .await;
        let code = if status == 403 {
            "forbidden"
        } else {
            "not_found"
        };
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{method} {path}: {}",
            answer.body
        );
    }
    // Those who may are told what is wrong with the body.
    for (method, path, token) in [
        ("PATCH", &slot, &acme.main),
        ("POST", &assignment, &acme.main),
        ("POST", &invitees, &buyer.token),
        ("PATCH", &exhibit, &acme.main),
        ("PUT", &reps, &acme.main),
        ("POST", &intent_assignment, &acme.main),
        ("POST", &messages, &buyer.token),
        ("POST", &read, &buyer.token),
        ("POST", &transfer, &acme.main),
        ("PATCH", &account, &acme.main),
    ] {
        let answer = server
            .send(method, path, Some(token.as_str()), Some(bad.clone()))
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (422, "validation_failed"),
            "{method} {path}: {}",
            answer.body
        );
    }
}
