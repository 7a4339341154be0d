//! Matching quality on the labelled set of `tests/matching_set` (its README has the grading
//! rules): every intent is matched against the recommended exhibits of its category the way
//! the matcher does it, and the pushes are scored against the grades. Shared by the
//! `matching_quality` benchmark (which prints the figures and can fit the weights) and by the
//! test that holds a floor under them.

use std::{collections::BTreeMap, path::PathBuf};

use chrono::{TimeZone, Utc};
use fairlink_domain::{
    matching::{
        CandidateView, IntentQuery, PackedCandidate, Parts, Scored, Scoring, exhibit_text,
        fit::ExchangeRates, intent_text, prepare_views, push_plan,
    },
    model::{Exhibit, ExhibitDetails, Intent, IntentStatus, Moq, PriceRange, Quantity},
    ports::{Embedder, TextRole},
};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelledExhibit {
    pub id: String,
    pub category_id: String,
    pub product: String,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub specs: BTreeMap<String, serde_json::Value>,
    pub moq: Option<Moq>,
    pub price: Option<PriceRange>,
    #[serde(default)]
    pub certifications: Vec<String>,
    #[serde(default)]
    pub markets: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelledIntent {
    pub id: String,
    pub lang: String,
    pub category_id: String,
    pub product: String,
    pub product_name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub quantity: Quantity,
    pub target_price: Option<PriceRange>,
    pub destination_country: String,
    #[serde(default)]
    pub certifications: Vec<String>,
}

/// The exchange rates the set's grades were written with (its README).
pub fn set_rates() -> ExchangeRates {
    ExchangeRates([("EUR".to_string(), 1.08), ("CNY".to_string(), 0.14)].into())
}

pub struct LabelledSet {
    pub exhibits: Vec<Exhibit>,
    pub intents: Vec<(LabelledIntent, Intent)>,
    /// intent id → exhibit id → grade 0–3.
    pub grades: BTreeMap<String, BTreeMap<String, u8>>,
}

fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("matching_set")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl LabelledSet {
    pub fn load() -> Self {
        let at = Utc.with_ymd_and_hms(2027, 4, 15, 0, 0, 0).unwrap();
        let exhibits: Vec<LabelledExhibit> = read("exhibits.json");
        let intents: Vec<LabelledIntent> = read("intents.json");
        let grades = read("grades.json");
        let exhibits = exhibits
            .into_iter()
            .map(|x| {
                let details = ExhibitDetails {
                    name: x.name,
                    name_en: x.name_en,
                    category_id: x.category_id,
                    zone_id: "z".into(),
                    description: x.description,
                    keywords: x.keywords,
                    specs: x
                        .specs
                        .into_iter()
                        .map(|(k, v)| {
                            (
                                k,
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect(),
                    moq: x.moq,
                    price: x.price,
                    certifications: x.certifications,
                    markets: x.markets,
                    images: vec![],
                };
                Exhibit {
                    // One exhibitor per exhibit: the per-exhibitor cap does not decide here.
                    exhibitor_id: format!("exh_{}", x.id),
                    id: x.id,
                    completeness: details.completeness(),
                    details,
                    rep_ids: vec![],
                    recommended_at: Some(at),
                    matched_intents: 0,
                    pushed_buyers: 0,
                    created_at: at,
                    updated_at: at,
                }
            })
            .collect();
        let intents = intents
            .into_iter()
            .map(|i| {
                let intent = Intent {
                    id: i.id.clone(),
                    buyer_id: format!("buyer_{}", i.id),
                    product_name: i.product_name.clone(),
                    category_id: i.category_id.clone(),
                    description: i.description.clone(),
                    keywords: i.keywords.clone(),
                    quantity: i.quantity.clone(),
                    target_price: i.target_price.clone(),
                    destination_country: i.destination_country.clone(),
                    certifications: i.certifications.clone(),
                    valid_until: at + chrono::Duration::days(30),
                    exhibitor_id: None,
                    exhibit_id: None,
                    status: IntentStatus::Open,
                    created_at: at,
                    closed_at: None,
                };
                (i, intent)
            })
            .collect();
        Self {
            exhibits,
            intents,
            grades,
        }
    }
}

/// Every intent's parts against every candidate of its category (what the weights combine).
pub struct Evaluated {
    /// Per intent: its language and its graded candidates.
    pub intents: Vec<EvaluatedIntent>,
}

/// One candidate of an intent, with its grade and numbers.
pub struct GradedCandidate {
    pub exhibit_id: String,
    pub exhibitor_id: String,
    pub grade: u8,
    pub parts: Parts,
}

pub struct EvaluatedIntent {
    pub id: String,
    pub lang: String,
    pub category: String,
    pub candidates: Vec<GradedCandidate>,
    /// Grades of every exhibit of the category, best first (for the ideal DCG).
    pub ideal: Vec<u8>,
}

/// Embeds the set (exhibits as passages, intents as queries, as the matcher does) and
/// evaluates every pair.
pub async fn evaluate(set: &LabelledSet, embedder: &dyn Embedder) -> Evaluated {
    let texts: Vec<String> = set.exhibits.iter().map(exhibit_text).collect();
    let vectors = embedder
        .embed(&texts, TextRole::Passage)
        .await
        .expect("exhibits embedded");
    let packed: Vec<PackedCandidate> = set
        .exhibits
        .iter()
        .zip(&vectors)
        .map(|(x, v)| PackedCandidate::of(x, v))
        .collect();
    let intent_texts: Vec<String> = set.intents.iter().map(|(_, i)| intent_text(i)).collect();
    let intent_vectors = embedder
        .embed(&intent_texts, TextRole::Query)
        .await
        .expect("intents embedded");
    let rates = set_rates();
    let mut out = Vec::new();
    for ((labelled, intent), vector) in set.intents.iter().zip(intent_vectors) {
        let views: Vec<CandidateView> = set
            .exhibits
            .iter()
            .zip(&packed)
            .filter(|(x, _)| x.details.category_id == intent.category_id)
            .filter_map(|(_, p)| p.view())
            .collect();
        let query = IntentQuery::of(intent, Some(vector), &rates);
        let prepared = prepare_views(&views);
        let stats = query.stats(&prepared);
        let grades = set.grades.get(&intent.id);
        let grade = |xid: &str| grades.and_then(|g| g.get(xid)).copied().unwrap_or(0);
        // The feedback comes from the fitted first pass (the grid below varies the rest).
        let (parts, _) = query.evaluate(&prepared, &stats, &Scoring::FITTED);
        let candidates: Vec<GradedCandidate> = views
            .iter()
            .zip(parts)
            .map(|(c, parts)| GradedCandidate {
                exhibit_id: c.exhibit_id.to_string(),
                exhibitor_id: c.exhibitor_id.to_string(),
                grade: grade(c.exhibit_id),
                parts,
            })
            .collect();
        let mut ideal: Vec<u8> = candidates.iter().map(|c| c.grade).collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        out.push(EvaluatedIntent {
            id: intent.id.clone(),
            lang: labelled.lang.clone(),
            category: intent.category_id.clone(),
            candidates,
            ideal,
        });
    }
    Evaluated { intents: out }
}

/// How a system orders an intent's candidates.
#[derive(Debug, Clone, Copy)]
pub enum System {
    /// fairlink's matcher: the weights, the floor, the push plan.
    Hybrid(Scoring),
    /// BM25 alone, every candidate sharing a term, the best 10.
    Bm25,
    /// The cosine of the sentence vectors alone, the best 10.
    Cosine,
    /// fairlink's scores without a floor, the best `k`.
    HybridTop(Scoring, usize),
}

/// The grades of what the system pushes to one intent, in order.
pub fn pushes(intent: &EvaluatedIntent, system: System) -> Vec<u8> {
    let mut ranked: Vec<(f64, &GradedCandidate)> = intent
        .candidates
        .iter()
        .filter_map(|c| {
            let score = match system {
                System::Hybrid(scoring) => {
                    let s = scoring.score(&c.parts);
                    (s >= scoring.floor).then_some(s)
                }
                System::Bm25 => (c.parts.bm25 > 0.0).then_some(c.parts.bm25),
                System::Cosine => Some(c.parts.similarity),
                System::HybridTop(scoring, _) => Some(scoring.score(&c.parts)),
            }?;
            Some((score, c))
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.exhibit_id.cmp(&b.1.exhibit_id))
    });
    if let System::HybridTop(_, k) = system {
        ranked.truncate(k);
    }
    let scored: Vec<Scored> = ranked
        .iter()
        .map(|(score, c)| Scored {
            exhibit_id: c.exhibit_id.clone(),
            exhibitor_id: c.exhibitor_id.clone(),
            score: *score,
            reasons: vec![],
        })
        .collect();
    let grade_of: BTreeMap<&str, u8> = intent
        .candidates
        .iter()
        .map(|c| (c.exhibit_id.as_str(), c.grade))
        .collect();
    let cap = match system {
        System::Hybrid(scoring) => scoring.max_pushes,
        _ => usize::MAX,
    };
    push_plan(&scored)
        .iter()
        .take(cap)
        .map(|s| grade_of[s.exhibit_id.as_str()])
        .collect()
}

fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| (2f64.powi(i32::from(*g)) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// The figures of one system over a group of intents.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub intents: usize,
    pub ndcg10: f64,
    pub p10: f64,
    /// Share of intents with a relevant exhibit (grade ≥ 2) that got no push at all.
    pub no_push: f64,
    /// Share of pushes graded 0.
    pub irrelevant: f64,
    pub pushes_per_intent: f64,
    /// Share of intents whose first push is relevant (grade ≥ 2).
    pub p1: f64,
}

pub fn figures<'a>(
    intents: impl IntoIterator<Item = &'a EvaluatedIntent>,
    system: System,
) -> Figures {
    let (mut n, mut ndcg, mut p10, mut no_push, mut with_relevant, mut pushed, mut irrelevant) =
        (0usize, 0.0, 0.0, 0usize, 0usize, 0usize, 0usize);
    let mut p1 = 0usize;
    for intent in intents {
        let got = pushes(intent, system);
        n += 1;
        let ideal = dcg(&intent.ideal);
        ndcg += if ideal > 0.0 { dcg(&got) / ideal } else { 1.0 };
        p10 += got.iter().filter(|g| **g >= 2).count() as f64 / 10.0;
        if intent.ideal.first().is_some_and(|g| *g >= 2) {
            with_relevant += 1;
            if got.is_empty() {
                no_push += 1;
            }
        }
        pushed += got.len();
        p1 += usize::from(got.first().is_some_and(|g| *g >= 2));
        irrelevant += got.iter().filter(|g| **g == 0).count();
    }
    let n_f = n.max(1) as f64;
    Figures {
        intents: n,
        ndcg10: ndcg / n_f,
        p10: p10 / n_f,
        no_push: no_push as f64 / with_relevant.max(1) as f64,
        irrelevant: irrelevant as f64 / pushed.max(1) as f64,
        pushes_per_intent: pushed as f64 / n_f,
        p1: p1 as f64 / n_f,
    }
}

/// The set's languages, in the order figures are printed.
pub fn languages(evaluated: &Evaluated) -> Vec<String> {
    let mut langs: Vec<String> = evaluated.intents.iter().map(|i| i.lang.clone()).collect();
    langs.sort();
    langs.dedup();
    langs
}
