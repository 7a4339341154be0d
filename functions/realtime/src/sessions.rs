use std::sync::Arc;

use fairlink_domain::{
    DomainError, Ports,
    model::{Account, Role},
    ports::Clock,
};
use fairlink_store::{OpenSocket, Repository};

/// Sockets opening and closing, and the presence that follows them: an exhibitor account
/// goes online when it opens its first socket and offline when its last one closes.
/// `PUT /v1/me/presence` still sets it either way in between (a page may show "away" with
/// its socket open); the next first socket sets it online again.
#[derive(Clone)]
pub struct SocketSessions {
    repo: Repository,
    clock: Arc<dyn Clock>,
}

impl SocketSessions {
    pub fn new(ports: &Ports) -> Self {
        Self {
            repo: Repository::new(ports.store.clone(), ports.queue.clone()),
            clock: ports.clock.clone(),
        }
    }

    /// Records a socket of a signed-in account.
    pub async fn opened(&self, account: &Account, connection_id: &str) -> Result<(), DomainError> {
        let socket = OpenSocket {
            connection_id: connection_id.into(),
            account_id: account.id.clone(),
            connected_at: self.clock.now(),
        };
        self.repo.open_socket(&socket).await?;
        if account.role == Role::Exhibitor {
            let open = self
                .repo
                .sockets_of(&account.id, socket.connected_at)
                .await?;
            if open.iter().all(|s| s.connection_id == connection_id) {
                self.set_presence(&account.id, true).await?;
            }
        }
        Ok(())
    }

    /// Forgets a closed socket (its `$disconnect`, or the local socket's end).
    pub async fn closed(&self, connection_id: &str) -> Result<(), DomainError> {
        if let Some(socket) = self.repo.close_socket(connection_id).await? {
            self.after_close(&socket.account_id).await?;
        }
        Ok(())
    }

    /// Forgets a socket that answered "gone" to a push.
    pub async fn gone(&self, socket: &OpenSocket) -> Result<(), DomainError> {
        self.repo.forget_socket(socket).await?;
        self.after_close(&socket.account_id).await
    }

    /// Keeps a long-lived socket known past the stored expiry.
    pub async fn still_open(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<(), DomainError> {
        let socket = OpenSocket {
            connection_id: connection_id.into(),
            account_id: account_id.into(),
            connected_at: self.clock.now(),
        };
        self.repo.refresh_socket(&socket, socket.connected_at).await
    }

    async fn after_close(&self, account_id: &str) -> Result<(), DomainError> {
        if self
            .repo
            .sockets_of(account_id, self.clock.now())
            .await?
            .is_empty()
        {
            self.set_presence(account_id, false).await?;
        }
        Ok(())
    }

    async fn set_presence(&self, account_id: &str, online: bool) -> Result<(), DomainError> {
        let Some(before) = self.repo.account(account_id).await? else {
            return Ok(());
        };
        if before.role != Role::Exhibitor || before.online == online || !before.active {
            return Ok(());
        }
        let after = Account {
            online,
            ..before.clone()
        };
        // Only `online` is written: a concurrent change to the account is kept.
        // Gone meanwhile: nobody to show online.
        self.repo.save_account_changes(&before, &after).await?.ok();
        Ok(())
    }
}
