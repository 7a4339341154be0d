//! A recommended exhibit as the matcher keeps it: its search terms with their field weights,
//! its fit attributes already normalized, its sentence vector, packed into one string when
//! it is written, so that a category's candidates are read and scored without decoding a
//! structure per exhibit (a hot category holds 30,000).

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use serde::{Deserialize, Serialize};

use super::{
    fit::{UnitKind, certification_key, unit_kind},
    text::{self, Term},
};
use crate::{model::Exhibit, ports::EMBEDDING_DIM};

/// How much a term counts by the field it is found in.
const NAME_WEIGHT: u32 = 3;
const KEYWORD_WEIGHT: u32 = 2;
const SPEC_WEIGHT: u32 = 1;
const DESCRIPTION_WEIGHT: u32 = 1;
/// Characters of a description that are embedded and searched (the rest is rarely about the
/// product itself).
const DESCRIPTION_CHARS: usize = 600;

/// `exhibitId|exhibitorId|stem:weight …|length|quantity;unit|min;max;currency|
/// certification;…|markets|completeness|vector|name vector`: fields separated by `|`, list
/// entries by `;` or a space (free text has them replaced), the vectors as base64 of signed
/// bytes. Candidates packed before names were embedded have no name vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackedCandidate(pub String);

const FIELD: char = '|';
const ENTRY: char = ';';

/// The text of an exhibit that is embedded: what a buyer would read of it.
pub fn exhibit_text(exhibit: &Exhibit) -> String {
    let d = &exhibit.details;
    let mut parts: Vec<String> = vec![d.name.clone()];
    parts.extend(d.name_en.clone().filter(|n| !n.trim().is_empty()));
    if !d.keywords.is_empty() {
        parts.push(d.keywords.join(", "));
    }
    if !d.specs.is_empty() {
        parts.push(
            d.specs
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; "),
        );
    }
    if let Some(description) = d.description.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(description.chars().take(DESCRIPTION_CHARS).collect());
    }
    parts.join(". ")
}

/// The text of an exhibit's names that is embedded on its own: what the product is called,
/// in Chinese and English, without the listing around it (the first pass compares it with
/// the intent's product name).
pub fn exhibit_name_text(exhibit: &Exhibit) -> String {
    let d = &exhibit.details;
    match d.name_en.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(name_en) => format!("{}. {name_en}", d.name),
        None => d.name.clone(),
    }
}

/// Quantizes a unit vector to signed bytes (scaled by its largest component) as base64.
pub fn encode_vector(vector: &[f32]) -> String {
    let max = vector.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-9);
    let bytes: Vec<u8> = vector
        .iter()
        .map(|v| ((v / max * 127.0).round().clamp(-127.0, 127.0) as i8) as u8)
        .collect();
    BASE64.encode(bytes)
}

/// The unit vector of [`encode_vector`]'s output; `None` for anything else.
pub fn decode_vector(encoded: &str) -> Option<Vec<f32>> {
    let bytes = BASE64.decode(encoded).ok()?;
    if bytes.len() != EMBEDDING_DIM {
        return None;
    }
    let values: Vec<f32> = bytes.iter().map(|b| f32::from(*b as i8)).collect();
    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    (norm > 0.0).then(|| values.iter().map(|v| v / norm).collect())
}

fn weighted_terms(exhibit: &Exhibit) -> (Vec<(String, u32)>, u32) {
    let d = &exhibit.details;
    let mut fields: Vec<(Vec<Term>, u32)> = vec![
        (text::terms(&d.name), NAME_WEIGHT),
        (
            text::terms(d.name_en.as_deref().unwrap_or_default()),
            NAME_WEIGHT,
        ),
        (text::terms(&d.keywords.join(" ; ")), KEYWORD_WEIGHT),
        (
            text::terms(
                &d.specs
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ),
            SPEC_WEIGHT,
        ),
    ];
    let description: String = d
        .description
        .as_deref()
        .unwrap_or_default()
        .chars()
        .take(DESCRIPTION_CHARS)
        .collect();
    fields.push((text::terms(&description), DESCRIPTION_WEIGHT));
    let mut weights: std::collections::BTreeMap<String, u32> = Default::default();
    let mut length = 0;
    for (terms, weight) in fields {
        // A term counts once per field: repeating a word in a field does not pay.
        let mut seen = std::collections::HashSet::new();
        for term in terms {
            length += weight;
            if seen.insert(term.stem.clone()) {
                *weights.entry(term.stem).or_default() += weight;
            }
        }
    }
    (weights.into_iter().collect(), length)
}

impl PackedCandidate {
    /// The candidate of a recommended exhibit, with the sentence vectors of its whole text and
    /// of its names.
    pub fn of(exhibit: &Exhibit, vectors: &ExhibitVectors) -> Self {
        let (vector, name_vector) = (&vectors.text, vectors.name.as_deref());
        let d = &exhibit.details;
        let clean = |s: &str| s.replace([FIELD, ENTRY, ' '], "");
        let (terms, length) = weighted_terms(exhibit);
        let terms: Vec<String> = terms
            .into_iter()
            .map(|(stem, w)| format!("{}:{w}", clean(&stem).replace(':', "")))
            .collect();
        let moq = d
            .moq
            .as_ref()
            .and_then(|m| {
                unit_kind(&m.unit).map(|kind| format!("{}{ENTRY}{}", m.quantity, kind.code()))
            })
            .unwrap_or_default();
        let price = d
            .price
            .as_ref()
            .map(|p| {
                format!(
                    "{:.4}{ENTRY}{:.4}{ENTRY}{}",
                    p.min,
                    p.max,
                    clean(&p.currency)
                )
            })
            .unwrap_or_default();
        let mut certifications: Vec<String> = d
            .certifications
            .iter()
            .map(|c| clean(&certification_key(c)))
            .collect();
        certifications.sort();
        certifications.dedup();
        let markets: Vec<String> = d.markets.iter().map(|m| clean(m)).collect();
        let fields = [
            clean(&exhibit.id),
            clean(&exhibit.exhibitor_id),
            terms.join(" "),
            length.to_string(),
            moq,
            price,
            certifications.join(&ENTRY.to_string()),
            markets.join(" "),
            exhibit.completeness.to_string(),
            encode_vector(vector),
            name_vector.map(encode_vector).unwrap_or_default(),
        ];
        Self(fields.join(&FIELD.to_string()))
    }

    /// The fields, borrowed; `None` for a string that is not a packed candidate.
    pub fn view(&self) -> Option<CandidateView<'_>> {
        let mut f = self.0.split(FIELD);
        Some(CandidateView {
            exhibit_id: f.next()?,
            exhibitor_id: f.next()?,
            terms: f.next()?,
            length: f.next()?.parse().ok()?,
            moq: f.next()?,
            price: f.next()?,
            certifications: f.next()?,
            markets: f.next()?,
            completeness: f.next()?.parse().ok()?,
            vector: f.next()?,
            name_vector: f.next().unwrap_or_default(),
        })
    }
}

/// A stored vector: signed bytes and their norm.
#[derive(Debug, Clone)]
pub struct QuantizedVector {
    values: [i8; EMBEDDING_DIM],
    norm: f32,
}

/// Independent sums in a dot product: floating-point addition is not associative, so a
/// single running sum cannot be vectorized; eight can (a hot run takes 60,000 cosines).
const DOT_LANES: usize = 8;

impl QuantizedVector {
    /// The cosine with a unit vector.
    pub fn cosine(&self, unit: &[f32]) -> f32 {
        if unit.len() != EMBEDDING_DIM {
            return 0.0;
        }
        let mut lanes = [0f32; DOT_LANES];
        for (values, units) in self
            .values
            .chunks_exact(DOT_LANES)
            .zip(unit.chunks_exact(DOT_LANES))
        {
            for ((lane, v), u) in lanes.iter_mut().zip(values).zip(units) {
                *lane += f32::from(*v) * u;
            }
        }
        lanes.iter().sum::<f32>() / self.norm
    }

    /// The cosines with two unit vectors in one pass over this one (a hot run takes two per
    /// candidate after its first pass).
    pub fn cosines(&self, a: &[f32], b: &[f32]) -> (f32, f32) {
        if a.len() != EMBEDDING_DIM || b.len() != EMBEDDING_DIM {
            return (0.0, 0.0);
        }
        let mut lanes_a = [0f32; DOT_LANES];
        let mut lanes_b = [0f32; DOT_LANES];
        for ((values, units_a), units_b) in self
            .values
            .chunks_exact(DOT_LANES)
            .zip(a.chunks_exact(DOT_LANES))
            .zip(b.chunks_exact(DOT_LANES))
        {
            for (lane, ((v, ua), ub)) in values.iter().zip(units_a).zip(units_b).enumerate() {
                let v = f32::from(*v);
                lanes_a[lane] += v * ua;
                lanes_b[lane] += v * ub;
            }
        }
        (
            lanes_a.iter().sum::<f32>() / self.norm,
            lanes_b.iter().sum::<f32>() / self.norm,
        )
    }

    /// Adds the unit vector this one stands for to `sum`.
    pub fn add_to(&self, sum: &mut [f32]) {
        for (s, v) in sum.iter_mut().zip(&self.values) {
            *s += f32::from(*v) / self.norm;
        }
    }
}

/// A packed candidate's fields.
#[derive(Debug, Clone, Copy)]
pub struct CandidateView<'a> {
    pub exhibit_id: &'a str,
    pub exhibitor_id: &'a str,
    terms: &'a str,
    pub length: u32,
    moq: &'a str,
    price: &'a str,
    certifications: &'a str,
    markets: &'a str,
    pub completeness: f64,
    vector: &'a str,
    /// Empty for a candidate packed before names were embedded.
    name_vector: &'a str,
}

impl<'a> CandidateView<'a> {
    /// (stem, field-weighted frequency) of every term.
    pub fn terms(&self) -> impl Iterator<Item = (&'a str, u32)> {
        self.terms.split(' ').filter_map(|pair| {
            let (stem, weight) = pair.rsplit_once(':')?;
            Some((stem, weight.parse().ok()?))
        })
    }

    /// [`Self::terms`], each hashed ([`term_hash`]), read in one pass over the bytes (a hot
    /// category holds a million terms).
    pub fn hashed_terms(&self) -> Vec<HashedTerm<'a>> {
        let bytes = self.terms.as_bytes();
        let pairs = bytes.iter().filter(|b| **b == b' ').count() + 1;
        let mut terms = Vec::with_capacity(pairs);
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i] != b':' && bytes[i] != b' ' {
                i += 1;
            }
            let stem_end = i;
            if i < bytes.len() && bytes[i] == b':' {
                i += 1;
                let digits_from = i;
                let mut weight = 0u32;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    weight = weight
                        .saturating_mul(10)
                        .saturating_add(u32::from(bytes[i] - b'0'));
                    i += 1;
                }
                let whole = i == bytes.len() || bytes[i] == b' ';
                if whole && i > digits_from && stem_end > start {
                    // Both ends are ASCII separators, so the slice is on character bounds.
                    let stem = &self.terms[start..stem_end];
                    terms.push(HashedTerm {
                        hash: term_hash(stem),
                        stem,
                        weight,
                    });
                }
            }
            // On to the next term (a malformed pair is skipped whole, as `terms` does).
            while i < bytes.len() && bytes[i] != b' ' {
                i += 1;
            }
            i += 1;
        }
        terms
    }

    pub fn moq(&self) -> Option<(u64, UnitKind)> {
        let (quantity, unit) = self.moq.split_once(ENTRY)?;
        Some((quantity.parse().ok()?, UnitKind::from_code(unit)?))
    }

    /// min, max and currency.
    pub fn price(&self) -> Option<(f64, f64, &'a str)> {
        let mut parts = self.price.split(ENTRY);
        Some((
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            parts.next()?,
        ))
    }

    /// Certification keys ([`certification_key`]).
    pub fn certifications(&self) -> impl Iterator<Item = &'a str> {
        self.certifications.split(ENTRY).filter(|c| !c.is_empty())
    }

    pub fn markets(&self) -> impl Iterator<Item = &'a str> {
        self.markets.split(' ').filter(|m| !m.is_empty())
    }

    pub fn has_markets(&self) -> bool {
        !self.markets.is_empty()
    }

    pub fn vector(&self) -> Option<Vec<f32>> {
        decode_vector(self.vector)
    }

    /// The candidate's vector as stored (signed bytes), decoded once per run.
    pub fn quantized(&self) -> Option<QuantizedVector> {
        QuantizedVector::decode(self.vector)
    }

    /// The vector of its names, if it was packed with one (decoded only for the few
    /// candidates a first pass compares by name).
    pub fn quantized_name(&self) -> Option<QuantizedVector> {
        QuantizedVector::decode(self.name_vector)
    }
}

/// The sentence vectors of an exhibit: its whole text, and its names alone.
#[derive(Debug, Clone, PartialEq)]
pub struct ExhibitVectors {
    pub text: Vec<f32>,
    pub name: Option<Vec<f32>>,
}

impl QuantizedVector {
    /// A vector as [`encode_vector`] stores it.
    pub fn decode(encoded: &str) -> Option<Self> {
        // A SIMD decoder: a hot run decodes 30,000 vectors, and the scalar one cost more
        // than the cosines.
        let encoded = encoded.as_bytes();
        if base64_simd::STANDARD.decoded_length(encoded).ok()? != EMBEDDING_DIM {
            return None;
        }
        let mut bytes = [0u8; EMBEDDING_DIM];
        base64_simd::STANDARD
            .decode(encoded, base64_simd::Out::from_slice(&mut bytes))
            .ok()?;
        let mut values = [0i8; EMBEDDING_DIM];
        for (v, b) in values.iter_mut().zip(&bytes) {
            *v = *b as i8;
        }
        // In integers: exact, and a sum the compiler vectorizes (a float one it cannot).
        let squares: i32 = values.iter().map(|v| i32::from(*v) * i32::from(*v)).sum();
        let norm = (squares as f32).sqrt();
        (norm > 0.0).then_some(QuantizedVector { values, norm })
    }
}

/// The hash terms are looked up by (a candidate's terms are hashed once per run, then
/// compared with every query of the run).
/// Eight bytes a step (a byte a step made the hashing of a hot category's million terms a
/// chain of dependent multiplications, the costliest part of reading it); never stored.
pub(super) fn term_hash(word: &str) -> u64 {
    let bytes = word.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut hash = bytes.len() as u64;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = hash_step(hash, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        hash = hash_step(hash, u64::from_le_bytes(word));
    }
    hash
}

fn hash_step(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// A candidate's term, hashed.
#[derive(Debug, Clone, Copy)]
pub struct HashedTerm<'a> {
    pub hash: u64,
    pub stem: &'a str,
    /// Field-weighted frequency.
    pub weight: u32,
}

/// A candidate decoded once for a run: its fields, its terms hashed, its vector unpacked.
/// A run reads the terms in three passes and the vector in two; decoding them each time
/// cost more than the scoring itself in a hot category.
#[derive(Debug, Clone)]
pub struct PreparedCandidate<'a> {
    pub view: CandidateView<'a>,
    pub terms: Vec<HashedTerm<'a>>,
    pub vector: Option<QuantizedVector>,
}

impl<'a> PreparedCandidate<'a> {
    pub fn of(view: CandidateView<'a>) -> Self {
        Self {
            terms: view.hashed_terms(),
            vector: view.quantized(),
            view,
        }
    }
}

/// Every candidate decoded for a run (on the machine's cores), in their order; strings
/// that are not packed candidates are left out.
pub fn prepare<'a>(candidates: &'a [PackedCandidate]) -> Vec<PreparedCandidate<'a>> {
    // By reference, so that what each thread decodes borrows from the candidates.
    let candidates: Vec<&'a PackedCandidate> = candidates.iter().collect();
    super::parallel::parallel_map(&candidates, |c| c.view().map(PreparedCandidate::of))
        .into_iter()
        .flatten()
        .collect()
}

/// [`prepare`] of candidates already viewed.
pub fn prepare_views<'a>(views: &[CandidateView<'a>]) -> Vec<PreparedCandidate<'a>> {
    super::parallel::parallel_map(views, |view| PreparedCandidate::of(*view))
}
