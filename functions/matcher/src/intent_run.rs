//! An intent's run: its category ranked, the ranked matches kept, the confident pushes sent
//! within its budget; again with its buyer's verdicts when they come.

use std::collections::{HashMap, HashSet};

use fairlink_domain::{
    DomainError,
    matching::{
        IntentQuery, IntentVectors, MAX_RECORDED_MATCHES, PackedCandidate, Pushed, RANKED_KEPT,
        Ranking, Scored, Verdicts, intent_name_text, intent_text, push_plan,
    },
    model::{Account, Exhibit, ExhibitMatch, Intent, Language, Notification, Push},
    optimistic::{Attempt, Contended, retry_on_lost_race},
    ports::TextRole,
};
use fairlink_store::{IntentMatching, MatchRecord, MatchingRefusal, RankedMatch, StoredQuery};

use crate::{
    Matcher,
    texts::{matched_notice, push_email, pushed_notice},
};

/// What one intent's run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntentRun {
    pub candidates: usize,
    pub matched: usize,
    pub pushed: usize,
}

/// What a run works on.
struct Run<'a> {
    intent: &'a Intent,
    buyer: &'a Account,
    /// The intent's query with its stored feedback (the verdicts are read at each attempt).
    query: &'a IntentQuery,
    candidates: &'a [PackedCandidate],
}

/// What one attempt decided: the pushes it made, and those of the intent the buyer had
/// already.
struct Decided {
    new: Vec<Push>,
    earlier: Vec<Push>,
}

/// The exhibitor's main account, who is told of matches.
struct ExhibitorContact {
    main_account_id: String,
    language: Language,
}

/// Ranked exhibits read ahead of a push decision (those it may push, and more for the ones
/// the buyer has already).
const PLAN_WINDOW: usize = 16;

/// How often a run decides again when a verdict or another run changed the intent meanwhile.
const MATCHING: Contended = Contended::on("the intent's matches", 5);

/// What a run of an intent is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunKind {
    /// Its first run (and deliveries of the same job again): the email lists the pushes.
    Published,
    /// Again with its buyer's verdicts: replacements go out in-app only.
    Judged,
}

impl Matcher {
    /// The intent's vectors: stored by its first run, so it is embedded once.
    async fn intent_vectors(&self, intent: &Intent) -> Result<StoredQuery, DomainError> {
        if let Some(stored) = self.repo.intent_query(&intent.id).await?
            && stored.name_vector.is_some()
        {
            return Ok(stored);
        }
        let (vector, name) = self
            .embed_pair(
                intent_text(intent),
                intent_name_text(intent),
                TextRole::Query,
            )
            .await?;
        let stored = StoredQuery {
            vector,
            name_vector: Some(name),
            feedback: None,
        };
        self.repo.store_intent_query(&intent.id, &stored).await?;
        Ok(stored)
    }

    /// The intent and its buyer, if the intent is open.
    async fn open_intent(&self, iid: &str) -> Result<Option<(Intent, Account)>, DomainError> {
        let now = self.ports.clock.now();
        let Some(intent) = self.repo.intent(iid).await? else {
            return Ok(None);
        };
        if !intent.is_open_at(now) {
            return Ok(None);
        }
        Ok(self
            .repo
            .account(&intent.buyer_id)
            .await?
            .map(|buyer| (intent, buyer)))
    }

    /// Scores the recommended exhibits of the intent's category, keeps the best 30 as its
    /// ranked matches (recorded for their exhibitors too), and pushes to the buyer those it
    /// is confident of, with one email listing them.
    pub async fn match_intent(&self, iid: &str) -> Result<IntentRun, DomainError> {
        self.run_intent(iid, RunKind::Published).await
    }

    /// Ranks the intent again with its buyer's verdicts (exhibits like a dismissed one move
    /// down, like a relevant one up; dismissed ones leave the list) and replaces each
    /// dismissed push where it is confident of another exhibit, within the budget.
    pub async fn rerank_intent(&self, iid: &str) -> Result<IntentRun, DomainError> {
        self.run_intent(iid, RunKind::Judged).await
    }

    /// A run of the intent over its category, with its buyer's verdicts so far (a first run
    /// delivered again after a verdict must not bring a dismissed exhibit back).
    async fn run_intent(&self, iid: &str, kind: RunKind) -> Result<IntentRun, DomainError> {
        let Some((intent, buyer)) = self.open_intent(iid).await? else {
            return Ok(IntentRun::default());
        };
        // The vectors are stored before the category is read: an exhibit recommended
        // meanwhile is stored as a candidate before its own run reads the intents' vectors,
        // so one of the two runs sees the other. The fair's rates are read meanwhile.
        let (stored, rates) = tokio::try_join!(self.intent_vectors(&intent), self.rates())?;
        let candidates = self.repo.match_candidates(&intent.category_id).await?;
        let query = IntentQuery::of(&intent, Some(vectors_of(&stored)), &rates)
            .with_feedback(stored.feedback.clone());
        let run = Run {
            intent: &intent,
            buyer: &buyer,
            query: &query,
            candidates: &candidates,
        };
        let (ranking, decided) = retry_on_lost_race(MATCHING, || self.decide(&run)).await?;
        if stored.feedback.is_none() && ranking.feedback.is_some() {
            // Exhibits recommended later are scored against what this run learned.
            let learned = StoredQuery {
                feedback: ranking.feedback.clone(),
                ..stored
            };
            self.repo.store_intent_query(&intent.id, &learned).await?;
        }
        let best = &ranking.best[..ranking.best.len().min(MAX_RECORDED_MATCHES)];
        self.record_matches(&intent, best).await?;
        if kind == RunKind::Published {
            self.email_pushes(&intent, &buyer, &decided).await?;
        }
        Ok(IntentRun {
            candidates: candidates.len(),
            matched: ranking.matched,
            pushed: decided.new.len() + decided.earlier.len(),
        })
    }

    /// The one email of a first run: every push of the intent, those an earlier delivery of
    /// the same job made too (its send may have failed after they were saved).
    async fn email_pushes(
        &self,
        intent: &Intent,
        buyer: &Account,
        decided: &Decided,
    ) -> Result<(), DomainError> {
        let listed: Vec<Push> = decided
            .earlier
            .iter()
            .chain(&decided.new)
            .cloned()
            .collect();
        let now = self.ports.clock.now();
        if listed.is_empty() || !self.repo.claim_push_email(&intent.id, now).await? {
            return Ok(());
        }
        let email = push_email(buyer, intent, &listed);
        if let Err(err) = self.ports.email.send_email(&email).await {
            // Give the claim back so that the retry sends it.
            self.repo.release_push_email(&intent.id).await?;
            return Err(err.into());
        }
        Ok(())
    }

    /// One attempt: the intent's matching read, then its buyer's verdicts (a verdict landing
    /// after the first read moves its version, and the save below is refused), the category
    /// ranked with them, and the ranked matches saved with the pushes the matcher is
    /// confident of.
    async fn decide(&self, run: &Run<'_>) -> Result<Attempt<(Ranking, Decided)>, DomainError> {
        let state = self.repo.intent_matching(&run.intent.id).await?;
        let verdicts = self.repo.intent_verdicts(&run.intent.id).await?;
        let dismissed: Vec<&str> = verdicts
            .iter()
            .filter(|(_, v)| v.dismisses())
            .map(|(xid, _)| xid.as_str())
            .collect();
        let query = run
            .query
            .clone()
            .with_verdicts(judged_vectors(run.candidates, &verdicts));
        let ranking = query.rank(run.candidates, RANKED_KEPT, &dismissed, &self.scoring);
        Ok(
            match self
                .save(run.intent, run.buyer, &ranking.best, state)
                .await?
            {
                Attempt::Done(decided) => Attempt::Done((ranking, decided)),
                Attempt::LostRace => Attempt::LostRace,
            },
        )
    }

    /// Saves the intent's ranked matches with its pushes, if its matching is still `state`:
    /// what the buyer has already is skipped, the budget is what the ledger allows.
    async fn save(
        &self,
        intent: &Intent,
        buyer: &Account,
        ranked: &[Scored],
        state: IntentMatching,
    ) -> Result<Attempt<Decided>, DomainError> {
        let window: Vec<&Scored> = ranked.iter().take(PLAN_WINDOW).collect();
        let ids: Vec<&str> = window.iter().map(|s| s.exhibit_id.as_str()).collect();
        let (exhibits, had) = tokio::try_join!(
            self.repo.exhibits(&ids),
            self.repo.pushed_many(&buyer.id, &ids)
        )?;
        let pushable: HashMap<&str, Exhibit> = ids
            .iter()
            .zip(exhibits)
            .filter_map(|(id, x)| Some((*id, x.filter(|x| x.recommended_at.is_some())?)))
            .collect();
        let had: Vec<Push> = had.into_iter().flatten().collect();
        let had_ids: Vec<String> = had.iter().map(|p| p.exhibit.id.clone()).collect();
        let pushed_before: HashSet<&str> = had_ids.iter().map(String::as_str).collect();
        let mut per_exhibitor: HashMap<String, usize> = HashMap::new();
        for p in had.iter().filter(|p| p.intent_id == intent.id) {
            *per_exhibitor.entry(p.exhibitor_id.clone()).or_default() += 1;
        }
        let budget = Pushed {
            count: self
                .scoring
                .max_pushes
                .saturating_sub(state.pushes_allowed(self.scoring.max_pushes)),
            per_exhibitor,
        };
        let plan = push_plan(&ranked[..window.len()], &self.scoring, &budget, |s| {
            pushed_before.contains(s.exhibit_id.as_str())
                || !pushable.contains_key(s.exhibit_id.as_str())
        });
        let pushes: Vec<(Push, Notification)> = plan
            .into_iter()
            .filter_map(|scored| {
                let exhibit = pushable.get(scored.exhibit_id.as_str())?.clone();
                let push = self.push_of(buyer, intent, scored, exhibit);
                let notice = pushed_notice(&self.ports, buyer, intent, &push);
                Some((push, notice))
            })
            .collect();
        let after = IntentMatching {
            matches: ranked
                .iter()
                .take(MAX_RECORDED_MATCHES)
                .map(RankedMatch::from)
                .collect(),
            sent: state.sent + pushes.len() as u64,
            ..state.clone()
        };
        let earlier: Vec<Push> = had
            .into_iter()
            .filter(|p| p.intent_id == intent.id)
            .collect();
        if after == state && pushes.is_empty() {
            return Ok(Attempt::Done(Decided {
                new: vec![],
                earlier,
            }));
        }
        match self
            .repo
            .save_matching(&intent.id, &state, &after, &buyer.id, &pushes)
            .await?
        {
            Ok(()) => Ok(Attempt::Done(Decided {
                new: pushes.into_iter().map(|(push, _)| push).collect(),
                earlier,
            })),
            Err(
                MatchingRefusal::Changed
                | MatchingRefusal::AlreadyPushed
                | MatchingRefusal::ExhibitGone,
            ) => Ok(Attempt::LostRace),
        }
    }

    pub(crate) fn push_of(
        &self,
        buyer: &Account,
        intent: &Intent,
        scored: &Scored,
        exhibit: Exhibit,
    ) -> Push {
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
            feedback: None,
        }
    }

    /// Records the matches for their exhibitors, each telling the exhibitor's main account.
    pub(crate) async fn record_matches(
        &self,
        intent: &Intent,
        best: &[Scored],
    ) -> Result<(), DomainError> {
        let contacts = self.contacts(best).await?;
        let now = self.ports.clock.now();
        let records: Vec<MatchRecord> = best
            .iter()
            .filter_map(|scored| {
                let contact = contacts.get(scored.exhibitor_id.as_str())?;
                let (reasons, reason_codes) = scored.explained(contact.language);
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
                    notification: matched_notice(&self.ports, contact.language, intent, scored),
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
                    language: main.map(|a| a.language).unwrap_or_default(),
                };
                (exhibitor.id.clone(), contact)
            })
            .collect())
    }
}

/// An intent's stored vectors as the query takes them.
pub(crate) fn vectors_of(stored: &StoredQuery) -> IntentVectors {
    IntentVectors {
        text: stored.vector.clone(),
        name: stored.name_vector.clone(),
    }
}

/// The vectors of the exhibits a buyer judged, from the category's candidates (an exhibit
/// withdrawn since has no candidate, and no say). A dismissal for the terms of the offer
/// (price, MOQ, certification, market) says the product was right: it takes that exhibit
/// off, and moves none of its kind.
fn judged_vectors(
    candidates: &[PackedCandidate],
    verdicts: &[(String, fairlink_domain::model::PushFeedback)],
) -> Verdicts {
    let mut judged = Verdicts::default();
    for candidate in candidates {
        let Some(view) = candidate.view() else {
            continue;
        };
        let Some((_, verdict)) = verdicts.iter().find(|(xid, _)| xid == view.exhibit_id) else {
            continue;
        };
        let Some(vector) = view.vector() else {
            continue;
        };
        match (verdict.dismisses(), verdict.reason) {
            (false, _) => judged.relevant.push(vector),
            (true, Some(reason)) if reason.right_product() => {}
            (true, _) => judged.dismissed.push(vector),
        }
    }
    judged
}
