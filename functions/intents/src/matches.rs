//! What a buyer sees of an intent's matching and says of it: the ranked matches, the pushes
//! (standing and dismissed), a verdict on a push; and the organizer's export of verdicts.

use fairlink_domain::{
    DomainError, Ports,
    access::require_role,
    jobs::MatchJob,
    model::{Account, DismissalReason, Exhibit, Intent, Push, PushFeedback, Role, Verdict},
    optimistic::{Attempt, Contended, retry_on_lost_race},
    validate::{Checks, Validate},
};
use fairlink_store::{
    Judgment, PageOf, PageRequest, PushList, Repository, VerdictChange, VerdictRefusal,
    page_in_list,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// One of an intent's ranked matches, as its buyer reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntentMatch {
    pub exhibit: Exhibit,
    pub exhibitor_id: String,
    /// How often matches this strong were relevant (0 to 1).
    pub score: f64,
    /// Why it matched, in the buyer's language.
    pub reasons: Vec<String>,
    /// A stable code per reason, in the same order.
    pub reason_codes: Vec<String>,
    /// Whether it was pushed to the buyer (for this intent or another).
    pub pushed: bool,
    /// The push, when there is one: what a verdict is given on.
    #[schema(required = true)]
    pub push_id: Option<String>,
    /// The buyer's verdict on the push.
    #[schema(required = true)]
    pub feedback: Option<PushFeedback>,
}

/// POST /v1/me/recommendations/{id}/feedback.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackInput {
    pub verdict: Verdict,
    /// Why not relevant (only with `not_relevant`).
    #[serde(default)]
    pub reason: Option<DismissalReason>,
}

impl Validate for FeedbackInput {
    fn validate(&self, checks: &mut Checks) {
        checks.check(
            self.verdict == Verdict::NotRelevant || self.reason.is_none(),
            "reason",
            "is given only with the verdict not_relevant",
        );
    }
}

/// Attempts at saving a verdict while other verdicts on the same push land.
const MATCHING: Contended = Contended::on("the intent's matches", 5);

pub struct MatchesService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

impl<'a> MatchesService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    /// The buyer's pushes, newest first: those standing, or those dismissed.
    pub async fn pushes(
        &self,
        caller: &Account,
        which: PushList,
        page: &PageRequest,
    ) -> Result<PageOf<Push>, DomainError> {
        require_role(caller, Role::Buyer)?;
        self.repo.pushes(&caller.id, which, page).await
    }

    /// An intent's ranked matches (up to 30, best first), for its buyer: each with its
    /// exhibit as it is now, whether it was pushed, and the buyer's verdict.
    pub async fn matches(
        &self,
        caller: &Account,
        iid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<IntentMatch>, DomainError> {
        let intent = self.own_intent(caller, iid).await?;
        let matching = self.repo.intent_matching(&intent.id).await?;
        let page = page_in_list(matching.matches, &intent.id, page)?;
        let ids: Vec<&str> = page.items.iter().map(|m| m.exhibit_id.as_str()).collect();
        let (exhibits, pushes) = tokio::try_join!(
            self.repo.exhibits(&ids),
            self.repo.pushed_many(&caller.id, &ids)
        )?;
        let items = page
            .items
            .iter()
            .zip(exhibits.into_iter().zip(pushes))
            .filter_map(|(ranked, (exhibit, push))| {
                // An exhibit deleted since it was ranked has nothing left to show.
                let exhibit = exhibit?;
                let (reasons, reason_codes) = ranked
                    .reasons
                    .iter()
                    .map(|r| (r.text(caller.language), r.code().to_string()))
                    .unzip();
                Some(IntentMatch {
                    exhibit,
                    exhibitor_id: ranked.exhibitor_id.clone(),
                    score: ranked.score,
                    reasons,
                    reason_codes,
                    pushed: push.is_some(),
                    push_id: push.as_ref().map(|p| p.id.clone()),
                    feedback: push.and_then(|p| p.feedback),
                })
            })
            .collect();
        Ok(PageOf {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// The caller's own intent (another buyer's is as good as none).
    async fn own_intent(&self, caller: &Account, iid: &str) -> Result<Intent, DomainError> {
        require_role(caller, Role::Buyer)?;
        self.repo
            .intent(iid)
            .await?
            .filter(|i| i.buyer_id == caller.id)
            .ok_or(DomainError::NotFound("intent"))
    }

    /// The caller's own push, to give a verdict on (before its body is read).
    pub async fn own_push(&self, caller: &Account, pid: &str) -> Result<Push, DomainError> {
        require_role(caller, Role::Buyer)?;
        self.repo
            .push_of(&caller.id, pid)
            .await?
            .ok_or(DomainError::NotFound("recommendation"))
    }

    /// A buyer's verdict on a push; the last one stands, and the same one again changes
    /// nothing. A dismissed push leaves the buyer's list, its exhibit is never pushed again
    /// for the intent, and the intent is ranked again (a better exhibit may replace it).
    pub async fn judge(
        &self,
        caller: &Account,
        push: Push,
        input: FeedbackInput,
    ) -> Result<Push, DomainError> {
        let mut checks = Checks::new();
        input.validate(&mut checks);
        checks.into_result()?;
        let xid = push.exhibit.id.clone();
        let mut first = Some(push);
        retry_on_lost_race(MATCHING, || {
            let read = first.take();
            self.judge_once(caller, &xid, read, &input)
        })
        .await
    }

    /// One attempt: with the push as the caller's request read it, or read again after a
    /// lost race.
    async fn judge_once(
        &self,
        caller: &Account,
        xid: &str,
        read: Option<Push>,
        input: &FeedbackInput,
    ) -> Result<Attempt<Push>, DomainError> {
        let before = match read {
            Some(push) => push,
            None => self
                .repo
                .pushed(&caller.id, xid)
                .await?
                .ok_or(DomainError::NotFound("recommendation"))?,
        };
        if before
            .feedback
            .as_ref()
            .is_some_and(|f| f.verdict == input.verdict && f.reason == input.reason)
        {
            return Ok(Attempt::Done(before));
        }
        let now = self.ports.clock.now();
        let feedback = PushFeedback {
            verdict: input.verdict,
            reason: input.reason,
            at: now,
        };
        let after = Push {
            feedback: Some(feedback.clone()),
            ..before.clone()
        };
        let intent = self
            .repo
            .intent(&before.intent_id)
            .await?
            .ok_or(DomainError::NotFound("intent"))?;
        let judgment = Judgment {
            intent: labelled_intent(&intent),
            exhibit: labelled_exhibit(&before.exhibit),
            verdict: feedback.verdict,
            reason: feedback.reason,
            grade: feedback.grade(),
            at: now,
        };
        let rerank = MatchJob::IntentJudged {
            intent_id: intent.id.clone(),
        }
        .outgoing(self.ports.ids.new_id("job"), now)?;
        let change = VerdictChange {
            buyer_id: &caller.id,
            before: &before,
            after: &after,
            judgment: &judgment,
            rerank: &rerank,
        };
        match self.repo.save_verdict(change).await? {
            Ok(()) => Ok(Attempt::Done(after)),
            Err(VerdictRefusal::Changed) => Ok(Attempt::LostRace),
        }
    }

    /// Every verdict of the fair, oldest first, as the labelled set's pairs (organizer).
    pub async fn judgments(
        &self,
        caller: &Account,
        page: &PageRequest,
    ) -> Result<PageOf<Judgment>, DomainError> {
        require_role(caller, Role::Organizer)?;
        self.repo.judgments(page).await
    }
}

/// An intent in the labelled set's format (`tests/matching_set/intents.json`), without its
/// buyer.
fn labelled_intent(intent: &Intent) -> Value {
    json!({
        "id": intent.id,
        "categoryId": intent.category_id,
        "productName": intent.product_name,
        "description": intent.description,
        "keywords": intent.keywords,
        "quantity": intent.quantity,
        "targetPrice": intent.target_price,
        "destinationCountry": intent.destination_country,
        "certifications": intent.certifications,
    })
}

/// An exhibit in the labelled set's format (`tests/matching_set/exhibits.json`).
fn labelled_exhibit(exhibit: &Exhibit) -> Value {
    let d = &exhibit.details;
    json!({
        "id": exhibit.id,
        "categoryId": d.category_id,
        "name": d.name,
        "nameEn": d.name_en,
        "description": d.description,
        "keywords": d.keywords,
        "specs": d.specs,
        "moq": d.moq,
        "price": d.price,
        "certifications": d.certifications,
        "markets": d.markets,
    })
}
