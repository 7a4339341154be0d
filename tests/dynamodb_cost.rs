//! DynamoDB cost per endpoint: every sample event is replayed, in the sample order, against
//! moto through a client that records each DynamoDB operation, and the calls are held to the
//! table below. Rules: no Scan anywhere; a read makes one Query or GetItem (BatchGetItem for
//! what it joins); a write makes one write or one transaction. Every authenticated request
//! first reads its caller's account (one GetItem): the role, exhibitor and permissions come
//! from the store, so a deactivation or a permission change applies at once. The same read
//! proves the token's link to the account (the ID token's `custom:account_id` names it, the
//! item's `identitySubject` must be the token's `sub`); an access token, which names only
//! the identity, costs one GetItem more (`IDENTITY#<sub>`), as `access_tokens_cost_one_read_more`
//! shows. An endpoint that
//! needs more than its rule says why.

use fairlink_aws::DynamoItemStore;
use fairlink_store::Repository;
use fairlink_tests::{
    bootstrapped_moto,
    dynamo_calls::DynamoCalls,
    sample::{EXPECTED, event, http_apps, replay, seed},
};
use std::sync::Arc;

/// (event, the DynamoDB calls it makes in order, why more than its rule).
#[rustfmt::skip]
const COST: &[(&str, &str, &str)] = &[
    (
        "accounts/health",
        "",
        "",
    ),
    (
        "accounts/get-fair",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR",
        "",
    ),
    (
        "accounts/put-fair",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR, PutItem FAIR/FAIR",
        "the current fair is read to keep its id when the body leaves it out",
    ),
    (
        "accounts/create-exhibitor",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR, GetItem EMAIL#*/EMAIL, TransactWriteItems (7 items), BatchWriteItem (1 items) OUTGOING#*/*#*",
        "the fair must be configured: its zones check the exhibitor's and its default quota applies; the email is checked before the main account's sign-in identity is made. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them. The exhibitor's member list gets the account in the same transaction.",
    ),
    (
        "accounts/get-exhibitor",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/PROFILE",
        "",
    ),
    (
        "accounts/register-buyer",
        "GetItem FAIR/FAIR, GetItem EMAIL#*/EMAIL, TransactWriteItems (3 items)",
        "the fair's settings say which languages it offers; the email is checked before its sign-in identity is made, so a taken email makes none; the transaction claims it and links the identity",
    ),
    (
        "accounts/get-auth-config",
        "",
        "",
    ),
    (
        "accounts/get-me",
        "GetItem ACC#*/ACCOUNT",
        "",
    ),
    (
        "accounts/put-presence",
        "GetItem ACC#*/ACCOUNT, UpdateItem ACC#*/ACCOUNT",
        "",
    ),
    (
        "accounts/list-accounts",
        "GetItem ACC#*/ACCOUNT, Query GSI1 EXH#*#ACCOUNTS",
        "",
    ),
    (
        "accounts/create-account",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR, GetItem EXH#*/PROFILE, GetItem EMAIL#*/EMAIL, TransactWriteItems (6 items), BatchWriteItem (1 items) OUTGOING#*/*#*",
        "the fair's settings say which languages it offers; the exhibitor's profile proves the exhibitor exists before its account is added; the email is checked before the sign-in identity is made. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them. The exhibitor's member list gets the account in the same transaction.",
    ),
    (
        "accounts/get-account",
        "GetItem ACC#*/ACCOUNT, GetItem ACC#*/ACCOUNT",
        "the target account is read to check it belongs to the caller's exhibitor",
    ),
    (
        "accounts/patch-account",
        "GetItem ACC#*/ACCOUNT, GetItem ACC#*/ACCOUNT, UpdateItem ACC#*/ACCOUNT",
        "the target account is read to check it belongs to the caller's exhibitor and to write only changed attributes",
    ),
    (
        "accounts/get-distribution",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/SETTINGS#*, GetItem FAIR/FAIR",
        "the distribution lock time (`locked`) comes from the fair",
    ),
    (
        "accounts/put-distribution",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR, PutItem EXH#*/SETTINGS#*",
        "the fair's lock time decides whether the modes may still change",
    ),
    (
        "accounts/put-auto-replies",
        "GetItem ACC#*/ACCOUNT, PutItem EXH#*/SETTINGS#*",
        "",
    ),
    (
        "accounts/get-auto-replies",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/SETTINGS#*",
        "",
    ),
    (
        "accounts/delete-account",
        "GetItem ACC#*/ACCOUNT, GetItem ACC#*/ACCOUNT, TransactWriteItems (2 items), BatchWriteItem (1 items) OUTGOING#*/*#*",
        "the target account is read to check its exhibitor and that it is not the main account. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them.",
    ),
    (
        "notifications/list-notifications",
        "GetItem ACC#*/ACCOUNT, Query GSI1 ACC#*#UNREAD",
        "",
    ),
    (
        "notifications/read-notification",
        "GetItem ACC#*/ACCOUNT, UpdateItem ACC#*#NOTIFS/*",
        "",
    ),
    (
        "exhibits/create-exhibit",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR, PutItem EXHIBIT#*/EXHIBIT",
        "the fair's categories check the exhibit's category and give its zone",
    ),
    (
        "exhibits/list-exhibits",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/PROFILE, Query GSI1 EXH#*#EXHIBITS",
        "the exhibitor's profile answers 404 for an unknown exhibitor instead of an empty list",
    ),
    (
        "exhibits/get-exhibit",
        "GetItem ACC#*/ACCOUNT, GetItem EXHIBIT#*/EXHIBIT",
        "",
    ),
    (
        "exhibits/patch-exhibit",
        "GetItem ACC#*/ACCOUNT, GetItem EXHIBIT#*/EXHIBIT, GetItem FAIR/FAIR, TransactWriteItems (1 items)",
        "the exhibit is read for its owner and changed attributes; the fair checks a new category; a transaction keeps its match candidate in step",
    ),
    (
        "exhibits/put-reps",
        "GetItem ACC#*/ACCOUNT, GetItem EXHIBIT#*/EXHIBIT, GetItem ACC#*/ACCOUNT, TransactWriteItems (1 items)",
        "the exhibit is read for its owner; each rep account is checked to be one of the exhibitor's",
    ),
    (
        "exhibits/recommend",
        "GetItem ACC#*/ACCOUNT, GetItem EXHIBIT#*/EXHIBIT, GetItem EXH#*/PROFILE, GetItem FAIR/FAIR, TransactWriteItems (3 items), BatchWriteItem (1 items) OUTGOING#*/*#*, GetItem EXH#*/QUOTA",
        "the exhibit, the exhibitor's quota override and the fair's default quota decide the quota; the last GetItem reads the quota spent for the answer's figures; the job for the worker is stored in the transaction and deleted once SQS took it (a failed send is resent by the scheduler); the matcher, not this call, writes the exhibit's candidate once it has analysed and embedded it",
    ),
    (
        "exhibits/list-recommendations",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/PROFILE, GetItem FAIR/FAIR, GetItem EXH#*/QUOTA, Query GSI2 EXH#*#RECOMMENDED, BatchGetItem (1 keys)",
        "the answer carries the quota (exhibitor override, fair default, amount spent) beside the page, and the buyers' verdict counts of the page's exhibits (one batch get)",
    ),
    (
        "exhibits/delete-exhibit",
        "GetItem ACC#*/ACCOUNT, GetItem EXHIBIT#*/EXHIBIT, TransactWriteItems (1 items)",
        "the exhibit is read for its owner; the transaction also removes its match candidate",
    ),
    (
        "intents/publish-intent",
        "GetItem ACC#*/ACCOUNT, GetItem FAIR/FAIR, GetItem EXHIBIT#*/EXHIBIT, GetItem EXH#*/PROFILE, GetItem EXH#*/SETTINGS#*, Query table EXH#*#MEMBERS, BatchGetItem (3 keys), GetItem ACC#*/ACCOUNT, TransactWriteItems (6 items), BatchWriteItem (1 items) OUTGOING#*/*#*, BatchWriteItem (1 items) OUTGOING#*/*#*",
        "validation reads the fair (category) and the directed exhibit; distribution reads the exhibitor, its modes, its accounts and the picked account; one transaction writes intent, its copy among the category's open intents (read consistently by the matcher), delivery and notice; the job for the worker is stored in the transaction and deleted once SQS took it (a failed send is resent by the scheduler). Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list.",
    ),
    (
        "intents/list-intents",
        "GetItem ACC#*/ACCOUNT, Query GSI1 ACC#*#INTENTS",
        "",
    ),
    (
        "intents/get-intent",
        "GetItem ACC#*/ACCOUNT, GetItem INTENT#*/INTENT",
        "",
    ),
    (
        "intents/my-recommendations",
        "GetItem ACC#*/ACCOUNT, Query GSI1 ACC#*#PUSHES",
        "",
    ),
    (
        "intents/intent-matches",
        "GetItem ACC#*/ACCOUNT, GetItem INTENT#*/INTENT, GetItem INTENT#*/MATCHING, BatchGetItem (1 keys), BatchGetItem (1 keys)",
        "the intent is read for its buyer; its ranked matches are one item; the page's exhibits (as they are now) and the buyer's pushes of them (pushed, verdict) are one batch get each",
    ),
    (
        "intents/recommendation-feedback",
        "GetItem ACC#*/ACCOUNT, GetItem PUSH#*/PUSH, GetItem ACC#*#PUSHED/*, GetItem INTENT#*/INTENT, TransactWriteItems (5 items), BatchWriteItem (1 items) OUTGOING#*/*#*",
        "the push is found by its id (a link written with it), then read itself, consistently; the intent is read for the export's snapshot; one transaction writes the verdict on the push, the exhibit's counts, the intent's ledger, the judgment and the matcher's job, which is deleted once SQS took it",
    ),
    (
        "intents/matching-feedback",
        "GetItem ACC#*/ACCOUNT, Query GSI1 MATCHING_FEEDBACK",
        "",
    ),
    (
        "intents/exhibitor-intents",
        "GetItem ACC#*/ACCOUNT, Query GSI1 EXH#*#INTENTS, BatchGetItem (2 keys)",
        "",
    ),
    (
        "intents/my-intents",
        "GetItem ACC#*/ACCOUNT, Query GSI2 ACC#*#ASSIGNED_INTENTS, BatchGetItem (2 keys)",
        "",
    ),
    (
        "intents/assign-intent",
        "GetItem ACC#*/ACCOUNT, GetItem INTENT#*/DELIVERY#*, GetItem ACC#*/ACCOUNT",
        "the delivery is read for its exhibitor and the new assignee account is checked; the sample reassigns to the same account, so nothing is written",
    ),
    (
        "intents/complete-intent",
        "GetItem ACC#*/ACCOUNT, GetItem INTENT#*/DELIVERY#*, TransactWriteItems (1 items)",
        "the delivery is read for its assignee before the transaction",
    ),
    (
        "intents/exhibit-matches",
        "GetItem ACC#*/ACCOUNT, Query table EXH#*#MATCHES",
        "",
    ),
    (
        "intents/close-intent",
        "GetItem ACC#*/ACCOUNT, GetItem INTENT#*/INTENT, TransactWriteItems (2 items)",
        "the intent is read to check the caller owns it; one transaction closes it and deletes its copy among the category's open intents",
    ),
    (
        "exhibits/withdraw-recommendation",
        "GetItem ACC#*/ACCOUNT, GetItem EXHIBIT#*/EXHIBIT, TransactWriteItems (2 items)",
        "the exhibit is read for its owner; the transaction also removes its match candidate",
    ),
    (
        "appointments/create-slot",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/SLOT_CALENDAR, Query table EXH#*#CALENDAR, TransactWriteItems (3 items), Query table EXH#*#MEMBERS, BatchGetItem (3 keys)",
        "the exhibitor's calendar version and its slots in the window are read to refuse overlaps, and the transaction lands only if the version did not move meanwhile; its accounts give the answer's capacity. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list.",
    ),
    (
        "appointments/create-slots-batch",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/SLOT_CALENDAR, Query table EXH#*#CALENDAR, TransactWriteItems (25 items), Query table EXH#*#MEMBERS, BatchGetItem (3 keys)",
        "as create-slot, for up to 99 slots in one calendar read, one query and one transaction. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list.",
    ),
    (
        "appointments/list-slots",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/PROFILE, Query table EXH#*#MEMBERS, BatchGetItem (3 keys), Query GSI1 EXH#*#SLOTS",
        "the exhibitor's profile answers 404 for an unknown exhibitor; its accounts give each slot's capacity. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list.",
    ),
    (
        "appointments/get-slot",
        "GetItem ACC#*/ACCOUNT, GetItem SLOT#*/SLOT, Query table EXH#*#MEMBERS, BatchGetItem (3 keys)",
        "the slot's exhibitor's accounts give its capacity, which decides whether it still has room. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get.",
    ),
    (
        "appointments/patch-slot",
        "GetItem ACC#*/ACCOUNT, GetItem SLOT#*/SLOT, GetItem EXH#*/SLOT_CALENDAR, Query table EXH#*#CALENDAR, TransactWriteItems (3 items), Query table EXH#*#MEMBERS, BatchGetItem (3 keys)",
        "the slot is read for its owner and bookings; overlaps are checked against the calendar as create-slot does; the accounts give the answer's capacity. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list.",
    ),
    (
        "appointments/delete-slot",
        "GetItem ACC#*/ACCOUNT, GetItem SLOT#*/SLOT, TransactWriteItems (2 items)",
        "the slot is read to check its owner and that it is unbooked. The slot and its calendar interval go in one transaction.",
    ),
    (
        "appointments/book-slot",
        "GetItem ACC#*/ACCOUNT, GetItem SLOT#*/SLOT, GetItem EXH#*/PROFILE, Query table EXH#*#MEMBERS, BatchGetItem (3 keys), GetItem ACC#*/ACCOUNT, TransactWriteItems (7 items), BatchWriteItem (2 items) OUTGOING#*/*#*",
        "the slot, its exhibitor and its accounts (capacity) are read; the main account receives the notice; one transaction books. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list.",
    ),
    (
        "appointments/get-booking",
        "GetItem ACC#*/ACCOUNT, GetItem BOOKING#*/BOOKING",
        "",
    ),
    (
        "appointments/assign-booking",
        "GetItem ACC#*/ACCOUNT, GetItem BOOKING#*/BOOKING, GetItem ACC#*/ACCOUNT, GetItem EXH#*/PROFILE, BatchGetItem (2 keys), TransactWriteItems (10 items), BatchWriteItem (2 items) OUTGOING#*/*#*, BatchWriteItem (3 items) OUTGOING#*/*#*",
        "the booking and the assignee (its permission checked, its time claimed) are read, then the meeting's people as every text about a meeting reads them (the exhibitor's name, one batch read of the buyer and the assignee) before one transaction; the job for the worker is stored in the transaction and deleted once SQS took it (a failed send is resent by the scheduler). Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them.",
    ),
    (
        "appointments/invite",
        "GetItem ACC#*/ACCOUNT, GetItem BOOKING#*/BOOKING, GetItem EXH#*/PROFILE, BatchGetItem (2 keys), TransactWriteItems (2 items), BatchWriteItem (1 items) OUTGOING#*/*#*",
        "the booking is read for its participants; the meeting's people (the exhibitor's name, one batch read of the buyer and the assignee) give the invitation email its names; the job for the worker is stored in the transaction and deleted once SQS took it (a failed send is resent by the scheduler)",
    ),
    (
        "appointments/booking-calendar",
        "GetItem ACC#*/ACCOUNT, GetItem BOOKING#*/BOOKING, GetItem EXH#*/PROFILE, BatchGetItem (2 keys)",
        "the calendar entry names the exhibitor and the buyer: the meeting's people, read as for every text about a meeting",
    ),
    (
        "appointments/my-bookings",
        "GetItem ACC#*/ACCOUNT, Query table ACC#*#SCHEDULE, BatchGetItem (2 keys)",
        "",
    ),
    (
        "appointments/exhibitor-bookings",
        "GetItem ACC#*/ACCOUNT, Query GSI1 EXH#*#BOOKINGS",
        "",
    ),
    (
        "appointments/cancel-booking",
        "GetItem ACC#*/ACCOUNT, GetItem BOOKING#*/BOOKING, BatchGetItem (2 keys), TransactWriteItems (9 items), BatchWriteItem (3 items) OUTGOING#*/*#*",
        "the booking, then its slot and schedule entries in one batch, before one transaction frees the place and the time. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them.",
    ),
    (
        "messaging/open-conversation",
        "GetItem ACC#*/ACCOUNT, GetItem EXH#*/PROFILE, GetItem PAIR#*#*/PAIR, GetItem EXH#*/SETTINGS#*, Query table EXH#*#MEMBERS, BatchGetItem (1 keys), GetItem ACC#*/ACCOUNT, GetItem ACC#*/ACCOUNT, TransactWriteItems (5 items), BatchWriteItem (1 items) OUTGOING#*/*#*, GetItem ACC#*/ACCOUNT",
        "the exhibitor, the open pair, the distribution mode and accounts pick the assignee; the buyer and the assignee accounts give names; one transaction opens it. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them. Rules read consistently (DESIGN.md, Read consistency): the exhibitor's accounts from its member list and one batch get, overlaps from its calendar's intervals, both table partitions written with what they list. The answer says whether the assignee is online: one read of it (a batch read of the page's assignees for a list).",
    ),
    (
        "messaging/list-conversations",
        "GetItem ACC#*/ACCOUNT, Query GSI1 ACC#*#CONVS, BatchGetItem (2 keys)",
        "The answer says whether the assignee is online: one read of it (a batch read of the page's assignees for a list).",
    ),
    (
        "messaging/get-conversation",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, GetItem ACC#*/ACCOUNT",
        "The answer says whether the assignee is online: one read of it (a batch read of the page's assignees for a list).",
    ),
    (
        "messaging/send-message",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, GetItem EXH#*/SETTINGS#*, GetItem ACC#*/ACCOUNT, TransactWriteItems (7 items), BatchWriteItem (2 items) OUTGOING#*/*#*",
        "the conversation is read for its participants; auto-replies and the assignee's presence decide an automatic answer; one transaction writes both. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them.",
    ),
    (
        "messaging/list-messages",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, Query table CONV#*#MSGS",
        "the conversation is read to check the caller takes part",
    ),
    (
        "messaging/mark-read",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, GetItem CONV#*#MSGS/*, Query table CONV#*#MSGS, TransactWriteItems (2 items), BatchWriteItem (1 items) OUTGOING#*/*#*, GetItem ACC#*/ACCOUNT",
        "the conversation (participants), the marker message (it must exist) and the count of later messages come before one write. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them. The answer says whether the assignee is online: one read of it (a batch read of the page's assignees for a list).",
    ),
    (
        "messaging/translate",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, GetItem CONV#*#MSGS/*, GetItem MSG#*/TR#*",
        "the conversation (participants), the message and its cached translation; without a provider the answer is 503 and nothing is written",
    ),
    (
        "messaging/transfer",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, GetItem ACC#*/ACCOUNT, GetItem ACC#*/ACCOUNT",
        "the conversation and the colleague it goes to are read; the sample hands it to its own assignee, so nothing is written. The answer says whether the assignee is online: one read of it (a batch read of the page's assignees for a list).",
    ),
    (
        "cards/get-card",
        "GetItem ACC#*/ACCOUNT, GetItem ACC#*/CARD",
        "",
    ),
    (
        "cards/put-card",
        "GetItem ACC#*/ACCOUNT, PutItem ACC#*/CARD",
        "",
    ),
    (
        "cards/send-card",
        "GetItem ACC#*/ACCOUNT, GetItem CONV#*/CONV, GetItem ACC#*/ACCOUNT, GetItem ACC#*/CARD, TransactWriteItems (9 items), BatchWriteItem (2 items) OUTGOING#*/*#*",
        "the conversation and the recipient are read, then the sender's card; one transaction delivers the card and writes its card message into the conversation. Each real-time event (API.md, Real-time events) is one more item of the transaction; the stored copies of one queue's messages are deleted in one BatchWriteItem once SQS took them.",
    ),
    (
        "cards/received-cards",
        "GetItem ACC#*/ACCOUNT, Query table ACC#*#CARDS_IN",
        "",
    ),
    (
        "cards/exhibitor-cards",
        "GetItem ACC#*/ACCOUNT, Query GSI1 EXH#*#ACCOUNTS, BatchGetItem (3 keys), GetItem EXH#*/PROFILE",
        "the accounts page, their saved cards in one batch, and the exhibitor's name once for accounts without a saved card",
    ),
    (
        "cards/exhibitor-received-cards",
        "GetItem ACC#*/ACCOUNT, Query table EXH#*#CARDS_IN",
        "",
    ),
];

/// Ports on a fresh moto stack with the sample data, their DynamoDB calls recorded from now.
async fn seeded_and_recorded() -> (fairlink_domain::Ports, DynamoCalls) {
    let (sdk, settings) = bootstrapped_moto().await;
    let calls = DynamoCalls::default();
    let mut ports = fairlink_aws::ports(&sdk, &settings, None).await.unwrap();
    ports.store = Arc::new(DynamoItemStore::new(calls.client(&sdk), &settings.table));
    seed(&Repository::new(ports.store.clone(), ports.queue.clone())).await;
    calls.take();
    (ports, calls)
}

#[tokio::test]
async fn every_endpoint_makes_the_calls_in_its_table() {
    let (ports, calls) = seeded_and_recorded().await;
    let apps = http_apps(&ports);

    let mut failures = Vec::new();
    for (feature, name, status, _) in EXPECTED {
        let text = event(feature, name);
        let (got, body) = replay(&apps[feature], &text).await;
        assert_eq!(got, *status, "{feature}/{name}: {body}");
        let calls = calls.take();
        let endpoint = format!("{feature}/{name}");
        let method = serde_json::from_str::<serde_json::Value>(&text).unwrap()
            ["requestContext"]["http"]["method"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            calls.iter().all(|c| !c.starts_with("Scan")),
            "{endpoint} scanned: {calls:?}"
        );
        let Some((_, expected, why)) = COST.iter().find(|(e, _, _)| *e == endpoint) else {
            failures.push(format!("{endpoint}: not in the table; it made {calls:?}"));
            continue;
        };
        let measured = calls.join(", ");
        if measured != *expected {
            failures.push(format!(
                "{endpoint}: made `{measured}`, the table says `{expected}`"
            ));
        }
        if !within_rule(&method, &calls) && why.is_empty() {
            failures.push(format!(
                "{endpoint}: more calls than its rule and no reason given"
            ));
        }
    }
    assert_eq!(COST.len(), EXPECTED.len(), "one row per sample event");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Reads: one GetItem or Query, plus BatchGetItem for what it joins. Writes: one write or one
/// transaction. Both after the caller's own account.
fn within_rule(method: &str, calls: &[String]) -> bool {
    let own = calls.iter().skip(usize::from(
        calls.first().is_some_and(|c| c == "GetItem ACC#*/ACCOUNT"),
    ));
    let (mut reads, mut writes) = (0, 0);
    for call in own {
        match call.split(' ').next().unwrap_or_default() {
            "GetItem" | "Query" => reads += 1,
            "BatchGetItem" => {}
            _ => writes += 1,
        }
    }
    if method == "GET" {
        reads <= 1 && writes == 0
    } else {
        reads == 0 && writes <= 1
    }
}

/// A token that names the account (an ID token) costs the one account read; an access token
/// names only the identity, and its link is one read more.
#[tokio::test]
async fn access_tokens_cost_one_read_more() {
    let (ports, calls) = seeded_and_recorded().await;
    let app = fairlink_accounts::lambda_app(ports);
    let mut me: serde_json::Value = serde_json::from_str(&event("accounts", "get-me")).unwrap();
    let (status, _) = replay(&app, &me.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(calls.take(), ["GetItem ACC#*/ACCOUNT"]);
    me["requestContext"]["authorizer"]["jwt"]["claims"]
        .as_object_mut()
        .unwrap()
        .remove("custom:account_id");
    me["requestContext"]["authorizer"]["jwt"]["claims"]["token_use"] = "access".into();
    let (status, body) = replay(&app, &me.to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        calls.take(),
        ["GetItem IDENTITY#*/IDENTITY", "GetItem ACC#*/ACCOUNT"]
    );
}

/// The DynamoDB actions a function's policies in infra/template.yaml allow on the table.
fn allowed_actions(function: &str) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    let template: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let policies = &template["Resources"][function]["Properties"]["Policies"];
    let mut actions = Vec::new();
    for policy in policies.as_sequence().into_iter().flatten() {
        for statement in policy["Statement"].as_sequence().into_iter().flatten() {
            let listed = statement["Action"].as_sequence().into_iter().flatten();
            actions.extend(
                listed
                    .filter_map(|a| a.as_str())
                    .filter_map(|a| a.strip_prefix("dynamodb:"))
                    .map(String::from),
            );
        }
    }
    actions
}

/// Every call of the table above is allowed to its feature's function: a call the policy
/// leaves out works on moto and fails in AWS with AccessDenied. (The first test holds the
/// table to what the endpoints do.) A transaction's own action is its items'.
#[test]
fn every_call_in_the_table_is_allowed_to_its_function() {
    let mut missing = Vec::new();
    for (endpoint, calls, _) in COST {
        let feature = endpoint.split('/').next().unwrap();
        let function = format!("{}{}Function", feature[..1].to_uppercase(), &feature[1..]);
        let allowed = allowed_actions(&function);
        assert!(
            !allowed.is_empty() || calls.is_empty(),
            "{function} has no table policy"
        );
        for call in calls.split(", ").filter(|c| !c.is_empty()) {
            let operation = call.split(' ').next().unwrap();
            let needed: &[&str] = match operation {
                "TransactWriteItems" => {
                    &["PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"]
                }
                other => &[other][..],
            };
            for action in needed {
                if !allowed.iter().any(|a| a == action) {
                    missing.push(format!("{endpoint}: {function} may not {action}"));
                }
            }
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
