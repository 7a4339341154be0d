//! Matching recommended exhibits against procurement intents (DESIGN.md, "matcher"): a
//! hybrid of semantic relevance (multilingual sentence vectors of the whole texts and of the
//! names, so that an intent in Spanish or Arabic meets an exhibit written in Chinese),
//! pseudo-relevance feedback from a first pass that only the agreeing evidence steers,
//! product words both texts share ([`text`]: words, stems, Chinese segmentation; never a
//! number or a function word), and fit ([`fit`]: MOQ, price, certifications, normalized).
//! Two outputs, measured apart: the ranked matches of an intent, and the pushes, only where
//! the calibrated confidence is high ([`push_plan`]). Pure functions: the matcher worker
//! feeds them what the store holds and what the embedder computes.

mod candidate;
mod feedback;
pub mod fit;
mod parallel;
mod query;
mod rank;
pub mod reasons;
mod scoring;
pub mod text;

use serde::{Deserialize, Serialize};

pub use candidate::{
    CandidateView, ExhibitVectors, HashedTerm, PackedCandidate, PreparedCandidate, QuantizedVector,
    decode_vector, encode_vector, exhibit_name_text, exhibit_text, prepare, prepare_views,
};
pub use feedback::{Feedback, Verdicts};
pub use query::{CategoryStats, IntentQuery, IntentVectors, Parts, QueryStats};
pub use reasons::Reason;
pub use scoring::{FEATURES, FirstPass, Logistic, Scoring, Weights};

use crate::model::{Intent, Language};

/// At most this many of one exhibitor are pushed for an intent.
pub const MAX_PUSHES_PER_EXHIBITOR: usize = 2;
/// Matches recorded per intent, best first: the buyer's list of the intent, and the
/// exhibitors' (one transaction's worth: a hot category can match tens of thousands).
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

/// The text of an intent's product name, embedded on its own for the first pass.
pub fn intent_name_text(intent: &Intent) -> String {
    intent.product_name.clone()
}

/// A run's result: how many candidates reached the record level, and the best of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub matched: usize,
    pub best: Vec<Scored>,
    /// The feedback of the run, kept with the intent so that an exhibit recommended later is
    /// scored as this run scored its category.
    pub feedback: Option<Feedback>,
}

/// A candidate that matched, with its score, its push confidence and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub exhibit_id: String,
    pub exhibitor_id: String,
    /// How often matches this strong were relevant (0 to 1, calibrated).
    pub score: f64,
    /// How likely this one is relevant among its intent's best (0 to 1, calibrated): what
    /// decides a push.
    #[serde(default)]
    pub confidence: f64,
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

/// What an intent has been pushed so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pushed {
    /// Pushes sent for the intent, dismissed ones included (they spent the budget).
    pub count: usize,
    /// Per exhibitor, the pushes it got.
    pub per_exhibitor: std::collections::HashMap<String, usize>,
}

/// What to push of a ranking, best first: the prefix the matcher is confident of (the first
/// at `first_push_level`, the others at `push_level`), at most
/// [`MAX_PUSHES_PER_EXHIBITOR`] of one exhibitor, within the intent's budget of
/// `max_pushes` less what was pushed before. `skip` says which ranked exhibits cannot be
/// pushed (pushed already, or to this buyer for another intent); they count as pushed for
/// the order but not for the budget.
pub fn push_plan<'a>(
    ranked: &'a [Scored],
    scoring: &Scoring,
    pushed: &Pushed,
    skip: impl Fn(&Scored) -> bool,
) -> Vec<&'a Scored> {
    let mut per_exhibitor = pushed.per_exhibitor.clone();
    let mut plan = Vec::new();
    for (rank, scored) in ranked.iter().enumerate() {
        if pushed.count + plan.len() >= scoring.max_pushes {
            break;
        }
        let level = if rank == 0 {
            scoring.first_push_level
        } else {
            scoring.push_level
        };
        if scored.confidence < level {
            break;
        }
        if skip(scored) {
            continue;
        }
        let count = per_exhibitor
            .entry(scored.exhibitor_id.clone())
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
