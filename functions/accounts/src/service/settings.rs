//! An exhibitor's distribution of intents and chats, and its auto-replies.

use super::*;

impl AccountsService<'_> {
    pub async fn distribution(
        &self,
        caller: &Account,
        eid: &str,
    ) -> Result<DistributionView, DomainError> {
        require_main(caller, eid)?;
        let settings = self.repo.distribution(eid).await?;
        Ok(DistributionView {
            settings,
            locked: self.distribution_locked().await?,
        })
    }

    pub async fn put_distribution(
        &self,
        caller: &Account,
        eid: &str,
        settings: DistributionSettings,
    ) -> Result<DistributionView, DomainError> {
        require_main(caller, eid)?;
        if self.distribution_locked().await? {
            return Err(DomainError::conflict(
                "settings_locked",
                "distribution modes are locked since the fair's distributionLockAt",
            ));
        }
        self.repo.put_distribution(eid, &settings).await?;
        Ok(DistributionView {
            settings,
            locked: false,
        })
    }

    async fn distribution_locked(&self) -> Result<bool, DomainError> {
        Ok(self
            .repo
            .fair()
            .await?
            .is_some_and(|fair| fair.distribution_locked(self.ports.clock.now())))
    }

    pub async fn auto_replies(
        &self,
        caller: &Account,
        eid: &str,
    ) -> Result<AutoReplies, DomainError> {
        require_main(caller, eid)?;
        self.repo.auto_replies(eid).await
    }

    pub async fn put_auto_replies(
        &self,
        caller: &Account,
        eid: &str,
        replies: AutoReplies,
    ) -> Result<AutoReplies, DomainError> {
        require_main(caller, eid)?;
        let mut checks = Checks::new();
        checks.optional_text("online", replies.online.as_deref(), AUTO_REPLY_MAX_CHARS);
        checks.optional_text("offline", replies.offline.as_deref(), AUTO_REPLY_MAX_CHARS);
        checks.into_result()?;
        // An empty text sends nothing, like null.
        let clean =
            |text: Option<String>| text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let replies = AutoReplies {
            online: clean(replies.online),
            offline: clean(replies.offline),
        };
        self.repo.put_auto_replies(eid, &replies).await?;
        Ok(replies)
    }
}
