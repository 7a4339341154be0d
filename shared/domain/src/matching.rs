//! Matching recommended exhibits against procurement intents: text relevance over Chinese
//! and English, fit (MOQ, price, certifications, markets) and completeness. Pure functions;
//! the matcher worker feeds them what the store holds.

use serde::{Deserialize, Serialize};

use crate::model::{Exhibit, Intent, PriceRange};

/// At most this many exhibits are pushed to a buyer per intent…
pub const MAX_PUSHES_PER_INTENT: usize = 10;
/// …and at most this many of one exhibitor.
pub const MAX_PUSHES_PER_EXHIBITOR: usize = 2;
/// Exhibit matches recorded for exhibitors per intent, best first (one transaction's worth:
/// a hot category can match tens of thousands).
pub const MAX_RECORDED_MATCHES: usize = 30;
/// The best matches a run keeps with their reasons (enough to fill the pushes when some
/// were pushed before or one exhibitor has many).
pub const RANKED_KEPT: usize = 200;
/// Intent terms beyond this many are ignored.
const MAX_QUERY_TERMS: usize = 64;

const TEXT_WEIGHT: f64 = 0.55;
const FIT_WEIGHT: f64 = 0.25;
const COMPLETENESS_WEIGHT: f64 = 0.20;

/// Splits text into search terms: lower-cased words of letters and digits (a plural `s`
/// dropped), and for Chinese, Japanese and Korean runs the character bigrams (a lone
/// character stands for itself), so that 蓝牙音箱 and 蓝牙 音箱 share 蓝牙 and 音箱.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn flush_word(word: &mut String, out: &mut Vec<String>) {
    if word.is_empty() {
        return;
    }
    let stem = match word.strip_suffix('s') {
        Some(rest) if rest.chars().count() >= 3 && !rest.ends_with('s') => rest.to_string(),
        _ => word.clone(),
    };
    out.push(stem);
    word.clear();
}

fn flush_cjk(run: &mut Vec<char>, out: &mut Vec<String>) {
    match run.len() {
        0 => {}
        1 => out.push(run[0].to_string()),
        _ => out.extend(run.windows(2).map(|pair| pair.iter().collect())),
    }
    run.clear();
}

/// What the matcher keeps of a recommended exhibit, packed into one string with its terms
/// worked out when it is written: a category's candidates are read and scored without
/// decoding a structure per exhibit, which keeps a 30,000-exhibit category within tens of
/// milliseconds. Fields are separated by `|`, list entries by `;` (printable, so that JSON
/// carries them unescaped; free text has them replaced by spaces):
/// `exhibitId|exhibitorId|strong terms|weak terms|quantity;unit|min;max;currency|
/// certifications|markets|completeness`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackedCandidate(pub String);

const FIELD: char = '|';
const ENTRY: char = ';';

impl PackedCandidate {
    pub fn of(exhibit: &Exhibit) -> Self {
        let d = &exhibit.details;
        // Strong: the name, the English name and the keywords; weak: the description only.
        let mut strong = terms(&d.name);
        strong.extend(terms(d.name_en.as_deref().unwrap_or_default()));
        for keyword in &d.keywords {
            strong.extend(terms(keyword));
        }
        strong.sort();
        strong.dedup();
        let weak: Vec<String> = terms(d.description.as_deref().unwrap_or_default())
            .into_iter()
            .filter(|t| strong.binary_search(t).is_err())
            .collect();
        let clean = |s: &str| s.replace([FIELD, ENTRY], " ").trim().to_lowercase();
        let moq = d
            .moq
            .as_ref()
            .map(|m| format!("{}{ENTRY}{}", m.quantity, clean(&m.unit)))
            .unwrap_or_default();
        let price = d
            .price
            .as_ref()
            .map(|p| {
                format!(
                    "{:.2}{ENTRY}{:.2}{ENTRY}{}",
                    p.min,
                    p.max,
                    clean(&p.currency).to_uppercase()
                )
            })
            .unwrap_or_default();
        let certifications: Vec<String> = d.certifications.iter().map(|c| clean(c)).collect();
        let fields = [
            exhibit.id.clone(),
            exhibit.exhibitor_id.clone(),
            strong.join(" "),
            weak.join(" "),
            moq,
            price,
            certifications.join(&ENTRY.to_string()),
            d.markets.join(" "),
            exhibit.completeness.to_string(),
        ];
        Self(fields.join(&FIELD.to_string()))
    }

    /// The fields, borrowed; `None` for a string that is not a packed candidate.
    pub fn view(&self) -> Option<CandidateView<'_>> {
        let mut f = self.0.split(FIELD);
        let exhibit_id = f.next()?;
        let exhibitor_id = f.next()?;
        let strong = f.next()?;
        let weak = f.next()?;
        let moq = f.next()?;
        let price = f.next()?;
        let certifications = f.next()?;
        let markets = f.next()?;
        let completeness = f.next()?.parse().ok()?;
        Some(CandidateView {
            exhibit_id,
            exhibitor_id,
            strong,
            weak,
            moq,
            price,
            certifications,
            markets,
            completeness,
        })
    }
}

/// A packed candidate's fields.
#[derive(Debug, Clone, Copy)]
pub struct CandidateView<'a> {
    pub exhibit_id: &'a str,
    pub exhibitor_id: &'a str,
    strong: &'a str,
    weak: &'a str,
    moq: &'a str,
    price: &'a str,
    certifications: &'a str,
    markets: &'a str,
    pub completeness: f64,
}

impl<'a> CandidateView<'a> {
    fn moq(&self) -> Option<(u64, &'a str)> {
        let (quantity, unit) = self.moq.split_once(ENTRY)?;
        Some((quantity.parse().ok()?, unit))
    }

    /// min, max and currency, without allocating: this runs for every candidate.
    fn price(&self) -> Option<(f64, f64, &'a str)> {
        let mut parts = self.price.split(ENTRY);
        Some((
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            parts.next()?,
        ))
    }

    fn words(text: &'a str) -> impl Iterator<Item = &'a str> {
        text.split(' ').filter(|t| !t.is_empty())
    }
}

/// What an intent asks for, prepared once per matching run.
#[derive(Debug, Clone)]
pub struct IntentQuery {
    /// Sorted, at most 64.
    terms: Vec<String>,
    /// (hash, index into `terms`), sorted: a candidate's word is looked up by an integer
    /// search and one comparison, which matters over tens of thousands of candidates.
    term_hashes: Vec<(u64, usize)>,
    quantity: u64,
    unit: String,
    target_price: Option<PriceRange>,
    certifications: Vec<String>,
    destination: String,
}

/// The numbers behind a score, before any text is built.
struct Evaluation {
    relevance: f64,
    /// Bit i: intent term i matched.
    matched: u64,
    moq_fits: Option<bool>,
    price_fits: Option<bool>,
    certifications_held: Option<f64>,
    market_fits: Option<bool>,
    score: f64,
}

impl IntentQuery {
    pub fn of(intent: &Intent) -> Self {
        let mut terms = terms(&intent.product_name);
        for keyword in &intent.keywords {
            terms.extend(self::terms(keyword));
        }
        terms.sort();
        terms.dedup();
        terms.truncate(MAX_QUERY_TERMS);
        let mut term_hashes: Vec<(u64, usize)> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (word_hash(t), i))
            .collect();
        term_hashes.sort_unstable();
        Self {
            terms,
            term_hashes,
            quantity: intent.quantity.amount,
            unit: intent.quantity.unit.trim().to_lowercase(),
            target_price: intent.target_price.clone(),
            certifications: intent
                .certifications
                .iter()
                .map(|c| c.trim().to_lowercase())
                .collect(),
            destination: intent.destination_country.clone(),
        }
    }

    /// The index of the intent term equal to `word`, if any.
    fn term_index(&self, word: &str) -> Option<usize> {
        let hash = word_hash(word);
        let start = self.term_hashes.partition_point(|(h, _)| *h < hash);
        self.term_hashes[start..]
            .iter()
            .take_while(|(h, _)| *h == hash)
            .map(|(_, i)| *i)
            .find(|i| self.terms[*i] == word)
    }

    /// Scores without building any text; `None` when no term of the intent appears in the
    /// exhibit (the same category alone is not a match).
    fn evaluate(&self, c: &CandidateView) -> Option<Evaluation> {
        let mut strong = 0u64;
        for word in CandidateView::words(c.strong) {
            if let Some(i) = self.term_index(word) {
                strong |= 1 << i;
            }
        }
        let mut weak = 0u64;
        for word in CandidateView::words(c.weak) {
            if let Some(i) = self.term_index(word) {
                weak |= 1 << i;
            }
        }
        weak &= !strong;
        if strong | weak == 0 {
            return None;
        }
        let relevance =
            (strong.count_ones() as f64 + 0.5 * weak.count_ones() as f64) / self.terms.len() as f64;
        let moq_fits = c
            .moq()
            .filter(|(_, unit)| *unit == self.unit)
            .map(|(quantity, _)| quantity <= self.quantity);
        let price_fits = match (c.price(), &self.target_price) {
            (Some((min, max, currency)), Some(target)) if currency == target.currency => {
                Some(min <= target.max && target.min <= max)
            }
            _ => None,
        };
        let certifications_held = (!self.certifications.is_empty()).then(|| {
            let held = self
                .certifications
                .iter()
                .filter(|wanted| {
                    c.certifications
                        .split(ENTRY)
                        .any(|have| have == wanted.as_str())
                })
                .count();
            held as f64 / self.certifications.len() as f64
        });
        let market_fits = (!c.markets.is_empty())
            .then(|| CandidateView::words(c.markets).any(|m| m == self.destination));
        // The mean of the criteria that could be judged; neutral when none could.
        let (sum, judged) = [
            moq_fits.map(f64::from),
            price_fits.map(f64::from),
            certifications_held,
            market_fits.map(f64::from),
        ]
        .into_iter()
        .flatten()
        .fold((0.0, 0u32), |(sum, n), v| (sum + v, n + 1));
        let fit = if judged == 0 {
            0.5
        } else {
            sum / f64::from(judged)
        };
        let score =
            TEXT_WEIGHT * relevance + FIT_WEIGHT * fit + COMPLETENESS_WEIGHT * c.completeness;
        Some(Evaluation {
            relevance,
            matched: strong | weak,
            moq_fits,
            price_fits,
            certifications_held,
            market_fits,
            score: (score * 1000.0).round() / 1000.0,
        })
    }

    /// The candidate's score from 0 to 1 with reasons a person can read.
    pub fn score(&self, c: &CandidateView) -> Option<Scored> {
        self.evaluate(c).map(|e| self.explain(c, &e))
    }

    fn explain(&self, c: &CandidateView, e: &Evaluation) -> Scored {
        let matched: Vec<&str> = self
            .terms
            .iter()
            .enumerate()
            .filter(|(i, _)| e.matched & (1 << i) != 0)
            .map(|(_, t)| t.as_str())
            .collect();
        let mut reasons = vec![
            "category".to_string(),
            format!("keywords: {}", matched.join(", ")),
        ];
        if e.relevance >= 1.0 {
            reasons.push("all_keywords".into());
        }
        for (fits, name) in [
            (e.moq_fits, "moq_fits"),
            (e.price_fits, "price_fits"),
            (
                e.certifications_held.map(|h| h >= 1.0),
                "certifications_held",
            ),
            (e.market_fits, "market_fits"),
        ] {
            if fits == Some(true) {
                reasons.push(name.into());
            }
        }
        reasons.push(format!("completeness {:.0}%", c.completeness * 100.0));
        Scored {
            exhibit_id: c.exhibit_id.to_string(),
            exhibitor_id: c.exhibitor_id.to_string(),
            score: e.score,
            reasons,
        }
    }

    /// Scores every candidate and keeps the best `keep`, best first (ties by exhibit id, so a
    /// run is repeatable), with their reasons.
    pub fn rank(&self, candidates: &[PackedCandidate], keep: usize) -> Ranking {
        let views: Vec<CandidateView> = candidates
            .iter()
            .filter_map(PackedCandidate::view)
            .collect();
        let mut hits: Vec<(f64, usize)> = views
            .iter()
            .enumerate()
            .filter_map(|(i, c)| self.evaluate(c).map(|e| (e.score, i)))
            .collect();
        let matched = hits.len();
        let order = |a: &(f64, usize), b: &(f64, usize)| {
            b.0.total_cmp(&a.0)
                .then_with(|| views[a.1].exhibit_id.cmp(views[b.1].exhibit_id))
        };
        if hits.len() > keep && keep > 0 {
            hits.select_nth_unstable_by(keep - 1, order);
        }
        hits.truncate(keep);
        hits.sort_by(order);
        let best = hits
            .iter()
            .filter_map(|(_, i)| self.score(&views[*i]))
            .collect();
        Ranking { matched, best }
    }
}

/// FxHash of a word's bytes: fast for short keys, and only ever compared in one process.
fn word_hash(word: &str) -> u64 {
    word.bytes().fold(0, |h: u64, b| {
        (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    })
}

/// A run's result: how many candidates matched, and the best of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub matched: usize,
    pub best: Vec<Scored>,
}

/// A candidate that matched, with its score and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub exhibit_id: String,
    pub exhibitor_id: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{ExhibitDetails, IntentStatus, Moq, Quantity};

    fn exhibit(id: &str, name: &str, description: &str) -> Exhibit {
        let details = ExhibitDetails {
            name: name.into(),
            category_id: "speakers".into(),
            description: Some(description.into()),
            moq: Some(Moq {
                quantity: 100,
                unit: "pcs".into(),
            }),
            price: Some(PriceRange {
                min: 5.0,
                max: 9.0,
                currency: "USD".into(),
            }),
            certifications: vec!["CE".into(), "FCC".into()],
            markets: vec!["US".into(), "DE".into()],
            ..Default::default()
        };
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 0, 0, 0).unwrap();
        Exhibit {
            id: id.into(),
            exhibitor_id: "exh".into(),
            completeness: details.completeness(),
            details,
            rep_ids: vec![],
            recommended_at: Some(at),
            matched_intents: 0,
            pushed_buyers: 0,
            created_at: at,
            updated_at: at,
        }
    }

    fn intent(name: &str, amount: u64) -> Intent {
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 0, 0, 0).unwrap();
        Intent {
            id: "int".into(),
            buyer_id: "buyer".into(),
            product_name: name.into(),
            category_id: "speakers".into(),
            description: None,
            keywords: vec![],
            quantity: Quantity {
                amount,
                unit: "PCS".into(),
            },
            target_price: Some(PriceRange {
                min: 8.0,
                max: 12.0,
                currency: "USD".into(),
            }),
            destination_country: "US".into(),
            certifications: vec!["ce".into()],
            valid_until: at,
            exhibitor_id: None,
            exhibit_id: None,
            status: IntentStatus::Open,
            created_at: at,
            closed_at: None,
        }
    }

    #[test]
    fn chinese_text_matches_with_or_without_spaces() {
        assert_eq!(terms("蓝牙 音箱"), vec!["蓝牙", "音箱"]);
        let candidate = PackedCandidate::of(&exhibit("x1", "蓝牙音箱", ""));
        let scored = IntentQuery::of(&intent("蓝牙 音箱", 500))
            .score(&candidate.view().unwrap())
            .unwrap();
        assert!(
            scored.reasons.contains(&"keywords: 蓝牙, 音箱".to_string()),
            "{:?}",
            scored.reasons
        );
    }

    #[test]
    fn english_words_ignore_case_and_plurals() {
        assert_eq!(
            terms("Bluetooth Speakers, 20W"),
            vec!["20w", "bluetooth", "speaker"]
        );
        let candidate = PackedCandidate::of(&exhibit("x1", "Portable bluetooth speaker", ""));
        assert!(
            IntentQuery::of(&intent("Bluetooth speakers", 500))
                .score(&candidate.view().unwrap())
                .is_some()
        );
        assert!(
            IntentQuery::of(&intent("Office chair", 500))
                .score(&candidate.view().unwrap())
                .is_none()
        );
    }

    #[test]
    fn fit_and_reasons_follow_moq_price_certifications_and_market() {
        let candidate = PackedCandidate::of(&exhibit("x1", "Bluetooth speaker", ""));
        let fits = IntentQuery::of(&intent("bluetooth speaker", 500))
            .score(&candidate.view().unwrap())
            .unwrap();
        for reason in [
            "category",
            "moq_fits",
            "price_fits",
            "certifications_held",
            "market_fits",
        ] {
            assert!(
                fits.reasons.iter().any(|r| r == reason),
                "{reason} in {:?}",
                fits.reasons
            );
        }
        let too_few = IntentQuery::of(&intent("bluetooth speaker", 50))
            .score(&candidate.view().unwrap())
            .unwrap();
        assert!(!too_few.reasons.iter().any(|r| r == "moq_fits"));
        assert!(too_few.score < fits.score);
    }

    #[test]
    fn name_terms_count_more_than_description_terms_and_ranking_is_stable() {
        let in_name = PackedCandidate::of(&exhibit("b", "Bluetooth speaker", ""));
        let in_text = PackedCandidate::of(&exhibit("a", "Speaker", "with bluetooth"));
        let query = IntentQuery::of(&intent("bluetooth speaker", 500));
        let ranked = query.rank(&[in_text, in_name], 10).best;
        assert_eq!(ranked[0].exhibit_id, "b");
        assert!(ranked[0].score > ranked[1].score);
    }

    #[test]
    fn ranking_keeps_the_best_and_counts_every_match() {
        let candidates: Vec<PackedCandidate> = (0..30)
            .map(|i| {
                let name = if i % 3 == 0 {
                    "Bluetooth speaker"
                } else {
                    "Speaker"
                };
                PackedCandidate::of(&exhibit(&format!("x{i:02}"), name, ""))
            })
            .chain([PackedCandidate::of(&exhibit("chair", "Chair", ""))])
            .collect();
        let ranking = IntentQuery::of(&intent("bluetooth speaker", 500)).rank(&candidates, 5);
        assert_eq!(ranking.matched, 30);
        assert_eq!(ranking.best.len(), 5);
        assert_eq!(ranking.best[0].exhibit_id, "x00");
        assert!(ranking.best.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(
            ranking.best[..5]
                .iter()
                .all(|s| s.reasons.iter().any(|r| r == "all_keywords"))
        );
    }

    #[test]
    fn packing_survives_separators_in_text() {
        let mut odd = exhibit("x1", "Speaker", "");
        odd.details.certifications = vec!["CE|X;Y".into()];
        odd.details.moq = Some(Moq {
            quantity: 5,
            unit: "big;box|x".into(),
        });
        let packed = PackedCandidate::of(&odd);
        let view = packed.view().unwrap();
        assert_eq!(view.exhibit_id, "x1");
        assert_eq!(view.completeness, odd.completeness);
    }
}
