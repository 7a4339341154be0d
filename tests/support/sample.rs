//! The sample data the events in events/ name, and the order they are replayed in: shared by
//! the Lambda event tests, the DynamoDB cost test and the cold-start benchmark.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
};

use chrono::{TimeZone, Utc};
use fairlink_domain::optimistic::Attempt;
use fairlink_domain::{
    Ports,
    matching::Reason,
    model::{
        Account, Booking, BookingStatus, Conversation, DeliveryStatus, Exhibit, Exhibitor, Fair,
        Intent, IntentDelivery, Language, Message, MessageType, Notification, NotificationKind,
        Permission, Push, Role, Slot,
    },
    ports::IdentitySubject,
};
use fairlink_store::{IntentMatching, NotificationFor, RankedMatch, Repository};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub fn account(
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
        language: Language::ZH,
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

/// The sample accounts' sign-in identities: the `sub` of their tokens in events/.
pub const SAMPLE_IDENTITIES: &[(&str, &str)] = &[
    ("acc_sample_main", "6f1d3c2a-1b7e-4c1a-9d01-000000000001"),
    ("acc_other_main", "6f1d3c2a-1b7e-4c1a-9d01-000000000002"),
    ("acc_sample_sub", "6f1d3c2a-1b7e-4c1a-9d01-000000000003"),
    ("acc_sample_buyer", "6f1d3c2a-1b7e-4c1a-9d01-000000000004"),
    ("organizer", "6f1d3c2a-1b7e-4c1a-9d01-000000000005"),
];

pub fn sample_identity(account_id: &str) -> IdentitySubject {
    let (_, sub) = SAMPLE_IDENTITIES
        .iter()
        .find(|(id, _)| *id == account_id)
        .expect("a sample account");
    IdentitySubject((*sub).into())
}

/// Writes the sample fair, exhibitors, accounts, exhibits, intent, slots, booking and
/// conversation through the repository, whichever store it is over.
pub async fn seed(repo: &Repository) {
    let fair: Fair = serde_json::from_value(json!({
        "id": "fair_sample", "name": "Canton Fair", "timeZone": "Asia/Shanghai",
        "startsAt": "2021-04-15T00:00:00Z", "endsAt": "2021-04-24T16:00:00Z", "distributionLockAt": "2030-04-14T00:00:00Z",
        "defaultRecommendationQuota": 10, "zones": [{"id": "electronics", "name": "Electronics"}],
        "categories": [{"id": "speakers", "name": "Speakers", "zoneId": "electronics", "parentId": null}]
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
            &sample_identity(main),
            None,
        )
        .await
        .unwrap()
        .expect("the account is new");
    }
    repo.create_account(
        &account(
            "acc_sample_sub",
            Role::Exhibitor,
            Some("exh_sample"),
            false,
            &[Permission::Im],
        ),
        &sample_identity("acc_sample_sub"),
        None,
    )
    .await
    .unwrap()
    .expect("the account is new");
    repo.create_account(
        &account("acc_sample_buyer", Role::Buyer, None, false, &[]),
        &sample_identity("acc_sample_buyer"),
        None,
    )
    .await
    .unwrap()
    .expect("the account is new");
    // fairlink-local makes its organizer at start; a bare store gets the sample one.
    if repo.account("organizer").await.unwrap().is_none() {
        repo.create_account(
            &fairlink_accounts::organizer_account(
                fairlink_accounts::LOCAL_ORGANIZER_EMAIL,
                Utc::now(),
            ),
            &sample_identity("organizer"),
            None,
        )
        .await
        .unwrap()
        .expect("the account is new");
    }
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
    seed_exhibits_and_intents(repo).await;
    seed_slots_and_bookings(repo).await;
    seed_conversation(repo).await;
}

/// `cnv_sample` between the sample buyer and `exh_sample`, assigned to its main account,
/// with one message `msg_sample`.
async fn seed_conversation(repo: &Repository) {
    let now = Utc::now();
    let conversation = Conversation {
        id: "cnv_sample".into(),
        buyer_id: "acc_sample_buyer".into(),
        exhibitor_id: "exh_sample".into(),
        assignee_id: "acc_sample_main".into(),
        context: None,
        created_at: now,
        last_message_at: now,
        last_message_preview: None,
        activity: "msg_00000000000000000000000000".into(),
        buyer_unread: 0,
        exhibitor_unread: 0,
        last_buyer_message_at: None,
        offline_reply_at: None,
    };
    let notice = Notification::new(
        "ntf_sample_conversation".into(),
        NotificationKind::ConversationAssigned,
        "New conversation",
        "Assigned",
        json!({}),
        now,
    );
    let opened = repo
        .open_conversation(
            &conversation,
            NotificationFor {
                account_id: "acc_sample_main",
                notification: &notice,
            },
        )
        .await
        .unwrap();
    assert!(matches!(opened, Attempt::Done(())));
    let message = Message {
        id: "msg_sample".into(),
        conversation_id: "cnv_sample".into(),
        sender_id: "acc_sample_buyer".into(),
        kind: MessageType::Text,
        text: Some("Hello".into()),
        image_url: None,
        card: None,
        created_at: now,
    };
    repo.put_messages(&[message]).await.unwrap();
}

/// `slt_sample`, `slt_spare` and `slt_booked` of `exh_sample` in 2099, and `bkg_sample`: the
/// sample buyer's booking of `slt_booked`, not yet assigned.
async fn seed_slots_and_bookings(repo: &Repository) {
    let slot = |id: &str, hour: u32| Slot {
        id: id.into(),
        exhibitor_id: "exh_sample".into(),
        starts_at: Utc.with_ymd_and_hms(2099, 5, 1, hour, 0, 0).unwrap(),
        ends_at: Utc.with_ymd_and_hms(2099, 5, 1, hour, 30, 0).unwrap(),
        booked: 0,
        created_at: Utc::now(),
    };
    let slots = [
        slot("slt_sample", 1),
        slot("slt_spare", 3),
        slot("slt_booked", 5),
    ];
    // A fresh exhibitor calendar: version 0.
    repo.create_slots("exh_sample", &slots, 0)
        .await
        .unwrap()
        .expect("a fresh calendar takes the slots");
    let booking = Booking {
        id: "bkg_sample".into(),
        slot_id: "slt_booked".into(),
        exhibitor_id: "exh_sample".into(),
        buyer_id: "acc_sample_buyer".into(),
        starts_at: slots[2].starts_at,
        ends_at: slots[2].ends_at,
        status: BookingStatus::Requested,
        message: None,
        intent_id: None,
        assignee_id: None,
        meeting: None,
        invitees: vec![],
        created_at: Utc::now(),
        confirmed_at: None,
        cancelled_at: None,
        cancelled_by: None,
    };
    let notice = Notification::new(
        "ntf_sample_booking".into(),
        NotificationKind::BookingRequested,
        "New booking",
        "Assign it",
        json!({}),
        Utc::now(),
    );
    repo.book(
        &booking,
        5,
        NotificationFor {
            account_id: "acc_sample_main",
            notification: &notice,
        },
    )
    .await
    .unwrap()
    .unwrap();
}

/// `exb_sample` and `exb_spare` of `exh_sample`, and `int_sample` of the sample buyer,
/// delivered to `exh_sample`.
async fn seed_exhibits_and_intents(repo: &Repository) {
    let exhibit = |id: &str| -> Exhibit {
        serde_json::from_value(json!({
            "id": id, "exhibitorId": "exh_sample", "name": "蓝牙音箱", "nameEn": "Bluetooth speaker",
            "categoryId": "speakers", "zoneId": "electronics", "keywords": ["bluetooth"], "completeness": 0.3,
            "createdAt": "2021-04-01T00:00:00Z", "updatedAt": "2021-04-01T00:00:00Z"
        }))
        .unwrap()
    };
    repo.create_exhibit(&exhibit("exb_sample")).await.unwrap();
    repo.create_exhibit(&exhibit("exb_spare")).await.unwrap();
    let intent: Intent = serde_json::from_value(json!({
        "id": "int_sample", "buyerId": "acc_sample_buyer", "productName": "Bluetooth speaker", "categoryId": "speakers",
        "description": null, "keywords": [], "quantity": {"amount": 500, "unit": "pcs"}, "targetPrice": null,
        "destinationCountry": "US", "certifications": [], "validUntil": "2099-01-01T00:00:00Z",
        "exhibitorId": "exh_sample", "exhibitId": "exb_sample", "status": "open",
        "createdAt": "2021-04-01T00:00:00Z", "closedAt": null
    }))
    .unwrap();
    let delivery = IntentDelivery {
        intent: intent.clone(),
        exhibitor_id: "exh_sample".into(),
        exhibit_id: Some("exb_sample".into()),
        assignee_id: "acc_sample_main".into(),
        status: DeliveryStatus::Assigned,
        delivered_at: intent.created_at,
        assigned_at: intent.created_at,
        completed_at: None,
    };
    let notice = Notification::new(
        "ntf_sample_intent".into(),
        NotificationKind::IntentAssigned,
        "New intent",
        "Assigned",
        json!({}),
        Utc::now(),
    );
    repo.create_intent(&intent, Some((&delivery, &notice)), &[])
        .await
        .unwrap();
    // The matcher's run of it: `exb_sample` ranked and pushed to the buyer as `psh_sample`.
    let push = Push {
        id: "psh_sample".into(),
        exhibit: exhibit("exb_sample"),
        exhibitor_id: "exh_sample".into(),
        intent_id: "int_sample".into(),
        score: 0.9,
        reasons: vec!["A product like the one you asked for".into()],
        reason_codes: vec!["similar_product".into()],
        pushed_at: intent.created_at,
        feedback: None,
    };
    let pushed = Notification::new(
        "ntf_sample_push".into(),
        NotificationKind::RecommendationPushed,
        "Recommended exhibit",
        "Bluetooth speaker",
        json!({"pushId": "psh_sample"}),
        Utc::now(),
    );
    let matching = IntentMatching {
        matches: vec![RankedMatch {
            exhibit_id: "exb_sample".into(),
            exhibitor_id: "exh_sample".into(),
            score: 0.9,
            confidence: 0.95,
            reasons: vec![Reason::SimilarProduct],
        }],
        sent: 1,
        ..IntentMatching::default()
    };
    repo.save_matching(
        "int_sample",
        &IntentMatching::default(),
        &matching,
        "acc_sample_buyer",
        &[(push, pushed)],
    )
    .await
    .unwrap()
    .unwrap();
}

pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("events")
}

pub async fn replay(app: &axum::Router, event: &str) -> (u16, Value) {
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
pub const EXPECTED: &[(&str, &str, u16, &str)] = &[
    ("accounts", "health", 200, "/status"),
    ("accounts", "get-fair", 200, "/timeZone"),
    ("accounts", "put-fair", 200, "/zones/0/id"),
    ("accounts", "create-exhibitor", 201, "/mainAccount/isMain"),
    ("accounts", "get-exhibitor", 200, "/name"),
    ("accounts", "register-buyer", 201, "/role"),
    ("accounts", "get-auth-config", 200, "/provider"),
    ("accounts", "get-me", 200, "/exhibitorId"),
    ("accounts", "put-presence", 200, "/online"),
    ("accounts", "list-accounts", 200, "/items/0/id"),
    ("accounts", "create-account", 201, "/permissions/0"),
    ("accounts", "get-account", 200, "/id"),
    ("accounts", "patch-account", 200, "/permissions/1"),
    ("accounts", "get-distribution", 200, "/imMode"),
    ("accounts", "put-distribution", 200, "/imMode"),
    ("accounts", "put-auto-replies", 200, "/offline"),
    ("accounts", "get-auto-replies", 200, "/online"),
    ("accounts", "delete-account", 204, ""),
    ("notifications", "list-notifications", 200, "/items/0/id"),
    ("notifications", "read-notification", 200, "/readAt"),
    ("exhibits", "create-exhibit", 201, "/completeness"),
    ("exhibits", "list-exhibits", 200, "/items/0/id"),
    ("exhibits", "get-exhibit", 200, "/name"),
    ("exhibits", "patch-exhibit", 200, "/description"),
    ("exhibits", "put-reps", 200, "/repIds/0"),
    ("exhibits", "recommend", 201, "/quota/used"),
    (
        "exhibits",
        "list-recommendations",
        200,
        "/items/0/exhibit/id",
    ),
    ("exhibits", "delete-exhibit", 204, ""),
    ("intents", "publish-intent", 201, "/id"),
    ("intents", "list-intents", 200, "/items/0/id"),
    ("intents", "get-intent", 200, "/productName"),
    ("intents", "my-recommendations", 200, "/items/0/id"),
    ("intents", "intent-matches", 200, "/items/0/exhibit/id"),
    (
        "intents",
        "recommendation-feedback",
        200,
        "/feedback/verdict",
    ),
    ("intents", "matching-feedback", 200, "/verdict"),
    ("intents", "exhibitor-intents", 200, "/items/0/assigneeId"),
    ("intents", "my-intents", 200, "/items/0/intent/id"),
    ("intents", "assign-intent", 200, "/assigneeId"),
    ("intents", "complete-intent", 200, "/status"),
    ("intents", "exhibit-matches", 200, "/items"),
    ("intents", "close-intent", 200, "/closedAt"),
    ("exhibits", "withdraw-recommendation", 204, ""),
    ("appointments", "create-slot", 201, "/capacity"),
    (
        "appointments",
        "create-slots-batch",
        201,
        "/items/5/startsAt",
    ),
    ("appointments", "list-slots", 200, "/items/0/id"),
    ("appointments", "get-slot", 200, "/capacity"),
    ("appointments", "patch-slot", 200, "/endsAt"),
    ("appointments", "delete-slot", 204, ""),
    ("appointments", "book-slot", 201, "/status"),
    ("appointments", "get-booking", 200, "/status"),
    ("appointments", "assign-booking", 200, "/meeting/joinUrl"),
    ("appointments", "invite", 201, "/email"),
    ("appointments", "booking-calendar", 200, ""),
    ("appointments", "my-bookings", 200, "/items/0/id"),
    (
        "appointments",
        "exhibitor-bookings",
        200,
        "/items/0/assigneeId",
    ),
    ("appointments", "cancel-booking", 200, "/cancelledAt"),
    ("messaging", "open-conversation", 201, "/assigneeId"),
    ("messaging", "list-conversations", 200, "/items/0/id"),
    ("messaging", "get-conversation", 200, "/unreadCount"),
    ("messaging", "send-message", 201, "/id"),
    ("messaging", "list-messages", 200, "/items/0/text"),
    ("messaging", "mark-read", 200, "/unreadCount"),
    ("messaging", "translate", 503, "/code"),
    ("messaging", "transfer", 200, "/assigneeId"),
    ("cards", "get-card", 200, "/email"),
    ("cards", "put-card", 200, "/title"),
    ("cards", "send-card", 201, "/card/name"),
    ("cards", "received-cards", 200, "/items/0/senderId"),
    ("cards", "exhibitor-cards", 200, "/items/0/accountId"),
    (
        "cards",
        "exhibitor-received-cards",
        200,
        "/items/0/recipientId",
    ),
];

pub const HTTP_FEATURES: [&str; 7] = [
    "accounts",
    "notifications",
    "exhibits",
    "intents",
    "appointments",
    "messaging",
    "cards",
];

/// The router each HTTP Lambda serves, by feature name.
pub fn http_apps(ports: &Ports) -> BTreeMap<&'static str, axum::Router> {
    BTreeMap::from([
        ("accounts", fairlink_accounts::lambda_app(ports.clone())),
        (
            "notifications",
            fairlink_notifications::lambda_app(ports.clone()),
        ),
        ("exhibits", fairlink_exhibits::lambda_app(ports.clone())),
        ("intents", fairlink_intents::lambda_app(ports.clone())),
        (
            "appointments",
            fairlink_appointments::lambda_app(ports.clone()),
        ),
        ("messaging", fairlink_messaging::lambda_app(ports.clone())),
        ("cards", fairlink_cards::lambda_app(ports.clone())),
    ])
}

/// The text of `events/<feature>/<name>.json`.
pub fn event(feature: &str, name: &str) -> String {
    std::fs::read_to_string(events_dir().join(feature).join(format!("{name}.json")))
        .unwrap_or_else(|e| panic!("events/{feature}/{name}.json: {e}"))
}

/// Event files of the HTTP features, as `feature/name.json`.
pub fn http_event_files() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for feature in HTTP_FEATURES {
        for entry in std::fs::read_dir(events_dir().join(feature)).unwrap() {
            files.insert(format!(
                "{feature}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    files
}
