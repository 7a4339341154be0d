use fairlink_domain::{DomainError, model::Fair, ports::Key};

use super::Repository;
use crate::{codec, keys};

fn fair_key() -> Key {
    Key::new(keys::FAIR, keys::FAIR)
}

impl Repository {
    pub async fn fair(&self) -> Result<Option<Fair>, DomainError> {
        self.store()
            .get(&fair_key())
            .await?
            .map(codec::from_item)
            .transpose()
    }

    pub async fn put_fair(&self, fair: &Fair) -> Result<(), DomainError> {
        self.store()
            .put(codec::to_item(&fair_key(), "Fair", fair), None)
            .await?;
        Ok(())
    }
}
