//! A real WebSocket client (tokio-tungstenite) on fairlink-local's `GET /v1/ws`.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Error, Message},
};

use crate::TestServer;

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames read while looking for another one, in order.
    pending: Vec<Value>,
}

/// What came of a socket's next frame.
#[derive(Debug)]
pub enum Next {
    Frame(Value),
    Closed,
    Quiet,
}

/// The socket URL of a server for a token.
pub fn socket_url(server: &TestServer, token: &str) -> String {
    format!(
        "{}/v1/ws?token={token}",
        server.base.replacen("http://", "ws://", 1)
    )
}

impl Socket {
    /// Opens a socket with the token, and waits until the server has recorded it (its first
    /// pong comes after that).
    pub async fn open(server: &TestServer, token: &str) -> Self {
        let (stream, _) = connect_async(socket_url(server, token))
            .await
            .expect("the socket opens");
        let mut socket = Self {
            stream,
            pending: Vec::new(),
        };
        socket.ping().await;
        socket
    }

    /// The HTTP status an upgrade with this token is refused with (`None` if it opened).
    pub async fn refusal(server: &TestServer, token: &str) -> Option<u16> {
        match connect_async(socket_url(server, token)).await {
            Ok(_) => None,
            Err(Error::Http(response)) => Some(response.status().as_u16()),
            Err(err) => panic!("unexpected failure: {err}"),
        }
    }

    /// Sends a ping and waits for its pong; frames read meanwhile are kept.
    pub async fn ping(&mut self) {
        self.stream
            .send(Message::Text(r#"{"type":"ping"}"#.into()))
            .await
            .unwrap();
        loop {
            match self.read(Duration::from_secs(10)).await {
                Next::Frame(frame) if frame["type"] == "pong" => return,
                Next::Frame(frame) => self.pending.push(frame),
                other => panic!("no pong: {other:?}"),
            }
        }
    }

    async fn read(&mut self, within: Duration) -> Next {
        loop {
            match tokio::time::timeout(within, self.stream.next()).await {
                Err(_) => return Next::Quiet,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                    return Next::Closed;
                }
                Ok(Some(Ok(Message::Text(text)))) => {
                    let frame: Value = serde_json::from_str(&text).expect("frames are JSON");
                    crate::times::assert_times_in_one_format(&frame);
                    return Next::Frame(frame);
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next event of a type (others are kept for later), within ten seconds.
    pub async fn event(&mut self, kind: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|f| f["type"] == kind) {
            return self.pending.remove(i);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(left).await {
                Next::Frame(frame) if frame["type"] == kind => return frame,
                Next::Frame(frame) => self.pending.push(frame),
                other => panic!("no {kind} event: {other:?}; before it: {:?}", self.pending),
            }
        }
    }

    /// Every event received so far and within `wait` more (pongs left out).
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut frames = std::mem::take(&mut self.pending);
        while let Next::Frame(frame) = self.read(wait).await {
            if frame["type"] != "pong" {
                frames.push(frame);
            }
        }
        frames
    }

    /// Whether the server closed the socket within ten seconds.
    pub async fn closed_by_server(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.read(left).await {
                Next::Closed => return true,
                Next::Quiet => return false,
                Next::Frame(frame) => self.pending.push(frame),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
