//! The intents feature's use cases: publishing and reading intents, what was pushed to a
//! buyer, and an exhibitor's delivered intents with their assignment.

use fairlink_domain::{
    DomainError, Ports,
    access::{require_main, require_permission, require_role},
    distribution::Distribution,
    jobs::MatchJob,
    model::{
        Account, DeliveryStatus, Exhibit, ExhibitMatch, Intent, IntentDelivery, IntentStatus,
        Language, Notification, NotificationKind, Permission, PriceRange, Quantity, Role,
        is_country_code,
    },
    validate::{Checks, Validate},
};
use fairlink_store::{DeliveryRefusal, Gone, NotificationFor, PageOf, PageRequest, Repository};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// POST /v1/intents.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewIntent {
    pub product_name: String,
    pub category_id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub quantity: Quantity,
    #[serde(default)]
    pub target_price: Option<PriceRange>,
    /// ISO 3166-1 alpha-2.
    pub destination_country: String,
    #[serde(default)]
    pub certifications: Vec<String>,
    /// Must lie in the future.
    #[serde(with = "fairlink_domain::time::millis")]
    pub valid_until: chrono::DateTime<chrono::Utc>,
    /// Address it to this exhibitor…
    #[serde(default)]
    pub exhibitor_id: Option<String>,
    /// …or to the exhibitor of this exhibit.
    #[serde(default)]
    pub exhibit_id: Option<String>,
}

impl Validate for NewIntent {
    fn validate(&self, checks: &mut Checks) {
        checks.text("productName", &self.product_name, 200);
        checks.optional_text("description", self.description.as_deref(), 5_000);
        checks.check(
            self.keywords.len() <= 30,
            "keywords",
            "has more than 30 entries",
        );
        for (i, keyword) in self.keywords.iter().enumerate() {
            checks.text(&format!("keywords[{i}]"), keyword, 100);
        }
        checks.check(
            self.quantity.amount > 0,
            "quantity.amount",
            "must be at least 1",
        );
        checks.text("quantity.unit", &self.quantity.unit, 30);
        if let Some(price) = &self.target_price {
            price.check(checks, "targetPrice");
        }
        checks.check(
            is_country_code(&self.destination_country),
            "destinationCountry",
            "must be an ISO 3166-1 alpha-2 code such as US",
        );
        checks.check(
            self.certifications.len() <= 30,
            "certifications",
            "has more than 30 entries",
        );
        for (i, certification) in self.certifications.iter().enumerate() {
            checks.text(&format!("certifications[{i}]"), certification, 100);
        }
        checks.instant("validUntil", self.valid_until);
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentInput {
    pub account_id: String,
}

impl fairlink_domain::validate::Validate for AssignmentInput {}

/// A delivered intent its exhibitor's main account may assign (from
/// [`IntentsService::delivery_to_assign`]).
pub struct DeliveryToAssign(IntentDelivery);

pub struct IntentsService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

/// Whom a published intent goes to, if anyone.
struct Addressee {
    exhibit: Option<Exhibit>,
    exhibitor_id: Option<String>,
}

impl<'a> IntentsService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    pub async fn publish(&self, caller: &Account, input: NewIntent) -> Result<Intent, DomainError> {
        require_role(caller, Role::Buyer)?;
        let now = self.ports.clock.now();
        let mut checks = Checks::new();
        input.validate(&mut checks);
        checks.check(
            input.valid_until > now,
            "validUntil",
            "must be in the future",
        );
        let fair = self.repo.fair().await?.ok_or_else(|| {
            DomainError::conflict(
                "fair_not_configured",
                "the organizer has not set up the fair yet",
            )
        })?;
        checks.check(
            fair.categories.iter().any(|c| c.id == input.category_id),
            "categoryId",
            "is not a category of the fair",
        );
        let Addressee {
            exhibit,
            exhibitor_id,
        } = self.addressee(&input, &mut checks).await?;
        checks.into_result()?;

        let intent = Intent {
            id: self.ports.ids.new_id("int"),
            buyer_id: caller.id.clone(),
            product_name: input.product_name,
            category_id: input.category_id,
            description: input.description,
            keywords: input.keywords,
            quantity: input.quantity,
            target_price: input.target_price,
            destination_country: input.destination_country,
            certifications: input.certifications,
            valid_until: input.valid_until,
            exhibitor_id: exhibitor_id.clone(),
            exhibit_id: exhibit.as_ref().map(|x| x.id.clone()),
            status: IntentStatus::Open,
            created_at: now,
            closed_at: None,
        };
        // The matcher's job is stored with the intent and sent once it is committed.
        let jobs = [MatchJob::IntentPublished {
            intent_id: intent.id.clone(),
        }
        .outgoing(self.ports.ids.new_id("job"), now)?];
        match exhibitor_id {
            Some(eid) => {
                let delivery = self.deliver(&intent, &eid, exhibit.as_ref()).await?;
                let notice = assigned_notice(
                    self.ports,
                    &delivery,
                    &self.receiver_language(&delivery.assignee_id).await?,
                );
                self.repo
                    .create_intent(&intent, Some((&delivery, &notice)), &jobs)
                    .await?;
            }
            None => self.repo.create_intent(&intent, None, &jobs).await?,
        }
        Ok(intent)
    }

    /// Whom an intent is addressed to: the exhibit's exhibitor, or the exhibitor named
    /// (checked with the intent's other fields).
    async fn addressee(
        &self,
        input: &NewIntent,
        checks: &mut Checks,
    ) -> Result<Addressee, DomainError> {
        let exhibit = match &input.exhibit_id {
            Some(xid) => {
                let exhibit = self.repo.exhibit(xid).await?;
                checks.check(exhibit.is_some(), "exhibitId", "is not an exhibit");
                exhibit
            }
            None => None,
        };
        let exhibitor_id = match (&exhibit, &input.exhibitor_id) {
            (Some(exhibit), Some(eid)) if *eid != exhibit.exhibitor_id => {
                checks.fail("exhibitorId", "is not the exhibit's exhibitor");
                None
            }
            (Some(exhibit), _) => Some(exhibit.exhibitor_id.clone()),
            (None, Some(eid)) => {
                let exists = self.repo.exhibitor(eid).await?.is_some();
                checks.check(exists, "exhibitorId", "is not an exhibitor");
                Some(eid.clone())
            }
            (None, None) => None,
        };
        Ok(Addressee {
            exhibit,
            exhibitor_id,
        })
    }

    /// The delivery of an intent to an exhibitor, assigned by its distribution rules.
    async fn deliver(
        &self,
        intent: &Intent,
        eid: &str,
        exhibit: Option<&fairlink_domain::model::Exhibit>,
    ) -> Result<IntentDelivery, DomainError> {
        let exhibitor = self
            .repo
            .exhibitor(eid)
            .await?
            .ok_or(DomainError::NotFound("exhibitor"))?;
        let settings = self.repo.distribution(eid).await?;
        let accounts = self.repo.all_exhibitor_accounts(eid).await?;
        let distribution = Distribution {
            mode: settings.intent_mode,
            permission: Permission::Intents,
            exhibit_reps: exhibit.map(|x| x.rep_ids.as_slice()),
            exhibit_zone: exhibit.map(|x| x.details.zone_id.as_str()),
            exhibitor_zones: &exhibitor.zone_ids,
            continuing_with: None,
        };
        let assignee = distribution
            .pick(&accounts, &mut rand::rng())
            .map(|a| a.id.clone())
            .unwrap_or(exhibitor.main_account_id);
        let now = self.ports.clock.now();
        Ok(IntentDelivery {
            intent: intent.clone(),
            exhibitor_id: eid.to_string(),
            exhibit_id: exhibit.map(|x| x.id.clone()),
            assignee_id: assignee,
            status: DeliveryStatus::Assigned,
            delivered_at: now,
            assigned_at: now,
            completed_at: None,
        })
    }

    async fn receiver_language(&self, aid: &str) -> Result<Language, DomainError> {
        Ok(self
            .repo
            .account(aid)
            .await?
            .map(|a| a.language)
            .unwrap_or_default())
    }

    pub async fn buyer_intents(
        &self,
        caller: &Account,
        page: &PageRequest,
    ) -> Result<PageOf<Intent>, DomainError> {
        require_role(caller, Role::Buyer)?;
        let now = self.ports.clock.now();
        Ok(self
            .repo
            .buyer_intents(&caller.id, page)
            .await?
            .map(|i| i.as_of(now)))
    }

    /// An intent, for its buyer or for accounts of an exhibitor it was delivered to or matched.
    pub async fn get(&self, caller: &Account, iid: &str) -> Result<Intent, DomainError> {
        let intent = self
            .repo
            .intent(iid)
            .await?
            .ok_or(DomainError::NotFound("intent"))?;
        let visible = match (caller.role, &caller.exhibitor_id) {
            (Role::Buyer, _) => intent.buyer_id == caller.id,
            (Role::Exhibitor, Some(eid)) => {
                self.repo.delivery(iid, eid).await?.is_some()
                    || self.repo.intent_matched_exhibitor(iid, eid).await?
            }
            _ => false,
        };
        if !visible {
            return Err(DomainError::NotFound("intent"));
        }
        Ok(intent.as_of(self.ports.clock.now()))
    }

    pub async fn close(&self, caller: &Account, iid: &str) -> Result<Intent, DomainError> {
        let intent = self
            .repo
            .intent(iid)
            .await?
            .ok_or(DomainError::NotFound("intent"))?;
        if intent.buyer_id != caller.id {
            return Err(DomainError::NotFound("intent"));
        }
        let closed = self
            .repo
            .close_intent(&intent, self.ports.clock.now())
            .await?
            .map_err(|Gone| DomainError::NotFound("intent"))?;
        Ok(closed.as_of(self.ports.clock.now()))
    }

    pub async fn exhibitor_intents(
        &self,
        caller: &Account,
        eid: &str,
        assignee_id: Option<&str>,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<IntentDelivery>, DomainError> {
        require_main(caller, eid)?;
        match assignee_id {
            Some(aid) => {
                let belongs = self
                    .repo
                    .account(aid)
                    .await?
                    .is_some_and(|a| a.belongs_to(eid));
                if !belongs {
                    return Err(DomainError::field(
                        "assigneeId",
                        "is not an account of this exhibitor",
                    ));
                }
                let page = self.repo.assigned_deliveries(aid, status, page).await?;
                self.as_they_are_now(page, |d| &mut d.intent).await
            }
            None => {
                let page = self.repo.exhibitor_deliveries(eid, status, page).await?;
                self.as_they_are_now(page, |d| &mut d.intent).await
            }
        }
    }

    /// Deliveries and matches keep a copy of the intent taken when they were made; a page of
    /// them shows each intent as it is now (closed, expired), read in one batch.
    async fn as_they_are_now<T>(
        &self,
        mut page: PageOf<T>,
        intent_of: impl Fn(&mut T) -> &mut Intent,
    ) -> Result<PageOf<T>, DomainError> {
        if page.items.is_empty() {
            return Ok(page);
        }
        let ids: Vec<String> = page
            .items
            .iter_mut()
            .map(|item| intent_of(item).id.clone())
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let current = self.repo.intents(&refs).await?;
        let now = self.ports.clock.now();
        for (item, latest) in page.items.iter_mut().zip(current) {
            let intent = intent_of(item);
            if let Some(latest) = latest {
                *intent = latest;
            }
            *intent = intent.clone().as_of(now);
        }
        Ok(page)
    }

    pub async fn assigned_to_me(
        &self,
        caller: &Account,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<IntentDelivery>, DomainError> {
        let eid = caller.exhibitor_id.clone().unwrap_or_default();
        require_permission(caller, &eid, Permission::Intents)?;
        let page = self
            .repo
            .assigned_deliveries(&caller.id, status, page)
            .await?;
        self.as_they_are_now(page, |d| &mut d.intent).await
    }

    /// The delivery of the intent to the caller's exhibitor (404 when there is none).
    async fn own_delivery(
        &self,
        caller: &Account,
        iid: &str,
    ) -> Result<IntentDelivery, DomainError> {
        require_role(caller, Role::Exhibitor)?;
        let eid = caller.exhibitor_id.as_deref().unwrap_or_default();
        self.repo
            .delivery(iid, eid)
            .await?
            .ok_or(DomainError::NotFound("intent"))
    }

    /// The delivered intent the caller (its exhibitor's main account) may hand on: read and
    /// checked before the assignment is read, so a caller without the right hears 404 or
    /// 403 whatever it sent.
    pub async fn delivery_to_assign(
        &self,
        caller: &Account,
        iid: &str,
    ) -> Result<DeliveryToAssign, DomainError> {
        let delivery = self.own_delivery(caller, iid).await?;
        require_main(caller, &delivery.exhibitor_id)?;
        Ok(DeliveryToAssign(delivery))
    }

    /// Hands the intent to another account able to receive intents (main).
    pub async fn assign(
        &self,
        delivery: DeliveryToAssign,
        input: AssignmentInput,
    ) -> Result<IntentDelivery, DomainError> {
        let DeliveryToAssign(before) = delivery;
        let able = self
            .repo
            .account(&input.account_id)
            .await?
            .filter(|a| a.belongs_to(&before.exhibitor_id))
            .filter(|a| a.can(Permission::Intents));
        let Some(assignee) = able else {
            return Err(DomainError::field(
                "accountId",
                "is not an active account of this exhibitor with the `intents` permission",
            ));
        };
        if assignee.id == before.assignee_id {
            return Ok(before);
        }
        let mut after = before.clone();
        after.assignee_id = assignee.id.clone();
        after.assigned_at = self.ports.clock.now();
        let notice = assigned_notice(self.ports, &after, &assignee.language);
        self.repo
            .save_delivery(
                &before,
                &after,
                Some(NotificationFor {
                    account_id: &assignee.id,
                    notification: &notice,
                }),
            )
            .await?
            .map_err(delivery_refused)?;
        Ok(after)
    }

    /// Marks the intent done for the caller's exhibitor (its assignee or main).
    pub async fn complete(
        &self,
        caller: &Account,
        iid: &str,
    ) -> Result<IntentDelivery, DomainError> {
        let before = self.own_delivery(caller, iid).await?;
        if !caller.is_main && caller.id != before.assignee_id {
            return Err(DomainError::forbidden(
                "only the assignee or the main account may complete it",
            ));
        }
        if before.status == DeliveryStatus::Completed {
            return Ok(before);
        }
        let mut after = before.clone();
        after.status = DeliveryStatus::Completed;
        after.completed_at = Some(self.ports.clock.now());
        self.repo
            .save_delivery(&before, &after, None)
            .await?
            .map_err(delivery_refused)?;
        Ok(after)
    }

    pub async fn exhibit_matches(
        &self,
        caller: &Account,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<ExhibitMatch>, DomainError> {
        require_permission(caller, eid, Permission::ExhibitMatches)?;
        let page = self.repo.exhibit_matches(eid, page).await?;
        self.as_they_are_now(page, |m| &mut m.intent).await
    }
}

/// The `intent.assigned` notification, in the assignee's language.
fn assigned_notice(ports: &Ports, delivery: &IntentDelivery, language: &Language) -> Notification {
    let (title, body) = language.texts().title_and_body(
        "intent-assigned",
        &[("intent", delivery.intent.product_name.as_str().into())],
    );
    Notification::new(
        ports.ids.new_id("ntf"),
        NotificationKind::IntentAssigned,
        title,
        body,
        json!({"intentId": delivery.intent.id, "exhibitorId": delivery.exhibitor_id, "exhibitId": delivery.exhibit_id}),
        ports.clock.now(),
    )
}

/// The API's answer to a delivered intent's change that was refused.
fn delivery_refused(refusal: DeliveryRefusal) -> DomainError {
    match refusal {
        DeliveryRefusal::Reassigned => DomainError::conflict(
            "conflict",
            "the intent was reassigned meanwhile; read it again",
        ),
    }
}
