//! The authorization matrix: every operation of fairlink-local's /openapi.json, called as
//! each role, held to the table below. The calls are the sample events of events/ (their
//! path, query and body), served over HTTP by fairlink-local with the sample data.
//!
//! Roles: `-` no token, `O` the organizer, `X` another exhibitor's main account, `M` the
//! owning exhibitor's main account, `s` a sub-account of it without permissions, `S` one with
//! every permission (but not the assignee of the sample conversation), `y` another buyer,
//! `B` the owning buyer.
//!
//! A role the table allows must get a success (or the status the row names); one it does
//! not allow must get 401, 403, 404 or 422 and change nothing. No answer is ever a 5xx.
//! Denied calls run against one shared world; every allowed call that writes gets a fresh
//! one, so each starts from the sample state.

use fairlink_domain::ports::IdentitySubject;
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use fairlink_domain::model::{Permission, Role, Translation};
use fairlink_store::Repository;
use fairlink_tests::{
    Store, TestServer, local_config,
    sample::{account, event, seed},
};
use serde_json::Value;

const ROLES: [(char, &str); 8] = [
    ('-', ""),
    ('O', "organizer"),
    ('X', "acc_other_main"),
    ('M', "acc_sample_main"),
    ('s', "acc_matrix_plain"),
    ('S', "acc_matrix_staff"),
    ('y', "acc_matrix_buyer"),
    ('B', "acc_sample_buyer"),
];

/// (operation, sample event, roles allowed, status an allowed call gets when not 2xx).
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str, u16)] = &[
    ("GET /health", "accounts/health", "-OXMsSyB", 0),
    ("GET /v1/fair", "accounts/get-fair", "OXMsSyB", 0),
    ("PUT /v1/fair", "accounts/put-fair", "O", 0),
    ("POST /v1/exhibitors", "accounts/create-exhibitor", "O", 0),
    ("GET /v1/exhibitors/{eid}", "accounts/get-exhibitor", "OXMsSyB", 0),
    ("POST /v1/buyers", "accounts/register-buyer", "-OXMsSyB", 0),
    ("GET /v1/auth/config", "accounts/get-auth-config", "-OXMsSyB", 0),
    ("GET /v1/me", "accounts/get-me", "OXMsSyB", 0),
    ("PUT /v1/me/presence", "accounts/put-presence", "XMsS", 0),
    ("GET /v1/exhibitors/{eid}/accounts", "accounts/list-accounts", "M", 0),
    ("POST /v1/exhibitors/{eid}/accounts", "accounts/create-account", "M", 0),
    ("GET /v1/accounts/{aid}", "accounts/get-account", "M", 0),
    ("PATCH /v1/accounts/{aid}", "accounts/patch-account", "M", 0),
    ("DELETE /v1/accounts/{aid}", "accounts/delete-account", "M", 0),
    ("GET /v1/exhibitors/{eid}/distribution", "accounts/get-distribution", "M", 0),
    ("PUT /v1/exhibitors/{eid}/distribution", "accounts/put-distribution", "M", 0),
    ("GET /v1/exhibitors/{eid}/auto-replies", "accounts/get-auto-replies", "M", 0),
    ("PUT /v1/exhibitors/{eid}/auto-replies", "accounts/put-auto-replies", "M", 0),
    ("GET /v1/me/notifications", "notifications/list-notifications", "OXMsSyB", 0),
    ("POST /v1/me/notifications/{nid}/read", "notifications/read-notification", "M", 0),
    ("POST /v1/exhibitors/{eid}/exhibits", "exhibits/create-exhibit", "M", 0),
    ("GET /v1/exhibitors/{eid}/exhibits", "exhibits/list-exhibits", "OXMsSyB", 0),
    ("GET /v1/exhibits/{xid}", "exhibits/get-exhibit", "OXMsSyB", 0),
    ("PATCH /v1/exhibits/{xid}", "exhibits/patch-exhibit", "M", 0),
    ("DELETE /v1/exhibits/{xid}", "exhibits/delete-exhibit", "M", 0),
    ("PUT /v1/exhibits/{xid}/reps", "exhibits/put-reps", "M", 0),
    ("POST /v1/exhibits/{xid}/recommendation", "exhibits/recommend", "MS", 0),
    ("DELETE /v1/exhibits/{xid}/recommendation", "exhibits/withdraw-recommendation", "MS", 0),
    ("GET /v1/exhibitors/{eid}/recommendations", "exhibits/list-recommendations", "MS", 0),
    ("POST /v1/intents", "intents/publish-intent", "yB", 0),
    ("GET /v1/intents", "intents/list-intents", "yB", 0),
    ("GET /v1/intents/{iid}", "intents/get-intent", "MsSB", 0),
    ("POST /v1/intents/{iid}/close", "intents/close-intent", "B", 0),
    ("GET /v1/intents/{iid}/matches", "intents/intent-matches", "B", 0),
    ("POST /v1/me/recommendations/{id}/feedback", "intents/recommendation-feedback", "B", 0),
    ("GET /v1/fair/matching-feedback", "intents/matching-feedback", "O", 0),
    ("GET /v1/me/recommendations", "intents/my-recommendations", "yB", 0),
    ("GET /v1/exhibitors/{eid}/intents", "intents/exhibitor-intents", "M", 0),
    // "me" lists are the caller's own: another exhibitor's main gets its own (empty) list.
    ("GET /v1/me/intents", "intents/my-intents", "XMS", 0),
    ("POST /v1/intents/{iid}/assignment", "intents/assign-intent", "M", 0),
    ("POST /v1/intents/{iid}/complete", "intents/complete-intent", "M", 0),
    ("GET /v1/exhibitors/{eid}/exhibit-matches", "intents/exhibit-matches", "MS", 0),
    ("POST /v1/exhibitors/{eid}/slots", "appointments/create-slot", "M", 0),
    ("POST /v1/exhibitors/{eid}/slots/batch", "appointments/create-slots-batch", "M", 0),
    ("GET /v1/exhibitors/{eid}/slots", "appointments/list-slots", "OXMsSyB", 0),
    // The sample spare slot is in the future with room: every signed-in caller sees it.
    ("GET /v1/slots/{sid}", "appointments/get-slot", "OXMsSyB", 0),
    ("PATCH /v1/slots/{sid}", "appointments/patch-slot", "M", 0),
    ("DELETE /v1/slots/{sid}", "appointments/delete-slot", "M", 0),
    ("POST /v1/slots/{sid}/bookings", "appointments/book-slot", "yB", 0),
    ("GET /v1/bookings/{bid}", "appointments/get-booking", "MB", 0),
    ("POST /v1/bookings/{bid}/assignment", "appointments/assign-booking", "M", 0),
    // The sample booking is not confirmed yet: the allowed roles get past authorization to
    // the state rule (409 booking_not_confirmed); the others never get that far.
    ("POST /v1/bookings/{bid}/invitees", "appointments/invite", "MB", 409),
    ("GET /v1/bookings/{bid}/calendar.ics", "appointments/booking-calendar", "B", 0),
    ("GET /v1/me/bookings", "appointments/my-bookings", "XMsSyB", 0),
    ("GET /v1/exhibitors/{eid}/bookings", "appointments/exhibitor-bookings", "M", 0),
    ("POST /v1/bookings/{bid}/cancel", "appointments/cancel-booking", "MB", 0),
    ("POST /v1/conversations", "messaging/open-conversation", "yB", 0),
    ("GET /v1/conversations", "messaging/list-conversations", "XMSyB", 0),
    ("GET /v1/conversations/{cid}", "messaging/get-conversation", "MB", 0),
    ("POST /v1/conversations/{cid}/messages", "messaging/send-message", "MB", 0),
    ("GET /v1/conversations/{cid}/messages", "messaging/list-messages", "MB", 0),
    ("POST /v1/conversations/{cid}/read", "messaging/mark-read", "MB", 0),
    ("GET /v1/conversations/{cid}/messages/{mid}/translation", "messaging/translate", "MB", 0),
    ("POST /v1/conversations/{cid}/transfer", "messaging/transfer", "M", 0),
    ("GET /v1/me/card", "cards/get-card", "OXMsSyB", 0),
    ("PUT /v1/me/card", "cards/put-card", "OXMsSyB", 0),
    ("POST /v1/cards/send", "cards/send-card", "B", 0),
    ("GET /v1/me/cards/received", "cards/received-cards", "OXMsSyB", 0),
    ("GET /v1/exhibitors/{eid}/cards", "cards/exhibitor-cards", "M", 0),
    ("GET /v1/exhibitors/{eid}/cards/received", "cards/exhibitor-received-cards", "M", 0),
];

/// Operations of the document that are not the product's API: the document itself and
/// local mode's dev endpoints (not deployed; API.md, "Local mode").
const NOT_IN_MATRIX: &[&str] = &[
    "POST /v1/dev/tokens",
    "POST /v1/dev/clock",
    "GET /v1/dev/outbox",
];

struct Call {
    method: String,
    path: String,
    body: Option<String>,
}

fn call_of(event_name: &str) -> Call {
    let (feature, name) = event_name.split_once('/').unwrap();
    let event: Value = serde_json::from_str(&event(feature, name)).unwrap();
    let query = event["rawQueryString"].as_str().unwrap_or_default();
    Call {
        method: event["requestContext"]["http"]["method"]
            .as_str()
            .unwrap()
            .into(),
        path: format!(
            "{}{}{query}",
            event["rawPath"].as_str().unwrap(),
            if query.is_empty() { "" } else { "?" }
        ),
        body: event["body"].as_str().map(str::to_string),
    }
}

/// A fresh fairlink-local with the sample data, three more accounts, and a token per role.
async fn world() -> (TestServer, BTreeMap<char, String>) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(
        local_config(Store::Embedded, dir.path().to_path_buf()),
        Some(Arc::new(dir)),
    )
    .await;
    let repo = Repository::new(server.ports.store.clone(), server.ports.queue.clone());
    seed(&repo).await;
    let extra = [
        account(
            "acc_matrix_plain",
            Role::Exhibitor,
            Some("exh_sample"),
            false,
            &[],
        ),
        account(
            "acc_matrix_staff",
            Role::Exhibitor,
            Some("exh_sample"),
            false,
            &Permission::ALL,
        ),
        account("acc_matrix_buyer", Role::Buyer, None, false, &[]),
    ];
    for account in &extra {
        repo.create_account(account, &IdentitySubject(account.id.clone()), None)
            .await
            .unwrap()
            .expect("the account is new");
    }
    // A cached translation, so the translation endpoint answers without a provider.
    let translation = Translation {
        text: "Hello".into(),
        source_lang: "zh".into(),
        target_lang: "en".into(),
    };
    repo.put_translation("msg_sample", &translation, chrono::Utc::now())
        .await
        .unwrap();
    let mut tokens = BTreeMap::new();
    for (role, account) in ROLES {
        if !account.is_empty() {
            tokens.insert(role, server.token(account).await);
        }
    }
    (server, tokens)
}

async fn send(
    server: &TestServer,
    tokens: &BTreeMap<char, String>,
    role: char,
    call: &Call,
) -> (u16, String, Value) {
    let body = call.body.clone().unwrap_or_default().into_bytes();
    let response = server
        .send_raw(
            &call.method,
            &call.path,
            tokens.get(&role).map(String::as_str),
            body,
            &[("content-type", "application/json")],
        )
        .await;
    (response.status, response.content_type, response.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_as_every_role() {
    let (shared, tokens) = world().await;

    // The table covers the document: every operation, no more.
    let doc = shared.send("GET", "/openapi.json", None, None).await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc.expect(200)["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let listed: BTreeSet<String> = MATRIX
        .iter()
        .map(|(op, ..)| op.to_string())
        .chain(NOT_IN_MATRIX.iter().map(|op| op.to_string()))
        .collect();
    assert_eq!(
        documented.symmetric_difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "operations in the document but not the table, or the other way round"
    );

    let mut failures = Vec::new();
    let mut tried = 0;
    for (op, event_name, allowed, allowed_status) in MATRIX {
        let call = call_of(event_name);
        assert!(
            op.starts_with(&format!("{} ", call.method)),
            "{op}: event {event_name} is a {}",
            call.method
        );
        for (role, _) in ROLES {
            let permitted = allowed.contains(role);
            // An allowed write gets a world of its own; reads and refusals share one.
            let fresh = (permitted && call.method != "GET").then(world);
            let fresh = match fresh {
                Some(fresh) => Some(fresh.await),
                None => None,
            };
            let (server, tokens) = match &fresh {
                Some((server, tokens)) => (server, tokens),
                None => (&shared, &tokens),
            };
            let (status, content_type, body) = send(server, tokens, role, &call).await;
            tried += 1;
            let ok = if status >= 500 {
                false
            } else if permitted {
                (200..300).contains(&status) || status == *allowed_status
            } else {
                matches!(status, 401 | 403 | 404 | 422)
                    && content_type == "application/problem+json"
            };
            if !ok {
                failures.push(format!(
                    "{op} as {role}: {status} {}{}",
                    body.get("code").and_then(Value::as_str).unwrap_or(""),
                    if permitted {
                        " (allowed)"
                    } else {
                        " (not allowed)"
                    }
                ));
            }
            if let Some((server, _)) = fresh {
                server.stop().await;
            }
        }
    }
    println!(
        "{tried} calls: {} operations × {} roles",
        MATRIX.len(),
        ROLES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
