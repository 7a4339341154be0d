//! What the matcher keeps of an intent and what its buyer says of it: the intent's sentence
//! vectors and feedback, its ranked matches with the push ledger, the exhibit matches
//! recorded for exhibitors, the pushes, and the buyers' verdicts on them.

use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    jobs::OutgoingJob,
    matching::{self, Feedback, Reason},
    model::{ExhibitFeedback, ExhibitMatch, Notification, Push, PushFeedback},
    ports::{Change, Condition, Index, Item, Key, Query, SortCondition, WriteOp, attr},
    time,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Repository, notifications::notification_writes, outgoing::outgoing_job_write};
use crate::codec::set_str as set;
use crate::transaction::Transaction;
use crate::{PageOf, PageRequest, codec, keys, query_all, query_page};

/// What the matcher keeps of an intent: its sentence vectors, and the feedback of its run.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredQuery {
    pub vector: Vec<f32>,
    /// The vector of its product name alone (none for intents run before names were).
    pub name_vector: Option<Vec<f32>>,
    pub feedback: Option<Feedback>,
}

fn query_of(item: &Item) -> Option<StoredQuery> {
    let vector = |name: &str| {
        item.get(name)
            .and_then(Value::as_str)
            .and_then(matching::decode_vector)
    };
    Some(StoredQuery {
        vector: vector("vector")?,
        name_vector: vector("nameVector"),
        feedback: item
            .get("feedback")
            .and_then(Value::as_str)
            .and_then(Feedback::decode),
    })
}

fn embedding_key(iid: &str) -> Key {
    Key::new(keys::intent(iid), keys::EMBEDDING)
}

fn matching_key(iid: &str) -> Key {
    Key::new(keys::intent(iid), keys::MATCHING)
}

fn verdict_key(iid: &str, xid: &str) -> Key {
    Key::new(keys::intent(iid), keys::verdict(xid))
}

fn pushed_key(buyer_id: &str, xid: &str) -> Key {
    Key::new(keys::pushed(buyer_id), xid)
}

fn push_alias_key(pid: &str) -> Key {
    Key::new(keys::push(pid), keys::PUSH)
}

fn exhibit_feedback_key(xid: &str) -> Key {
    Key::new(keys::exhibit(xid), keys::FEEDBACK)
}

/// One of an intent's ranked matches, as the matcher stored it (reasons as data: they are
/// put in words for whoever reads them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RankedMatch {
    pub exhibit_id: String,
    pub exhibitor_id: String,
    pub score: f64,
    pub confidence: f64,
    pub reasons: Vec<Reason>,
}

impl From<&matching::Scored> for RankedMatch {
    fn from(s: &matching::Scored) -> Self {
        Self {
            exhibit_id: s.exhibit_id.clone(),
            exhibitor_id: s.exhibitor_id.clone(),
            score: s.score,
            confidence: s.confidence,
            reasons: s.reasons.clone(),
        }
    }
}

/// An intent's matching: its ranked matches (the buyer's list, best first) and its push
/// ledger, versioned: the matcher writes it with the pushes it decides on, on condition
/// that no other run or verdict changed it since it was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentMatching {
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub matches: Vec<RankedMatch>,
    /// Pushes sent for the intent, dismissed ones and replacements included.
    #[serde(default)]
    pub sent: u64,
    /// Its pushes the buyer marked not relevant (kept by the verdicts' transactions).
    #[serde(default)]
    pub dismissed: u64,
}

impl IntentMatching {
    /// How many pushes the intent may still get: `max` standing at once, and one
    /// replacement per dismissed push.
    pub fn pushes_allowed(&self, max: usize) -> usize {
        (max as u64 + self.dismissed).saturating_sub(self.sent) as usize
    }
}

/// A buyer's two lists of pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushList {
    /// What the buyer has not dismissed (judged relevant, or not judged).
    Standing,
    /// What the buyer marked not relevant.
    Dismissed,
}

/// Why an intent's matching was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchingRefusal {
    /// A run or a verdict changed it since it was read: read again and decide again.
    Changed,
    /// One of the exhibits was pushed to the buyer meanwhile (for this intent or another).
    AlreadyPushed,
    /// One of the exhibits is gone.
    ExhibitGone,
}

/// A match to record: the exhibitor, the match, and whom to tell with what.
pub struct MatchRecord<'a> {
    pub exhibitor_id: &'a str,
    pub found: ExhibitMatch,
    pub notify: &'a str,
    pub notification: Notification,
}

/// Four writes per match (with the notification's event); DynamoDB allows 100 per
/// transaction.
const MATCHES_PER_TRANSACTION: usize = 25;

/// The rules recording a match rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchRule {
    /// This exhibit's match with this intent was not recorded before.
    NotRecorded,
    /// The exhibit (whose counter grows) still exists.
    ExhibitExists,
}

fn match_writes(tx: Transaction<MatchRule>, record: &MatchRecord) -> Transaction<MatchRule> {
    let key = Key::new(
        keys::exhibit_matches(record.exhibitor_id),
        keys::exhibit_match(&record.found.intent.id, &record.found.exhibit_id),
    );
    tx.guarded(
        MatchRule::NotRecorded,
        WriteOp::Put {
            item: codec::to_item(&key, "ExhibitMatch", &record.found),
            condition: Some(Condition::NotExists),
        },
    )
    .guarded(
        MatchRule::ExhibitExists,
        counter(&record.found.exhibit_id, "matchedIntents"),
    )
    .writes(notification_writes(record.notify, &record.notification))
}

/// Adds one to an exhibit's counter; the exhibit must still exist.
fn counter(xid: &str, name: &str) -> WriteOp {
    WriteOp::Update {
        key: Key::new(keys::exhibit(xid), keys::EXHIBIT),
        changes: vec![Change::Add(name.into(), 1)],
        condition: Some(Condition::Exists),
    }
}

/// A push as stored: listed under its buyer (apart once dismissed).
fn push_item(buyer_id: &str, push: &Push) -> Item {
    let mut item = codec::to_item(&pushed_key(buyer_id, &push.exhibit.id), "Push", push);
    let list = match &push.feedback {
        Some(feedback) if feedback.dismisses() => keys::dismissed_pushes(buyer_id),
        _ => keys::pushes(buyer_id),
    };
    set(&mut item, attr::GSI1_PK, list);
    set(&mut item, attr::GSI1_SK, push.id.clone());
    if let Some(feedback) = &push.feedback {
        // The last verdict's time, flat: what a verdict's write is conditioned on.
        set(&mut item, VERDICT_AT, time::format(feedback.at));
    }
    item
}

/// The attribute of a push that holds its last verdict's time.
const VERDICT_AT: &str = "verdictAt";

/// The rules a push rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushRule {
    /// The intent's matching is as the run read it.
    MatchingAsRead,
    /// A buyer is pushed an exhibit once.
    NotPushedBefore,
    ExhibitExists,
}

/// The writes of one push: the push (once per buyer and exhibit), its id's link to it, the
/// exhibit's counter and the buyer's notification.
fn push_writes(
    tx: Transaction<PushRule>,
    buyer_id: &str,
    push: &Push,
    notification: &Notification,
) -> Transaction<PushRule> {
    let mut alias = codec::to_item(
        &push_alias_key(&push.id),
        "PushLink",
        &serde_json::json!({}),
    );
    set(&mut alias, "buyerId", buyer_id.to_string());
    set(&mut alias, "exhibitId", push.exhibit.id.clone());
    tx.guarded(
        PushRule::NotPushedBefore,
        WriteOp::Put {
            item: push_item(buyer_id, push),
            condition: Some(Condition::NotExists),
        },
    )
    .write(WriteOp::Put {
        item: alias,
        condition: Some(Condition::NotExists),
    })
    .guarded(
        PushRule::ExhibitExists,
        counter(&push.exhibit.id, "pushedBuyers"),
    )
    .writes(notification_writes(buyer_id, notification))
}

/// The condition that a versioned item is as it was read.
fn as_read(version: u64) -> Condition {
    if version == 0 {
        Condition::Or(vec![
            Condition::NotExists,
            Condition::AttrNotExists("version".into()),
        ])
    } else {
        Condition::Equals("version".into(), Value::from(version))
    }
}

/// A verdict as the organizer exports it (`GET /v1/fair/matching-feedback`): the intent and
/// the exhibit in the labelled set's format, never the buyer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Judgment {
    pub intent: Value,
    pub exhibit: Value,
    pub verdict: fairlink_domain::model::Verdict,
    pub reason: Option<fairlink_domain::model::DismissalReason>,
    /// The grade the labelled set's rules give the pair (see `PushFeedback::grade`).
    pub grade: u8,
    #[serde(with = "fairlink_domain::time::millis")]
    pub at: DateTime<Utc>,
}

/// A buyer's verdict, stored under its intent (what the matcher ranks again with) and in
/// the fair's export index.
fn judgment_item(iid: &str, xid: &str, judgment: &Judgment) -> Item {
    let mut item = codec::to_item(&verdict_key(iid, xid), "Judgment", judgment);
    set(
        &mut item,
        attr::GSI1_PK,
        keys::MATCHING_FEEDBACK.to_string(),
    );
    set(
        &mut item,
        attr::GSI1_SK,
        keys::verdict_at(judgment.at, iid, xid),
    );
    set(&mut item, "exhibitId", xid.to_string());
    item
}

/// The counters of an exhibit's verdicts that one verdict changes (a changed verdict takes
/// its earlier one back).
fn feedback_counts(before: Option<&PushFeedback>, after: &PushFeedback) -> Vec<Change> {
    let mut deltas: std::collections::BTreeMap<String, i64> = Default::default();
    let mut count = |feedback: &PushFeedback, by: i64| {
        if feedback.dismisses() {
            *deltas.entry("dismissed".into()).or_default() += by;
            if let Some(reason) = feedback.reason {
                *deltas
                    .entry(format!("reason_{}", reason.code()))
                    .or_default() += by;
            }
        } else {
            *deltas.entry("relevant".into()).or_default() += by;
        }
    };
    if let Some(before) = before {
        count(before, -1);
    }
    count(after, 1);
    deltas
        .into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|(name, d)| Change::Add(name, d))
        .collect()
}

fn exhibit_feedback_of(item: Option<Item>) -> ExhibitFeedback {
    let Some(item) = item else {
        return ExhibitFeedback::default();
    };
    let count = |name: &str| item.get(name).and_then(Value::as_u64).unwrap_or(0);
    ExhibitFeedback {
        relevant: count("relevant"),
        dismissed: count("dismissed"),
        by_reason: fairlink_domain::model::DismissalReason::ALL
            .iter()
            .map(|r| (r.code().to_string(), count(&format!("reason_{}", r.code()))))
            .filter(|(_, n)| *n > 0)
            .collect(),
    }
}

/// Why a verdict was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictRefusal {
    /// Another verdict on the push landed since it was read.
    Changed,
}

/// A verdict to save: the push before and after, its intent's snapshot for the export,
/// and the job that ranks the intent again.
pub struct VerdictChange<'a> {
    pub buyer_id: &'a str,
    pub before: &'a Push,
    pub after: &'a Push,
    pub judgment: &'a Judgment,
    pub rerank: &'a OutgoingJob,
}

impl Repository {
    /// What the matcher stored of the intent, if it has run it.
    pub async fn intent_query(&self, iid: &str) -> Result<Option<StoredQuery>, DomainError> {
        Ok(self
            .store()
            .get(&embedding_key(iid))
            .await?
            .as_ref()
            .and_then(query_of))
    }

    /// The same for several intents in one read, in the order asked.
    pub async fn intent_queries(
        &self,
        ids: &[&str],
    ) -> Result<Vec<Option<StoredQuery>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| embedding_key(id)).collect();
        Ok(self
            .store()
            .get_many(&keys)
            .await?
            .iter()
            .map(|item| item.as_ref().and_then(query_of))
            .collect())
    }

    pub async fn store_intent_query(
        &self,
        iid: &str,
        query: &StoredQuery,
    ) -> Result<(), DomainError> {
        let mut item = codec::to_item(
            &embedding_key(iid),
            "IntentEmbedding",
            &serde_json::json!({}),
        );
        set(&mut item, "vector", matching::encode_vector(&query.vector));
        if let Some(name) = &query.name_vector {
            set(&mut item, "nameVector", matching::encode_vector(name));
        }
        if let Some(feedback) = &query.feedback {
            set(&mut item, "feedback", feedback.encode());
        }
        self.store().put(item, None).await?;
        Ok(())
    }

    /// The intent's matching as it stands (empty before its first run), read consistently.
    pub async fn intent_matching(&self, iid: &str) -> Result<IntentMatching, DomainError> {
        Ok(self
            .store()
            .get(&matching_key(iid))
            .await?
            .map(codec::from_item)
            .transpose()?
            .unwrap_or_default())
    }

    /// Saves the intent's matching (its version one more) with the pushes the run decided
    /// on, all or nothing, if it is still as `before` was read and none of the exhibits was
    /// pushed to the buyer meanwhile.
    pub async fn save_matching(
        &self,
        iid: &str,
        before: &IntentMatching,
        after: &IntentMatching,
        buyer_id: &str,
        pushes: &[(Push, Notification)],
    ) -> Result<Result<(), MatchingRefusal>, DomainError> {
        let saved = IntentMatching {
            version: before.version + 1,
            ..after.clone()
        };
        let tx = Transaction::new().guarded(
            PushRule::MatchingAsRead,
            WriteOp::Put {
                item: codec::to_item(&matching_key(iid), "IntentMatching", &saved),
                condition: Some(as_read(before.version)),
            },
        );
        let tx = pushes.iter().fold(tx, |tx, (push, notification)| {
            push_writes(tx, buyer_id, push, notification)
        });
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => Ok(Err(match err.refusal()? {
                PushRule::MatchingAsRead => MatchingRefusal::Changed,
                PushRule::NotPushedBefore => MatchingRefusal::AlreadyPushed,
                PushRule::ExhibitExists => MatchingRefusal::ExhibitGone,
            })),
        }
    }

    /// Records that exhibits matched an intent, counts each on its exhibit and tells the
    /// exhibitors, each once however often this runs. All in one transaction when none was
    /// recorded before (the usual case); one by one otherwise. Returns how many were new.
    pub async fn record_matches(&self, matches: &[MatchRecord<'_>]) -> Result<usize, DomainError> {
        let mut new = 0;
        for chunk in matches.chunks(MATCHES_PER_TRANSACTION) {
            let tx = chunk.iter().fold(Transaction::new(), match_writes);
            match self.commit(tx).await {
                Ok(()) => new += chunk.len(),
                Err(err) => {
                    // One was recorded before, or its exhibit is gone: each on its own.
                    err.refusal()?;
                    for record in chunk {
                        match self.commit(match_writes(Transaction::new(), record)).await {
                            Ok(()) => new += 1,
                            Err(err) => match err.refusal()? {
                                MatchRule::NotRecorded | MatchRule::ExhibitExists => {}
                            },
                        }
                    }
                }
            }
        }
        Ok(new)
    }

    /// An exhibitor's exhibit matches, newest intent first.
    pub async fn exhibit_matches(
        &self,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<ExhibitMatch>, DomainError> {
        let query = Query::table(keys::exhibit_matches(eid)).backward();
        query_page(self.store(), query, page).await
    }

    /// Whether one of the exhibitor's exhibits matched the intent.
    pub async fn intent_matched_exhibitor(
        &self,
        iid: &str,
        eid: &str,
    ) -> Result<bool, DomainError> {
        let query = Query::table(keys::exhibit_matches(eid))
            .sort(SortCondition::BeginsWith(keys::exhibit_matches_of_intent(
                iid,
            )))
            .limit(1);
        Ok(!self.store().query(query).await?.items.is_empty())
    }

    /// The exhibits pushed to a buyer, newest first: those standing, or those dismissed.
    pub async fn pushes(
        &self,
        bid: &str,
        which: PushList,
        page: &PageRequest,
    ) -> Result<PageOf<Push>, DomainError> {
        let list = match which {
            PushList::Standing => keys::pushes(bid),
            PushList::Dismissed => keys::dismissed_pushes(bid),
        };
        query_page(
            self.store(),
            Query::index(Index::Gsi1, list).backward(),
            page,
        )
        .await
    }

    /// A buyer's push of an exhibit, read consistently.
    pub async fn pushed(&self, bid: &str, xid: &str) -> Result<Option<Push>, DomainError> {
        self.store()
            .get(&pushed_key(bid, xid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// The buyer's pushes of these exhibits, in one read, in their order.
    pub async fn pushed_many(
        &self,
        bid: &str,
        xids: &[&str],
    ) -> Result<Vec<Option<Push>>, DomainError> {
        let keys: Vec<Key> = xids.iter().map(|x| pushed_key(bid, x)).collect();
        self.get_many_of(&keys).await
    }

    /// A push by its id, if it is `bid`'s (another buyer's push is as good as none).
    pub async fn push_of(&self, bid: &str, pid: &str) -> Result<Option<Push>, DomainError> {
        let Some(link) = self.store().get(&push_alias_key(pid)).await? else {
            return Ok(None);
        };
        let field = |name: &str| link.get(name).and_then(Value::as_str).map(str::to_string);
        match (field("buyerId"), field("exhibitId")) {
            (Some(owner), Some(xid)) if owner == bid => self.pushed(bid, &xid).await,
            _ => Ok(None),
        }
    }

    /// Saves a buyer's verdict on a push, if none landed since `before` was read: the push
    /// (moved to the dismissed list, or back), its exhibit's counts, the intent's ledger
    /// (whose version moves, so a run deciding meanwhile decides again), the judgment for
    /// the matcher and the export, and the job that ranks the intent again.
    pub async fn save_verdict(
        &self,
        change: VerdictChange<'_>,
    ) -> Result<Result<(), VerdictRefusal>, DomainError> {
        let VerdictChange {
            buyer_id,
            before,
            after,
            judgment,
            rerank,
        } = change;
        let Some(feedback) = &after.feedback else {
            return Err(DomainError::Internal("a verdict without feedback".into()));
        };
        let key = pushed_key(buyer_id, &before.exhibit.id);
        let as_before = match &before.feedback {
            None => Condition::AttrNotExists(VERDICT_AT.into()),
            Some(earlier) => {
                Condition::Equals(VERDICT_AT.into(), Value::String(time::format(earlier.at)))
            }
        };
        let was_dismissed = before
            .feedback
            .as_ref()
            .is_some_and(PushFeedback::dismisses);
        let dismissed_delta = i64::from(feedback.dismisses()) - i64::from(was_dismissed);
        let mut ledger = vec![Change::Add("version".into(), 1)];
        if dismissed_delta != 0 {
            ledger.push(Change::Add("dismissed".into(), dismissed_delta));
        }
        let tx = Transaction::new()
            .guarded(
                VerdictRefusal::Changed,
                WriteOp::Update {
                    key: key.clone(),
                    changes: codec::changes_between(
                        &push_item(buyer_id, before),
                        &push_item(buyer_id, after),
                    ),
                    condition: Some(Condition::And(vec![Condition::Exists, as_before])),
                },
            )
            .write(WriteOp::Update {
                key: exhibit_feedback_key(&before.exhibit.id),
                changes: feedback_counts(before.feedback.as_ref(), feedback),
                condition: None,
            })
            .write(WriteOp::Update {
                key: matching_key(&before.intent_id),
                changes: ledger,
                condition: None,
            })
            .write(WriteOp::Put {
                item: judgment_item(&before.intent_id, &before.exhibit.id, judgment),
                condition: None,
            })
            .write(outgoing_job_write(rerank));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => err.refusal().map(Err),
        }
    }

    /// The verdicts on an intent's pushes, read consistently: (exhibit id, verdict).
    pub async fn intent_verdicts(
        &self,
        iid: &str,
    ) -> Result<Vec<(String, PushFeedback)>, DomainError> {
        let query =
            Query::table(keys::intent(iid)).sort(SortCondition::BeginsWith(keys::VERDICTS.into()));
        let items: Vec<Item> = query_all(self.store(), query).await?;
        Ok(items
            .into_iter()
            .filter_map(|item| {
                let xid = item.get("exhibitId")?.as_str()?.to_string();
                let judgment: Judgment = codec::from_item(item).ok()?;
                Some((
                    xid,
                    PushFeedback {
                        verdict: judgment.verdict,
                        reason: judgment.reason,
                        at: judgment.at,
                    },
                ))
            })
            .collect())
    }

    /// Every verdict of the fair, oldest first (the organizer's export).
    pub async fn judgments(&self, page: &PageRequest) -> Result<PageOf<Judgment>, DomainError> {
        let query = Query::index(Index::Gsi1, keys::MATCHING_FEEDBACK.to_string());
        query_page(self.store(), query, page).await
    }

    /// How buyers judged the pushes of these exhibits, in one read, in their order.
    pub async fn exhibit_feedback(
        &self,
        xids: &[&str],
    ) -> Result<Vec<ExhibitFeedback>, DomainError> {
        let keys: Vec<Key> = xids.iter().map(|x| exhibit_feedback_key(x)).collect();
        Ok(self
            .store()
            .get_many(&keys)
            .await?
            .into_iter()
            .map(exhibit_feedback_of)
            .collect())
    }

    /// Claims the right to send an intent's push email: `true` for the first claimant.
    pub async fn claim_push_email(
        &self,
        iid: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let key = Key::new(keys::intent(iid), keys::PUSH_EMAIL);
        let mut item = codec::to_item(&key, "PushEmail", &serde_json::json!({}));
        set(&mut item, "claimedAt", time::format(at));
        match self.store().put(item, Some(Condition::NotExists)).await {
            Ok(()) => Ok(true),
            Err(err) if err.is_condition_failed() => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Gives the claim back after a failed send, so that a retry sends it.
    pub async fn release_push_email(&self, iid: &str) -> Result<(), DomainError> {
        let key = Key::new(keys::intent(iid), keys::PUSH_EMAIL);
        self.store().delete(&key, None).await?;
        Ok(())
    }
}
