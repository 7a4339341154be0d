//! What a run learns about an intent and keeps with it: the pseudo-relevance feedback of its
//! first pass, and the verdicts of its buyer.

use super::{decode_vector, encode_vector};

/// The feedback of an intent's first pass: its best exhibit (the anchor: its vector and its
/// product words), the direction the query moves to (the anchor, blended with the runner-up
/// as much as the first pass could not tell them apart), and the best raw score of the run
/// (an exhibit recommended later is judged against it). Exhibits of one kind are written
/// alike, by exhibitors in Chinese and English, so these find the rest of that kind better
/// than a buyer's words in another language do.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub anchor: Vec<f32>,
    /// (stem, weight): the anchor's product words (from its names and keywords).
    pub anchor_terms: Vec<(String, f64)>,
    pub direction: Vec<f32>,
    pub best: Option<f64>,
}

/// Marks the current encoding (an earlier one stored `terms|vector`).
const VERSION: &str = "2";

impl Feedback {
    /// `2|best|stem:weight …|anchor|direction`, to be stored with the intent.
    pub fn encode(&self) -> String {
        let terms: Vec<String> = self
            .anchor_terms
            .iter()
            .map(|(stem, w)| format!("{stem}:{w:.2}"))
            .collect();
        let best = self.best.map(|b| format!("{b:.4}")).unwrap_or_default();
        format!(
            "{VERSION}|{best}|{}|{}|{}",
            terms.join(" "),
            encode_vector(&self.anchor),
            encode_vector(&self.direction)
        )
    }

    pub fn decode(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split('|').collect();
        match parts.as_slice() {
            [VERSION, best, terms, anchor, direction] => Some(Self {
                anchor: decode_vector(anchor)?,
                anchor_terms: decode_terms(terms),
                direction: decode_vector(direction)?,
                best: best.parse().ok(),
            }),
            // The earlier encoding: the best exhibit's vector stood for both.
            [terms, vector] => {
                let vector = decode_vector(vector)?;
                Some(Self {
                    anchor: vector.clone(),
                    anchor_terms: decode_terms(terms),
                    direction: vector,
                    best: None,
                })
            }
            _ => None,
        }
    }
}

fn decode_terms(terms: &str) -> Vec<(String, f64)> {
    terms
        .split(' ')
        .filter_map(|pair| {
            let (stem, w) = pair.rsplit_once(':')?;
            Some((stem.to_string(), w.parse().ok()?))
        })
        .collect()
}

/// A buyer's verdicts on the pushes of one intent, as the vectors of the exhibits judged:
/// exhibits like a dismissed one move down, exhibits like a relevant one move up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdicts {
    pub relevant: Vec<Vec<f32>>,
    pub dismissed: Vec<Vec<f32>>,
}

/// Cosines from which an exhibit counts as like a judged one, fully from the top of the
/// range (near duplicates, written by the same kind of exhibitor; e5 puts any two exhibits
/// of a category around 0.8).
const LIKE_FROM: f32 = 0.9;
const LIKE_FULLY: f32 = 1.0;

impl Verdicts {
    pub fn is_empty(&self) -> bool {
        self.relevant.is_empty() && self.dismissed.is_empty()
    }

    /// How much the verdicts move a candidate of this vector, from -1 (a near duplicate of a
    /// dismissed exhibit, nothing relevant like it) to 1.
    pub fn shift(&self, cosine_with: impl Fn(&[f32]) -> f32) -> f64 {
        let likeness = |judged: &[Vec<f32>]| {
            judged
                .iter()
                .map(|v| ((cosine_with(v) - LIKE_FROM) / (LIKE_FULLY - LIKE_FROM)).clamp(0.0, 1.0))
                .fold(0.0f32, f32::max)
        };
        f64::from(likeness(&self.relevant) - likeness(&self.dismissed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize) -> Vec<f32> {
        let mut v = vec![0.0; crate::ports::EMBEDDING_DIM];
        v[i] = 1.0;
        v
    }

    #[test]
    fn feedback_round_trips_and_reads_the_earlier_encoding() {
        let feedback = Feedback {
            anchor: unit(0),
            anchor_terms: vec![("锂电钻".into(), 3.0), ("drill".into(), 2.0)],
            direction: unit(1),
            best: Some(57.25),
        };
        assert_eq!(Feedback::decode(&feedback.encode()), Some(feedback));
        let earlier = format!("锂电钻:1.00 drill:1.00|{}", encode_vector(&unit(2)));
        let read = Feedback::decode(&earlier).expect("the earlier encoding");
        assert_eq!(read.anchor, unit(2));
        assert_eq!(read.direction, unit(2));
        assert_eq!(read.best, None);
    }

    #[test]
    fn verdicts_move_near_duplicates_only() {
        let verdicts = Verdicts {
            relevant: vec![],
            dismissed: vec![unit(0)],
        };
        let same = verdicts.shift(|v| v[0]);
        let unrelated = verdicts.shift(|_| 0.5);
        assert_eq!(same, -1.0);
        assert_eq!(unrelated, 0.0);
    }
}
