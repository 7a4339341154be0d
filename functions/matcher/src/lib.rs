//! The matcher worker: pushes recommended exhibits to the buyers whose intents they match,
//! and records the matches for the exhibitors (DESIGN.md, "Queue-driven workers"). It is the
//! one function that loads the embedding model: an exhibit is analysed and embedded when it
//! is recommended or changed (and stored as its category's candidate), an intent when it is
//! first run (its vector stored); nothing is embedded per pair.
//!
//! Every step is idempotent: a push is a conditional write keyed by (buyer, exhibit), a match
//! by (exhibitor, intent, exhibit), and the one email per intent is claimed before it is
//! sent, so a message delivered twice has one effect.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use fairlink_domain::{
    DomainError, Ports,
    jobs::MatchJob,
    matching::{
        CategoryStats, IntentQuery, MAX_PUSHES_PER_EXHIBITOR, MAX_PUSHES_PER_INTENT,
        MAX_RECORDED_MATCHES, PackedCandidate, RANKED_KEPT, Scored, Scoring, exhibit_text,
        fit::ExchangeRates, intent_text, push_plan,
    },
    model::{
        Account, Exhibit, ExhibitMatch, Intent, Language, Notification, NotificationKind, Push,
    },
    ports::{Email, Embedder, JobHandler, TextRole},
};
use fairlink_store::{MatchRecord, PushOutcome, Repository, StoredQuery};
use serde_json::json;

pub struct Matcher {
    repo: Repository,
    ports: Ports,
    embedder: Arc<dyn Embedder>,
    scoring: Scoring,
}

#[async_trait]
impl JobHandler for Matcher {
    async fn handle(&self, body: &str) -> Result<(), String> {
        let job: MatchJob =
            serde_json::from_str(body).map_err(|e| format!("not a matcher job: {e}"))?;
        let outcome = match &job {
            MatchJob::IntentPublished { intent_id } => {
                self.match_intent(intent_id).await.map(|_| ())
            }
            MatchJob::ExhibitRecommended { exhibit_id } => self.match_exhibit(exhibit_id).await,
        };
        outcome.map_err(|e| e.to_string())
    }
}

/// What one intent's run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntentRun {
    pub candidates: usize,
    pub matched: usize,
    pub pushed: usize,
}

/// The exhibitor's main account, who is told of matches.
struct ExhibitorContact {
    main_account_id: String,
    language: Language,
}

impl Matcher {
    pub fn new(ports: Ports, embedder: Arc<dyn Embedder>) -> Self {
        Self {
            // Pushes and matches notify: their events go out as they commit.
            repo: Repository::new(ports.store.clone()).sending_events_to(ports.queue.clone()),
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

    async fn embed_one(&self, text: String, role: TextRole) -> Result<Vec<f32>, DomainError> {
        self.embedder
            .embed(&[text], role)
            .await?
            .pop()
            .ok_or_else(|| DomainError::Internal("the embedder returned no vector".into()))
    }

    /// The intent's vector: stored by its first run, so it is embedded once.
    async fn intent_vector(&self, intent: &Intent) -> Result<Vec<f32>, DomainError> {
        if let Some(stored) = self.repo.intent_query(&intent.id).await? {
            return Ok(stored.vector);
        }
        let vector = self.embed_one(intent_text(intent), TextRole::Query).await?;
        let stored = StoredQuery {
            vector,
            feedback: None,
        };
        self.repo.store_intent_query(&intent.id, &stored).await?;
        Ok(stored.vector)
    }

    /// Scores the recommended exhibits of the intent's category, records the best matches
    /// and pushes the best (at most 10, at most 2 per exhibitor) to the buyer, with one
    /// email listing them.
    pub async fn match_intent(&self, iid: &str) -> Result<IntentRun, DomainError> {
        let now = self.ports.clock.now();
        let Some(intent) = self.repo.intent(iid).await? else {
            return Ok(IntentRun::default());
        };
        if !intent.is_open_at(now) {
            return Ok(IntentRun::default());
        }
        let Some(buyer) = self.repo.account(&intent.buyer_id).await? else {
            return Ok(IntentRun::default());
        };
        // The vector is stored before the category is read: an exhibit recommended meanwhile
        // is stored as a candidate before its own run reads the intents' vectors, so one of
        // the two runs sees the other. The fair's rates are read meanwhile.
        let (vector, rates) = tokio::try_join!(self.intent_vector(&intent), self.rates())?;
        let candidates = self.repo.match_candidates(&intent.category_id).await?;
        let ranking = IntentQuery::of(&intent, Some(vector.clone()), &rates).rank(
            &candidates,
            RANKED_KEPT,
            &self.scoring,
        );
        if ranking.feedback.is_some() {
            // Exhibits recommended later are scored against what this run learned.
            let stored = StoredQuery {
                vector,
                feedback: ranking.feedback.clone(),
            };
            self.repo.store_intent_query(&intent.id, &stored).await?;
        }
        let best = &ranking.best[..ranking.best.len().min(MAX_RECORDED_MATCHES)];
        self.record_matches(&intent, best).await?;
        let pushed = self.push_best(&intent, &buyer, &ranking.best).await?;
        if !pushed.is_empty() && self.repo.claim_push_email(&intent.id, now).await? {
            let email = push_email(&buyer, &intent, &pushed);
            if let Err(err) = self.ports.email.send_email(&email).await {
                // Give the claim back so that the retry sends it.
                self.repo.release_push_email(&intent.id).await?;
                return Err(err.into());
            }
        }
        Ok(IntentRun {
            candidates: candidates.len(),
            matched: ranking.matched,
            pushed: pushed.len(),
        })
    }

    /// Walks the ranking and pushes the best exhibits the buyer does not have yet: first
    /// all in one transaction (the usual case), else one by one, where an exhibit pushed by
    /// an earlier delivery of this same job still counts and one the buyer had from another
    /// intent makes room for the next.
    async fn push_best(
        &self,
        intent: &Intent,
        buyer: &Account,
        ranked: &[Scored],
    ) -> Result<Vec<Push>, DomainError> {
        // The plan: the best, at most two per exhibitor, read in one batch.
        let plan = push_plan(ranked);
        let ids: Vec<&str> = plan.iter().map(|s| s.exhibit_id.as_str()).collect();
        let exhibits = self.repo.exhibits(&ids).await?;
        let all_there = exhibits
            .iter()
            .all(|x| x.as_ref().is_some_and(|x| x.recommended_at.is_some()));
        let planned: Vec<(Push, Notification)> = plan
            .iter()
            .zip(exhibits)
            .filter_map(|(scored, exhibit)| {
                let push = self.push_of(buyer, intent, scored, exhibit?);
                let notice = self.pushed_notice(buyer, intent, &push);
                Some((push, notice))
            })
            .collect();
        if all_there && (planned.is_empty() || self.repo.push_all(&buyer.id, &planned).await?) {
            return Ok(planned.into_iter().map(|(push, _)| push).collect());
        }
        let mut per_exhibitor: HashMap<&str, usize> = HashMap::new();
        let mut pushed: Vec<Push> = Vec::new();
        for scored in ranked {
            if pushed.len() == MAX_PUSHES_PER_INTENT {
                break;
            }
            let count = per_exhibitor
                .entry(scored.exhibitor_id.as_str())
                .or_default();
            if *count == MAX_PUSHES_PER_EXHIBITOR {
                continue;
            }
            if let Some(push) = self.push(intent, buyer, scored).await? {
                *count += 1;
                pushed.push(push);
            }
        }
        Ok(pushed)
    }

    /// Analyses and embeds a recommended exhibit, stores it as a candidate of its category,
    /// then matches it against the category's open intents, pushing it to the buyers of
    /// those it matches (in-app only: one email per intent is for the intent's own run).
    pub async fn match_exhibit(&self, xid: &str) -> Result<(), DomainError> {
        let now = self.ports.clock.now();
        let Some(exhibit) = self.repo.exhibit(xid).await? else {
            return Ok(());
        };
        if exhibit.recommended_at.is_none() {
            return Ok(());
        }
        let vector = self
            .embed_one(exhibit_text(&exhibit), TextRole::Passage)
            .await?;
        let packed = PackedCandidate::of(&exhibit, &vector);
        if !self.repo.store_candidate(&exhibit, &packed).await? {
            // Withdrawn, moved or changed since it was read: a later job has the last word.
            return Ok(());
        }
        let Some(candidate) = packed.view() else {
            return Ok(());
        };
        let intents: Vec<Intent> = self
            .repo
            .open_intents(&exhibit.details.category_id)
            .await?
            .into_iter()
            .filter(|intent| intent.is_open_at(now))
            .collect();
        if intents.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = intents.iter().map(|i| i.id.as_str()).collect();
        let stored = self.repo.intent_queries(&ids).await?;
        let rates = self.rates().await?;
        // BM25 weighs words by the whole category's statistics, as an intent's run does.
        let candidates = self
            .repo
            .match_candidates(&exhibit.details.category_id)
            .await?;
        let views: Vec<_> = candidates
            .iter()
            .filter_map(PackedCandidate::view)
            .collect();
        let category = CategoryStats::of(&views);
        for (intent, stored) in intents.iter().zip(stored) {
            // An intent without a vector has not had its own run yet: that run reads this
            // candidate, written above, and pushes within its caps.
            let Some(stored) = stored else {
                continue;
            };
            let query =
                IntentQuery::of(intent, Some(stored.vector), &rates).with_feedback(stored.feedback);
            let stats = query.stats_from(&category);
            let Some(scored) = query.score(&candidate, &stats, &self.scoring) else {
                continue;
            };
            self.record_matches(intent, std::slice::from_ref(&scored))
                .await?;
            if let Some(buyer) = self.repo.account(&intent.buyer_id).await? {
                self.push(intent, &buyer, &scored).await?;
            }
        }
        Ok(())
    }

    /// The push of one ranked exhibit, if it still exists and is recommended.
    async fn push_for(
        &self,
        buyer: &Account,
        intent: &Intent,
        scored: &Scored,
    ) -> Result<Option<Push>, DomainError> {
        Ok(self
            .repo
            .exhibit(&scored.exhibit_id)
            .await?
            .filter(|x| x.recommended_at.is_some())
            .map(|exhibit| self.push_of(buyer, intent, scored, exhibit)))
    }

    fn push_of(&self, buyer: &Account, intent: &Intent, scored: &Scored, exhibit: Exhibit) -> Push {
        let (reasons, reason_codes) = scored.explained(buyer.language);
        Push {
            id: self.ports.ids.new_id("psh"),
            exhibitor_id: exhibit.exhibitor_id.clone(),
            exhibit,
            intent_id: intent.id.clone(),
            score: scored.score,
            reasons,
            reason_codes,
            pushed_at: self.ports.clock.now(),
        }
    }

    /// Pushes one exhibit to the buyer for the intent. `Some` when it counts for this intent
    /// (pushed now, or by an earlier delivery of the same job); `None` when the buyer had it
    /// from another intent or it is no longer recommended.
    async fn push(
        &self,
        intent: &Intent,
        buyer: &Account,
        scored: &Scored,
    ) -> Result<Option<Push>, DomainError> {
        let Some(push) = self.push_for(buyer, intent, scored).await? else {
            return Ok(None);
        };
        let notice = self.pushed_notice(buyer, intent, &push);
        Ok(match self.repo.push(&buyer.id, &push, &notice).await? {
            PushOutcome::Pushed | PushOutcome::AlreadyPushed { same_intent: true } => Some(push),
            PushOutcome::AlreadyPushed { same_intent: false } | PushOutcome::ExhibitGone => None,
        })
    }

    /// Records the matches for their exhibitors, each telling the exhibitor's main account.
    async fn record_matches(&self, intent: &Intent, best: &[Scored]) -> Result<(), DomainError> {
        let contacts = self.contacts(best).await?;
        let now = self.ports.clock.now();
        let records: Vec<MatchRecord> = best
            .iter()
            .filter_map(|scored| {
                let contact = contacts.get(scored.exhibitor_id.as_str())?;
                let (reasons, reason_codes) = scored.explained(contact.language);
                let (title, body) = match contact.language {
                    Language::Zh => ("采购需求匹配".to_string(), format!("采购需求“{}”与您的推荐展品匹配（得分 {:.2}）。", intent.product_name, scored.score)),
                    Language::En => ("Intent matched".to_string(), format!("The intent \"{}\" matches one of your recommended exhibits (score {:.2}).", intent.product_name, scored.score)),
                };
                Some(MatchRecord {
                    exhibitor_id: &scored.exhibitor_id,
                    found: ExhibitMatch {
                        intent: intent.clone(),
                        exhibit_id: scored.exhibit_id.clone(),
                        score: scored.score,
                        reasons,
                        reason_codes,
                        matched_at: now,
                    },
                    notify: &contact.main_account_id,
                    notification: Notification::new(
                        self.ports.ids.new_id("ntf"),
                        NotificationKind::IntentMatched,
                        title,
                        body,
                        json!({"intentId": intent.id, "exhibitId": scored.exhibit_id, "score": scored.score}),
                        now,
                    ),
                })
            })
            .collect();
        self.repo.record_matches(&records).await?;
        Ok(())
    }

    /// The main accounts of the exhibitors of these matches, in two batch reads.
    async fn contacts(
        &self,
        best: &[Scored],
    ) -> Result<HashMap<String, ExhibitorContact>, DomainError> {
        let mut eids: Vec<&str> = best.iter().map(|s| s.exhibitor_id.as_str()).collect();
        eids.sort_unstable();
        eids.dedup();
        let exhibitors: Vec<_> = self
            .repo
            .exhibitors(&eids)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let mains: Vec<&str> = exhibitors
            .iter()
            .map(|e| e.main_account_id.as_str())
            .collect();
        let accounts = self.repo.accounts(&mains).await?;
        Ok(exhibitors
            .iter()
            .zip(accounts)
            .map(|(exhibitor, main)| {
                let contact = ExhibitorContact {
                    main_account_id: exhibitor.main_account_id.clone(),
                    language: main.map(|a| a.language).unwrap_or(Language::En),
                };
                (exhibitor.id.clone(), contact)
            })
            .collect())
    }

    fn pushed_notice(&self, buyer: &Account, intent: &Intent, push: &Push) -> Notification {
        let name = exhibit_name(&push.exhibit, buyer.language);
        let (title, body) = match buyer.language {
            Language::Zh => (
                "为您推荐的展品".to_string(),
                format!("“{name}”符合您的采购需求“{}”。", intent.product_name),
            ),
            Language::En => (
                "Recommended exhibit".to_string(),
                format!(
                    "\"{name}\" matches your intent \"{}\".",
                    intent.product_name
                ),
            ),
        };
        Notification::new(
            self.ports.ids.new_id("ntf"),
            NotificationKind::RecommendationPushed,
            title,
            body,
            json!({"exhibitId": push.exhibit.id, "exhibitorId": push.exhibitor_id, "intentId": intent.id, "score": push.score, "reasons": push.reasons, "reasonCodes": push.reason_codes}),
            self.ports.clock.now(),
        )
    }
}

/// The English name for English readers when there is one.
fn exhibit_name(exhibit: &Exhibit, language: Language) -> &str {
    match (language, &exhibit.details.name_en) {
        (Language::En, Some(name_en)) if !name_en.trim().is_empty() => name_en,
        _ => &exhibit.details.name,
    }
}

/// The one email per intent that lists what was pushed, in the buyer's language.
fn push_email(buyer: &Account, intent: &Intent, pushes: &[Push]) -> Email {
    let lines: Vec<String> = pushes
        .iter()
        .map(|p| {
            format!(
                "- {} ({:.2}): {}",
                exhibit_name(&p.exhibit, buyer.language),
                p.score,
                p.reasons.join("; ")
            )
        })
        .collect();
    let (subject, intro) = match buyer.language {
        Language::Zh => (
            format!(
                "fairlink：为“{}”推荐了 {} 件展品",
                intent.product_name,
                pushes.len()
            ),
            format!(
                "{}，您好：\n\n根据您的采购需求“{}”，我们为您推荐以下展品：",
                buyer.name, intent.product_name
            ),
        ),
        Language::En => (
            format!(
                "fairlink: {} recommended exhibits for \"{}\"",
                pushes.len(),
                intent.product_name
            ),
            format!(
                "Dear {},\n\nThese exhibits match your procurement intent \"{}\":",
                buyer.name, intent.product_name
            ),
        ),
    };
    Email {
        to: buyer.email.clone(),
        subject,
        text: format!("{intro}\n\n{}\n", lines.join("\n")),
    }
}
