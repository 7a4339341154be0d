use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    jobs::OutgoingJob,
    matching::PackedCandidate,
    model::Exhibit,
    optimistic::Attempt,
    ports::{Change, Condition, Index, Item, Key, Query, WriteOp, attr},
    time,
};
use serde_json::Value;

use super::{Gone, Repository};
use crate::transaction::Transaction;
use crate::{PageOf, PageRequest, codec, keys, query_page};

fn exhibit_key(xid: &str) -> Key {
    Key::new(keys::exhibit(xid), keys::EXHIBIT)
}

fn quota_key(eid: &str) -> Key {
    Key::new(keys::exhibitor(eid), keys::QUOTA)
}

/// Recommended exhibits are kept for the matcher in 128 blocks per category, one attribute
/// per exhibit (`c_<xid>`, its packed candidate): a category of 30,000 reads as 128 items,
/// and adding or removing one is a single-attribute update that needs no read first.
const CANDIDATE_BLOCKS: u64 = 128;

fn candidate_block(category_id: &str, xid: &str) -> Key {
    let hash = codec::stable_hash(xid);
    Key::new(
        keys::match_candidates(category_id),
        keys::candidate_block(hash % CANDIDATE_BLOCKS),
    )
}

fn candidate_put(exhibit: &Exhibit, packed: &PackedCandidate) -> WriteOp {
    WriteOp::Update {
        key: candidate_block(&exhibit.details.category_id, &exhibit.id),
        changes: vec![
            Change::Set("_type".into(), Value::String("CandidateBlock".into())),
            Change::Set(
                keys::candidate_attr(&exhibit.id),
                Value::String(packed.0.clone()),
            ),
        ],
        condition: None,
    }
}

fn candidate_delete(exhibit: &Exhibit) -> WriteOp {
    WriteOp::Update {
        key: candidate_block(&exhibit.details.category_id, &exhibit.id),
        changes: vec![Change::Remove(keys::candidate_attr(&exhibit.id))],
        condition: None,
    }
}

/// Whole candidate blocks for exhibits loaded in bulk (see [`exhibit_write`]).
pub fn candidate_block_puts(candidates: &[(&Exhibit, &PackedCandidate)]) -> Vec<WriteOp> {
    let mut blocks: std::collections::BTreeMap<(String, String), Item> = Default::default();
    for (exhibit, packed) in candidates
        .iter()
        .filter(|(x, _)| x.recommended_at.is_some())
    {
        let key = candidate_block(&exhibit.details.category_id, &exhibit.id);
        let item = blocks
            .entry((key.pk.clone(), key.sk.clone()))
            .or_insert_with(|| codec::to_item(&key, "CandidateBlock", &serde_json::json!({})));
        item.insert(
            keys::candidate_attr(&exhibit.id),
            Value::String(packed.0.clone()),
        );
    }
    blocks
        .into_values()
        .map(|item| WriteOp::Put {
            item,
            condition: None,
        })
        .collect()
}

/// An exhibit, listed under its exhibitor and, while recommended, among its recommended.
fn exhibit_item(exhibit: &Exhibit) -> Item {
    let mut item = codec::to_item(&exhibit_key(&exhibit.id), "Exhibit", exhibit);
    let set = |item: &mut Item, name: &str, value: String| {
        item.insert(name.into(), Value::String(value));
    };
    set(
        &mut item,
        attr::GSI1_PK,
        keys::exhibitor_exhibits(&exhibit.exhibitor_id),
    );
    set(&mut item, attr::GSI1_SK, exhibit.id.clone());
    if exhibit.recommended_at.is_some() {
        set(
            &mut item,
            attr::GSI2_PK,
            keys::recommended_exhibits(&exhibit.exhibitor_id),
        );
        set(&mut item, attr::GSI2_SK, exhibit.id.clone());
    }
    item
}

/// The write that stores an exhibit as it stands, for bulk loads (the matching benchmark),
/// which bypass the quota; its candidate goes in with [`candidate_block_puts`].
pub fn exhibit_write(exhibit: &Exhibit) -> WriteOp {
    WriteOp::Put {
        item: exhibit_item(exhibit),
        condition: None,
    }
}

/// Why spending quota failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendError {
    QuotaExhausted,
    AlreadyRecommended,
}

/// The rules an exhibit's change rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExhibitRule {
    /// The exhibit exists, as (recommended, changed, in its category) as it was read.
    AsRead,
    /// The exhibit is recommended (a withdrawal).
    Recommended,
}

/// The rules a recommendation's transaction rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecommendRule {
    /// The exhibitor has quota left (spent in the same transaction).
    QuotaLeft,
    /// The exhibit exists and is not recommended yet.
    ExhibitNotRecommended,
}

/// Which of an exhibitor's exhibits a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExhibitFilter {
    All,
    Recommended,
}

impl Repository {
    pub async fn create_exhibit(&self, exhibit: &Exhibit) -> Result<(), DomainError> {
        self.store()
            .put(exhibit_item(exhibit), Some(Condition::NotExists))
            .await?;
        Ok(())
    }

    pub async fn exhibit(&self, xid: &str) -> Result<Option<Exhibit>, DomainError> {
        self.store()
            .get(&exhibit_key(xid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Several exhibits in one read, in the order asked.
    pub async fn exhibits(&self, ids: &[&str]) -> Result<Vec<Option<Exhibit>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| exhibit_key(id)).collect();
        self.get_many_of(&keys).await
    }

    /// An exhibitor's exhibits (or only its recommended ones), oldest first.
    pub async fn exhibitor_exhibits(
        &self,
        eid: &str,
        which: ExhibitFilter,
        page: &PageRequest,
    ) -> Result<PageOf<Exhibit>, DomainError> {
        let query = match which {
            ExhibitFilter::Recommended => {
                Query::index(Index::Gsi2, keys::recommended_exhibits(eid))
            }
            ExhibitFilter::All => Query::index(Index::Gsi1, keys::exhibitor_exhibits(eid)),
        };
        query_page(self.store(), query, page).await
    }

    /// Saves an edited exhibit, changing only the fields that changed (the matcher's counters
    /// move concurrently). While it is recommended, `jobs` has the matcher analyse it again
    /// (its candidate is the matcher's to write); a candidate left in another category goes.
    pub async fn save_exhibit(
        &self,
        before: &Exhibit,
        after: &Exhibit,
        jobs: &[OutgoingJob],
    ) -> Result<Result<Attempt<()>, Gone>, DomainError> {
        let changes = codec::changes_between(&exhibit_item(before), &exhibit_item(after));
        // Only if it is as recommended (or not) as it was read: a recommendation that lands
        // meanwhile would otherwise keep its candidate in the old category.
        let recommendation_as_read = match before.recommended_at {
            Some(_) => Condition::AttrExists(attr::GSI2_PK.into()),
            None => Condition::AttrNotExists(attr::GSI2_PK.into()),
        };
        let mut tx = Transaction::new().guarded(
            ExhibitRule::AsRead,
            WriteOp::Update {
                key: exhibit_key(&after.id),
                changes,
                condition: Some(Condition::And(vec![
                    Condition::Exists,
                    recommendation_as_read,
                ])),
            },
        );
        if after.recommended_at.is_some() && before.details.category_id != after.details.category_id
        {
            tx = tx.write(candidate_delete(before));
        }
        let tx = tx.writes(jobs.iter().map(super::outgoing::outgoing_job_write));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(Attempt::Done(()))),
            Err(err) => match err.refusal()? {
                // Deleted, or recommended or withdrawn meanwhile: which one, read again.
                ExhibitRule::AsRead | ExhibitRule::Recommended => {
                    match self.exhibit(&after.id).await? {
                        Some(_) => Ok(Ok(Attempt::LostRace)),
                        None => Ok(Err(Gone)),
                    }
                }
            },
        }
    }

    /// Writes the matcher's candidate of an exhibit, on condition that the exhibit is still
    /// recommended, in the same category and unchanged since it was read (`false` when it is
    /// not: a newer job, or a withdrawal, has the last word).
    pub async fn store_candidate(
        &self,
        exhibit: &Exhibit,
        packed: &PackedCandidate,
    ) -> Result<bool, DomainError> {
        let unchanged = |name: &str, value: Value| Condition::Equals(name.into(), value);
        let updated_at = Value::String(time::format(exhibit.updated_at));
        let tx = Transaction::new()
            .guarded(
                ExhibitRule::AsRead,
                WriteOp::Check {
                    key: exhibit_key(&exhibit.id),
                    condition: Condition::And(vec![
                        Condition::Exists,
                        Condition::AttrExists(attr::GSI2_PK.into()),
                        unchanged("updatedAt", updated_at),
                        unchanged(
                            "categoryId",
                            Value::String(exhibit.details.category_id.clone()),
                        ),
                    ]),
                },
            )
            .write(candidate_put(exhibit, packed));
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(err) => err.refusal().map(|_| false),
        }
    }

    pub async fn delete_exhibit(&self, exhibit: &Exhibit) -> Result<(), DomainError> {
        let mut ops = vec![WriteOp::Delete {
            key: exhibit_key(&exhibit.id),
            condition: None,
        }];
        if exhibit.recommended_at.is_some() {
            ops.push(candidate_delete(exhibit));
        }
        // No conditions: deleting what is gone already changes nothing.
        Ok(self.transact_retrying(ops).await?)
    }

    /// How much of its recommendation quota an exhibitor has spent.
    pub async fn quota_used(&self, eid: &str) -> Result<u32, DomainError> {
        let item = self.store().get(&quota_key(eid)).await?;
        Ok(item
            .and_then(|i| i.get("used").and_then(Value::as_u64))
            .unwrap_or(0) as u32)
    }

    /// Recommends the exhibit, spending one unit of the exhibitor's quota of `total` in the
    /// same transaction: racing calls can never spend more than `total`.
    pub async fn recommend(
        &self,
        exhibit: &Exhibit,
        total: u32,
        at: DateTime<Utc>,
        jobs: &[OutgoingJob],
    ) -> Result<Result<Exhibit, RecommendError>, DomainError> {
        if total == 0 {
            return Ok(Err(RecommendError::QuotaExhausted));
        }
        let mut after = exhibit.clone();
        after.recommended_at = Some(at);
        let item = exhibit_item(&after);
        let changes: Vec<Change> = ["recommendedAt", attr::GSI2_PK, attr::GSI2_SK]
            .into_iter()
            .map(|name| Change::Set(name.into(), item[name].clone()))
            .collect();
        let tx = Transaction::new()
            .guarded(
                RecommendRule::QuotaLeft,
                WriteOp::Update {
                    key: quota_key(&exhibit.exhibitor_id),
                    changes: vec![Change::Add("used".into(), 1)],
                    condition: Some(Condition::Or(vec![
                        Condition::AttrNotExists("used".into()),
                        Condition::LessThan("used".into(), Value::from(total)),
                    ])),
                },
            )
            .guarded(
                RecommendRule::ExhibitNotRecommended,
                WriteOp::Update {
                    key: exhibit_key(&exhibit.id),
                    changes,
                    condition: Some(Condition::And(vec![
                        Condition::Exists,
                        Condition::AttrNotExists(attr::GSI2_PK.into()),
                    ])),
                },
            )
            // Its candidate is written by the matcher, which analyses and embeds it (the job).
            .writes(jobs.iter().map(super::outgoing::outgoing_job_write));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(after)),
            Err(err) => Ok(Err(match err.refusal()? {
                RecommendRule::QuotaLeft => RecommendError::QuotaExhausted,
                RecommendRule::ExhibitNotRecommended => RecommendError::AlreadyRecommended,
            })),
        }
    }

    /// Stops recommending the exhibit (the quota stays spent). `false` when it was not.
    pub async fn withdraw_recommendation(&self, exhibit: &Exhibit) -> Result<bool, DomainError> {
        let tx = Transaction::new()
            .guarded(
                ExhibitRule::Recommended,
                WriteOp::Update {
                    key: exhibit_key(&exhibit.id),
                    changes: ["recommendedAt", attr::GSI2_PK, attr::GSI2_SK]
                        .into_iter()
                        .map(|name| Change::Remove(name.into()))
                        .collect(),
                    condition: Some(Condition::AttrExists(attr::GSI2_PK.into())),
                },
            )
            .write(candidate_delete(exhibit));
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(err) => err.refusal().map(|_| false),
        }
    }

    /// The recommended exhibits of a category in the matcher's form: one query of the
    /// category's blocks.
    pub async fn match_candidates(
        &self,
        category_id: &str,
    ) -> Result<Vec<PackedCandidate>, DomainError> {
        // Raw items: a block holds hundreds of attributes, not worth decoding twice.
        let mut packed = Vec::new();
        let mut start_after = None;
        loop {
            let query = Query::table(keys::match_candidates(category_id))
                .limit(1_000)
                .start_after(start_after);
            let page = self.store().query(query).await?;
            for block in page.items {
                packed.extend(block.into_iter().filter_map(|(name, value)| match value {
                    Value::String(p) if name.starts_with(keys::CANDIDATE_ATTR_PREFIX) => {
                        Some(PackedCandidate(p))
                    }
                    _ => None,
                }));
            }
            match page.last_key {
                Some(key) => start_after = Some(key),
                None => return Ok(packed),
            }
        }
    }
}
