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
