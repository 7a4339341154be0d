//! `GET /v1/ws`: the real-time events on fairlink-local's port (API.md, "Real-time events").
//! The sockets live in this process; the realtime worker reaches them through
//! [`LocalSockets`], the in-process twin of API Gateway's management API, and the stored
//! sockets, presence and delivery rules are the ones the deployed functions use.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use axum::{
    Router,
    extract::{
        Query, State, WebSocketUpgrade,
        ws::{Message, WebSocket, rejection::WebSocketUpgradeRejection},
    },
    response::{IntoResponse, Response},
    routing::get,
};
use fairlink_domain::{
    model::Account,
    ports::{PushError, SocketPusher},
};
use fairlink_http::{ApiError, AppState, auth::signed_in_account};
use fairlink_realtime::{SocketSessions, answer_to};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;

/// Frames waiting for a slow client; past this the socket is closed (the client reconnects
/// and catches up through the lists) rather than holding memory for it.
const SOCKET_BACKLOG: usize = 1_024;
/// Buffers per socket: clients send only pings, and frames are small; tungstenite's
/// defaults (128 KiB each way) would cost a thousand idle sockets a quarter of a gigabyte.
const SOCKET_READ_BUFFER: usize = 4 * 1024;
/// Frames are written out at once rather than gathered (the buffer grows only as needed).
const SOCKET_WRITE_BUFFER: usize = 0;
/// What a client may send in one frame: a ping is a few bytes.
const MAX_CLIENT_FRAME: usize = 16 * 1024;
/// How often a long-lived socket is recorded again (its stored item expires after two hours).
const REFRESH_EVERY: Duration = Duration::from_secs(3_600);

enum Outgoing {
    Frame(String),
    Close,
}

/// The sockets open in this process, by connection id.
#[derive(Default)]
pub struct LocalSockets {
    open: Mutex<HashMap<String, mpsc::Sender<Outgoing>>>,
    live: AtomicUsize,
}

impl LocalSockets {
    fn insert(&self, connection_id: &str, sender: mpsc::Sender<Outgoing>) {
        self.lock().insert(connection_id.into(), sender);
    }

    fn remove(&self, connection_id: &str) -> Option<mpsc::Sender<Outgoing>> {
        self.lock().remove(connection_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::Sender<Outgoing>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sockets open now.
    pub fn open_count(&self) -> usize {
        self.lock().len()
    }

    /// Closes every socket and waits (a little) until their sessions have ended, so a
    /// stopped server leaves nothing running on its store.
    pub async fn close_all(&self) {
        let senders: Vec<_> = self.lock().drain().map(|(_, s)| s).collect();
        for sender in senders {
            let _ = sender.try_send(Outgoing::Close);
        }
        for _ in 0..200 {
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[async_trait]
impl SocketPusher for LocalSockets {
    async fn push(&self, connection_id: &str, frame: &str) -> Result<(), PushError> {
        let Some(sender) = self.lock().get(connection_id).cloned() else {
            return Err(PushError::Gone);
        };
        match sender.try_send(Outgoing::Frame(frame.into())) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                // Too slow to keep up: closed, as API Gateway drops a client it cannot reach.
                self.remove(connection_id);
                let _ = sender.try_send(Outgoing::Close);
                Err(PushError::Gone)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.remove(connection_id);
                Err(PushError::Gone)
            }
        }
    }

    async fn close(&self, connection_id: &str) -> Result<(), PushError> {
        if let Some(sender) = self.remove(connection_id) {
            let _ = sender.try_send(Outgoing::Close);
        }
        Ok(())
    }
}

#[derive(Clone)]
struct SocketState {
    app: AppState,
    sockets: Arc<LocalSockets>,
    sessions: SocketSessions,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The `/v1/ws` route.
pub fn routes(app: AppState, sockets: Arc<LocalSockets>) -> Router {
    let sessions = SocketSessions::new(&app.ports);
    Router::new()
        .route("/v1/ws", get(upgrade))
        .with_state(SocketState {
            app,
            sockets,
            sessions,
        })
}

async fn upgrade(
    State(state): State<SocketState>,
    Query(query): Query<TokenQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // The token is checked first: a bad one is refused at the upgrade with a 401.
    let token = query.token.unwrap_or_default();
    let account = match state
        .app
        .auth
        .principal_of_token(&token, state.app.now())
        .await
    {
        Ok(principal) => signed_in_account(&state.app.repo, principal).await,
        Err(err) => Err(err),
    };
    let account = match account {
        Ok(account) => account,
        Err(err) => return err.into_response(),
    };
    match upgrade {
        Ok(upgrade) => upgrade
            .read_buffer_size(SOCKET_READ_BUFFER)
            .write_buffer_size(SOCKET_WRITE_BUFFER)
            .max_message_size(MAX_CLIENT_FRAME)
            .max_frame_size(MAX_CLIENT_FRAME)
            .on_upgrade(move |socket| session(socket, account, state)),
        Err(_) => ApiError::from(fairlink_domain::DomainError::Unprocessable {
            code: "websocket_required",
            detail: "GET /v1/ws is a WebSocket upgrade".into(),
        })
        .into_response(),
    }
}

/// One socket's life: recorded, fed by the worker through its channel, answering pings,
/// forgotten when it closes.
async fn session(socket: WebSocket, account: Account, state: SocketState) {
    let connection_id = state.app.ports.ids.new_id("ws");
    let (sender, mut outgoing) = mpsc::channel(SOCKET_BACKLOG);
    state.sockets.live.fetch_add(1, Ordering::SeqCst);
    state.sockets.insert(&connection_id, sender.clone());
    if let Err(err) = state.sessions.opened(&account, &connection_id).await {
        tracing::warn!(error = %err, "recording a socket failed; closing it");
        state.sockets.remove(&connection_id);
        state.sockets.live.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let (mut sink, mut incoming) = socket.split();
    let mut writer = tokio::spawn(async move {
        while let Some(out) = outgoing.recv().await {
            let message = match out {
                Outgoing::Frame(text) => Message::Text(text.into()),
                Outgoing::Close => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
            };
            if sink.send(message).await.is_err() {
                break;
            }
        }
    });
    let mut refresh = tokio::time::interval(REFRESH_EVERY);
    refresh.tick().await;
    loop {
        tokio::select! {
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Some(answer) = answer_to(&text)
                        && sender.try_send(Outgoing::Frame(answer.into())).is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            _ = &mut writer => break,
            _ = refresh.tick() => {
                if let Err(err) = state.sessions.still_open(&account.id, &connection_id).await {
                    tracing::warn!(error = %err, "refreshing a socket failed");
                }
            }
        }
    }
    writer.abort();
    state.sockets.remove(&connection_id);
    if let Err(err) = state.sessions.closed(&connection_id).await {
        tracing::warn!(error = %err, "forgetting a socket failed");
    }
    state.sockets.live.fetch_sub(1, Ordering::SeqCst);
}
