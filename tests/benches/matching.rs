//! Matching benchmark (issues 3 and 13): 300,000 recommended exhibits over 1,000 categories,
//! one hot category holding 30,000, on the embedded backend, each candidate packed with its
//! sentence vector: each exhibit gets the model's vector of one of 64 phrases of the
//! benchmark's words, slightly perturbed (embedding 300,000 texts would take hours; the cost
//! of a run depends on how many candidates pass the floor, which this keeps realistic). It reports the time to match one intent in the hot
//! category and in a normal one (the whole run: the intent embedded by the real model, its
//! category read and scored, matches recorded, pushes written), the store calls each run
//! made and the process's peak memory.
//!
//! Run: `cargo bench -p fairlink-tests --bench matching` (FAIRLINK_BENCH_EXHIBITS and
//! FAIRLINK_BENCH_HOT scale it down for a quick look).

use std::{
    collections::BTreeSet,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use fairlink_domain::{
    Ports,
    matching::{
        ExhibitVectors, IntentQuery, IntentVectors, PackedCandidate, RANKED_KEPT, Scoring,
        intent_name_text, intent_text,
    },
    model::{
        Account, Exhibit, ExhibitDetails, Exhibitor, Intent, IntentStatus, Language, Moq,
        Permission, PriceRange, Quantity, Role,
    },
    ports::{
        Condition, EMBEDDING_DIM, Item, ItemStore, Key, Page, Query, StoreError, TextRole, WriteOp,
    },
};
use fairlink_matcher::Matcher;
use fairlink_store::{Repository, candidate_block_puts, exhibit_write, keys, to_item};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

const CATEGORIES: usize = 1_000;
const EXHIBITS_PER_EXHIBITOR: usize = 10;
const DEFAULT_RUNS: usize = 10;

/// Counts what the matcher asks of the store.
struct CountingStore {
    inner: Arc<dyn ItemStore>,
    gets: AtomicU64,
    batch_gets: AtomicU64,
    queries: AtomicU64,
    items_read: AtomicU64,
    writes: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Calls {
    gets: u64,
    batch_gets: u64,
    queries: u64,
    items_read: u64,
    writes: u64,
}

impl CountingStore {
    fn take(&self) -> Calls {
        Calls {
            gets: self.gets.swap(0, Ordering::Relaxed),
            batch_gets: self.batch_gets.swap(0, Ordering::Relaxed),
            queries: self.queries.swap(0, Ordering::Relaxed),
            items_read: self.items_read.swap(0, Ordering::Relaxed),
            writes: self.writes.swap(0, Ordering::Relaxed),
        }
    }
}

#[async_trait]
impl ItemStore for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.gets.fetch_add(1, Ordering::Relaxed);
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.batch_gets.fetch_add(1, Ordering::Relaxed);
        self.inner.get_many(keys).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.put(item, condition).await
    }
    async fn update(
        &self,
        key: &Key,
        changes: Vec<fairlink_domain::ports::Change>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.update(key, changes, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.delete(key, condition).await
    }
    async fn delete_many(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.delete_many(keys).await
    }
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.transact(ops).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let page = self.inner.query(query).await?;
        self.items_read
            .fetch_add(page.items.len() as u64, Ordering::Relaxed);
        Ok(page)
    }
}

const WORDS_EN: &[&str] = &[
    "bluetooth",
    "speaker",
    "portable",
    "waterproof",
    "wireless",
    "headphone",
    "amplifier",
    "subwoofer",
    "soundbar",
    "microphone",
    "karaoke",
    "stereo",
    "mini",
    "outdoor",
    "smart",
    "lamp",
    "chair",
    "table",
    "kettle",
    "blender",
    "drone",
    "camera",
    "charger",
    "cable",
];
const WORDS_ZH: &[&str] = &[
    "蓝牙",
    "音箱",
    "便携",
    "防水",
    "无线",
    "耳机",
    "功放",
    "低音炮",
    "回音壁",
    "麦克风",
    "智能",
    "户外",
    "台灯",
    "椅子",
    "水壶",
    "无人机",
    "相机",
    "充电器",
];

fn phrase(rng: &mut StdRng, words: &[&str], n: usize) -> String {
    (0..n)
        .map(|_| *words.choose(rng).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

fn category(i: usize) -> String {
    format!("cat{i:04}")
}

fn account(id: &str, eid: &str) -> Account {
    Account {
        id: id.into(),
        role: Role::Exhibitor,
        exhibitor_id: Some(eid.into()),
        is_main: true,
        name: id.into(),
        email: format!("{id}@bench.example"),
        phone: None,
        language: Language::ZH,
        time_zone: "Asia/Shanghai".into(),
        permissions: Permission::ALL.into_iter().collect::<BTreeSet<_>>(),
        zone_ids: vec!["z".into()],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: Utc::now(),
    }
}

async fn seed(store: &dyn ItemStore, total: usize, hot: usize, phrases: &[Vec<f32>]) {
    let mut rng = StdRng::seed_from_u64(129);
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 0, 0, 0).unwrap();
    let mut ops: Vec<WriteOp> = Vec::new();
    let mut exhibits = Vec::with_capacity(total);
    let flush = |ops: Vec<WriteOp>| async move { store.transact(ops).await.expect("seed") };
    let exhibitors = total / EXHIBITS_PER_EXHIBITOR;
    for e in 0..exhibitors {
        let eid = format!("exh_b{e:06}");
        let main = format!("acc_b{e:06}");
        let exhibitor = Exhibitor {
            id: eid.clone(),
            name: eid.clone(),
            zone_ids: vec!["z".into()],
            recommendation_quota: None,
            main_account_id: main.clone(),
            created_at: at,
        };
        ops.push(WriteOp::Put {
            item: to_item(
                &Key::new(keys::exhibitor(&eid), keys::PROFILE),
                "Exhibitor",
                &exhibitor,
            ),
            condition: None,
        });
        ops.push(WriteOp::Put {
            item: to_item(
                &Key::new(keys::account(&main), keys::ACCOUNT),
                "Account",
                &account(&main, &eid),
            ),
            condition: None,
        });
        for k in 0..EXHIBITS_PER_EXHIBITOR {
            let n = e * EXHIBITS_PER_EXHIBITOR + k;
            // The first `hot` exhibits fill the hot category; the rest spread over the others.
            let cat = if n < hot { 0 } else { 1 + n % (CATEGORIES - 1) };
            let details = ExhibitDetails {
                name: phrase(&mut rng, WORDS_ZH, 3),
                name_en: Some(phrase(&mut rng, WORDS_EN, 3)),
                category_id: category(cat),
                zone_id: "z".into(),
                description: rng.random_bool(0.7).then(|| phrase(&mut rng, WORDS_EN, 12)),
                keywords: (0..rng.random_range(0..4))
                    .map(|_| WORDS_EN.choose(&mut rng).unwrap().to_string())
                    .collect(),
                moq: rng.random_bool(0.6).then(|| Moq {
                    quantity: rng.random_range(10..2_000),
                    unit: "pcs".into(),
                }),
                price: rng.random_bool(0.6).then(|| {
                    let min = rng.random_range(1.0..50.0);
                    PriceRange {
                        min,
                        max: min * 1.5,
                        currency: "USD".into(),
                    }
                }),
                certifications: if rng.random_bool(0.5) {
                    vec!["CE".into()]
                } else {
                    vec![]
                },
                markets: if rng.random_bool(0.5) {
                    vec!["US".into(), "DE".into()]
                } else {
                    vec![]
                },
                images: vec!["https://img.example.com/x.jpg".into()],
                specs: Default::default(),
            };
            let exhibit = Exhibit {
                id: format!("exb_b{n:07}"),
                exhibitor_id: eid.clone(),
                completeness: details.completeness(),
                details,
                rep_ids: vec![],
                recommended_at: Some(at),
                matched_intents: 0,
                pushed_buyers: 0,
                created_at: at,
                updated_at: at,
            };
            ops.push(exhibit_write(&exhibit));
            let phrase = phrases.choose(&mut rng).unwrap();
            let vectors = ExhibitVectors {
                text: perturbed(phrase, &mut rng),
                name: Some(perturbed(phrase, &mut rng)),
            };
            let packed = PackedCandidate::of(&exhibit, &vectors);
            exhibits.push((exhibit, packed));
        }
        if ops.len() >= 80 {
            flush(std::mem::take(&mut ops)).await;
        }
    }
    if !ops.is_empty() {
        flush(ops).await;
    }
    // The matcher's candidate blocks, whole.
    let pairs: Vec<(&Exhibit, &PackedCandidate)> = exhibits.iter().map(|(x, p)| (x, p)).collect();
    for chunk in candidate_block_puts(&pairs).chunks(25) {
        flush(chunk.to_vec()).await;
    }
}

/// A random unit vector of the model's width.
fn synthetic_vector(rng: &mut StdRng) -> Vec<f32> {
    let v: Vec<f32> = (0..EMBEDDING_DIM)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

/// `base` moved a little in a random direction, as a unit vector.
fn perturbed(base: &[f32], rng: &mut StdRng) -> Vec<f32> {
    let noise = synthetic_vector(rng);
    let v: Vec<f32> = base.iter().zip(&noise).map(|(b, n)| b + 0.15 * n).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

/// The process's peak resident memory (Linux), in MB.
fn peak_memory_mb() -> Option<f64> {
    memory_mb("VmHWM:")
}

/// The process's resident memory now (Linux), in MB.
fn resident_mb() -> f64 {
    memory_mb("VmRSS:").unwrap_or(0.0)
}

fn memory_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn intent(id: &str, buyer: &str, category_id: &str) -> Intent {
    Intent {
        id: id.into(),
        buyer_id: buyer.into(),
        product_name: "蓝牙音箱 portable bluetooth speaker".into(),
        category_id: category_id.into(),
        description: None,
        keywords: vec!["waterproof".into()],
        quantity: Quantity {
            amount: 500,
            unit: "pcs".into(),
        },
        target_price: Some(PriceRange {
            min: 5.0,
            max: 20.0,
            currency: "USD".into(),
        }),
        destination_country: "US".into(),
        certifications: vec!["CE".into()],
        valid_until: Utc::now() + chrono::Duration::days(30),
        exhibitor_id: None,
        exhibit_id: None,
        status: IntentStatus::Open,
        created_at: Utc::now(),
        closed_at: None,
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let total = env_usize("FAIRLINK_BENCH_EXHIBITS", 300_000);
    let hot = env_usize("FAIRLINK_BENCH_HOT", 30_000);
    let dir = tempfile::tempdir().unwrap();
    let base = fairlink_embedded::ports(dir.path(), None).unwrap();
    let counting = Arc::new(CountingStore {
        inner: base.store.clone(),
        gets: AtomicU64::new(0),
        batch_gets: AtomicU64::new(0),
        queries: AtomicU64::new(0),
        items_read: AtomicU64::new(0),
        writes: AtomicU64::new(0),
    });
    let before_model = resident_mb();
    let t = Instant::now();
    let embedder = fairlink_tests::test_embedder();
    println!(
        "embedding model loaded in {:.0} ms; resident memory {:.0} MB → {:.0} MB",
        ms(t.elapsed()),
        before_model,
        resident_mb()
    );
    let mut rng = StdRng::seed_from_u64(64);
    let texts: Vec<String> = (0..64)
        .map(|_| {
            format!(
                "{} {}",
                phrase(&mut rng, WORDS_ZH, 2),
                phrase(&mut rng, WORDS_EN, 3)
            )
        })
        .collect();
    let phrases = embedder.embed(&texts, TextRole::Passage).await.unwrap();
    let started = Instant::now();
    seed(base.store.as_ref(), total, hot, &phrases).await;
    println!(
        "seeded {total} recommended exhibits over {CATEGORIES} categories (hot: {hot}) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // What single store calls cost here, to read the figures below by.
    let t = Instant::now();
    for i in 0..200 {
        let key = Key::new(keys::exhibit(&format!("exb_b{:07}", i * 7)), keys::EXHIBIT);
        base.store.get(&key).await.unwrap();
    }
    let get = t.elapsed() / 200;
    let t = Instant::now();
    for i in 0..20 {
        let key = Key::new("BENCH", format!("{i}"));
        let item = to_item(&key, "Bench", &serde_json::json!({"n": i}));
        base.store
            .transact(vec![WriteOp::Put {
                item,
                condition: None,
            }])
            .await
            .unwrap();
    }
    let commit = t.elapsed() / 20;
    if std::env::var("FAIRLINK_BENCH_BREAKDOWN").is_ok() {
        let loops: usize = env_usize("FAIRLINK_BENCH_BREAKDOWN", 3);
        for _ in 0..loops {
            let t = Instant::now();
            let page = base
                .store
                .query(Query::table(keys::match_candidates(&category(0))).limit(1000))
                .await
                .unwrap();
            let raw = t.elapsed();
            let t = Instant::now();
            let repo = Repository::new(base.store.clone(), base.queue.clone());
            let c = repo.match_candidates(&category(0)).await.unwrap();
            let full = t.elapsed();
            let it = intent("int_x", "acc_x", &category(0));
            let mut rng = StdRng::seed_from_u64(7);
            let v = IntentVectors {
                text: synthetic_vector(&mut rng),
                name: Some(synthetic_vector(&mut rng)),
            };
            let t = Instant::now();
            let r = IntentQuery::of(&it, Some(v), &Default::default()).rank(
                &c,
                200,
                &[],
                &Scoring::FITTED,
            );
            println!(
                "breakdown: raw query {:.1} ms ({} blocks), repo read {:.1} ms, rank {:.1} ms ({} matched)",
                ms(raw),
                page.items.len(),
                ms(full),
                ms(t.elapsed()),
                r.matched
            );
        }
    }
    println!(
        "store: one get {:.0} us, one committed transaction {:.2} ms",
        get.as_secs_f64() * 1e6,
        ms(commit)
    );
    let ports = Ports {
        store: counting.clone(),
        ..base.clone()
    };
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    let matcher = Matcher::new(ports.clone(), embedder.clone());
    let before_runs = resident_mb();
    let normal_size = (total - hot) / (CATEGORIES - 1);
    let runs_wanted = env_usize("FAIRLINK_BENCH_RUNS", DEFAULT_RUNS);

    for (label, cat) in [("hot", category(0)), ("normal", category(500))] {
        let mut runs = Vec::new();
        let mut rank_only = Vec::new();
        let mut embed_times = Vec::new();
        let mut calls = Calls::default();
        let mut outcome = Default::default();
        for r in 0..runs_wanted {
            let buyer = format!("acc_buyer_{label}_{r}");
            let mut b = account(&buyer, "none");
            b.role = Role::Buyer;
            b.exhibitor_id = None;
            b.is_main = false;
            repo.ensure_account(&b).await.unwrap();
            let it = intent(&format!("int_{label}_{r}"), &buyer, &cat);
            repo.create_intent(&it, None, &[]).await.unwrap();
            counting.take();

            let t = Instant::now();
            let mut vectors = embedder
                .embed(&[intent_text(&it), intent_name_text(&it)], TextRole::Query)
                .await
                .unwrap();
            let vectors = IntentVectors {
                name: vectors.pop(),
                text: vectors.pop().unwrap(),
            };
            embed_times.push(t.elapsed());
            let t = Instant::now();
            let candidates = repo.match_candidates(&cat).await.unwrap();
            let ranked = IntentQuery::of(&it, Some(vectors), &Default::default()).rank(
                &candidates,
                RANKED_KEPT,
                &[],
                &Scoring::FITTED,
            );
            rank_only.push(t.elapsed());
            std::hint::black_box(&ranked);
            counting.take();

            let t = Instant::now();
            outcome = matcher.match_intent(&it.id).await.unwrap();
            runs.push(t.elapsed());
            calls = counting.take();
        }
        runs.sort();
        rank_only.sort();
        embed_times.sort();
        let size = if label == "hot" { hot } else { normal_size };
        println!(
            "{label:>6} category (~{size} candidates; {} matched, {} pushed): \
             full run median {:.1} ms, max {:.1} ms; read+score median {:.1} ms, max {:.1} ms",
            outcome.matched,
            outcome.pushed,
            ms(runs[runs_wanted / 2]),
            ms(runs[runs_wanted - 1]),
            ms(rank_only[runs_wanted / 2]),
            ms(rank_only[runs_wanted - 1]),
        );
        println!(
            "        embedding the intent: median {:.1} ms (included in the full run)",
            ms(embed_times[runs_wanted / 2])
        );
        println!(
            "        store calls in one full run: {} queries ({} items read), {} batch gets, {} gets, {} writes (a transaction counts once)",
            calls.queries, calls.items_read, calls.batch_gets, calls.gets, calls.writes
        );
    }
    println!(
        "resident memory before the runs {before_runs:.0} MB, after {:.0} MB (the runs' working set on top of the seeded store and model)",
        resident_mb()
    );
    if let Some(mb) = peak_memory_mb() {
        println!("peak memory of the process (seeding 300,000 exhibits included): {mb:.0} MB");
    }
}
