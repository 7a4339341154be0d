//! XLM-RoBERTa's SentencePiece unigram tokenizer: the text normalized character by
//! character, spaces turned into the metaspace `▁` (one in front), then the segmentation
//! into vocabulary pieces with the highest total score (Viterbi), a character no piece
//! covers becoming `<unk>`.

use std::collections::HashMap;

use crate::format::Vocabulary;

const METASPACE: char = '\u{2581}';

pub struct Tokenizer {
    ids: HashMap<Vec<u8>, u32>,
    scores: Vec<f32>,
    max_piece_bytes: usize,
    unk_score: f32,
    normalization: HashMap<char, Vec<char>>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
}

impl Tokenizer {
    pub fn new(vocabulary: Vocabulary) -> Self {
        let max_piece_bytes = vocabulary.pieces.iter().map(Vec::len).max().unwrap_or(1);
        let lowest = vocabulary
            .scores
            .iter()
            .copied()
            .fold(f32::INFINITY, f32::min);
        let ids = vocabulary
            .pieces
            .into_iter()
            .enumerate()
            .filter(|(_, piece)| !piece.is_empty())
            .map(|(i, piece)| (piece, i as u32))
            .collect();
        Self {
            ids,
            scores: vocabulary.scores,
            max_piece_bytes,
            // As SentencePiece does: an unknown character costs more than any piece.
            unk_score: lowest - 10.0,
            normalization: vocabulary.normalization,
            bos: vocabulary.bos,
            eos: vocabulary.eos,
            unk: vocabulary.unk,
        }
    }

    /// The normalized text with metaspaces, as characters.
    fn normalize(&self, text: &str) -> Vec<char> {
        let mut chars: Vec<char> = Vec::with_capacity(text.len() + 1);
        for c in text.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            match self.normalization.get(&c) {
                Some(replacement) => chars.extend(replacement),
                None => chars.push(c),
            }
        }
        let mut out = Vec::with_capacity(chars.len() + 1);
        for c in chars {
            // Runs of spaces fold into one; none at the ends.
            if c == ' ' && out.last().is_none_or(|last| *last == METASPACE) {
                continue;
            }
            if out.is_empty() {
                out.push(METASPACE);
            }
            out.push(if c == ' ' { METASPACE } else { c });
        }
        if out.last() == Some(&METASPACE) {
            out.pop();
        }
        out
    }

    /// The piece ids of `text`, without the sentence markers.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let chars = self.normalize(text);
        if chars.is_empty() {
            return Vec::new();
        }
        let mut bytes = Vec::with_capacity(chars.len() * 3);
        // starts[i]: where character i begins in `bytes`.
        let mut starts = Vec::with_capacity(chars.len() + 1);
        for c in &chars {
            starts.push(bytes.len());
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        starts.push(bytes.len());
        let n = chars.len();
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        // (piece id or unk, start character) of the best segmentation ending at i.
        let mut back: Vec<(u32, usize)> = vec![(self.unk, 0); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            for e in i + 1..=n {
                let span = &bytes[starts[i]..starts[e]];
                if span.len() > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.ids.get(span)
                    && id != self.unk
                {
                    let score = best[i] + self.scores[id as usize];
                    if score > best[e] {
                        best[e] = score;
                        back[e] = (id, i);
                    }
                }
            }
            let unknown = best[i] + self.unk_score;
            if unknown > best[i + 1] {
                best[i + 1] = unknown;
                back[i + 1] = (self.unk, i);
            }
        }
        let mut ids = Vec::new();
        let mut at = n;
        while at > 0 {
            let (id, from) = back[at];
            ids.push(id);
            at = from;
        }
        ids.reverse();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let pieces = [
            "<s>",
            "<pad>",
            "</s>",
            "<unk>",
            "▁",
            "▁air",
            "▁compress",
            "or",
            "▁compressor",
            "a",
            "i",
            "r",
        ];
        let scores = [
            0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -6.0, -4.0, -5.0, -6.0, -6.0, -6.0,
        ];
        Vocabulary {
            pieces: pieces.iter().map(|p| p.as_bytes().to_vec()).collect(),
            scores: scores.to_vec(),
            bos: 0,
            eos: 2,
            unk: 3,
            normalization: [('Ａ', vec!['A']), ('A', vec!['a'])].into_iter().collect(),
        }
    }

    #[test]
    fn the_best_scoring_segmentation_wins() {
        let tokenizer = Tokenizer::new(vocabulary());
        // ▁compressor (-5) beats ▁compress + or (-10).
        assert_eq!(tokenizer.encode("air compressor"), vec![5, 8]);
        assert_eq!(tokenizer.encode("  air\t\ncompressor  "), vec![5, 8]);
    }

    #[test]
    fn unknown_characters_become_unk_and_normalization_applies() {
        let tokenizer = Tokenizer::new(vocabulary());
        assert_eq!(tokenizer.encode("air 压"), vec![5, 4, 3]);
        assert_eq!(tokenizer.encode(""), Vec::<u32>::new());
        // Only the first level of the map applies, as in the packed normalizer.
        assert_eq!(tokenizer.encode("Ａir"), vec![4, 3, 10, 11]);
    }
}
