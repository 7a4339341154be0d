//! The exhibits feature's use cases: exhibit lists, sales reps and recommendations.

use std::collections::BTreeMap;

use fairlink_domain::{
    DomainError, Ports,
    access::{require_main, require_permission},
    jobs::MatchJob,
    model::{
        Account, Exhibit, ExhibitDetails, ExhibitFeedback, Fair, Moq, Permission, PriceRange, Quota,
    },
    optimistic::{Attempt, Contended, retry_on_lost_race},
    validate::Checks,
};
use fairlink_store::{ExhibitFilter, Gone, PageOf, PageRequest, RecommendError, Repository};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How often a change is tried again after losing a race to a recommendation.
const EXHIBIT: Contended = Contended::on("the exhibit", 4);

/// POST /v1/exhibitors/{eid}/exhibits.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewExhibit {
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub category_id: String,
    /// The category's zone when left out.
    #[serde(default)]
    pub zone_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub specs: BTreeMap<String, String>,
    #[serde(default)]
    pub moq: Option<Moq>,
    #[serde(default)]
    pub price: Option<PriceRange>,
    #[serde(default)]
    pub certifications: Vec<String>,
    #[serde(default)]
    pub markets: Vec<String>,
    #[serde(default)]
    pub images: Vec<String>,
}

impl fairlink_domain::validate::Validate for NewExhibit {}

/// PATCH /v1/exhibits/{xid}: a field left out is unchanged; `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExhibitPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "fairlink_http::nullable")]
    #[schema(value_type = Option<String>)]
    pub name_en: Option<Option<String>>,
    pub category_id: Option<String>,
    pub zone_id: Option<String>,
    #[serde(default, deserialize_with = "fairlink_http::nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub keywords: Option<Vec<String>>,
    pub specs: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "fairlink_http::nullable")]
    #[schema(value_type = Option<Moq>)]
    pub moq: Option<Option<Moq>>,
    #[serde(default, deserialize_with = "fairlink_http::nullable")]
    #[schema(value_type = Option<PriceRange>)]
    pub price: Option<Option<PriceRange>>,
    pub certifications: Option<Vec<String>>,
    pub markets: Option<Vec<String>>,
    pub images: Option<Vec<String>>,
}

impl fairlink_domain::validate::Validate for ExhibitPatch {}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepsInput {
    pub account_ids: Vec<String>,
}

impl fairlink_domain::validate::Validate for RepsInput {}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub exhibit_id: String,
    #[serde(with = "fairlink_domain::time::millis")]
    pub recommended_at: chrono::DateTime<chrono::Utc>,
    pub quota: Quota,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecommendedExhibit {
    pub exhibit: Exhibit,
    #[schema(required = true)]
    #[serde(with = "fairlink_domain::time::millis_opt")]
    pub recommended_at: Option<chrono::DateTime<chrono::Utc>>,
    pub matched_intents: u64,
    pub pushed_buyers: u64,
    /// How buyers judged its pushes: counts only, never who.
    pub feedback: ExhibitFeedback,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecommendationList {
    pub quota: Quota,
    pub items: Vec<RecommendedExhibit>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// An exhibit its exhibitor's main account may change (from
/// [`ExhibitsService::exhibit_to_change`]).
pub struct ExhibitToChange(Exhibit);

pub struct ExhibitsService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

impl<'a> ExhibitsService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    async fn fair(&self) -> Result<Fair, DomainError> {
        self.repo.fair().await?.ok_or_else(|| {
            DomainError::conflict(
                "fair_not_configured",
                "the organizer has not set up the fair yet",
            )
        })
    }

    /// An exhibit the caller's exhibitor owns (another tenant's answers 404).
    /// The exhibit the caller (its exhibitor's main account) may change: read and checked
    /// before the change itself is read, so a caller without the right hears 404 or 403
    /// whatever it sent.
    pub async fn exhibit_to_change(
        &self,
        caller: &Account,
        xid: &str,
    ) -> Result<ExhibitToChange, DomainError> {
        self.main_exhibit(caller, xid).await.map(ExhibitToChange)
    }

    async fn main_exhibit(&self, caller: &Account, xid: &str) -> Result<Exhibit, DomainError> {
        let exhibit = self.own_exhibit(caller, xid).await?;
        require_main(caller, &exhibit.exhibitor_id)?;
        Ok(exhibit)
    }

    async fn own_exhibit(&self, caller: &Account, xid: &str) -> Result<Exhibit, DomainError> {
        let exhibit = self
            .repo
            .exhibit(xid)
            .await?
            .ok_or(DomainError::NotFound("exhibit"))?;
        if !caller.belongs_to(&exhibit.exhibitor_id) {
            return Err(DomainError::NotFound("exhibit"));
        }
        Ok(exhibit)
    }

    /// Checks the details against the fair and fills in the zone from the category.
    fn settle(
        &self,
        fair: &Fair,
        mut details: ExhibitDetails,
    ) -> Result<ExhibitDetails, DomainError> {
        let mut checks = Checks::new();
        details.check(&mut checks);
        match fair.categories.iter().find(|c| c.id == details.category_id) {
            None => checks.fail("categoryId", "is not a category of the fair"),
            Some(category) if details.zone_id.is_empty() => {
                details.zone_id = category.zone_id.clone()
            }
            Some(_) => checks.check(
                fair.has_zone(&details.zone_id),
                "zoneId",
                "is not a zone of the fair",
            ),
        }
        checks.into_result()?;
        Ok(details)
    }

    pub async fn create(
        &self,
        caller: &Account,
        eid: &str,
        input: NewExhibit,
    ) -> Result<Exhibit, DomainError> {
        require_main(caller, eid)?;
        let details = ExhibitDetails {
            name: input.name,
            name_en: input.name_en,
            category_id: input.category_id,
            zone_id: input.zone_id.unwrap_or_default(),
            description: input.description,
            keywords: input.keywords,
            specs: input.specs,
            moq: input.moq,
            price: input.price,
            certifications: input.certifications,
            markets: input.markets,
            images: input.images,
        };
        let details = self.settle(&self.fair().await?, details)?;
        let now = self.ports.clock.now();
        let exhibit = Exhibit {
            id: self.ports.ids.new_id("exb"),
            exhibitor_id: eid.to_string(),
            completeness: details.completeness(),
            details,
            rep_ids: Vec::new(),
            recommended_at: None,
            matched_intents: 0,
            pushed_buyers: 0,
            created_at: now,
            updated_at: now,
        };
        self.repo.create_exhibit(&exhibit).await?;
        Ok(exhibit)
    }

    pub async fn list(
        &self,
        eid: &str,
        which: ExhibitFilter,
        page: &PageRequest,
    ) -> Result<PageOf<Exhibit>, DomainError> {
        if self.repo.exhibitor(eid).await?.is_none() {
            return Err(DomainError::NotFound("exhibitor"));
        }
        self.repo.exhibitor_exhibits(eid, which, page).await
    }

    pub async fn get(&self, xid: &str) -> Result<Exhibit, DomainError> {
        self.repo
            .exhibit(xid)
            .await?
            .ok_or(DomainError::NotFound("exhibit"))
    }

    /// Applies the patch to the exhibit as it is; read again and applied again when it was
    /// recommended or withdrawn meanwhile (so its candidate follows its category).
    pub async fn patch(
        &self,
        caller: &Account,
        exhibit: ExhibitToChange,
        patch: ExhibitPatch,
    ) -> Result<Exhibit, DomainError> {
        let ExhibitToChange(exhibit) = exhibit;
        let xid = exhibit.id.clone();
        let mut read = Some(exhibit);
        retry_on_lost_race(EXHIBIT, || {
            self.patch_once(caller, &xid, read.take(), patch.clone())
        })
        .await
    }

    /// One try of a change, from the exhibit as `read` (the first try) or read again.
    async fn patch_once(
        &self,
        caller: &Account,
        xid: &str,
        read: Option<Exhibit>,
        patch: ExhibitPatch,
    ) -> Result<Attempt<Exhibit>, DomainError> {
        let before = match read {
            Some(before) => before,
            None => self.main_exhibit(caller, xid).await?,
        };
        let mut details = before.details.clone();
        let category_changed = patch
            .category_id
            .as_ref()
            .is_some_and(|c| *c != details.category_id);
        if let Some(v) = patch.name {
            details.name = v;
        }
        if let Some(v) = patch.name_en {
            details.name_en = v;
        }
        if let Some(v) = patch.category_id {
            details.category_id = v;
        }
        match patch.zone_id {
            Some(v) => details.zone_id = v,
            // A new category brings its own zone unless one is given.
            None if category_changed => details.zone_id.clear(),
            None => {}
        }
        if let Some(v) = patch.description {
            details.description = v;
        }
        if let Some(v) = patch.keywords {
            details.keywords = v;
        }
        if let Some(v) = patch.specs {
            details.specs = v;
        }
        if let Some(v) = patch.moq {
            details.moq = v;
        }
        if let Some(v) = patch.price {
            details.price = v;
        }
        if let Some(v) = patch.certifications {
            details.certifications = v;
        }
        if let Some(v) = patch.markets {
            details.markets = v;
        }
        if let Some(v) = patch.images {
            details.images = v;
        }
        let details = self.settle(&self.fair().await?, details)?;
        let mut after = before.clone();
        after.completeness = details.completeness();
        after.details = details;
        if after == before {
            return Ok(Attempt::Done(after));
        }
        let now = self.ports.clock.now();
        after.updated_at = now;
        // A recommended exhibit is analysed again by the matcher, stored with the change.
        let jobs = match after.recommended_at {
            Some(_) => vec![
                MatchJob::ExhibitRecommended {
                    exhibit_id: after.id.clone(),
                }
                .outgoing(self.ports.ids.new_id("job"), now)?,
            ],
            None => vec![],
        };
        let saved = self.repo.save_exhibit(&before, &after, &jobs).await?;
        if let Attempt::LostRace = saved.map_err(|Gone| DomainError::NotFound("exhibit"))? {
            return Ok(Attempt::LostRace);
        }
        Ok(Attempt::Done(after))
    }

    pub async fn delete(&self, caller: &Account, xid: &str) -> Result<(), DomainError> {
        let exhibit = match self.repo.exhibit(xid).await? {
            Some(exhibit) => exhibit,
            // Deleting again changes nothing, for the caller's own tenant and others alike.
            None => return Ok(()),
        };
        if !caller.belongs_to(&exhibit.exhibitor_id) {
            return Err(DomainError::NotFound("exhibit"));
        }
        require_main(caller, &exhibit.exhibitor_id)?;
        self.repo.delete_exhibit(&exhibit).await
    }

    pub async fn put_reps(
        &self,
        caller: &Account,
        exhibit: ExhibitToChange,
        input: RepsInput,
    ) -> Result<Exhibit, DomainError> {
        let ExhibitToChange(before) = exhibit;
        let xid = before.id.clone();
        let xid = xid.as_str();
        let mut ids = input.account_ids;
        ids.dedup();
        let mut checks = Checks::new();
        checks.check(ids.len() <= 50, "accountIds", "has more than 50 entries");
        for (i, id) in ids.iter().enumerate() {
            let ok = match self.repo.account(id).await? {
                Some(account) => account.belongs_to(&before.exhibitor_id) && account.active,
                None => false,
            };
            checks.check(
                ok,
                &format!("accountIds[{i}]"),
                "is not an active account of this exhibitor",
            );
        }
        checks.into_result()?;
        let mut before = Some(before);
        retry_on_lost_race(EXHIBIT, || {
            let read = before.take();
            let ids = ids.clone();
            async move {
                let before = match read {
                    Some(before) => before,
                    None => self.main_exhibit(caller, xid).await?,
                };
                let mut after = before.clone();
                after.rep_ids = ids;
                after.updated_at = self.ports.clock.now();
                let saved = self.repo.save_exhibit(&before, &after, &[]).await?;
                Ok(saved
                    .map_err(|Gone| DomainError::NotFound("exhibit"))?
                    .map(|()| after))
            }
        })
        .await
    }

    async fn quota_total(&self, eid: &str) -> Result<u32, DomainError> {
        let exhibitor = self
            .repo
            .exhibitor(eid)
            .await?
            .ok_or(DomainError::NotFound("exhibitor"))?;
        match exhibitor.recommendation_quota {
            Some(quota) => Ok(quota),
            None => Ok(self.fair().await?.default_recommendation_quota),
        }
    }

    /// Spends one unit of quota on the exhibit and has the matcher push it to the buyers of
    /// the open intents it matches.
    pub async fn recommend(
        &self,
        caller: &Account,
        xid: &str,
    ) -> Result<Recommendation, DomainError> {
        let exhibit = self.own_exhibit(caller, xid).await?;
        require_permission(caller, &exhibit.exhibitor_id, Permission::Recommend)?;
        if exhibit.recommended_at.is_some() {
            return Err(already_recommended());
        }
        let total = self.quota_total(&exhibit.exhibitor_id).await?;
        let now = self.ports.clock.now();
        // The matcher's job is stored with the recommendation and sent once it is committed.
        let jobs = [MatchJob::ExhibitRecommended {
            exhibit_id: exhibit.id.clone(),
        }
        .outgoing(self.ports.ids.new_id("job"), now)?];
        let recommended = match self.repo.recommend(&exhibit, total, now, &jobs).await? {
            Ok(recommended) => recommended,
            Err(RecommendError::QuotaExhausted) => {
                return Err(DomainError::conflict(
                    "quota_exhausted",
                    format!("the recommendation quota of {total} is spent"),
                ));
            }
            Err(RecommendError::AlreadyRecommended) => return Err(already_recommended()),
        };
        let used = self.repo.quota_used(&exhibit.exhibitor_id).await?;
        Ok(Recommendation {
            exhibit_id: recommended.id,
            recommended_at: now,
            quota: Quota::new(total, used),
        })
    }

    /// Stops pushing the exhibit; the quota spent on it stays spent.
    pub async fn withdraw(&self, caller: &Account, xid: &str) -> Result<(), DomainError> {
        let exhibit = self.own_exhibit(caller, xid).await?;
        require_permission(caller, &exhibit.exhibitor_id, Permission::Recommend)?;
        self.repo.withdraw_recommendation(&exhibit).await?;
        Ok(())
    }

    pub async fn recommendations(
        &self,
        caller: &Account,
        eid: &str,
        page: &PageRequest,
    ) -> Result<RecommendationList, DomainError> {
        require_permission(caller, eid, Permission::Recommend)?;
        let total = self.quota_total(eid).await?;
        let used = self.repo.quota_used(eid).await?;
        let page = self
            .repo
            .exhibitor_exhibits(eid, ExhibitFilter::Recommended, page)
            .await?;
        let ids: Vec<&str> = page.items.iter().map(|x| x.id.as_str()).collect();
        let feedback = self.repo.exhibit_feedback(&ids).await?;
        Ok(RecommendationList {
            quota: Quota::new(total, used),
            items: page
                .items
                .into_iter()
                .zip(feedback)
                .map(|(exhibit, feedback)| RecommendedExhibit {
                    recommended_at: exhibit.recommended_at,
                    matched_intents: exhibit.matched_intents,
                    pushed_buyers: exhibit.pushed_buyers,
                    feedback,
                    exhibit,
                })
                .collect(),
            next_cursor: page.next_cursor,
        })
    }
}

fn already_recommended() -> DomainError {
    DomainError::conflict("already_recommended", "this exhibit is recommended already")
}
