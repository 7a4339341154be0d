//! How the numbers of a match ([`Parts`]) become its score, its confidence and the pushes:
//! the weights and calibrations fitted on the labelled set (`tests/matching_set`,
//! `FAIRLINK_FIT=1 cargo bench -p fairlink-tests --bench matching_quality`).

use super::{fit::Fit, query::Parts};

/// How the first pass picks the exhibit the feedback comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstPass {
    /// The share of the names' cosine (the intent's product name against the exhibit's
    /// names) beside the whole texts' cosine: a buyer's short product name says what the
    /// product is in any language, where a long description drifts.
    pub name_share: f64,
    /// What the fit adds (0 to 1 each; unjudged counts as half). Small: fit tells apart
    /// products the meaning already puts close, never a product the meaning puts far.
    pub price: f64,
    pub certifications: f64,
    pub moq: f64,
    /// Only candidates whose meaning is within this much of the best can feed back: neither
    /// fit nor a shared number can pull the feedback onto another product.
    pub meaning_gate: f64,
    /// Nor can anything when the best meaning is under this cosine: a category with nothing
    /// like the intent gives no feedback (e5's vectors of unrelated texts lie around 0.7).
    pub meaning_floor: f64,
    /// The runner-up shares the feedback direction by `exp(-(gap / agreement))`: when the
    /// first pass cannot tell its best two apart, the query moves to neither alone.
    pub agreement: f64,
    /// Candidates compared by name (the best by meaning of the whole text).
    pub shortlist: usize,
}

/// The weights of a match's raw score, over [`Parts::features`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// The cosine with the query moved towards the feedback.
    pub expanded: f64,
    /// The cosine with the first pass's best exhibit.
    pub anchor: f64,
    /// The share of that exhibit's product words the candidate has.
    pub anchor_words: f64,
    /// The share of the intent's own product words the candidate has.
    pub words: f64,
    pub price: f64,
    pub certifications: f64,
    pub moq: f64,
}

impl Weights {
    pub fn as_array(&self) -> [f64; FEATURES] {
        [
            self.expanded,
            self.anchor,
            self.anchor_words,
            self.words,
            self.price,
            self.certifications,
            self.moq,
        ]
    }

    pub fn from_array(w: [f64; FEATURES]) -> Self {
        Self {
            expanded: w[0],
            anchor: w[1],
            anchor_words: w[2],
            words: w[3],
            price: w[4],
            certifications: w[5],
            moq: w[6],
        }
    }
}

/// How many features a raw score weighs.
pub const FEATURES: usize = 7;

/// A logistic curve: `1 / (1 + exp(-(Σ coefficient·x + intercept)))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic<const N: usize> {
    pub coefficients: [f64; N],
    pub intercept: f64,
}

impl<const N: usize> Logistic<N> {
    pub fn probability(&self, x: [f64; N]) -> f64 {
        let z: f64 = self
            .coefficients
            .iter()
            .zip(x)
            .map(|(c, x)| c * x)
            .sum::<f64>()
            + self.intercept;
        1.0 / (1.0 + (-z).exp())
    }
}

/// Everything the matcher weighs, fitted together ([`Scoring::FITTED`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    pub first_pass: FirstPass,
    /// How far the query moves towards the feedback direction (its vector plus this many
    /// times the direction, normalized).
    pub expansion: f64,
    pub weights: Weights,
    /// The score shown: the probability that a match of this raw score is relevant (graded
    /// 1 or more), calibrated on the labelled set's recorded matches.
    pub relevance: Logistic<1>,
    /// The push confidence: the probability that one of an intent's best six is relevant,
    /// from its gap to the intent's best raw score, its cosine with the feedback exhibit and
    /// its raw score (calibrated on the labelled set).
    pub confidence: Logistic<3>,
    /// The first push goes out at this confidence, every further one at `push_level`.
    pub first_push_level: f64,
    pub push_level: f64,
    /// At most this many pushes per intent (dismissed pushes count, their replacements too).
    pub max_pushes: usize,
    /// Matches shown to a buyer and recorded for exhibitors score at least this.
    pub record_level: f64,
    /// From this cosine with the expanded query an exhibit is said to be a product like the
    /// one asked for (above every unrelated pair of the labelled set).
    pub similar_level: f64,
    /// How much a buyer's verdict moves the exhibits like the one judged (in units of the
    /// anchor's weight, for a near duplicate).
    pub verdict_weight: f64,
}

impl Scoring {
    /// Fitted on the labelled set's seven languages (the eight others are never fitted on):
    /// the weights by a pairwise logistic regression of the grades, the two calibrations by
    /// logistic regressions of "graded 1 or more", the levels chosen on the resulting curve.
    pub const FITTED: Scoring = Scoring {
        first_pass: FirstPass {
            name_share: 0.3,
            price: 0.03,
            certifications: 0.02,
            moq: 0.01,
            meaning_gate: 0.03,
            meaning_floor: 0.78,
            agreement: 0.01,
            shortlist: 64,
        },
        expansion: 3.0,
        weights: Weights {
            expanded: 31.48,
            anchor: 20.49,
            anchor_words: 3.98,
            words: 3.83,
            price: 0.632,
            certifications: 0.533,
            moq: 0.994,
        },
        relevance: Logistic {
            coefficients: [0.6155],
            intercept: -29.59,
        },
        confidence: Logistic {
            coefficients: [0.02705, 15.815, 0.2192],
            intercept: -24.20,
        },
        first_push_level: 0.5,
        push_level: 0.8,
        max_pushes: 6,
        record_level: 0.2,
        similar_level: 0.985,
        verdict_weight: 0.5,
    };

    /// The raw score: the weighted features, moved by the buyer's verdicts (a near duplicate
    /// of a dismissed exhibit loses `verdict_weight` of what the anchor weighs).
    pub fn raw(&self, parts: &Parts) -> f64 {
        let weighted: f64 = self
            .weights
            .as_array()
            .iter()
            .zip(parts.features())
            .map(|(w, f)| w * f)
            .sum();
        weighted + self.verdict_weight * self.weights.anchor * parts.verdicts
    }

    /// The score a person reads (0 to 1): how often matches this strong were relevant.
    pub fn shown(&self, raw: f64) -> f64 {
        self.relevance.probability([raw])
    }

    /// The confidence that a match is relevant, given the best raw score of its intent.
    pub fn confidence(&self, raw: f64, best: f64, parts: &Parts) -> f64 {
        self.confidence
            .probability([(best - raw).max(0.0), parts.anchor, raw])
    }

    /// The first pass's score: meaning (whole texts and names), with a little fit.
    pub fn first(&self, parts: &Parts) -> f64 {
        let f = &self.first_pass;
        parts.meaning(f.name_share)
            + f.price * parts.price_fit()
            + f.certifications * parts.certifications_fit()
            + f.moq * parts.moq_fit()
    }
}

impl Default for Scoring {
    fn default() -> Self {
        Self::FITTED
    }
}

/// What an unjudged criterion counts: half.
pub(super) const UNJUDGED: f64 = 0.5;

pub(super) fn fit_value(fit: Option<Fit>) -> f64 {
    fit.map_or(UNJUDGED, Fit::value)
}
