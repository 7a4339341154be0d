//! The BERT encoder of multilingual-e5-small on candle tensors: word, position and type
//! embeddings, 12 layers of self-attention and feed-forward with post-layer-norm, then the
//! mean of the token states, L2-normalized. The 4-bit weights of the layers are expanded to
//! f32 once at load (about 85 MB), so that every product is a dense matrix multiplication;
//! the word embeddings (250,000 rows) stay 4-bit and only the rows of a text's tokens are
//! expanded.

use candle_core::{D, DType, Device, Tensor};

use crate::{
    ModelError,
    format::{self, Dims, ModelFile},
};

struct Linear {
    /// [in, out]: inputs multiply from the left.
    weight: Tensor,
    bias: Tensor,
}

impl Linear {
    fn load(
        file: &ModelFile<'_>,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Self, ModelError> {
        let blocks = file.q4(&format!("{name}.w"))?;
        let mut values = Vec::with_capacity(inputs * outputs);
        format::dequantize(blocks, inputs, &mut values);
        if values.len() != inputs * outputs {
            return Err(ModelError::Format(format!("{name}.w has the wrong size")));
        }
        // Stored as [out, in] rows; kept transposed and contiguous for x · W.
        let weight = Tensor::from_vec(values, (outputs, inputs), &Device::Cpu)?
            .t()?
            .contiguous()?;
        let bias = vector(file, &format!("{name}.b"), outputs)?;
        Ok(Self { weight, bias })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        Ok(x.matmul(&self.weight)?.broadcast_add(&self.bias)?)
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    fn load(file: &ModelFile<'_>, name: &str, width: usize, eps: f32) -> Result<Self, ModelError> {
        Ok(Self {
            weight: vector(file, &format!("{name}.w"), width)?,
            bias: vector(file, &format!("{name}.b"), width)?,
            eps: f64::from(eps),
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        let mean = x.mean_keepdim(D::Minus1)?;
        let centered = x.broadcast_sub(&mean)?;
        let variance = centered.sqr()?.mean_keepdim(D::Minus1)?;
        let normalized = centered.broadcast_div(&(variance + self.eps)?.sqrt()?)?;
        Ok(normalized
            .broadcast_mul(&self.weight)?
            .broadcast_add(&self.bias)?)
    }
}

fn vector(file: &ModelFile<'_>, name: &str, width: usize) -> Result<Tensor, ModelError> {
    let values = file.f32(name)?;
    if values.len() != width {
        return Err(ModelError::Format(format!("{name} has the wrong size")));
    }
    Ok(Tensor::from_slice(values, width, &Device::Cpu)?)
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

pub struct Encoder {
    dims: Dims,
    /// Q4_0 rows of the word embeddings.
    words: Vec<u8>,
    positions: Tensor,
    token_type: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
}

impl Encoder {
    pub fn load(file: &ModelFile<'_>) -> Result<Self, ModelError> {
        let d = file.dims;
        let h = d.hidden;
        let positions = file.f32("emb.pos")?;
        if positions.len() != d.max_positions * h {
            return Err(ModelError::Format("emb.pos has the wrong size".into()));
        }
        let positions = Tensor::from_slice(positions, (d.max_positions, h), &Device::Cpu)?;
        let token_type = Tensor::from_slice(
            file.f32("emb.type")?
                .get(..h)
                .ok_or_else(|| ModelError::Format("emb.type is too short".into()))?,
            h,
            &Device::Cpu,
        )?;
        let layers = (0..d.layers)
            .map(|l| {
                let name = |part: &str| format!("l{l}.{part}");
                Ok(Layer {
                    query: Linear::load(file, &name("q"), h, h)?,
                    key: Linear::load(file, &name("k"), h, h)?,
                    value: Linear::load(file, &name("v"), h, h)?,
                    attention_out: Linear::load(file, &name("ao"), h, h)?,
                    attention_norm: LayerNorm::load(file, &name("aln"), h, d.eps)?,
                    intermediate: Linear::load(file, &name("fi"), h, d.intermediate)?,
                    output: Linear::load(file, &name("fo"), d.intermediate, h)?,
                    output_norm: LayerNorm::load(file, &name("oln"), h, d.eps)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Self {
            dims: d,
            words: file.q4("emb.word")?.to_vec(),
            positions,
            token_type,
            embedding_norm: LayerNorm::load(file, "emb.ln", h, d.eps)?,
            layers,
        })
    }

    /// The most tokens one text may have, sentence markers included.
    pub fn max_tokens(&self) -> usize {
        self.dims.max_positions
    }

    /// Mean-pooled, L2-normalized vectors of token sequences (each with its markers). The
    /// sequences share every matrix product; attention stays within each sequence.
    pub fn encode(&self, sequences: &[Vec<u32>]) -> Result<Vec<Vec<f32>>, ModelError> {
        let h = self.dims.hidden;
        let mut x = self.embed(sequences)?;
        let mut spans = Vec::with_capacity(sequences.len());
        let mut start = 0;
        for sequence in sequences {
            spans.push((start, sequence.len()));
            start += sequence.len();
        }
        let heads = self.dims.heads;
        let head_width = h / heads;
        let scale = 1.0 / (head_width as f64).sqrt();
        for layer in &self.layers {
            let q = layer.query.forward(&x)?;
            let k = layer.key.forward(&x)?;
            let v = layer.value.forward(&x)?;
            let mut contexts = Vec::with_capacity(spans.len());
            for &(start, len) in &spans {
                // [len, h] → [heads, len, head_width]
                let split = |t: &Tensor| -> Result<Tensor, ModelError> {
                    Ok(t.narrow(0, start, len)?
                        .reshape((len, heads, head_width))?
                        .transpose(0, 1)?
                        .contiguous()?)
                };
                let (qs, ks, vs) = (split(&q)?, split(&k)?, split(&v)?);
                let scores = (qs.matmul(&ks.t()?.contiguous()?)? * scale)?;
                let probabilities = softmax_last(&scores)?;
                let context = probabilities
                    .matmul(&vs)?
                    .transpose(0, 1)?
                    .reshape((len, h))?;
                contexts.push(context);
            }
            let context = Tensor::cat(&contexts, 0)?;
            let attended = layer.attention_out.forward(&context)?;
            x = layer.attention_norm.forward(&(x + attended)?)?;
            let inner = layer.intermediate.forward(&x)?.gelu_erf()?;
            let out = layer.output.forward(&inner)?;
            x = layer.output_norm.forward(&(x + out)?)?;
        }
        spans
            .iter()
            .map(|&(start, len)| {
                let mean = x.narrow(0, start, len)?.mean(0)?;
                let norm = mean
                    .sqr()?
                    .sum_all()?
                    .sqrt()?
                    .to_scalar::<f32>()?
                    .max(1e-12);
                Ok((mean / f64::from(norm))?.to_vec1::<f32>()?)
            })
            .collect()
    }

    /// Word + position + token-type embeddings, layer-normalized: [tokens, hidden].
    fn embed(&self, sequences: &[Vec<u32>]) -> Result<Tensor, ModelError> {
        let h = self.dims.hidden;
        let total: usize = sequences.iter().map(Vec::len).sum();
        let mut words = Vec::with_capacity(total * h);
        let mut positions = Vec::with_capacity(total);
        for sequence in sequences {
            for (p, &id) in sequence.iter().enumerate() {
                let row = format::q4_row(&self.words, h, id as usize)
                    .filter(|_| (id as usize) < self.dims.vocab)
                    .ok_or_else(|| {
                        ModelError::Format(format!("token {id} out of the vocabulary"))
                    })?;
                format::dequantize(row, h, &mut words);
                positions.push(p as u32);
            }
        }
        let words = Tensor::from_vec(words, (total, h), &Device::Cpu)?;
        let positions = Tensor::from_vec(positions, total, &Device::Cpu)?;
        let x = words
            .add(&self.positions.index_select(&positions, 0)?)?
            .broadcast_add(&self.token_type)?;
        debug_assert_eq!(x.dtype(), DType::F32);
        self.embedding_norm.forward(&x)
    }
}

fn softmax_last(x: &Tensor) -> Result<Tensor, ModelError> {
    let max = x.max_keepdim(D::Minus1)?;
    let exp = x.broadcast_sub(&max)?.exp()?;
    let sum = exp.sum_keepdim(D::Minus1)?;
    Ok(exp.broadcast_div(&sum)?)
}
