//! Real-time delivery on fairlink-local (embedded backend): 1,000 connected WebSocket
//! clients (500 buyers, 500 exhibitor accounts, one socket each), the buyers sending at a
//! steady rate, each message to its exhibitor account's socket. Prints the latency from the
//! sender's 201 to the recipient's frame (p50, p99, max), the frames lost (must be 0), and
//! the resident memory each connection adds.
//!
//! Run: `cargo bench -p fairlink-tests --bench realtime`. FAIRLINK_BENCH_CLIENTS (1,000),
//! FAIRLINK_BENCH_RATE (200 messages a second) and FAIRLINK_BENCH_SECONDS (10) size it.
//! Target on the two-core machine: p99 under 100 ms at 200 messages a second, nothing lost.
//!
//! The clients run in the same process as the server, so the memory per connection counts
//! both ends of each socket: an upper bound for the server's share.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use fairlink_tests::{
    Store, TestServer,
    fixtures::{buyer_in, id, profile, unique_email, with_fair},
    local_config,
    socket::socket_url,
};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{Message, protocol::WebSocketConfig},
};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn resident_kb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0.0)
}

/// Arrival times of message ids at the recipients' sockets.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// A buyer, the exhibitor account it writes to, and their conversation.
struct Pair {
    buyer: String,
    seller: String,
    cid: String,
}

async fn pairs(server: &TestServer, count: usize) -> Vec<Pair> {
    let organizer = with_fair(server).await;
    let mut pairs = Vec::with_capacity(count);
    for i in 0..count {
        let body = json!({"name": format!("Exhibitor {i}"), "zoneIds": ["electronics"],
            "mainAccount": profile("Main", &unique_email("main"))});
        let created = server
            .post("/v1/exhibitors", &organizer, body)
            .await
            .expect(201)
            .clone();
        let seller = server.token(&id(&created["mainAccount"])).await;
        let buyer = buyer_in(server, &format!("Buyer {i}"), "en", "America/New_York").await;
        let opened = server
            .post(
                "/v1/conversations",
                &buyer.token,
                json!({"exhibitorId": id(&created["exhibitor"])}),
            )
            .await
            .expect(201)
            .clone();
        pairs.push(Pair {
            buyer: buyer.token,
            seller,
            cid: id(&opened),
        });
    }
    pairs
}

/// Opens a socket and keeps reading it: message ids into `arrivals` (recipients), frames
/// dropped (senders, who receive nothing of their own).
async fn client(server: &TestServer, token: &str, arrivals: Option<Arrivals>) {
    // Small client buffers, so that the memory figure is mostly the server's.
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let (mut stream, _) = connect_async_with_config(socket_url(server, token), Some(config), false)
        .await
        .expect("the socket opens");
    // Recorded once its first pong is back.
    stream
        .send(Message::Text(r#"{"type":"ping"}"#.into()))
        .await
        .unwrap();
    while let Some(Ok(frame)) = stream.next().await {
        if let Message::Text(text) = frame
            && text.contains("pong")
        {
            break;
        }
    }
    tokio::spawn(async move {
        while let Some(Ok(frame)) = stream.next().await {
            let Message::Text(text) = frame else { continue };
            let at = Instant::now();
            if let Some(arrivals) = &arrivals {
                let event: Value = serde_json::from_str(&text).unwrap_or_default();
                if event["type"] == "message.created"
                    && let Some(mid) = event["data"]["message"]["id"].as_str()
                {
                    arrivals.lock().unwrap().insert(mid.to_string(), at);
                }
            }
        }
    });
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let clients = setting("FAIRLINK_BENCH_CLIENTS", 1_000).max(2);
    let rate = setting("FAIRLINK_BENCH_RATE", 200).max(1);
    let seconds = setting("FAIRLINK_BENCH_SECONDS", 10).max(1);
    let dir = tempfile::tempdir().unwrap();
    let config = local_config(Store::Embedded, dir.path().to_path_buf());
    let server = TestServer::start(config, None).await;

    let started = Instant::now();
    let pairs = pairs(&server, clients / 2).await;
    println!(
        "set-up: {} exhibitors, {} buyers, {} conversations in {:.1} s",
        pairs.len(),
        pairs.len(),
        pairs.len(),
        started.elapsed().as_secs_f64()
    );

    let arrivals: Arrivals = Arc::default();
    let before = resident_kb();
    for pair in &pairs {
        client(&server, &pair.seller, Some(arrivals.clone())).await;
        client(&server, &pair.buyer, None).await;
    }
    let connections = pairs.len() * 2;
    let per_connection = (resident_kb() - before) / connections as f64;
    println!("{connections} sockets open");

    // A steady rate: one message every 1/rate seconds, round robin over the buyers.
    let total = rate * seconds;
    let sent: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut requests = Vec::with_capacity(total);
    let client = server.client.clone();
    let base = server.base.clone();
    let load_started = Instant::now();
    for i in 0..total {
        ticker.tick().await;
        let pair = &pairs[i % pairs.len()];
        let (client, sent) = (client.clone(), sent.clone());
        let url = format!("{base}/v1/conversations/{}/messages", pair.cid);
        let token = pair.buyer.clone();
        requests.push(tokio::spawn(async move {
            let answer = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"type": "text", "text": format!("Message {i}")}))
                .send()
                .await
                .expect("the request is answered");
            assert_eq!(answer.status(), 201);
            let body: Value = answer.json().await.unwrap();
            let at = Instant::now();
            sent.lock()
                .unwrap()
                .push((body["id"].as_str().unwrap().to_string(), at));
        }));
    }
    for request in requests {
        request.await.unwrap();
    }
    let load_seconds = load_started.elapsed().as_secs_f64();
    // Frames still under way get a few seconds before they count as lost.
    let sent = sent.lock().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let got = arrivals.lock().unwrap().len();
        if got >= sent.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrivals = arrivals.lock().unwrap().clone();
    let mut latencies = Vec::with_capacity(sent.len());
    let mut lost = 0;
    for (mid, answered) in &sent {
        match arrivals.get(mid) {
            // A frame can beat its own 201 to the client: that counts as no wait.
            Some(arrived) => latencies.push(arrived.saturating_duration_since(*answered)),
            None => lost += 1,
        }
    }
    latencies.sort();
    println!(
        "{} messages in {load_seconds:.1} s ({:.0}/s offered {rate}/s) to {connections} sockets",
        sent.len(),
        sent.len() as f64 / load_seconds
    );
    println!(
        "201 -> frame: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&latencies, 99.0).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    println!("frames lost: {lost}");
    println!("resident memory per connection (both ends): {per_connection:.1} KiB");
    server.stop().await;
    assert_eq!(lost, 0, "every message reaches its recipient's socket");
}
