//! The matcher worker: ranks an intent's category, keeps the ranked matches (the buyer's
//! list, and the exhibitors' exhibit matches), and pushes to the buyer only what it is
//! confident of (DESIGN.md, "Queue-driven workers"). It is the one function that loads the
//! embedding model: an exhibit is analysed and embedded (its whole text and its names) when
//! it is recommended or changed and stored as its category's candidate, an intent when it
//! is first run (its vectors stored); nothing is embedded per pair.
//!
//! Every step is idempotent: the ranked matches and the pushes are written in one
//! transaction on condition that the intent's matching is as read (a push is keyed by
//! buyer and exhibit besides), a match for an exhibitor is keyed by (exhibitor, intent,
//! exhibit), and the one email per intent is claimed before it is sent, so a message
//! delivered twice has one effect.

mod exhibit_run;
mod intent_run;
mod texts;

use std::sync::Arc;

use async_trait::async_trait;
use fairlink_domain::{
    DomainError, Ports,
    jobs::MatchJob,
    matching::{Scoring, fit::ExchangeRates},
    ports::{Embedder, JobError, TextRole, Worker},
};
use fairlink_store::Repository;

pub use intent_run::IntentRun;

pub struct Matcher {
    repo: Repository,
    ports: Ports,
    embedder: Arc<dyn Embedder>,
    scoring: Scoring,
}

#[async_trait]
impl Worker for Matcher {
    type Job = MatchJob;

    async fn run(&self, job: MatchJob) -> Result<(), JobError> {
        match &job {
            MatchJob::IntentPublished { intent_id } => {
                self.match_intent(intent_id).await.map(|_| ())
            }
            MatchJob::ExhibitRecommended { exhibit_id } => self.match_exhibit(exhibit_id).await,
            MatchJob::IntentJudged { intent_id } => self.rerank_intent(intent_id).await.map(|_| ()),
        }
        .map_err(JobError::from)
    }
}

impl Matcher {
    pub fn new(ports: Ports, embedder: Arc<dyn Embedder>) -> Self {
        Self {
            // Pushes and matches notify: their events go out as they commit.
            repo: Repository::new(ports.store.clone(), ports.queue.clone()),
            ports,
            embedder,
            scoring: Scoring::FITTED,
        }
    }

    /// The fair's exchange rates (none before the fair is set up).
    async fn rates(&self) -> Result<ExchangeRates, DomainError> {
        Ok(self
            .repo
            .fair()
            .await?
            .map(|fair| fair.rates())
            .unwrap_or_default())
    }

    /// A text and its names, embedded in one call: (whole text, names). A text that is its
    /// names alone is embedded once.
    async fn embed_pair(
        &self,
        text: String,
        name: String,
        role: TextRole,
    ) -> Result<(Vec<f32>, Vec<f32>), DomainError> {
        if text == name {
            let vector = self
                .embedder
                .embed(&[text], role)
                .await?
                .pop()
                .ok_or_else(|| DomainError::Internal("the embedder returned no vector".into()))?;
            return Ok((vector.clone(), vector));
        }
        let mut vectors = self.embedder.embed(&[text, name], role).await?;
        match (vectors.pop(), vectors.pop()) {
            (Some(name), Some(text)) => Ok((text, name)),
            _ => Err(DomainError::Internal(
                "the embedder returned too few vectors".into(),
            )),
        }
    }
}
