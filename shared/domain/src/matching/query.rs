//! What an intent asks for, prepared once per run, and the numbers of one candidate against
//! it ([`Parts`]): the cosines of the sentence vectors, the product words the two texts
//! share (never numbers or function words), BM25 (the benchmark's baseline) and fit.

use std::collections::HashMap;

use super::{
    candidate::{CandidateView, HashedTerm, PreparedCandidate, term_hash},
    feedback::{Feedback, Verdicts},
    fit::{
        ExchangeRates, Fit, UnitKind, certification_key, market_match, moq_fit, price_fit,
        unit_kind,
    },
    parallel::parallel_map_chunked,
    scoring::{UNJUDGED, fit_value},
    text::{detect_language, is_function_word, is_product_word, terms_in},
};
use crate::model::Intent;

/// Intent terms beyond this many are ignored.
const MAX_QUERY_TERMS: usize = 64;
/// BM25's term-frequency saturation and length normalization.
const K1: f64 = 1.2;
const B: f64 = 0.5;
/// The weighted frequency of a term found once in a name: a product word found there counts
/// fully.
const REFERENCE_TF: f64 = 3.0;

#[derive(Debug, Clone)]
pub(super) struct QueryTerm {
    pub(super) stem: String,
    /// As the buyer wrote it.
    pub(super) word: String,
    pub(super) weight: f64,
    /// Whether it says what the product is ([`is_product_word`]): only those are evidence.
    pub(super) product: bool,
}

/// The sentence vectors of an intent: its whole text, and its product name alone.
#[derive(Debug, Clone, PartialEq)]
pub struct IntentVectors {
    pub text: Vec<f32>,
    pub name: Option<Vec<f32>>,
}

/// What an intent asks for, prepared once per matching run.
#[derive(Debug, Clone)]
pub struct IntentQuery {
    pub(super) terms: Vec<QueryTerm>,
    /// (hash, index into `terms`), sorted: a candidate's term is looked up by an integer
    /// search and one comparison, which matters over tens of thousands of candidates.
    term_hashes: Vec<(u64, usize)>,
    pub(super) vectors: Option<IntentVectors>,
    pub(super) quantity: u64,
    pub(super) unit: Option<UnitKind>,
    /// The target price range in USD.
    target: Option<(f64, f64)>,
    /// (key, as written) of each required certification.
    pub(super) certifications: Vec<(String, String)>,
    pub(super) destination: String,
    rates: ExchangeRates,
    /// The feedback of the intent's first run, once there is one.
    pub(super) feedback: Option<Feedback>,
    /// Its buyer's verdicts on its pushes.
    pub(super) verdicts: Verdicts,
}

/// The category's term statistics that one query needs.
#[derive(Debug, Clone)]
pub struct QueryStats {
    documents: f64,
    average_length: f64,
    /// Per query term: its inverse document frequency in the category.
    idf: Vec<f64>,
    /// Σ weight·idf of the intent's product words: what a candidate with all of them has.
    product_mass: f64,
}

/// BM25's inverse document frequency.
fn idf(documents: f64, frequency: u32) -> f64 {
    let df = f64::from(frequency);
    (1.0 + (documents - df + 0.5) / (df + 0.5)).ln()
}

impl QueryStats {
    fn new(query: &IntentQuery, documents: f64, average_length: f64, frequency: &[u32]) -> Self {
        let idf: Vec<f64> = frequency.iter().map(|df| idf(documents, *df)).collect();
        let product_mass = query
            .terms
            .iter()
            .zip(&idf)
            .filter(|(t, _)| t.product)
            .map(|(t, idf)| t.weight * idf)
            .sum();
        Self {
            documents,
            average_length,
            idf,
            product_mass,
        }
    }

    pub(super) fn documents(&self) -> f64 {
        self.documents
    }
}

/// Term statistics of a whole category, for scoring one candidate against many intents.
pub struct CategoryStats<'a> {
    documents: usize,
    total_length: u64,
    frequency: HashMap<&'a str, u32>,
}

impl<'a> CategoryStats<'a> {
    pub fn of(candidates: &[CandidateView<'a>]) -> Self {
        let mut frequency: HashMap<&'a str, u32> = HashMap::new();
        let mut total_length = 0u64;
        for c in candidates {
            total_length += u64::from(c.length);
            for (stem, _) in c.terms() {
                *frequency.entry(stem).or_default() += 1;
            }
        }
        Self {
            documents: candidates.len(),
            total_length,
            frequency,
        }
    }

    pub(super) fn frequency(&self, stem: &str) -> u32 {
        self.frequency.get(stem).copied().unwrap_or(0)
    }
}

/// The numbers of one candidate against an intent, before any weight or text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    /// Cosine of the two texts' sentence vectors (0 without them).
    pub similarity: f64,
    /// Cosine of the intent's product name and the exhibit's names, when both were
    /// embedded.
    pub name_similarity: Option<f64>,
    /// Cosine with the query moved towards the feedback direction (the similarity without
    /// feedback).
    pub expanded: f64,
    /// Cosine with the feedback's anchor, the first pass's best exhibit (the similarity
    /// without feedback).
    pub anchor: f64,
    /// The share of the anchor's product words (by weight and rarity) the candidate has
    /// (0 without feedback).
    pub anchor_words: f64,
    /// The share of the intent's product words (by weight and rarity) the candidate has.
    pub words: f64,
    /// BM25 over every term (the benchmark's baseline; not weighed).
    pub bm25: f64,
    pub completeness: f64,
    /// How the buyer's verdicts move it (-1 to 1; 0 without verdicts).
    pub verdicts: f64,
    /// Bit i: query term i (a product word) matched.
    pub(super) matched: u64,
    pub(super) moq: Option<Fit>,
    pub(super) price: Option<Fit>,
    pub(super) certifications_held: Option<f64>,
    pub(super) market: Option<Fit>,
}

impl Parts {
    /// The features the weights combine ([`super::Weights`], in its order).
    pub fn features(&self) -> [f64; super::scoring::FEATURES] {
        [
            self.expanded,
            self.anchor,
            self.anchor_words,
            self.words,
            self.price_fit(),
            self.certifications_fit(),
            self.moq_fit(),
        ]
    }

    /// Meaning for the first pass: the whole texts' cosine, with `name_share` of the names'.
    pub fn meaning(&self, name_share: f64) -> f64 {
        match self.name_similarity {
            Some(names) => (1.0 - name_share) * self.similarity + name_share * names,
            None => self.similarity,
        }
    }

    pub fn price_fit(&self) -> f64 {
        fit_value(self.price)
    }

    pub fn certifications_fit(&self) -> f64 {
        self.certifications_held.unwrap_or(UNJUDGED)
    }

    pub fn moq_fit(&self) -> f64 {
        fit_value(self.moq)
    }

    /// Whether the exhibit ships to the buyer's market (`None`: it lists no markets).
    pub fn market_fits(&self) -> Option<bool> {
        self.market.map(|m| m == Fit::Fits)
    }
}

/// (hash, index) of each term's stem, sorted for [`IntentQuery::term_index`].
fn hashed(terms: &[QueryTerm]) -> Vec<(u64, usize)> {
    let mut hashes: Vec<(u64, usize)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (term_hash(&t.stem), i))
        .collect();
    hashes.sort_unstable();
    hashes
}

/// A set of product words to find in candidates (the anchor's), each weighted by its field
/// weight and its rarity in the category.
#[derive(Debug, Clone, Default)]
pub(super) struct WordSet {
    /// (hash, stem, weight·idf, reference weight), sorted by hash.
    words: Vec<(u64, String, f64, f64)>,
    mass: f64,
}

impl WordSet {
    /// `terms` (stem, field weight), weighted by their document frequency in the category.
    pub(super) fn new(
        terms: &[(String, f64)],
        documents: f64,
        frequency: impl Fn(&str) -> u32,
    ) -> Self {
        let mut words: Vec<(u64, String, f64, f64)> = terms
            .iter()
            .filter(|(stem, _)| is_product_word(stem))
            .map(|(stem, weight)| {
                let rarity = idf(documents, frequency(stem));
                (term_hash(stem), stem.clone(), weight * rarity, *weight)
            })
            .collect();
        words.sort_by_key(|w| w.0);
        let mass = words.iter().map(|w| w.2).sum();
        Self { words, mass }
    }

    /// The share of the set's mass the candidate's terms cover.
    pub(super) fn coverage(&self, terms: &[HashedTerm<'_>]) -> f64 {
        if self.mass <= 0.0 {
            return 0.0;
        }
        let mut found = 0.0;
        for term in terms {
            let start = self.words.partition_point(|w| w.0 < term.hash);
            if let Some(w) = self.words[start..]
                .iter()
                .take_while(|w| w.0 == term.hash)
                .find(|w| w.1 == term.stem)
            {
                found += w.2 * (f64::from(term.weight) / w.3).min(1.0);
            }
        }
        (found / self.mass).min(1.0)
    }
}

impl IntentQuery {
    /// The query of an intent, with its sentence vectors (`None` when it has none: then only
    /// words and fit count) and the fair's exchange rates.
    pub fn of(intent: &Intent, vectors: Option<IntentVectors>, rates: &ExchangeRates) -> Self {
        let all = format!(
            "{} {} {}",
            intent.product_name,
            intent.keywords.join(" "),
            intent.description.as_deref().unwrap_or_default()
        );
        let language = detect_language(&all);
        let mut terms: Vec<QueryTerm> = Vec::new();
        let mut add = |text: &str, weight: f64| {
            for t in terms_in(text, language) {
                match terms.iter_mut().find(|q| q.stem == t.stem) {
                    Some(q) => q.weight = q.weight.max(weight),
                    None => terms.push(QueryTerm {
                        product: is_product_word(&t.stem) && !is_function_word(&t.word),
                        stem: t.stem,
                        word: t.word,
                        weight,
                    }),
                }
            }
        };
        add(&intent.product_name, 1.0);
        add(&intent.keywords.join(" ; "), 0.8);
        add(intent.description.as_deref().unwrap_or_default(), 0.4);
        terms.truncate(MAX_QUERY_TERMS);
        let term_hashes = hashed(&terms);
        let target = intent.target_price.as_ref().and_then(|p| {
            Some((
                rates.to_usd(p.min, &p.currency)?,
                rates.to_usd(p.max, &p.currency)?,
            ))
        });
        Self {
            terms,
            term_hashes,
            vectors,
            quantity: intent.quantity.amount,
            unit: unit_kind(&intent.quantity.unit),
            target,
            certifications: intent
                .certifications
                .iter()
                .map(|c| (certification_key(c), c.trim().to_string()))
                .filter(|(key, _)| !key.is_empty())
                .collect(),
            destination: intent.destination_country.clone(),
            rates: rates.clone(),
            feedback: None,
            verdicts: Verdicts::default(),
        }
    }

    /// The query with the feedback of its first run.
    pub fn with_feedback(mut self, feedback: Option<Feedback>) -> Self {
        self.feedback = feedback;
        self
    }

    /// The query with its buyer's verdicts on its pushes.
    pub fn with_verdicts(mut self, verdicts: Verdicts) -> Self {
        self.verdicts = verdicts;
        self
    }

    pub fn feedback(&self) -> Option<&Feedback> {
        self.feedback.as_ref()
    }

    /// The query term of a candidate's term, by its hash ([`term_hash`]) and stem.
    fn term_index(&self, hash: u64, stem: &str) -> Option<usize> {
        let start = self.term_hashes.partition_point(|(h, _)| *h < hash);
        self.term_hashes[start..]
            .iter()
            .take_while(|(h, _)| *h == hash)
            .map(|(_, i)| *i)
            .find(|i| self.terms[*i].stem == stem)
    }

    /// This query's statistics over candidates (one pass over their terms).
    pub fn stats(&self, candidates: &[PreparedCandidate<'_>]) -> QueryStats {
        // Counted per chunk of candidates on every core, then added up.
        const CHUNK: usize = 2_048;
        let chunks: Vec<&[PreparedCandidate<'_>]> = candidates.chunks(CHUNK).collect();
        let counted = parallel_map_chunked(&chunks, 1, |chunk| {
            let mut frequency = vec![0u32; self.terms.len()];
            let mut total = 0u64;
            for c in chunk.iter() {
                total += u64::from(c.view.length);
                for term in &c.terms {
                    if let Some(i) = self.term_index(term.hash, term.stem) {
                        frequency[i] += 1;
                    }
                }
            }
            (frequency, total)
        });
        let mut frequency = vec![0u32; self.terms.len()];
        let mut total = 0u64;
        for (part, length) in counted {
            total += length;
            frequency.iter_mut().zip(part).for_each(|(f, p)| *f += p);
        }
        QueryStats::new(
            self,
            candidates.len() as f64,
            (total as f64 / candidates.len().max(1) as f64).max(1.0),
            &frequency,
        )
    }

    /// This query's statistics from a whole category's.
    pub fn stats_from(&self, category: &CategoryStats<'_>) -> QueryStats {
        let frequency: Vec<u32> = self
            .terms
            .iter()
            .map(|t| category.frequency(&t.stem))
            .collect();
        QueryStats::new(
            self,
            category.documents as f64,
            (category.total_length as f64 / category.documents.max(1) as f64).max(1.0),
            &frequency,
        )
    }

    /// What the words and the attributes say of a candidate: BM25, the share of the intent's
    /// product words it has, and fit.
    pub(super) fn text_parts(&self, prepared: &PreparedCandidate<'_>, stats: &QueryStats) -> Parts {
        let c = &prepared.view;
        let mut matched = 0u64;
        let mut bm25 = 0.0;
        let mut product = 0.0;
        let norm = 1.0 - B + B * f64::from(c.length) / stats.average_length;
        for term in &prepared.terms {
            if let Some(i) = self.term_index(term.hash, term.stem)
                && matched & (1 << i) == 0
            {
                matched |= 1 << i;
                let tf = f64::from(term.weight);
                let q = &self.terms[i];
                bm25 += q.weight * stats.idf[i] * tf * (K1 + 1.0) / (tf + K1 * norm);
                if q.product {
                    product += q.weight * stats.idf[i] * (tf / REFERENCE_TF).min(1.0);
                }
            }
        }
        // Only product words are evidence (and reasons).
        let product_bits = self
            .terms
            .iter()
            .enumerate()
            .filter(|(_, t)| t.product)
            .fold(0u64, |bits, (i, _)| bits | (1 << i));
        let words = if stats.product_mass > 0.0 {
            (product / stats.product_mass).min(1.0)
        } else {
            0.0
        };
        let moq = match (c.moq(), self.unit) {
            (Some((moq, kind)), Some(unit)) if kind == unit => Some(moq_fit(moq, self.quantity)),
            _ => None,
        };
        let price = match (c.price(), self.target) {
            (Some((min, max, currency)), Some(target)) => {
                match (
                    self.rates.to_usd(min, currency),
                    self.rates.to_usd(max, currency),
                ) {
                    (Some(min), Some(max)) => Some(price_fit((min, max), target)),
                    _ => None,
                }
            }
            _ => None,
        };
        let certifications_held = (!self.certifications.is_empty()).then(|| {
            let held = self
                .certifications
                .iter()
                .filter(|(key, _)| c.certifications().any(|have| have == key))
                .count();
            held as f64 / self.certifications.len() as f64
        });
        let market = c.has_markets().then(|| {
            if market_match(c.markets(), &self.destination).is_some() {
                Fit::Fits
            } else {
                Fit::Far
            }
        });
        Parts {
            similarity: 0.0,
            name_similarity: None,
            expanded: 0.0,
            anchor: 0.0,
            anchor_words: 0.0,
            words,
            bm25,
            completeness: c.completeness,
            verdicts: 0.0,
            matched: matched & product_bits,
            moq,
            price,
            certifications_held,
            market,
        }
    }
}
