//! Scoring a category's candidates for one intent: lexical relevance (BM25 over the
//! field-weighted terms, with the term statistics of the category itself), semantic
//! relevance (the cosine of the intent's and the exhibit's sentence vectors), fit and
//! completeness, combined with the weights of [`Scoring`].

use std::collections::HashMap;

use super::{
    Ranking, Scored, Scoring,
    candidate::{CandidateView, PackedCandidate, PreparedCandidate, term_hash},
    fit::{
        ExchangeRates, Fit, UnitKind, certification_key, market_match, moq_fit, price_fit,
        unit_kind,
    },
    reasons::Reason,
    text::{detect_language, terms_in},
};
use crate::model::Intent;

/// Intent terms beyond this many are ignored.
const MAX_QUERY_TERMS: usize = 64;
/// BM25's term-frequency saturation and length normalization.
const K1: f64 = 1.2;
const B: f64 = 0.5;
/// The weighted frequency of a term found once in a name: a candidate that has every
/// intent term in its name has a lexical relevance of about 1.
const REFERENCE_TF: f64 = 3.0;

#[derive(Debug, Clone)]
struct QueryTerm {
    stem: String,
    /// As the buyer wrote it.
    word: String,
    weight: f64,
}

/// What an intent asks for, prepared once per matching run.
#[derive(Debug, Clone)]
pub struct IntentQuery {
    terms: Vec<QueryTerm>,
    /// (hash, index into `terms`), sorted: a candidate's term is looked up by an integer
    /// search and one comparison, which matters over tens of thousands of candidates.
    term_hashes: Vec<(u64, usize)>,
    vector: Option<Vec<f32>>,
    quantity: u64,
    unit: Option<UnitKind>,
    /// The target price range in USD.
    target: Option<(f64, f64)>,
    /// (key, as written) of each required certification.
    certifications: Vec<(String, String)>,
    destination: String,
    rates: ExchangeRates,
    /// The feedback of the intent's first run.
    feedback: Option<Feedback>,
    /// The feedback terms as a query of their own (lexical relevance to the best exhibits).
    feedback_query: Option<Box<IntentQuery>>,
}

/// What the best exhibits of an intent's first run say (pseudo-relevance feedback): the
/// mean of their vectors, and their name and keyword terms. Exhibits of one kind are written
/// alike, by exhibitors in Chinese and English, so these find the rest of that kind better
/// than a buyer's own words in another language do.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub vector: Vec<f32>,
    /// (stem, weight from 0 to 1).
    pub terms: Vec<(String, f64)>,
}

impl Feedback {
    /// `stem:weight …|base64 vector`, to be stored with the intent.
    pub fn encode(&self) -> String {
        let terms: Vec<String> = self
            .terms
            .iter()
            .map(|(stem, w)| format!("{stem}:{w:.2}"))
            .collect();
        format!("{}|{}", terms.join(" "), super::encode_vector(&self.vector))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (terms, vector) = text.rsplit_once('|')?;
        Some(Self {
            vector: super::decode_vector(vector)?,
            terms: terms
                .split(' ')
                .filter_map(|pair| {
                    let (stem, w) = pair.rsplit_once(':')?;
                    Some((stem.to_string(), w.parse().ok()?))
                })
                .collect(),
        })
    }
}

/// Semantic or feedback relevance from which an exhibit is said to be a product like the one
/// asked for (most pushes have at least this much of one of them).
const SIMILAR: f64 = 0.3;

/// Terms of a field weighted this much or more (a name, keywords) feed back.
const FEEDBACK_TERM_WEIGHT: u32 = 2;
/// At most this many feedback terms.
const MAX_FEEDBACK_TERMS: usize = 32;

/// The category's term statistics that BM25 needs for one query.
#[derive(Debug, Clone)]
pub struct QueryStats {
    documents: f64,
    average_length: f64,
    /// Per query term: its inverse document frequency in the category.
    idf: Vec<f64>,
    /// The BM25 of a candidate with every term once in its name (lexical relevance 1).
    ideal: f64,
}

impl QueryStats {
    fn new(query: &IntentQuery, documents: f64, average_length: f64, frequency: &[u32]) -> Self {
        let idf: Vec<f64> = frequency
            .iter()
            .map(|df| {
                let df = f64::from(*df);
                (1.0 + (documents - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let ideal = query
            .terms
            .iter()
            .zip(&idf)
            .map(|(t, idf)| t.weight * idf * REFERENCE_TF * (K1 + 1.0) / (REFERENCE_TF + K1))
            .sum();
        Self {
            documents,
            average_length,
            idf,
            ideal,
        }
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
}

/// The numbers behind a score, before any text is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    /// Cosine of the two sentence vectors (0 without them).
    pub similarity: f64,
    /// Cosine of the exhibit's vector with the intent's feedback vector (the mean of its best
    /// exhibits' vectors), when there is one.
    pub feedback: Option<f64>,
    /// Lexical relevance to the feedback terms, when there are some.
    pub feedback_lexical: Option<f64>,
    /// BM25 relevance, scaled so that every term in a name gives about 1.
    pub lexical: f64,
    /// BM25 as is (the baseline of the quality benchmark).
    pub bm25: f64,
    /// The mean of the fit criteria that could be judged; 0.5 when none could.
    pub fit: f64,
    pub completeness: f64,
    /// Bit i: query term i matched.
    matched: u64,
    moq: Option<Fit>,
    price: Option<Fit>,
    certifications_held: Option<f64>,
    market: Option<Fit>,
}

/// `f` over `items` on the machine's cores (a hot category holds 30,000 candidates; one core,
/// as in a small Lambda, runs it in place).
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    parallel_map_chunked(items, 4_096, f)
}

/// [`parallel_map`] with at least `min_chunk` items a thread.
fn parallel_map_chunked<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let min_chunk = min_chunk.max(1);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads == 1 || items.len() < 2 * min_chunk {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads).max(min_chunk);
    std::thread::scope(|scope| {
        let f = &f;
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    })
}

/// A candidate's BM25 against a query.
struct Lexical {
    /// Scaled so that every term in a name gives about 1.
    relevance: f64,
    bm25: f64,
    /// Bit i: query term i matched.
    matched: u64,
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

/// Every candidate decoded for a run (on the machine's cores), in their order; strings
/// that are not packed candidates are left out.
pub fn prepare<'a>(candidates: &'a [PackedCandidate]) -> Vec<PreparedCandidate<'a>> {
    // By reference, so that what each thread decodes borrows from the candidates.
    let candidates: Vec<&'a PackedCandidate> = candidates.iter().collect();
    parallel_map(&candidates, |c| c.view().map(PreparedCandidate::of))
        .into_iter()
        .flatten()
        .collect()
}

/// [`prepare`] of candidates already viewed.
pub fn prepare_views<'a>(views: &[CandidateView<'a>]) -> Vec<PreparedCandidate<'a>> {
    parallel_map(views, |view| PreparedCandidate::of(*view))
}

impl IntentQuery {
    /// The query of an intent, with its sentence vector (`None` when it has none: then only
    /// words count) and the fair's exchange rates.
    pub fn of(intent: &Intent, vector: Option<Vec<f32>>, rates: &ExchangeRates) -> Self {
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
            vector,
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
            feedback_query: None,
        }
    }

    /// The query with the feedback of its first run (see [`Ranking::feedback`]).
    pub fn with_feedback(mut self, feedback: Option<Feedback>) -> Self {
        self.feedback_query = feedback
            .as_ref()
            .map(|f| Box::new(self.terms_query(&f.terms)));
        self.feedback = feedback;
        self
    }

    /// A query of other terms, with this one's fit criteria (never with vectors).
    fn terms_query(&self, terms: &[(String, f64)]) -> IntentQuery {
        let terms: Vec<QueryTerm> = terms
            .iter()
            .take(MAX_QUERY_TERMS)
            .map(|(stem, weight)| QueryTerm {
                stem: stem.clone(),
                word: stem.clone(),
                weight: *weight,
            })
            .collect();
        let term_hashes = hashed(&terms);
        IntentQuery {
            terms,
            term_hashes,
            vector: None,
            feedback: None,
            feedback_query: None,
            ..self.clone()
        }
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
            .map(|t| {
                category
                    .frequency
                    .get(t.stem.as_str())
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        QueryStats::new(
            self,
            category.documents as f64,
            (category.total_length as f64 / category.documents.max(1) as f64).max(1.0),
            &frequency,
        )
    }

    /// The numbers of one candidate, its vector compared with the query's and the feedback
    /// vector.
    pub fn parts(&self, c: &CandidateView<'_>, stats: &QueryStats) -> Parts {
        let c = PreparedCandidate::of(*c);
        let mut parts = self.text_parts(&c, stats);
        if let Some(v) = &c.vector {
            parts.similarity = self
                .vector
                .as_deref()
                .map_or(0.0, |q| f64::from(v.cosine(q)));
            parts.feedback = self
                .feedback
                .as_ref()
                .map(|f| f64::from(v.cosine(&f.vector)));
        }
        if let Some(fq) = &self.feedback_query {
            parts.feedback_lexical = Some(fq.lexical(&c, &fq.stats_like(stats)).relevance);
        }
        parts
    }

    /// Statistics for the feedback query where only the category's are known (the exhibit
    /// path): the document count and lengths are the same; the term frequencies are taken
    /// as rare, which only scales every candidate alike.
    fn stats_like(&self, stats: &QueryStats) -> QueryStats {
        QueryStats::new(
            self,
            stats.documents,
            stats.average_length,
            &vec![1; self.terms.len()],
        )
    }

    /// Every candidate's numbers, with the feedback of the best `scoring.feedback_depth`
    /// of a first pass (unless the query brings its own): the exhibits a first pass ranks
    /// best are written like the rest of their kind (in Chinese or English, by exhibitors),
    /// so their vectors find the others better than a buyer's words in another language do.
    /// Returns the feedback vector too, to be stored with the intent.
    pub fn evaluate(
        &self,
        candidates: &[PreparedCandidate<'_>],
        stats: &QueryStats,
        scoring: &Scoring,
    ) -> (Vec<Parts>, Option<Feedback>) {
        let mut all: Vec<Parts> = parallel_map(candidates, |c| {
            let mut parts = self.text_parts(c, stats);
            if let (Some(v), Some(q)) = (&c.vector, self.vector.as_deref()) {
                parts.similarity = f64::from(v.cosine(q));
            }
            parts
        });
        let feedback = match &self.feedback {
            Some(f) => Some(f.clone()),
            None => Self::feedback_of(candidates, &all, scoring),
        };
        if let Some(f) = &feedback {
            let fq = self.terms_query(&f.terms);
            let fstats = fq.stats(candidates);
            let second = parallel_map(candidates, |c| {
                (
                    c.vector.as_ref().map(|v| f64::from(v.cosine(&f.vector))),
                    fq.lexical(c, &fstats).relevance,
                )
            });
            for (parts, (feedback, lexical)) in all.iter_mut().zip(second) {
                parts.feedback = feedback;
                parts.feedback_lexical = Some(lexical);
            }
        }
        (all, feedback)
    }

    /// The feedback of a first pass: the best `scoring.feedback_depth` candidates' vectors
    /// (their mean) and name and keyword terms.
    fn feedback_of(
        candidates: &[PreparedCandidate<'_>],
        first_pass: &[Parts],
        scoring: &Scoring,
    ) -> Option<Feedback> {
        let mut first: Vec<(f64, usize)> = first_pass
            .iter()
            .enumerate()
            .map(|(i, p)| (Scoring::FIRST_PASS.score(p), i))
            .filter(|(score, _)| *score >= Scoring::FIRST_PASS.floor)
            .collect();
        let depth = scoring.feedback_depth.min(first.len());
        let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if depth > 0 && depth < first.len() {
            first.select_nth_unstable_by(depth - 1, order);
        }
        first.truncate(depth);
        first.sort_by(order);
        let top: Vec<usize> = first.iter().map(|(_, i)| *i).collect();
        let mut sum = vec![0f32; crate::ports::EMBEDDING_DIM];
        let mut used = 0;
        let mut terms: HashMap<&str, f64> = HashMap::new();
        for &i in &top {
            if let Some(v) = &candidates[i].vector {
                v.add_to(&mut sum);
                used += 1;
            }
            for term in &candidates[i].terms {
                if term.weight >= FEEDBACK_TERM_WEIGHT {
                    *terms.entry(term.stem).or_default() += 1.0 / top.len() as f64;
                }
            }
        }
        let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
        if used == 0 || norm == 0.0 {
            return None;
        }
        let mut terms: Vec<(String, f64)> = terms
            .into_iter()
            .map(|(stem, w)| (stem.to_string(), (w * 100.0).round() / 100.0))
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        terms.truncate(MAX_FEEDBACK_TERMS);
        Some(Feedback {
            vector: sum.iter().map(|x| x / norm).collect(),
            terms,
        })
    }

    /// BM25 of the candidate's terms.
    fn lexical(&self, c: &PreparedCandidate<'_>, stats: &QueryStats) -> Lexical {
        let mut matched = 0u64;
        let mut bm25 = 0.0;
        let norm = 1.0 - B + B * f64::from(c.view.length) / stats.average_length;
        for term in &c.terms {
            if let Some(i) = self.term_index(term.hash, term.stem)
                && matched & (1 << i) == 0
            {
                matched |= 1 << i;
                let tf = f64::from(term.weight);
                bm25 += self.terms[i].weight * stats.idf[i] * tf * (K1 + 1.0) / (tf + K1 * norm);
            }
        }
        let relevance = if stats.ideal > 0.0 {
            (bm25 / stats.ideal).min(1.0)
        } else {
            0.0
        };
        Lexical {
            relevance,
            bm25,
            matched,
        }
    }

    /// Lexical relevance and fit: what the words and the attributes say.
    fn text_parts(&self, prepared: &PreparedCandidate<'_>, stats: &QueryStats) -> Parts {
        let Lexical {
            relevance: lexical,
            bm25,
            matched,
        } = self.lexical(prepared, stats);
        let c = &prepared.view;
        let similarity = 0.0;
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
        let (sum, judged) = [
            moq.map(Fit::value),
            price.map(Fit::value),
            certifications_held,
            market.map(Fit::value),
        ]
        .into_iter()
        .flatten()
        .fold((0.0, 0u32), |(sum, n), v| (sum + v, n + 1));
        let fit = if judged == 0 {
            0.5
        } else {
            sum / f64::from(judged)
        };
        Parts {
            similarity,
            feedback: None,
            feedback_lexical: None,
            lexical,
            bm25,
            fit,
            completeness: c.completeness,
            matched,
            moq,
            price,
            certifications_held,
            market,
        }
    }

    /// Why the candidate matched.
    fn reasons(&self, c: &CandidateView<'_>, parts: &Parts) -> Vec<Reason> {
        let mut reasons = Vec::new();
        // By meaning: close to the buyer's words, or to the best match of the category, on
        // the first pass's narrow ranges (the ranking's own are wider than "similar" means).
        let ranges = Scoring::FIRST_PASS;
        if ranges.semantic(parts.similarity) >= SIMILAR || ranges.feedback(parts) >= SIMILAR {
            reasons.push(Reason::SimilarProduct);
        }
        let words: Vec<String> = self
            .terms
            .iter()
            .enumerate()
            .filter(|(i, _)| parts.matched & (1 << i) != 0)
            .map(|(_, t)| t.word.clone())
            .collect();
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
                    .map(|(key, _)| super::fit::certification_label(key))
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

    fn scored(&self, c: &CandidateView<'_>, parts: &Parts, scoring: &Scoring) -> Scored {
        Scored {
            exhibit_id: c.exhibit_id.to_string(),
            exhibitor_id: c.exhibitor_id.to_string(),
            score: (scoring.score(parts) * 1000.0).round() / 1000.0,
            reasons: self.reasons(c, parts),
        }
    }

    /// One candidate against the category's statistics: `Some` when it scores at or above
    /// the floor.
    pub fn score(
        &self,
        c: &CandidateView<'_>,
        stats: &QueryStats,
        scoring: &Scoring,
    ) -> Option<Scored> {
        let parts = self.parts(c, stats);
        (scoring.score(&parts) >= scoring.floor).then(|| self.scored(c, &parts, scoring))
    }

    /// Scores every candidate and keeps the best `keep` at or above the floor, best first
    /// (ties by exhibit id, so a run is repeatable), with their reasons.
    pub fn rank(&self, candidates: &[PackedCandidate], keep: usize, scoring: &Scoring) -> Ranking {
        let prepared = prepare(candidates);
        let stats = self.stats(&prepared);
        let (all, feedback) = self.evaluate(&prepared, &stats, scoring);
        let mut hits: Vec<(f64, usize)> = all
            .iter()
            .enumerate()
            .map(|(i, p)| (scoring.score(p), i))
            .filter(|(score, _)| *score >= scoring.floor)
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
        let best = hits
            .iter()
            .map(|(_, i)| self.scored(&prepared[*i].view, &all[*i], scoring))
            .collect();
        Ranking {
            matched,
            best,
            feedback,
        }
    }
}
