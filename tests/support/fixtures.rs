//! Building blocks of the HTTP scenarios: a fair, exhibitors, sub-accounts and buyers.

use serde_json::{Value, json};

use crate::{TestServer, sample_fair};

pub fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

pub fn profile(name: &str, email: &str) -> Value {
    json!({"name": name, "email": email, "phone": "+8613800138000", "language": "zh", "timeZone": "Asia/Shanghai"})
}

pub fn unique_email(local: &str) -> String {
    format!(
        "{local}.{}@example.cn",
        ulid::Ulid::new().to_string().to_lowercase()
    )
}

/// An exhibitor and its main account's token.
#[derive(Debug, Clone)]
pub struct Exhibitor {
    pub id: String,
    pub main_id: String,
    pub main: String,
}

pub async fn with_fair(server: &TestServer) -> String {
    let organizer = server.organizer().await;
    let now = server.now().await;
    server
        .put("/v1/fair", &organizer, sample_fair(now))
        .await
        .expect(200);
    organizer
}

pub async fn exhibitor(server: &TestServer, organizer: &str, name: &str) -> Exhibitor {
    let body = json!({"name": name, "zoneIds": ["electronics"], "mainAccount": profile("Main", &unique_email("main"))});
    let created = server
        .post("/v1/exhibitors", organizer, body)
        .await
        .expect(201)
        .clone();
    let main_id = id(&created["mainAccount"]);
    Exhibitor {
        id: id(&created["exhibitor"]),
        main: server.token(&main_id).await,
        main_id,
    }
}

pub async fn sub_account(
    server: &TestServer,
    ex: &Exhibitor,
    permissions: Value,
) -> (String, String) {
    let mut body = profile("Sales", &unique_email("sales"));
    body["permissions"] = permissions;
    body["zoneIds"] = json!(["electronics"]);
    let created = server
        .post(
            &format!("/v1/exhibitors/{}/accounts", ex.id),
            &ex.main,
            body,
        )
        .await
        .expect(201)
        .clone();
    let sub_id = id(&created);
    let token = server.token(&sub_id).await;
    (sub_id, token)
}

pub async fn buyer(server: &TestServer) -> (String, String) {
    let body = json!({"name": "Ann Lee", "company": "Lee Imports", "country": "us", "email": unique_email("ann"),
        "phone": "+12125550100", "language": "en", "timeZone": "America/New_York"});
    let created = server
        .send("POST", "/v1/buyers", None, Some(body))
        .await
        .expect(201)
        .clone();
    let buyer_id = id(&created);
    let token = server.token(&buyer_id).await;
    (buyer_id, token)
}

/// An account made for a scenario, with its own email and phone number.
pub struct Person {
    pub id: String,
    pub token: String,
    pub email: String,
    pub phone: String,
}

/// A phone number no other account of the run has (E.164).
pub fn unique_phone(country: &str) -> String {
    let digits: u64 = rand::random_range(10_000_000..100_000_000);
    format!("+{country}{digits}")
}

/// A buyer in a language and time zone.
pub async fn buyer_in(server: &TestServer, name: &str, language: &str, time_zone: &str) -> Person {
    let email = unique_email("buyer");
    let phone = unique_phone("1212");
    let body = json!({"name": name, "company": format!("{name} Trading"), "country": "US", "email": email,
        "phone": phone, "language": language, "timeZone": time_zone});
    let created = server
        .send("POST", "/v1/buyers", None, Some(body))
        .await
        .expect(201)
        .clone();
    let id = id(&created);
    Person {
        token: server.token(&id).await,
        id,
        email,
        phone,
    }
}

/// A sub-account of the exhibitor with the permissions, in Chinese and Beijing time.
pub async fn staff(server: &TestServer, ex: &Exhibitor, name: &str, permissions: Value) -> Person {
    let email = unique_email("staff");
    let phone = unique_phone("86138");
    let body = json!({"name": name, "email": email, "phone": phone, "language": "zh", "timeZone": "Asia/Shanghai",
        "permissions": permissions, "zoneIds": ["electronics"]});
    let created = server
        .post(
            &format!("/v1/exhibitors/{}/accounts", ex.id),
            &ex.main,
            body,
        )
        .await
        .expect(201)
        .clone();
    let id = id(&created);
    Person {
        token: server.token(&id).await,
        id,
        email,
        phone,
    }
}

/// An exhibit of the exhibitor (made by its main account); its id.
pub async fn add_exhibit(server: &TestServer, ex: &Exhibitor, body: Value) -> String {
    let path = format!("/v1/exhibitors/{}/exhibits", ex.id);
    id(server.post(&path, &ex.main, body).await.expect(201))
}

/// Recommends an exhibit as the exhibitor's main account; the recommendation's answer.
pub async fn recommend(server: &TestServer, token: &str, xid: &str) -> Value {
    let path = format!("/v1/exhibits/{xid}/recommendation");
    server
        .post(&path, token, json!({}))
        .await
        .expect(201)
        .clone()
}

/// A speaker exhibit whose sales reps are `reps` (the accounts its conversations go to).
pub async fn speaker_with_reps(server: &TestServer, ex: &Exhibitor, reps: &[&str]) -> String {
    let body = json!({"name": "蓝牙音箱", "categoryId": "speakers"});
    let xid = add_exhibit(server, ex, body).await;
    server
        .put(
            &format!("/v1/exhibits/{xid}/reps"),
            &ex.main,
            json!({"accountIds": reps}),
        )
        .await
        .expect(200);
    xid
}

/// A slot of the exhibitor's at `starts_at` (30 minutes).
pub async fn slot(
    server: &TestServer,
    ex: &Exhibitor,
    starts_at: chrono::DateTime<chrono::Utc>,
) -> Value {
    let path = format!("/v1/exhibitors/{}/slots", ex.id);
    server
        .post(&path, &ex.main, json!({"startsAt": starts_at}))
        .await
        .expect(201)
        .clone()
}

/// The buyer books the slot.
pub async fn book(server: &TestServer, buyer: &Person, sid: &str) -> Value {
    server
        .post(
            &format!("/v1/slots/{sid}/bookings"),
            &buyer.token,
            json!({"message": "About speakers"}),
        )
        .await
        .expect(201)
        .clone()
}

/// The exhibitor's main account assigns the booking to one of its accounts.
pub async fn assign(server: &TestServer, ex: &Exhibitor, bid: &str, account: &str) -> Value {
    server
        .post(
            &format!("/v1/bookings/{bid}/assignment"),
            &ex.main,
            json!({"accountId": account}),
        )
        .await
        .expect(200)
        .clone()
}
