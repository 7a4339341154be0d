//! One intent's run over its category: a first pass that picks the feedback only where the
//! evidence agrees, the feedback blended into the query, every candidate's score, and the
//! ranking with its reasons.

use std::collections::HashMap;

use super::{
    Ranking, Scored, Scoring,
    candidate::{CandidateView, PackedCandidate, PreparedCandidate, QuantizedVector, prepare},
    feedback::Feedback,
    fit::{Fit, certification_label, market_match},
    parallel::{parallel_map, parallel_map_chunked},
    query::{CategoryStats, IntentQuery, Parts, QueryStats, WordSet},
    reasons::Reason,
};

/// Terms of the anchor weighted this much or more (a name, keywords) feed back.
const ANCHOR_TERM_WEIGHT: u32 = 2;
/// At most this many of them.
const MAX_ANCHOR_TERMS: usize = 32;

fn normalized(v: Vec<f32>) -> Option<Vec<f32>> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    (norm > 0.0).then(|| v.iter().map(|x| x / norm).collect())
}

/// The unit vector of a quantized one, added `weight` times to `sum`.
fn add_scaled(sum: &mut [f32], v: &QuantizedVector, weight: f32) {
    let mut unit = vec![0f32; sum.len()];
    v.add_to(&mut unit);
    for (s, u) in sum.iter_mut().zip(unit) {
        *s += weight * u;
    }
}

impl IntentQuery {
    /// The first pass: the candidates best by meaning (whole texts, then names), a little
    /// fit, only those whose meaning is within the gate of the best; its best is the
    /// anchor, and its runner-up shares the direction as much as the two are close.
    fn first_pass(
        &self,
        candidates: &[PreparedCandidate<'_>],
        parts: &mut [Parts],
        scoring: &Scoring,
    ) -> Option<Feedback> {
        let vectors = self.vectors.as_ref()?;
        let pass = &scoring.first_pass;
        let mut shortlist: Vec<usize> = (0..candidates.len())
            .filter(|i| candidates[*i].vector.is_some())
            .collect();
        let by_similarity = |a: &usize, b: &usize| {
            parts[*b]
                .similarity
                .total_cmp(&parts[*a].similarity)
                .then(a.cmp(b))
        };
        if shortlist.len() > pass.shortlist {
            shortlist.select_nth_unstable_by(pass.shortlist - 1, by_similarity);
            shortlist.truncate(pass.shortlist);
        }
        if let Some(name) = &vectors.name {
            for &i in &shortlist {
                parts[i].name_similarity = candidates[i]
                    .view
                    .quantized_name()
                    .map(|v| f64::from(v.cosine(name)));
            }
        }
        let meaning = |i: usize| parts[i].meaning(pass.name_share);
        let best_meaning = shortlist
            .iter()
            .map(|&i| meaning(i))
            .fold(f64::NEG_INFINITY, f64::max);
        if best_meaning < pass.meaning_floor {
            return None;
        }
        let mut ranked: Vec<(f64, usize)> = shortlist
            .iter()
            .filter(|&&i| meaning(i) >= best_meaning - pass.meaning_gate)
            .map(|&i| (scoring.first(&parts[i]), i))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (first, anchor) = *ranked.first()?;
        let anchor_vector = candidates[anchor].vector.as_ref()?;
        let mut direction = vec![0f32; crate::ports::EMBEDDING_DIM];
        add_scaled(&mut direction, anchor_vector, 1.0);
        if let Some((second, runner_up)) = ranked.get(1)
            && let Some(v) = &candidates[*runner_up].vector
        {
            let share = (-(first - second) / pass.agreement).exp() as f32;
            add_scaled(&mut direction, v, share);
        }
        let mut anchor_terms: Vec<(String, f64)> = candidates[anchor]
            .terms
            .iter()
            .filter(|t| t.weight >= ANCHOR_TERM_WEIGHT)
            .map(|t| (t.stem.to_string(), f64::from(t.weight)))
            .collect();
        anchor_terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        anchor_terms.truncate(MAX_ANCHOR_TERMS);
        let mut unit = vec![0f32; crate::ports::EMBEDDING_DIM];
        anchor_vector.add_to(&mut unit);
        Some(Feedback {
            anchor: unit,
            anchor_terms,
            direction: normalized(direction)?,
            best: None,
        })
    }

    /// The query vector moved towards the feedback direction.
    fn expanded(&self, feedback: &Feedback, scoring: &Scoring) -> Option<Vec<f32>> {
        let text = &self.vectors.as_ref()?.text;
        let moved: Vec<f32> = text
            .iter()
            .zip(&feedback.direction)
            .map(|(q, d)| q + scoring.expansion as f32 * d)
            .collect();
        normalized(moved)
    }

    /// The anchor's product words, weighted by their rarity among `candidates`.
    fn anchor_words(feedback: &Feedback, candidates: &[PreparedCandidate<'_>]) -> WordSet {
        let stems: HashMap<&str, u32> = feedback
            .anchor_terms
            .iter()
            .map(|(stem, _)| (stem.as_str(), 0))
            .collect();
        let chunks: Vec<&[PreparedCandidate<'_>]> = candidates.chunks(2_048).collect();
        let counted = parallel_map_chunked(&chunks, 1, |chunk| {
            let mut counts = stems.clone();
            for c in chunk.iter() {
                for t in &c.terms {
                    if let Some(n) = counts.get_mut(t.stem) {
                        *n += 1;
                    }
                }
            }
            counts
        });
        let mut frequency = stems;
        for counts in counted {
            for (stem, n) in counts {
                *frequency.entry(stem).or_default() += n;
            }
        }
        WordSet::new(&feedback.anchor_terms, candidates.len() as f64, |stem| {
            frequency.get(stem).copied().unwrap_or(0)
        })
    }

    /// What the feedback and the verdicts say of one candidate.
    fn feedback_parts(
        &self,
        c: &PreparedCandidate<'_>,
        parts: &mut Parts,
        feedback: Option<(&Feedback, &[f32], &WordSet)>,
    ) {
        let Some(v) = &c.vector else {
            return;
        };
        match feedback {
            Some((feedback, expanded, words)) => {
                let (to_expanded, to_anchor) = v.cosines(expanded, &feedback.anchor);
                parts.expanded = f64::from(to_expanded);
                parts.anchor = f64::from(to_anchor);
                parts.anchor_words = words.coverage(&c.terms);
            }
            None => {
                parts.expanded = parts.similarity;
                parts.anchor = parts.similarity;
            }
        }
        if !self.verdicts.is_empty() {
            parts.verdicts = self.verdicts.shift(|judged| v.cosine(judged));
        }
    }

    /// Every candidate's numbers, with the feedback of a first pass (unless the query brings
    /// its own, from its first run). Returns the feedback too, to be stored with the intent.
    pub fn evaluate(
        &self,
        candidates: &[PreparedCandidate<'_>],
        stats: &QueryStats,
        scoring: &Scoring,
    ) -> (Vec<Parts>, Option<Feedback>) {
        let text = self.vectors.as_ref().map(|v| v.text.as_slice());
        let mut all: Vec<Parts> = parallel_map(candidates, |c| {
            let mut parts = self.text_parts(c, stats);
            if let (Some(v), Some(q)) = (&c.vector, text) {
                parts.similarity = f64::from(v.cosine(q));
            }
            parts
        });
        let feedback = match &self.feedback {
            Some(f) => Some(f.clone()),
            None => self.first_pass(candidates, &mut all, scoring),
        };
        let expanded = feedback.as_ref().and_then(|f| self.expanded(f, scoring));
        let words = feedback.as_ref().map(|f| Self::anchor_words(f, candidates));
        let context = match (&feedback, &expanded, &words) {
            (Some(f), Some(e), Some(w)) => Some((f, e.as_slice(), w)),
            _ => None,
        };
        let indexes: Vec<usize> = (0..candidates.len()).collect();
        let with_feedback = parallel_map(&indexes, |&i| {
            let mut parts = all[i];
            self.feedback_parts(&candidates[i], &mut parts, context);
            parts
        });
        (with_feedback, feedback)
    }

    /// The numbers of one candidate against the category's statistics and the intent's
    /// stored feedback (an exhibit recommended after the intent's run).
    pub fn parts(
        &self,
        c: &CandidateView<'_>,
        stats: &QueryStats,
        category: &CategoryStats<'_>,
        scoring: &Scoring,
    ) -> Parts {
        let c = PreparedCandidate::of(*c);
        let mut parts = self.text_parts(&c, stats);
        if let (Some(v), Some(vectors)) = (&c.vector, &self.vectors) {
            parts.similarity = f64::from(v.cosine(&vectors.text));
        }
        let feedback = self.feedback.as_ref();
        let expanded = feedback.and_then(|f| self.expanded(f, scoring));
        let words = feedback.map(|f| {
            WordSet::new(&f.anchor_terms, stats.documents(), |stem| {
                category.frequency(stem)
            })
        });
        let context = match (feedback, &expanded, &words) {
            (Some(f), Some(e), Some(w)) => Some((f, e.as_slice(), w)),
            _ => None,
        };
        self.feedback_parts(&c, &mut parts, context);
        parts
    }

    /// Why the candidate matched, as far as it is true: the product words both texts have,
    /// a similar product only above the calibrated level, and each criterion that fits.
    fn reasons(&self, c: &CandidateView<'_>, parts: &Parts, scoring: &Scoring) -> Vec<Reason> {
        let mut reasons = Vec::new();
        if parts.expanded >= scoring.similar_level {
            reasons.push(Reason::SimilarProduct);
        }
        let mut words: Vec<String> = Vec::new();
        for (i, term) in self.terms.iter().enumerate() {
            if parts.matched & (1 << i) != 0 && !words.contains(&term.word) {
                words.push(term.word.clone());
            }
        }
        if !words.is_empty() {
            reasons.push(Reason::Keywords { words });
        }
        if parts.moq == Some(Fit::Fits)
            && let (Some((moq, unit)), Some(_)) = (c.moq(), self.unit)
        {
            reasons.push(Reason::moq(moq, unit, self.quantity));
        }
        if parts.price == Some(Fit::Fits)
            && let Some((min, max, currency)) = c.price()
        {
            reasons.push(Reason::PriceFits {
                min,
                max,
                currency: currency.to_string(),
            });
        }
        if parts.certifications_held == Some(1.0) {
            reasons.push(Reason::CertificationsHeld {
                names: self
                    .certifications
                    .iter()
                    .map(|(key, _)| certification_label(key))
                    .collect(),
            });
        }
        if parts.market == Some(Fit::Fits)
            && let Some(how) = market_match(c.markets(), &self.destination)
        {
            reasons.push(Reason::market(&self.destination, &how));
        }
        reasons
    }

    fn scored(&self, c: &CandidateView<'_>, parts: &Parts, best: f64, scoring: &Scoring) -> Scored {
        let raw = scoring.raw(parts);
        Scored {
            exhibit_id: c.exhibit_id.to_string(),
            exhibitor_id: c.exhibitor_id.to_string(),
            score: (scoring.shown(raw) * 1000.0).round() / 1000.0,
            confidence: (scoring.confidence(raw, best, parts) * 1000.0).round() / 1000.0,
            reasons: self.reasons(c, parts, scoring),
        }
    }

    /// One candidate against the category's statistics and the stored feedback: `Some`
    /// when its score reaches the record level; its confidence is judged against the best
    /// score of the intent's run.
    pub fn score(
        &self,
        c: &CandidateView<'_>,
        stats: &QueryStats,
        category: &CategoryStats<'_>,
        scoring: &Scoring,
    ) -> Option<Scored> {
        let parts = self.parts(c, stats, category, scoring);
        let raw = scoring.raw(&parts);
        let best = self
            .feedback
            .as_ref()
            .and_then(|f| f.best)
            .map_or(raw, |best| best.max(raw));
        (scoring.shown(raw) >= scoring.record_level).then(|| self.scored(c, &parts, best, scoring))
    }

    /// Scores every candidate and keeps the best `keep` that reach the record level, best
    /// first (ties by exhibit id, so a run is repeatable), with their reasons and push
    /// confidence. `excluded` exhibits (dismissed by the buyer) are left out.
    pub fn rank(
        &self,
        candidates: &[PackedCandidate],
        keep: usize,
        excluded: &[&str],
        scoring: &Scoring,
    ) -> Ranking {
        let prepared = prepare(candidates);
        let stats = self.stats(&prepared);
        let (all, feedback) = self.evaluate(&prepared, &stats, scoring);
        let raws: Vec<f64> = all.iter().map(|p| scoring.raw(p)).collect();
        let best = raws
            .iter()
            .zip(&prepared)
            .filter(|(_, c)| !excluded.contains(&c.view.exhibit_id))
            .map(|(r, _)| *r)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut hits: Vec<(f64, usize)> = raws
            .iter()
            .enumerate()
            .filter(|(i, raw)| {
                scoring.shown(**raw) >= scoring.record_level
                    && !excluded.contains(&prepared[*i].view.exhibit_id)
            })
            .map(|(i, raw)| (*raw, i))
            .collect();
        let matched = hits.len();
        let order = |a: &(f64, usize), b: &(f64, usize)| {
            b.0.total_cmp(&a.0).then_with(|| {
                let exhibit = |i: usize| prepared[i].view.exhibit_id;
                exhibit(a.1).cmp(exhibit(b.1))
            })
        };
        if hits.len() > keep && keep > 0 {
            hits.select_nth_unstable_by(keep - 1, order);
        }
        hits.truncate(keep);
        hits.sort_by(order);
        let ranked = hits
            .iter()
            .map(|(_, i)| self.scored(&prepared[*i].view, &all[*i], best, scoring))
            .collect();
        Ranking {
            matched,
            best: ranked,
            // The best of this run: what an exhibit recommended later is judged against.
            feedback: feedback.map(|f| Feedback {
                best: (best > f64::NEG_INFINITY).then_some(best).or(f.best),
                ..f
            }),
        }
    }
}
