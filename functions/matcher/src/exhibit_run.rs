//! An exhibit's run: embedded and stored as its category's candidate, then scored against
//! the category's open intents, each as its own run scored the category.

use fairlink_domain::{
    DomainError,
    matching::{
        CategoryStats, ExhibitVectors, IntentQuery, MAX_PUSHES_PER_EXHIBITOR, MAX_RECORDED_MATCHES,
        PackedCandidate, Scored, exhibit_name_text, exhibit_text,
    },
    model::{Account, Exhibit, Intent},
    optimistic::{Attempt, Contended, retry_on_lost_race},
    ports::TextRole,
};
use fairlink_store::{MatchingRefusal, RankedMatch};

use crate::{Matcher, intent_run::vectors_of, texts::pushed_notice};

/// How often an exhibit's match with one intent is decided again after a lost race.
const MATCHING: Contended = Contended::on("the intent's matches", 5);

impl Matcher {
    /// Analyses and embeds a recommended exhibit, stores it as a candidate of its category,
    /// then matches it against the category's open intents: it joins the ranked matches of
    /// those it matches, and is pushed to their buyers where the matcher is confident and the
    /// intent's budget allows (in-app only: one email per intent is for the intent's own run).
    pub async fn match_exhibit(&self, xid: &str) -> Result<(), DomainError> {
        let now = self.ports.clock.now();
        let Some(exhibit) = self.repo.exhibit(xid).await? else {
            return Ok(());
        };
        if exhibit.recommended_at.is_none() {
            return Ok(());
        }
        let (text, name) = self
            .embed_pair(
                exhibit_text(&exhibit),
                exhibit_name_text(&exhibit),
                TextRole::Passage,
            )
            .await?;
        let packed = PackedCandidate::of(
            &exhibit,
            &ExhibitVectors {
                text,
                name: Some(name),
            },
        );
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
        // Words weigh by the whole category's statistics, as an intent's run weighs them.
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
            // An intent without vectors has not had its own run yet: that run reads this
            // candidate, written above, and pushes within its budget.
            let Some(stored) = stored else {
                continue;
            };
            let query = IntentQuery::of(intent, Some(vectors_of(&stored)), &rates)
                .with_feedback(stored.feedback);
            let stats = query.stats_from(&category);
            let Some(scored) = query.score(&candidate, &stats, &category, &self.scoring) else {
                continue;
            };
            self.record_matches(intent, std::slice::from_ref(&scored))
                .await?;
            if let Some(buyer) = self.repo.account(&intent.buyer_id).await? {
                retry_on_lost_race(MATCHING, || {
                    self.join_ranking(intent, &buyer, &exhibit, &scored)
                })
                .await?;
            }
        }
        Ok(())
    }

    /// One attempt at adding the exhibit to the intent's ranked matches, pushed with them
    /// when the matcher is confident, the budget allows and the buyer does not have it yet.
    async fn join_ranking(
        &self,
        intent: &Intent,
        buyer: &Account,
        exhibit: &Exhibit,
        scored: &Scored,
    ) -> Result<Attempt<()>, DomainError> {
        let (state, had) = tokio::try_join!(
            self.repo.intent_matching(&intent.id),
            self.repo.pushed(&buyer.id, &exhibit.id)
        )?;
        if had
            .as_ref()
            .and_then(|p| p.feedback.as_ref())
            .is_some_and(|f| f.dismisses())
        {
            // The buyer dismissed it: it stays out of the ranking.
            return Ok(Attempt::Done(()));
        }
        let mut after = state.clone();
        after.matches.retain(|m| m.exhibit_id != scored.exhibit_id);
        let place = after
            .matches
            .iter()
            .position(|m| m.score < scored.score)
            .unwrap_or(after.matches.len());
        after.matches.insert(place, RankedMatch::from(scored));
        after.matches.truncate(MAX_RECORDED_MATCHES);
        let mut pushes = vec![];
        if scored.confidence >= self.scoring.push_level
            && state.pushes_allowed(self.scoring.max_pushes) > 0
            && had.is_none()
            && self
                .exhibitor_pushes(intent, buyer, &state, exhibit)
                .await?
                < MAX_PUSHES_PER_EXHIBITOR
        {
            let push = self.push_of(buyer, intent, scored, exhibit.clone());
            let notice = pushed_notice(&self.ports, buyer, intent, &push);
            pushes.push((push, notice));
            after.sent += 1;
        }
        if after == state {
            return Ok(Attempt::Done(()));
        }
        match self
            .repo
            .save_matching(&intent.id, &state, &after, &buyer.id, &pushes)
            .await?
        {
            Ok(()) => Ok(Attempt::Done(())),
            Err(
                MatchingRefusal::Changed
                | MatchingRefusal::AlreadyPushed
                | MatchingRefusal::ExhibitGone,
            ) => Ok(Attempt::LostRace),
        }
    }

    /// How many of the intent's ranked matches by the exhibit's exhibitor were pushed to the
    /// buyer for it.
    async fn exhibitor_pushes(
        &self,
        intent: &Intent,
        buyer: &Account,
        state: &fairlink_store::IntentMatching,
        exhibit: &Exhibit,
    ) -> Result<usize, DomainError> {
        let ids: Vec<&str> = state
            .matches
            .iter()
            .filter(|m| m.exhibitor_id == exhibit.exhibitor_id && m.exhibit_id != exhibit.id)
            .map(|m| m.exhibit_id.as_str())
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(self
            .repo
            .pushed_many(&buyer.id, &ids)
            .await?
            .into_iter()
            .flatten()
            .filter(|p| p.intent_id == intent.id)
            .count())
    }
}
