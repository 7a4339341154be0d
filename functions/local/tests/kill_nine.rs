//! The embedded store survives `kill -9` of fairlink-local in the middle of writes: after a
//! restart every acknowledged write is there, and none is half done (a booking and the
//! count on its slot move together, in one transaction).

use std::{
    path::Path,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// Starts the fairlink-local binary on a free port over `data`; returns it and its base URL.
async fn start(data: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fairlink-local"))
        .env("FAIRLINK_ADDR", "127.0.0.1:0")
        .env("FAIRLINK_DATA_DIR", data)
        .env("FAIRLINK_JWT_SECRET", "kill-nine-secret")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("fairlink-local starts within 30 s")
            .unwrap()
            .expect("fairlink-local printed its address");
        let log: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if let Some(addr) = log["fields"]["addr"].as_str() {
            break format!("http://{addr}");
        }
    };
    // Keep reading its logs so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            // The process was killed under this request: not acknowledged.
            Err(_) => (0, Value::Null),
        }
    }

    async fn token(&self, account: &str) -> String {
        let (status, body) = self
            .call(
                "POST",
                "/v1/dev/tokens",
                None,
                Some(json!({"accountId": account})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_string()
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_nine() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, base) = start(data.path()).await;
    let api = Arc::new(Api {
        base,
        http: reqwest::Client::new(),
    });

    let organizer = api.token("organizer").await;
    let now = chrono::Utc::now();
    let fair = json!({"name": "Canton Fair", "timeZone": "Asia/Shanghai",
        "startsAt": now + chrono::Duration::days(2), "endsAt": now + chrono::Duration::days(12),
        "distributionLockAt": now + chrono::Duration::days(1), "defaultRecommendationQuota": 10,
        "zones": [{"id": "electronics", "name": "Electronics"}],
        "categories": [{"id": "speakers", "name": "Speakers", "zoneId": "electronics", "parentId": null}]});
    assert_eq!(
        api.call("PUT", "/v1/fair", Some(&organizer), Some(fair))
            .await
            .0,
        200
    );
    let (status, created) = api
        .call("POST", "/v1/exhibitors", Some(&organizer), Some(json!({"name": "Dongguan Audio", "zoneIds": ["electronics"],
            "mainAccount": {"name": "Main", "email": "main@dongguan.example", "phone": "+8613800138000", "language": "zh", "timeZone": "Asia/Shanghai"}})))
        .await;
    assert_eq!(status, 201, "{created}");
    let eid = id(&created["exhibitor"]);
    let main = api.token(&id(&created["mainAccount"])).await;
    let today = now.date_naive();
    let (status, batch) = api
        .call(
            "POST",
            &format!("/v1/exhibitors/{eid}/slots/batch"),
            Some(&main),
            Some(
                json!({"from": today + chrono::Days::new(3), "to": today + chrono::Days::new(20),
                "windows": [{"start": "00:00", "end": "23:30"}], "timeZone": "UTC"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    let slots: Vec<String> = batch["items"].as_array().unwrap().iter().map(id).collect();
    let mut buyers = Vec::new();
    for n in 0..2 {
        let (status, buyer) = api
            .call("POST", "/v1/buyers", None, Some(json!({"name": format!("Buyer {n}"), "company": "Lee Imports",
                "country": "US", "email": format!("buyer{n}@lee.example"), "language": "en", "timeZone": "UTC"})))
            .await;
        assert_eq!(status, 201, "{buyer}");
        buyers.push(api.token(&id(&buyer)).await);
    }

    // Writers: exhibits (single puts) and bookings (transactions), acknowledged ids kept.
    let exhibits = Arc::new(Mutex::new(Vec::new()));
    let bookings = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..2 {
        let (api, main, eid, exhibits) = (api.clone(), main.clone(), eid.clone(), exhibits.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let body = json!({"name": format!("Speaker {w}-{n}"), "categoryId": "speakers", "keywords": ["bluetooth"]});
                let (status, exhibit) = api.call("POST", &format!("/v1/exhibitors/{eid}/exhibits"), Some(&main), Some(body)).await;
                if status == 0 { break; }
                assert_eq!(status, 201, "{exhibit}");
                exhibits.lock().unwrap().push(id(&exhibit));
            }
        }));
    }
    for (b, token) in buyers.iter().enumerate() {
        let (api, token, bookings) = (api.clone(), token.clone(), bookings.clone());
        // Each buyer books every other slot: no two writers race for one place.
        let mine: Vec<String> = slots.iter().skip(b).step_by(2).cloned().collect();
        writers.push(tokio::spawn(async move {
            for slot in mine {
                let (status, booking) = api
                    .call(
                        "POST",
                        &format!("/v1/slots/{slot}/bookings"),
                        Some(&token),
                        Some(json!({})),
                    )
                    .await;
                if status == 0 {
                    break;
                }
                assert_eq!(status, 201, "{booking}");
                bookings.lock().unwrap().push((id(&booking), slot));
            }
        }));
    }
    // Killed once both kinds of write are under way: twenty of each acknowledged (or a writer
    // stopped early, whose failure the join below reports).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while (exhibits.lock().unwrap().len() < 20 || bookings.lock().unwrap().len() < 20)
        && !writers.iter().any(|w| w.is_finished())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no writes under way after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let exhibits = exhibits.lock().unwrap().clone();
    let bookings = bookings.lock().unwrap().clone();
    assert!(
        !exhibits.is_empty() && !bookings.is_empty() && bookings.len() < slots.len(),
        "writes were under way when killed"
    );
    println!(
        "killed after {} exhibits and {} bookings were acknowledged",
        exhibits.len(),
        bookings.len()
    );

    // Restarted on the same files: everything acknowledged is there, nothing half done.
    let (_child, base) = start(data.path()).await;
    let api = Api {
        base,
        http: reqwest::Client::new(),
    };
    let main = api.token(&id(&created["mainAccount"])).await;
    for xid in &exhibits {
        let (status, _) = api
            .call("GET", &format!("/v1/exhibits/{xid}"), Some(&main), None)
            .await;
        assert_eq!(status, 200, "acknowledged exhibit {xid} is missing");
    }
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match &cursor {
            Some(c) => format!("/v1/exhibitors/{eid}/bookings?limit=200&cursor={c}"),
            None => format!("/v1/exhibitors/{eid}/bookings?limit=200"),
        };
        let (status, body) = api.call("GET", &page, Some(&main), None).await;
        assert_eq!(status, 200, "{body}");
        listed.extend(body["items"].as_array().unwrap().iter().cloned());
        cursor = body["nextCursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    for (bkid, _) in &bookings {
        assert!(
            listed.iter().any(|b| b["id"] == bkid.as_str()),
            "acknowledged booking {bkid} is missing"
        );
    }
    let (status, all_slots) = api
        .call(
            "GET",
            &format!("/v1/exhibitors/{eid}/slots?limit=200"),
            Some(&main),
            None,
        )
        .await;
    assert_eq!(status, 200);
    for slot in all_slots["items"].as_array().unwrap() {
        let made = listed.iter().filter(|b| b["slotId"] == slot["id"]).count() as u64;
        assert_eq!(
            slot["booked"].as_u64(),
            Some(made),
            "slot {} is half done",
            slot["id"]
        );
    }
    // And it takes writes again.
    let (status, _) = api
        .call(
            "POST",
            &format!("/v1/exhibitors/{eid}/exhibits"),
            Some(&main),
            Some(json!({"name": "After the restart", "categoryId": "speakers"})),
        )
        .await;
    assert_eq!(status, 201);
}
