//! Replays every sample event in events/ through lambda_http's request parsing into the
//! router each Lambda serves (`lambda_app`), with an embedded store seeded with the ids the
//! events name. Also checks that the claims of API Gateway's JWT authorizer are the only
//! source of identity there.

use std::{collections::BTreeSet, path::PathBuf};

use chrono::Utc;
use fairlink_domain::{
    Ports,
    model::{Account, Exhibitor, Fair, Language, Notification, NotificationKind, Permission, Role},
};
use fairlink_store::Repository;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn account(
    id: &str,
    role: Role,
    exhibitor: Option<&str>,
    is_main: bool,
    permissions: &[Permission],
) -> Account {
    Account {
        id: id.into(),
        role,
        exhibitor_id: exhibitor.map(Into::into),
        is_main,
        name: id.into(),
        email: format!("{id}@example.cn"),
        phone: Some("+8613800138000".into()),
        language: Language::Zh,
        time_zone: "Asia/Shanghai".into(),
        permissions: permissions.iter().copied().collect::<BTreeSet<_>>(),
        zone_ids: vec!["electronics".into()],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: Utc::now(),
    }
}

async fn seeded_ports(dir: &std::path::Path) -> Ports {
    let ports = fairlink_embedded::ports(dir, None).unwrap();
    let repo = Repository::new(ports.store.clone());
    let fair: Fair = serde_json::from_value(json!({
        "id": "fair_sample", "name": "Canton Fair", "timeZone": "Asia/Shanghai",
        "startsAt": "2021-04-15T00:00:00Z", "endsAt": "2021-04-24T16:00:00Z", "distributionLockAt": "2030-04-14T00:00:00Z",
        "defaultRecommendationQuota": 10, "zones": [{"id": "electronics", "name": "Electronics"}], "categories": []
    }))
    .unwrap();
    repo.put_fair(&fair).await.unwrap();
    for (eid, main) in [
        ("exh_sample", "acc_sample_main"),
        ("exh_other", "acc_other_main"),
    ] {
        let exhibitor = Exhibitor {
            id: eid.into(),
            name: eid.into(),
            zone_ids: vec!["electronics".into()],
            recommendation_quota: None,
            main_account_id: main.into(),
            created_at: Utc::now(),
        };
        repo.create_exhibitor(
            &exhibitor,
            &account(main, Role::Exhibitor, Some(eid), true, &Permission::ALL),
            None,
        )
        .await
        .unwrap();
    }
    repo.create_account(
        &account(
            "acc_sample_sub",
            Role::Exhibitor,
            Some("exh_sample"),
            false,
            &[Permission::Im],
        ),
        None,
    )
    .await
    .unwrap();
    repo.create_account(
        &account("acc_sample_buyer", Role::Buyer, None, false, &[]),
        None,
    )
    .await
    .unwrap();
    repo.ensure_account(&fairlink_accounts::organizer_account(Utc::now()))
        .await
        .unwrap();
    let welcome = Notification::new(
        "ntf_sample".into(),
        NotificationKind::AccountCreated,
        "Welcome",
        "Ready",
        json!({}),
        Utc::now(),
    );
    repo.add_notification("acc_sample_main", &welcome)
        .await
        .unwrap();
    ports
}

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("events")
}

async fn replay(app: &axum::Router, event: &str) -> (u16, Value) {
    let request = lambda_http::request::from_str(event).expect("an API Gateway v2 event");
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Each event, the status it must get, and a field of the answer to check.
const EXPECTED: &[(&str, &str, u16, &str)] = &[
    ("accounts", "health", 200, "/status"),
    ("accounts", "get-fair", 200, "/timeZone"),
    ("accounts", "put-fair", 200, "/zones/0/id"),
    ("accounts", "create-exhibitor", 201, "/mainAccount/isMain"),
    ("accounts", "get-exhibitor", 200, "/name"),
    ("accounts", "register-buyer", 201, "/role"),
    ("accounts", "get-me", 200, "/exhibitorId"),
    ("accounts", "put-presence", 200, "/online"),
    ("accounts", "list-accounts", 200, "/items/0/id"),
    ("accounts", "create-account", 201, "/permissions/0"),
    ("accounts", "patch-account", 200, "/permissions/1"),
    ("accounts", "get-distribution", 200, "/imMode"),
    ("accounts", "put-distribution", 200, "/imMode"),
    ("accounts", "put-auto-replies", 200, "/offline"),
    ("accounts", "get-auto-replies", 200, "/online"),
    ("accounts", "delete-account", 204, ""),
    ("notifications", "list-notifications", 200, "/items/0/id"),
    ("notifications", "read-notification", 200, "/readAt"),
];

#[tokio::test]
async fn every_sample_event_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let ports = seeded_ports(dir.path()).await;
    let accounts = fairlink_accounts::lambda_app(ports.clone());
    let notifications = fairlink_notifications::lambda_app(ports);
    let mut replayed = BTreeSet::new();
    for (feature, name, status, field) in EXPECTED {
        let event =
            std::fs::read_to_string(events_dir().join(feature).join(format!("{name}.json")))
                .unwrap();
        let app = if *feature == "accounts" {
            &accounts
        } else {
            &notifications
        };
        let (got, body) = replay(app, &event).await;
        assert_eq!(got, *status, "{feature}/{name}: {body}");
        if !field.is_empty() {
            let value = body.pointer(field);
            assert!(
                value.is_some_and(|v| !v.is_null()),
                "{feature}/{name}: no {field} in {body}"
            );
        }
        replayed.insert(format!("{feature}/{name}.json"));
    }
    // Every event file is replayed by this test.
    for feature in ["accounts", "notifications"] {
        for entry in std::fs::read_dir(events_dir().join(feature)).unwrap() {
            let name = format!("{feature}/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(replayed.contains(&name), "{name} is not replayed");
        }
    }
}

#[tokio::test]
async fn identity_comes_only_from_the_authorizer_claims() {
    let dir = tempfile::tempdir().unwrap();
    let app = fairlink_accounts::lambda_app(seeded_ports(dir.path()).await);
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("accounts/list-accounts.json")).unwrap(),
    )
    .unwrap();

    // Another exhibitor's main account, by its verified claims: not found.
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!("acc_other_main");
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));

    // A sub-account: forbidden.
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!("acc_sample_sub");
    assert_eq!(replay(&app, &event.to_string()).await.0, 403);

    // No authorizer context: a bearer header alone proves nothing in Lambda.
    event["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    event["headers"]["authorization"] = json!("Bearer anything");
    let (status, body) = replay(&app, &event.to_string()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}
