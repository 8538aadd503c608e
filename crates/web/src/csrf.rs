//! Cross-site request forgery protection for every state-changing request.
//!
//! A random token lives in the session; every form carries it in a hidden `_csrf` field (or a
//! script sends it as `X-CSRF-Token`). The guard checks it on every POST, PUT, PATCH and
//! DELETE before any handler runs, so no form can forget. Requests that cannot be forged
//! cross-site are let through: bearer-token API calls (no cookie involved) and JSON bodies
//! (a browser only sends those cross-site after a CORS preflight, which FarmGate never grants).

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::problem::Problem;

const SESSION_KEY: &str = "csrf";
/// The largest form body the guard reads to find the token.
const FORM_LIMIT: usize = 256 * 1024;

/// The session's token, created on first use; templates put it in a hidden field.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(server_error)?;
        token_of(&session).await.map(CsrfToken)
    }
}

fn server_error() -> Problem {
    Problem::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "server")
}

async fn token_of(session: &Session) -> Result<String, Problem> {
    if let Ok(Some(token)) = session.get::<String>(SESSION_KEY).await {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    session.insert(SESSION_KEY, &token).await.map_err(|e| {
        tracing::error!(error = %e, "could not store a CSRF token");
        server_error()
    })?;
    Ok(token)
}

/// Gives the session a new token: called when someone signs in, so a token seen before the
/// sign-in (on a shared phone, say) cannot be used in the signed-in session.
pub async fn renew(session: &Session) {
    if let Err(err) = session.remove::<String>(SESSION_KEY).await {
        tracing::warn!(error = %err, "could not drop the old CSRF token");
    }
    if let Err(err) = token_of(session).await {
        tracing::warn!(error = ?err.code, "could not renew the CSRF token");
    }
}

fn forgery() -> Response {
    Problem::new(axum::http::StatusCode::FORBIDDEN, "csrf").into_response()
}

/// Refuses state-changing requests that do not carry the session's token.
pub async fn guard(request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !unsafe_method || cannot_be_forged(&request) {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return forgery();
    };
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(token)) => token,
        _ => return forgery(),
    };
    let header_token = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (request, sent) = match header_token {
        Some(token) => (request, Some(token)),
        None => match form_token(request).await {
            Ok(pair) => pair,
            Err(response) => return response,
        },
    };
    match sent {
        Some(sent) if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) => {
            next.run(request).await
        }
        _ => forgery(),
    }
}

fn cannot_be_forged(request: &Request) -> bool {
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/json")
        });
    bearer || json
}

/// Reads the body once to find `_csrf`, then hands the same bytes on to the handler.
async fn form_token(request: Request) -> Result<(Request, Option<String>), Response> {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let from_query = request.uri().query().and_then(|q| find_field(q.as_bytes()));
    if !is_form {
        return Ok((request, from_query));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT).await.map_err(|_| {
        Problem::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
        )
        .into_response()
    })?;
    let token = find_field(&bytes).or(from_query);
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

fn find_field(encoded: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == "_csrf")
        .map(|(_, value)| value)
}
