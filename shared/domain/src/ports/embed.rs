use async_trait::async_trait;

/// The width of the sentence vectors fairlink stores (multilingual-e5-small).
pub const EMBEDDING_DIM: usize = 384;

/// How a text is used: e5 models embed what is searched for and what is searched through
/// with different prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRole {
    /// A buyer's intent.
    Query,
    /// An exhibit.
    Passage,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("no embedding model is available: {0}")]
    Unavailable(String),
    #[error("embedding failed: {0}")]
    Failed(String),
}

/// Sentence embeddings of a multilingual model: texts in any language that mean the same
/// thing get vectors close together. Vectors are L2-normalized, [`EMBEDDING_DIM`] wide.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// Names the model (its vectors are comparable only with vectors of the same model).
    fn model(&self) -> &str;

    /// One vector per text, in order.
    async fn embed(&self, texts: &[String], role: TextRole) -> Result<Vec<Vec<f32>>, EmbedError>;
}
