//! Matching quality on the labelled set of `tests/matching_set` (its README has the grading
//! rules): every intent is matched against the recommended exhibits of its category the way
//! the matcher does it; the matches list (nDCG@10) and the pushes (how many, how many
//! irrelevant, intents left without one) are scored against the grades apart. Shared by the
//! `matching_quality` benchmark (which prints the figures and can fit the weights) and by the
//! tests that hold a floor under them.

use std::{collections::BTreeMap, path::PathBuf};

use chrono::{TimeZone, Utc};
use fairlink_domain::{
    matching::{
        CandidateView, ExhibitVectors, IntentQuery, IntentVectors, MAX_RECORDED_MATCHES,
        PackedCandidate, Parts, Pushed, Scored, Scoring, Verdicts, exhibit_name_text, exhibit_text,
        fit::ExchangeRates, intent_name_text, intent_text, prepare_views, push_plan,
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
    #[serde(default)]
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
    /// The buyer's language (`export` for judgments exported from a running fair).
    #[serde(default = "exported")]
    pub lang: String,
    pub category_id: String,
    #[serde(default)]
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

fn exported() -> String {
    EXPORTED.to_string()
}

/// The language of judgments exported from a running fair (`GET /v1/fair/matching-feedback`).
pub const EXPORTED: &str = "export";

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

/// One line of `GET /v1/fair/matching-feedback`: a buyer's verdict on a push, with the
/// intent and the exhibit in this set's format and the grade the set's rules give it.
#[derive(Debug, Clone, Deserialize)]
pub struct ExportedJudgment {
    pub intent: LabelledIntent,
    pub exhibit: LabelledExhibit,
    pub grade: u8,
}

impl LabelledSet {
    pub fn load() -> Self {
        Self::from_parts(
            read("exhibits.json"),
            read("intents.json"),
            read("grades.json"),
        )
    }

    /// The judgments exported from a running fair (JSON lines), as a set of their own: each
    /// intent with the exhibits its buyer judged.
    pub fn from_export(text: &str) -> Result<Self, String> {
        let mut exhibits: BTreeMap<String, LabelledExhibit> = BTreeMap::new();
        let mut intents: BTreeMap<String, LabelledIntent> = BTreeMap::new();
        let mut grades: BTreeMap<String, BTreeMap<String, u8>> = BTreeMap::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let judged: ExportedJudgment =
                serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
            grades
                .entry(judged.intent.id.clone())
                .or_default()
                .insert(judged.exhibit.id.clone(), judged.grade);
            exhibits.insert(judged.exhibit.id.clone(), judged.exhibit);
            intents.insert(judged.intent.id.clone(), judged.intent);
        }
        Ok(Self::from_parts(
            exhibits.into_values().collect(),
            intents.into_values().collect(),
            grades,
        ))
    }

    fn from_parts(
        exhibits: Vec<LabelledExhibit>,
        intents: Vec<LabelledIntent>,
        grades: BTreeMap<String, BTreeMap<String, u8>>,
    ) -> Self {
        let at = Utc.with_ymd_and_hms(2027, 4, 15, 0, 0, 0).unwrap();
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

/// The languages the weights are fitted on; the set's other languages (de, it, ja, ko, tr,
/// vi, pl, id) are never fitted on, and are reported as a group of their own.
pub const FITTED_LANGUAGES: [&str; 7] = ["ar", "en", "es", "fr", "pt", "ru", "zh"];

/// The group a language is reported in.
pub fn group_of(lang: &str) -> &'static str {
    if FITTED_LANGUAGES.contains(&lang) {
        "fitted"
    } else {
        "unseen"
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
    /// Its vector (for the verdicts of a simulated buyer).
    pub vector: Vec<f32>,
}

pub struct EvaluatedIntent {
    pub id: String,
    pub lang: String,
    pub category: String,
    pub candidates: Vec<GradedCandidate>,
    /// Grades of every exhibit of the category, best first (for the ideal DCG).
    pub ideal: Vec<u8>,
    /// The query as the matcher builds it, with the feedback of its first run, and the
    /// category's candidates: what a re-ranking with verdicts runs on.
    pub query: IntentQuery,
    pub packed: Vec<PackedCandidate>,
}

impl EvaluatedIntent {
    /// Whether the fit may learn from it: the seven fitted languages, and exported judgments.
    pub fn fitted(&self) -> bool {
        FITTED_LANGUAGES.contains(&self.lang.as_str()) || self.lang == EXPORTED
    }

    fn grade_of(&self, xid: &str) -> u8 {
        self.candidates
            .iter()
            .find(|c| c.exhibit_id == xid)
            .map_or(0, |c| c.grade)
    }
}

/// Embeds texts in batches (the model's own batching; one call would hold every text).
async fn embed(embedder: &dyn Embedder, texts: &[String], role: TextRole) -> Vec<Vec<f32>> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(64) {
        out.extend(embedder.embed(chunk, role).await.expect("texts embedded"));
    }
    out
}

/// Embeds the set (exhibits as passages, intents as queries, each with its names alone, as
/// the matcher does) and evaluates every pair with `scoring`'s first pass.
pub async fn evaluate(set: &LabelledSet, embedder: &dyn Embedder, scoring: &Scoring) -> Evaluated {
    let texts: Vec<String> = set.exhibits.iter().map(exhibit_text).collect();
    let names: Vec<String> = set.exhibits.iter().map(exhibit_name_text).collect();
    let vectors = embed(embedder, &texts, TextRole::Passage).await;
    let name_vectors = embed(embedder, &names, TextRole::Passage).await;
    let packed: Vec<PackedCandidate> = set
        .exhibits
        .iter()
        .zip(vectors.iter().zip(name_vectors))
        .map(|(x, (text, name))| {
            PackedCandidate::of(
                x,
                &ExhibitVectors {
                    text: text.clone(),
                    name: Some(name),
                },
            )
        })
        .collect();
    let intent_texts: Vec<String> = set.intents.iter().map(|(_, i)| intent_text(i)).collect();
    let intent_names: Vec<String> = set
        .intents
        .iter()
        .map(|(_, i)| intent_name_text(i))
        .collect();
    let intent_vectors = embed(embedder, &intent_texts, TextRole::Query).await;
    let intent_name_vectors = embed(embedder, &intent_names, TextRole::Query).await;
    let rates = set_rates();
    let mut out = Vec::new();
    for (((labelled, intent), text), name) in set
        .intents
        .iter()
        .zip(intent_vectors)
        .zip(intent_name_vectors)
    {
        let in_category: Vec<usize> = (0..set.exhibits.len())
            .filter(|i| set.exhibits[*i].details.category_id == intent.category_id)
            .collect();
        let category: Vec<PackedCandidate> =
            in_category.iter().map(|i| packed[*i].clone()).collect();
        let views: Vec<CandidateView> = category.iter().filter_map(|p| p.view()).collect();
        let query = IntentQuery::of(
            intent,
            Some(IntentVectors {
                text,
                name: Some(name),
            }),
            &rates,
        );
        let prepared = prepare_views(&views);
        let stats = query.stats(&prepared);
        let grades = set.grades.get(&intent.id);
        let grade = |xid: &str| grades.and_then(|g| g.get(xid)).copied().unwrap_or(0);
        let (parts, feedback) = query.evaluate(&prepared, &stats, scoring);
        let candidates: Vec<GradedCandidate> = views
            .iter()
            .zip(parts)
            .zip(&in_category)
            .map(|((c, parts), i)| GradedCandidate {
                exhibit_id: c.exhibit_id.to_string(),
                exhibitor_id: c.exhibitor_id.to_string(),
                grade: grade(c.exhibit_id),
                parts,
                vector: vectors[*i].clone(),
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
            query: query.with_feedback(feedback),
            packed: category,
        });
    }
    Evaluated { intents: out }
}

/// How a system orders an intent's candidates and what it pushes.
#[derive(Debug, Clone, Copy)]
pub enum System {
    /// fairlink's matcher: the scores, the record level, the confident pushes.
    Hybrid(Scoring),
    /// BM25 alone: every candidate sharing a term, ranked; its best 6 pushed.
    Bm25,
    /// The cosine of the sentence vectors alone, ranked; its best 6 pushed.
    Cosine,
    /// fairlink's order with a fixed cut: its best `k` pushed whatever their confidence.
    HybridTop(Scoring, usize),
}

/// What a baseline pushes: a fixed cut, as the matcher once did.
const BASELINE_PUSHES: usize = 6;

/// An intent's ranked matches as a system lists them, best first (at most 30).
pub fn matches(intent: &EvaluatedIntent, system: System) -> Vec<Scored> {
    let best = match system {
        System::Hybrid(s) | System::HybridTop(s, _) => intent
            .candidates
            .iter()
            .map(|c| s.raw(&c.parts))
            .fold(f64::NEG_INFINITY, f64::max),
        _ => 0.0,
    };
    let mut ranked: Vec<(f64, Scored)> = intent
        .candidates
        .iter()
        .filter_map(|c| {
            let (key, score, confidence) = match system {
                System::Hybrid(s) | System::HybridTop(s, _) => {
                    let raw = s.raw(&c.parts);
                    let shown = s.shown(raw);
                    if shown < s.record_level {
                        return None;
                    }
                    (raw, shown, s.confidence(raw, best, &c.parts))
                }
                System::Bm25 => {
                    (c.parts.bm25 > 0.0).then_some((c.parts.bm25, c.parts.bm25, 1.0))?
                }
                System::Cosine => (c.parts.similarity, c.parts.similarity, 1.0),
            };
            Some((
                key,
                Scored {
                    exhibit_id: c.exhibit_id.clone(),
                    exhibitor_id: c.exhibitor_id.clone(),
                    score,
                    confidence,
                    reasons: vec![],
                },
            ))
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.exhibit_id.cmp(&b.1.exhibit_id))
    });
    ranked.truncate(MAX_RECORDED_MATCHES);
    ranked.into_iter().map(|(_, s)| s).collect()
}

/// What a system pushes of its matches, in order.
pub fn pushes(matches: &[Scored], system: System) -> Vec<&Scored> {
    match system {
        System::Hybrid(scoring) => push_plan(matches, &scoring, &Pushed::default(), |_| false),
        System::HybridTop(scoring, k) => {
            let fixed = Scoring {
                first_push_level: 0.0,
                push_level: 0.0,
                max_pushes: k,
                ..scoring
            };
            push_plan(matches, &fixed, &Pushed::default(), |_| false)
        }
        System::Bm25 | System::Cosine => {
            let fixed = Scoring {
                first_push_level: f64::NEG_INFINITY,
                push_level: f64::NEG_INFINITY,
                max_pushes: BASELINE_PUSHES,
                ..Scoring::FITTED
            };
            push_plan(matches, &fixed, &Pushed::default(), |_| false)
        }
    }
}

pub fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| (2f64.powi(i32::from(*g)) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// nDCG@10 of a list of grades against the intent's ideal order.
pub fn ndcg10(intent: &EvaluatedIntent, grades: &[u8]) -> f64 {
    let ideal = dcg(&intent.ideal);
    if ideal > 0.0 {
        dcg(grades) / ideal
    } else {
        1.0
    }
}

/// The figures of one system over a group of intents.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub intents: usize,
    /// nDCG@10 of the matches list.
    pub ndcg10: f64,
    /// Share of intents with a relevant exhibit (grade ≥ 2) that got no push at all.
    pub no_push: f64,
    /// Share of pushes graded 0.
    pub irrelevant: f64,
    pub pushes_per_intent: f64,
    /// Share of intents whose first push is relevant (grade ≥ 2), of those with a push.
    pub p1: f64,
}

pub fn figures<'a>(
    intents: impl IntoIterator<Item = &'a EvaluatedIntent>,
    system: System,
) -> Figures {
    let (mut n, mut ndcg, mut no_push, mut with_relevant, mut pushed, mut irrelevant) =
        (0usize, 0.0, 0usize, 0usize, 0usize, 0usize);
    let (mut p1, mut with_push) = (0usize, 0usize);
    for intent in intents {
        let listed = matches(intent, system);
        let grades: Vec<u8> = listed
            .iter()
            .map(|s| intent.grade_of(&s.exhibit_id))
            .collect();
        let got: Vec<u8> = pushes(&listed, system)
            .iter()
            .map(|s| intent.grade_of(&s.exhibit_id))
            .collect();
        n += 1;
        ndcg += ndcg10(intent, &grades);
        if intent.ideal.first().is_some_and(|g| *g >= 2) {
            with_relevant += 1;
            if got.is_empty() {
                no_push += 1;
            }
        }
        pushed += got.len();
        if let Some(first) = got.first() {
            with_push += 1;
            p1 += usize::from(*first >= 2);
        }
        irrelevant += got.iter().filter(|g| **g == 0).count();
    }
    let n_f = n.max(1) as f64;
    Figures {
        intents: n,
        ndcg10: ndcg / n_f,
        no_push: no_push as f64 / with_relevant.max(1) as f64,
        irrelevant: irrelevant as f64 / pushed.max(1) as f64,
        pushes_per_intent: pushed as f64 / n_f,
        p1: p1 as f64 / with_push.max(1) as f64,
    }
}

/// What a simulated buyer who marks every irrelevant push "not relevant" gets back.
#[derive(Debug, Clone, Copy, Default)]
pub struct AfterVerdicts {
    pub dismissed: usize,
    pub replacements: usize,
    /// Share of the replacement pushes graded 0.
    pub replacements_irrelevant: f64,
    /// nDCG@10 of the matches list before and after the re-ranking (dismissed exhibits
    /// leave the list).
    pub ndcg_before: f64,
    pub ndcg_after: f64,
}

/// Pushes as the matcher does, dismisses every grade-0 push, ranks again with the verdicts
/// (as the matcher's re-ranking job does) and pushes a replacement for each dismissal where
/// it is confident, within the budget.
pub fn simulated_buyer<'a>(
    intents: impl IntoIterator<Item = &'a EvaluatedIntent>,
    scoring: &Scoring,
) -> AfterVerdicts {
    let mut out = AfterVerdicts::default();
    let (mut n, mut irrelevant) = (0usize, 0usize);
    for intent in intents {
        n += 1;
        let listed = matches(intent, System::Hybrid(*scoring));
        let grades: Vec<u8> = listed
            .iter()
            .map(|s| intent.grade_of(&s.exhibit_id))
            .collect();
        out.ndcg_before += ndcg10(intent, &grades);
        let sent: Vec<&Scored> = pushes(&listed, System::Hybrid(*scoring));
        let dismissed: Vec<&str> = sent
            .iter()
            .filter(|s| intent.grade_of(&s.exhibit_id) == 0)
            .map(|s| s.exhibit_id.as_str())
            .collect();
        let verdicts = Verdicts {
            relevant: vec![],
            dismissed: dismissed
                .iter()
                .filter_map(|xid| intent.candidates.iter().find(|c| c.exhibit_id == *xid))
                .map(|c| c.vector.clone())
                .collect(),
        };
        let reranked = if dismissed.is_empty() {
            listed.clone()
        } else {
            intent
                .query
                .clone()
                .with_verdicts(verdicts)
                .rank(&intent.packed, MAX_RECORDED_MATCHES, &dismissed, scoring)
                .best
        };
        let grades: Vec<u8> = reranked
            .iter()
            .map(|s| intent.grade_of(&s.exhibit_id))
            .collect();
        out.ndcg_after += ndcg10(intent, &grades);
        if dismissed.is_empty() {
            continue;
        }
        out.dismissed += dismissed.len();
        let mut per_exhibitor = std::collections::HashMap::new();
        for s in &sent {
            *per_exhibitor.entry(s.exhibitor_id.clone()).or_insert(0) += 1;
        }
        // The budget: what still stands, plus one replacement per dismissal at most.
        let standing = sent.len() - dismissed.len();
        let budget = Scoring {
            max_pushes: (standing + dismissed.len()).min(scoring.max_pushes),
            ..*scoring
        };
        let pushed = Pushed {
            count: standing,
            per_exhibitor,
        };
        let replacements = push_plan(&reranked, &budget, &pushed, |s| {
            sent.iter().any(|p| p.exhibit_id == s.exhibit_id)
        });
        out.replacements += replacements.len();
        irrelevant += replacements
            .iter()
            .filter(|s| intent.grade_of(&s.exhibit_id) == 0)
            .count();
    }
    let n = n.max(1) as f64;
    out.ndcg_before /= n;
    out.ndcg_after /= n;
    out.replacements_irrelevant = irrelevant as f64 / out.replacements.max(1) as f64;
    out
}

/// The set's languages, in the order figures are printed.
pub fn languages(evaluated: &Evaluated) -> Vec<String> {
    let mut langs: Vec<String> = evaluated.intents.iter().map(|i| i.lang.clone()).collect();
    langs.sort_by_key(|l| (group_of(l), l.clone()));
    langs.dedup();
    langs
}
