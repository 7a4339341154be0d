//! Matching recommended exhibits against procurement intents (DESIGN.md, "matcher"): a
//! hybrid of lexical relevance ([`text`]: words, stems, Chinese segmentation; BM25 with the
//! category's own term statistics), semantic relevance (multilingual sentence vectors, so
//! that an intent in Spanish or Arabic meets an exhibit written in Chinese), fit ([`fit`]:
//! MOQ, price, certifications, markets, normalized) and completeness; only candidates above
//! a calibrated floor are kept, with [`reasons`] a buyer reads. Pure functions: the matcher
//! worker feeds them what the store holds and what the embedder computes.

mod candidate;
pub mod fit;
mod query;
pub mod reasons;
pub mod text;

use serde::{Deserialize, Serialize};

pub use candidate::{
    CandidateView, HashedTerm, PackedCandidate, PreparedCandidate, QuantizedVector, decode_vector,
    encode_vector, exhibit_text,
};
pub use query::{CategoryStats, Feedback, IntentQuery, Parts, QueryStats, prepare, prepare_views};
pub use reasons::Reason;

use crate::model::{Intent, Language};

/// At most this many exhibits are pushed to a buyer per intent (fitted with the floor: fewer,
/// better pushes)…
pub const MAX_PUSHES_PER_INTENT: usize = Scoring::FITTED.max_pushes;
/// …and at most this many of one exhibitor.
pub const MAX_PUSHES_PER_EXHIBITOR: usize = 2;
/// Exhibit matches recorded for exhibitors per intent, best first (one transaction's worth:
/// a hot category can match tens of thousands).
pub const MAX_RECORDED_MATCHES: usize = 30;
/// The best matches a run keeps with their reasons (enough to fill the pushes when some
/// were pushed before or one exhibitor has many).
pub const RANKED_KEPT: usize = 200;

/// The text of an intent that is embedded.
pub fn intent_text(intent: &Intent) -> String {
    let mut parts = vec![intent.product_name.clone()];
    if !intent.keywords.is_empty() {
        parts.push(intent.keywords.join(", "));
    }
    if let Some(description) = intent
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        parts.push(description.chars().take(600).collect());
    }
    parts.join(". ")
}

/// How the parts of a match combine into its score, and the floor below which nothing is
/// pushed or recorded. [`Scoring::FITTED`] holds the values fitted on the labelled set
/// (`tests/matching_set`, `cargo bench -p fairlink-tests --bench matching_quality`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    pub semantic_weight: f64,
    pub lexical_weight: f64,
    pub fit_weight: f64,
    pub completeness_weight: f64,
    /// Cosines at or below this count as unrelated, at or above `similarity_high` as the
    /// same product (e5 vectors of unrelated texts still have cosines around 0.7).
    pub similarity_low: f64,
    pub similarity_high: f64,
    /// The weight of the feedback vector's cosine, and its range (exhibits of one kind are
    /// closer to each other than a query is to them).
    pub feedback_weight: f64,
    pub feedback_low: f64,
    pub feedback_high: f64,
    /// The weight of lexical relevance to the feedback terms.
    pub feedback_lexical_weight: f64,
    /// How many of a first pass's best make the feedback vector.
    pub feedback_depth: usize,
    pub floor: f64,
    /// At most this many pushes per intent.
    pub max_pushes: usize,
}

impl Scoring {
    /// The first pass, which picks the exhibits the feedback comes from: the query's own
    /// vector, words and fit (its best is relevant for 98% of the labelled intents).
    pub const FIRST_PASS: Scoring = Scoring {
        semantic_weight: 0.6,
        lexical_weight: 0.25,
        fit_weight: 0.1,
        completeness_weight: 0.05,
        similarity_low: 0.75,
        similarity_high: 0.9,
        feedback_weight: 0.0,
        feedback_low: 0.92,
        feedback_high: 0.98,
        feedback_lexical_weight: 0.0,
        feedback_depth: 1,
        // Only candidates this good feed back: a category with nothing like the intent gives
        // no feedback (its best would otherwise confirm itself).
        floor: 0.35,
        max_pushes: 10,
    };

    /// Fitted on the labelled set: a ridge regression of the grade on the five parts (the
    /// cosines mapped through the ranges below), its weights scaled to sum to 1, checked by
    /// leaving each category out in turn; then the floor and the number of pushes that give
    /// the best nDCG@10 with at most about a fifth of the pushes irrelevant
    /// (`FAIRLINK_FIT=1 cargo bench -p fairlink-tests --bench matching_quality`). The
    /// feedback carries the ranking: exhibits of one kind lie closer to each other than a
    /// buyer's words, in any language, lie to them. Completeness is left out: the fit gives
    /// it a negative weight on this set, which no exhibitor should be scored by.
    pub const FITTED: Scoring = Scoring {
        semantic_weight: 0.02,
        lexical_weight: 0.02,
        fit_weight: 0.06,
        completeness_weight: 0.0,
        similarity_low: 0.7,
        similarity_high: 0.95,
        feedback_weight: 0.6,
        feedback_low: 0.8,
        feedback_high: 1.0,
        feedback_lexical_weight: 0.3,
        feedback_depth: 1,
        floor: 0.27,
        max_pushes: 6,
    };

    /// Semantic relevance from 0 to 1.
    pub fn semantic(&self, similarity: f64) -> f64 {
        ((similarity - self.similarity_low) / (self.similarity_high - self.similarity_low))
            .clamp(0.0, 1.0)
    }

    /// Relevance to the feedback from 0 to 1. Without feedback (a first pass, or no
    /// candidates to learn from) the query's own similarity stands in for it.
    pub fn feedback(&self, p: &Parts) -> f64 {
        match p.feedback {
            Some(cosine) => ((cosine - self.feedback_low)
                / (self.feedback_high - self.feedback_low))
                .clamp(0.0, 1.0),
            None => self.semantic(p.similarity),
        }
    }

    pub fn score(&self, p: &Parts) -> f64 {
        let feedback = self.feedback(p);
        self.semantic_weight * self.semantic(p.similarity)
            + self.feedback_weight * feedback
            + self.feedback_lexical_weight * p.feedback_lexical.unwrap_or(p.lexical)
            + self.lexical_weight * p.lexical
            + self.fit_weight * p.fit
            + self.completeness_weight * p.completeness
    }
}

impl Default for Scoring {
    fn default() -> Self {
        Self::FITTED
    }
}

/// A run's result: how many candidates reached the floor, and the best of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub matched: usize,
    pub best: Vec<Scored>,
    /// The feedback of the run, kept with the intent so that an exhibit recommended later is
    /// scored as this run scored its category.
    pub feedback: Option<Feedback>,
}

/// A candidate that matched, with its score and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub exhibit_id: String,
    pub exhibitor_id: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

impl Scored {
    /// The reasons in words, in `language`, and their codes.
    pub fn explained(&self, language: Language) -> (Vec<String>, Vec<String>) {
        self.reasons
            .iter()
            .map(|r| (r.text(language), r.code().to_string()))
            .unzip()
    }
}

/// What to push of a ranking, best first: at most [`MAX_PUSHES_PER_INTENT`], at most
/// [`MAX_PUSHES_PER_EXHIBITOR`] of one exhibitor (the ranking holds only matches at or
/// above the floor).
pub fn push_plan(ranked: &[Scored]) -> Vec<&Scored> {
    let mut per_exhibitor: std::collections::HashMap<&str, usize> = Default::default();
    let mut plan = Vec::new();
    for scored in ranked {
        if plan.len() == MAX_PUSHES_PER_INTENT {
            break;
        }
        let count = per_exhibitor
            .entry(scored.exhibitor_id.as_str())
            .or_default();
        if *count < MAX_PUSHES_PER_EXHIBITOR {
            *count += 1;
            plan.push(scored);
        }
    }
    plan
}

#[cfg(test)]
mod tests;
