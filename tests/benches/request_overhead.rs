//! Request overhead on the embedded backend: how much of a request is fairlink's own code
//! (routing, token check, parsing, domain rules, JSON) and how much the store calls it makes,
//! for `GET /v1/exhibits/{xid}` and `POST /v1/slots/{sid}/bookings`. Then a load run from
//! loopback with wrk against fairlink-local (its router and server, in this process).
//!
//! Own code is measured two ways: a request's time minus its timed store calls, and the same
//! GET with the store's answers served from memory (own code alone). A third run serves them
//! from memory through a blocking thread, as the embedded store hands its reads: the first
//! way's "own" then shows what that hand-off costs the code after it (a woken thread, cold
//! caches), with no store work at all.
//!
//! Run: `cargo bench -p fairlink-tests --bench request_overhead` (wrk from Debian's `wrk`
//! package; without it the load run is skipped and says so). FAIRLINK_BENCH_GETS (20,000)
//! and FAIRLINK_BENCH_BOOKINGS (1,500) size the in-process runs, FAIRLINK_BENCH_SECONDS (5)
//! the load runs. Target: own code under 20% of the total.

use std::{
    collections::HashMap,
    path::Path,
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use axum::body::Body;
use fairlink_domain::ports::{
    Change, Condition, Item, ItemStore, Key, Page, Query, StoreError, WriteOp,
};
use fairlink_http::{AppState, Authenticator, api};
use fairlink_local::DEV_SECRET;
use fairlink_tests::{
    Store, TestServer,
    fixtures::{Exhibitor, exhibitor, id, staff, unique_email, with_fair},
    local_config,
};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// Where a `get` of the timed store gets its answer.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Gets {
    /// From the embedded store.
    Store = 0,
    /// From a copy of what the store answered the first time: the request then costs
    /// fairlink's own code alone.
    Memory = 1,
    /// From that copy, handed through a blocking thread as the embedded store hands its
    /// reads: what the hand-off alone costs the request.
    MemoryThroughBlockingThread = 2,
}

/// Times every call into the store it wraps.
struct TimedStore {
    inner: Arc<dyn ItemStore>,
    nanos: AtomicU64,
    calls: AtomicU64,
    gets: AtomicU8,
    memory: Mutex<HashMap<Key, Option<Item>>>,
}

impl TimedStore {
    async fn timed<T>(&self, call: impl std::future::Future<Output = T>) -> T {
        let started = Instant::now();
        let result = call.await;
        self.nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
        result
    }

    fn take(&self) -> (Duration, u64) {
        (
            Duration::from_nanos(self.nanos.swap(0, Ordering::Relaxed)),
            self.calls.swap(0, Ordering::Relaxed),
        )
    }
}

#[async_trait]
impl ItemStore for TimedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let gets = self.gets.load(Ordering::Relaxed);
        if gets == Gets::Store as u8 {
            return self.timed(self.inner.get(key)).await;
        }
        let remembered = self.memory.lock().unwrap().get(key).cloned();
        let item = match remembered {
            Some(item) => item,
            None => {
                let item = self.inner.get(key).await?;
                self.memory
                    .lock()
                    .unwrap()
                    .insert(key.clone(), item.clone());
                item
            }
        };
        if gets == Gets::Memory as u8 {
            return self.timed(async { Ok(item) }).await;
        }
        self.timed(async { Ok(tokio::task::spawn_blocking(move || item).await.unwrap()) })
            .await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.timed(self.inner.get_many(keys)).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.timed(self.inner.put(item, condition)).await
    }
    async fn update(
        &self,
        key: &Key,
        changes: Vec<Change>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        self.timed(self.inner.update(key, changes, condition)).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.timed(self.inner.delete(key, condition)).await
    }
    async fn delete_many(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.timed(self.inner.delete_many(keys)).await
    }
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.timed(self.inner.transact(ops)).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.timed(self.inner.query(query)).await
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the setup made: an exhibit to read, and (slot, buyer token) pairs to book.
struct Setup {
    exhibit: String,
    reader: String,
    pairs: Vec<(String, String)>,
}

const STAFF: usize = 9;

/// A fair, an exhibitor with 9 sales accounts (slot capacity 10), an exhibit, ~650 slots
/// and 10 buyers: every buyer can book every slot once.
async fn set_up(server: &TestServer) -> Setup {
    let organizer = with_fair(server).await;
    let ex: Exhibitor = exhibitor(server, &organizer, "Shenzhen Audio").await;
    for n in 0..STAFF {
        staff(server, &ex, &format!("Sales {n}"), json!(["appointments"])).await;
    }
    let exhibit = server
        .post(
            &format!("/v1/exhibitors/{}/exhibits", ex.id),
            &ex.main,
            json!({"name": "蓝牙音箱", "nameEn": "Bluetooth speaker", "categoryId": "speakers",
                   "keywords": ["bluetooth", "speaker"], "description": "Waterproof, 20 W",
                   "moq": {"quantity": 500, "unit": "pcs"}, "certifications": ["CE", "FCC"]}),
        )
        .await
        .expect(201)
        .clone();
    let today = server.now().await.date_naive();
    let batch = server
        .post(
            &format!("/v1/exhibitors/{}/slots/batch", ex.id),
            &ex.main,
            json!({"from": today + chrono::Days::new(3), "to": today + chrono::Days::new(16),
                   "windows": [{"start": "00:00", "end": "23:30"}], "timeZone": "UTC"}),
        )
        .await
        .expect(201)
        .clone();
    let slots: Vec<String> = batch["items"].as_array().unwrap().iter().map(id).collect();
    let mut buyers = Vec::new();
    for n in 0..=STAFF {
        let body = json!({"name": format!("Buyer {n}"), "company": "Lee Imports", "country": "US",
            "email": unique_email("buyer"), "phone": "+12125550100", "language": "en", "timeZone": "America/New_York"});
        let created = server
            .send("POST", "/v1/buyers", None, Some(body))
            .await
            .expect(201)
            .clone();
        buyers.push(server.token(&id(&created)).await);
    }
    let pairs = slots
        .iter()
        .flat_map(|slot| buyers.iter().map(move |b| (slot.clone(), b.clone())))
        .collect();
    Setup {
        exhibit: id(&exhibit),
        reader: buyers[0].clone(),
        pairs,
    }
}

struct Overhead {
    requests: usize,
    total: Duration,
    store: Duration,
    calls: u64,
}

impl Overhead {
    fn print(&self, what: &str) {
        let n = self.requests as f64;
        let total = self.total.as_secs_f64() * 1e6 / n;
        let store = self.store.as_secs_f64() * 1e6 / n;
        let own = total - store;
        println!(
            "{what:<34} {:>7} {:>11.1} {:>11.1} {:>9.1} {:>8.1}% {:>7.1}",
            self.requests,
            total,
            store,
            own,
            own / total * 100.0,
            self.calls as f64 / n
        );
    }

    /// Microseconds per request.
    fn per_request(&self) -> f64 {
        self.total.as_secs_f64() * 1e6 / self.requests as f64
    }

    /// Microseconds of store calls per request.
    fn store_per_request(&self) -> f64 {
        self.store.as_secs_f64() * 1e6 / self.requests as f64
    }

    fn own_share(&self) -> f64 {
        1.0 - self.store.as_secs_f64() / self.total.as_secs_f64()
    }
}

/// The request as the server (or lambda_http) hands it to the router.
fn request(method: &str, path: &str, token: &str) -> http::Request<Body> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(if method == "POST" { "{}" } else { "" }))
        .unwrap()
}

/// Times each request from the router's call to the last byte of its answer; the requests
/// are built beforehand, as a server would have parsed them.
async fn measure(
    router: &axum::Router,
    store: &TimedStore,
    requests: impl Iterator<Item = (&'static str, String, String)>,
    expect: u16,
) -> Overhead {
    let requests: Vec<_> = requests
        .map(|(method, path, token)| request(method, &path, &token))
        .collect();
    store.take();
    let mut overhead = Overhead {
        requests: 0,
        total: Duration::ZERO,
        store: Duration::ZERO,
        calls: 0,
    };
    for request in requests {
        let what = format!("{} {}", request.method(), request.uri());
        let started = Instant::now();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let _ = response.into_body().collect().await;
        overhead.total += started.elapsed();
        assert_eq!(status, expect, "{what}");
        overhead.requests += 1;
    }
    let (store_time, calls) = store.take();
    overhead.store = store_time;
    overhead.calls = calls;
    overhead
}

/// One wrk run; returns (requests/s, p99, errors).
fn wrk(url: &str, seconds: usize, script: &Path, dir: &Path) -> Option<(String, String, u64)> {
    let output = Command::new("wrk")
        .args(["-t2", "-c16", &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(script)
        .arg(url)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
    };
    let errors = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + field("Socket errors:").map_or(0, |_| 1);
    Some((field("Requests/sec:")?, field("99%")?, errors))
}

#[tokio::main]
async fn main() {
    let gets = env_number("FAIRLINK_BENCH_GETS", 20_000);
    let bookings = env_number("FAIRLINK_BENCH_BOOKINGS", 1_500);
    let seconds = env_number("FAIRLINK_BENCH_SECONDS", 5);
    let dir = tempfile::tempdir().unwrap();
    let config = local_config(Store::Embedded, dir.path().to_path_buf());

    let server = TestServer::start(config, None).await;
    let setup = set_up(&server).await;
    let (config, _) = server.stop().await;
    println!(
        "setup: 1 exhibit, {} (slot, buyer) pairs to book",
        setup.pairs.len()
    );

    // In process, through the whole router, one request at a time.
    {
        let ports = fairlink_embedded::ports(&config.data_dir, None).unwrap();
        let store = Arc::new(TimedStore {
            inner: ports.store.clone(),
            nanos: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            gets: AtomicU8::new(Gets::Store as u8),
            memory: Mutex::default(),
        });
        let mut ports = ports;
        ports.store = store.clone();
        let state = AppState::new(ports, Authenticator::hs256(DEV_SECRET.as_bytes()));
        let router = api(fairlink_local::feature_routes(), state);

        let path = format!("/v1/exhibits/{}", setup.exhibit);
        // Warm-up, then the measured runs.
        measure(
            &router,
            &store,
            (0..500).map(|_| ("GET", path.clone(), setup.reader.clone())),
            200,
        )
        .await;
        let get = measure(
            &router,
            &store,
            (0..gets).map(|_| ("GET", path.clone(), setup.reader.clone())),
            200,
        )
        .await;
        let book = measure(
            &router,
            &store,
            setup.pairs[..bookings]
                .iter()
                .map(|(slot, token)| ("POST", format!("/v1/slots/{slot}/bookings"), token.clone())),
            201,
        )
        .await;
        // The same reads with the store's answers from memory (own code alone), then from
        // memory through a blocking thread (the hand-off alone).
        let mut from_memory = Vec::new();
        for mode in [Gets::Memory, Gets::MemoryThroughBlockingThread] {
            store.gets.store(mode as u8, Ordering::Relaxed);
            let requests = (0..gets).map(|_| ("GET", path.clone(), setup.reader.clone()));
            from_memory.push(measure(&router, &store, requests, 200).await);
        }
        store.gets.store(Gets::Store as u8, Ordering::Relaxed);
        let (alone, handed) = (&from_memory[0], &from_memory[1]);
        println!(
            "{:<34} {:>7} {:>11} {:>11} {:>9} {:>9} {:>7}",
            "in process", "requests", "total µs", "store µs", "own µs", "own", "calls"
        );
        get.print("GET /v1/exhibits/{xid}");
        book.print("POST /v1/slots/{sid}/bookings");
        alone.print("GET, gets from memory");
        handed.print("GET, memory via blocking thread");
        let verdict = |share: f64| if share < 0.2 { "met" } else { "missed" };
        for (what, o) in [("GET exhibit", &get), ("POST booking", &book)] {
            println!(
                "target own code < 20%, time minus store calls: {what} {:.1}% ({})",
                o.own_share() * 100.0,
                verdict(o.own_share())
            );
        }
        let (own_alone, store_calls) = (alone.per_request(), get.store_per_request());
        let share = own_alone / (own_alone + store_calls);
        println!(
            "target own code < 20%, own code alone ({own_alone:.1} µs) against the store calls ({store_calls:.1} µs): GET exhibit {:.1}% ({})",
            share * 100.0,
            verdict(share)
        );
    }

    // Load from loopback: wrk against fairlink-local serving the same data.
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("load run skipped: wrk is not installed (apt-get install wrk)");
        return;
    }
    let server = TestServer::start(config, None).await;
    let scripts = tempfile::tempdir().unwrap();
    let get_script = scripts.path().join("get.lua");
    std::fs::write(
        &get_script,
        format!(
            "wrk.method = \"GET\"\nwrk.headers[\"Authorization\"] = \"Bearer {}\"\n",
            setup.reader
        ),
    )
    .unwrap();
    // Bookings: each request books the next unused (slot, buyer) pair; the two wrk threads
    // take alternate pairs, so no pair is booked twice.
    let pairs_file = scripts.path().join("pairs.txt");
    let remaining = &setup.pairs[bookings..];
    std::fs::write(
        &pairs_file,
        remaining
            .iter()
            .map(|(slot, token)| format!("{slot} {token}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let book_script = scripts.path().join("book.lua");
    std::fs::write(
        &book_script,
        r#"
local pairs, counter, threads = {}, 0, {}
function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines("pairs.txt") do
    local slot, token = line:match("(%S+) (%S+)")
    table.insert(pairs, {slot, token})
  end
  counter = index
end
function request()
  local pair = pairs[counter + 1]
  counter = counter + 2
  if pair == nil then
    return wrk.format("GET", "/exhausted")
  end
  return wrk.format("POST", "/v1/slots/" .. pair[1] .. "/bookings",
    {["Authorization"] = "Bearer " .. pair[2], ["Content-Type"] = "application/json"}, "{}")
end
"#,
    )
    .unwrap();
    println!(
        "{:<34} {:>12} {:>10} {:>8}",
        "wrk -t2 -c16, loopback", "requests/s", "p99", "errors"
    );
    let runs = [
        (
            "GET /v1/exhibits/{xid}",
            format!("{}/v1/exhibits/{}", server.base, setup.exhibit),
            &get_script,
        ),
        (
            "POST /v1/slots/{sid}/bookings",
            server.base.clone(),
            &book_script,
        ),
    ];
    for (n, (what, url, script)) in runs.into_iter().enumerate() {
        // Bookings: 2 s at most, so the prepared pairs last the whole run.
        let seconds = if n == 1 { seconds.min(2) } else { seconds };
        match wrk(&url, seconds, script, scripts.path()) {
            Some((rps, p99, errors)) => {
                println!("{what:<34} {rps:>12} {p99:>10} {errors:>8}")
            }
            None => println!("{what:<34} wrk failed"),
        }
    }
    println!(
        "(bookings: {} pairs were available; a run that used them all would show errors)",
        remaining.len()
    );
    server.stop().await;
}
