//! The client's network address, for per-client rate limits. In Lambda it is API Gateway's
//! `sourceIp` (what the caller's connection came from, not a header it can set); locally, the
//! TCP peer of the connection.

use std::{convert::Infallible, net::SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use lambda_http::request::RequestContext;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(RequestContext::ApiGatewayV2(ctx)) = parts.extensions.get::<RequestContext>()
            && let Some(ip) = ctx.http.source_ip.as_ref().filter(|ip| !ip.is_empty())
        {
            return Ok(Self(ip.clone()));
        }
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Ok(Self(peer.ip().to_string()));
        }
        // Neither (a router called in process): one shared bucket.
        Ok(Self("unknown".into()))
    }
}
