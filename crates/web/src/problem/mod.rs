//! Errors at the edge, turned into HTTP in one place.
//!
//! A handler returns a [`Problem`]: a status, a stable code (a catalogue id without its
//! `error-` prefix) and optionally the field at fault. The `negotiate` middleware, which knows
//! the request's language, renders it: `{"error":{"code","message","field"}}` under `/api/`,
//! an error page elsewhere. Bare error statuses from layers (timeouts, body limits, unknown
//! methods) are rendered the same way, so no user ever sees an untranslated error.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use serde::Serialize;

use crate::AppState;
use crate::i18n::{self, Lang, Tr};
use crate::pages::layout;

/// An error a user can be told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub field: Option<&'static str>,
    /// For `rate-limited`: seconds until the next attempt is allowed.
    pub retry_after: Option<u64>,
}

impl Problem {
    pub const fn new(status: StatusCode, code: &'static str) -> Problem {
        Problem {
            status,
            code,
            field: None,
            retry_after: None,
        }
    }

    pub const fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found")
    }

    pub const fn unauthenticated() -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated")
    }

    pub const fn forbidden() -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden")
    }

    pub fn rate_limited(seconds: u64) -> Problem {
        Problem {
            retry_after: Some(seconds.max(1)),
            ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited")
        }
    }

    pub const fn with_field(mut self, field: &'static str) -> Problem {
        self.field = Some(field);
        self
    }

    /// The sentence to show, in the user's language.
    pub fn message(&self, t: &Tr) -> String {
        let id = format!("error-{}", self.code);
        match self.retry_after {
            Some(seconds) => t.arg(&id, "seconds", seconds as i64),
            None if t.has(&id) => t.get(&id),
            None => t.get("error-bad-request"),
        }
    }

    fn from_bare_status(status: StatusCode) -> Problem {
        let code = match status {
            StatusCode::NOT_FOUND => "not-found",
            StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
            StatusCode::REQUEST_TIMEOUT => "timeout",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY => "json-invalid",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            s if s.is_server_error() => "server",
            _ => "bad-request",
        };
        Problem::new(status, code)
    }
}

impl From<ValidationError> for Problem {
    fn from(err: ValidationError) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, err.code).with_field(err.field)
    }
}

impl From<farmgate_store::Error> for Problem {
    fn from(err: farmgate_store::Error) -> Problem {
        use farmgate_store::Error;
        match err {
            Error::NotFound => Problem::not_found(),
            Error::Conflict { field } => {
                Problem::new(StatusCode::CONFLICT, "conflict").with_field(field)
            }
            Error::AlreadyDecided => Problem::new(StatusCode::CONFLICT, "already-decided"),
            Error::InvalidState => Problem::new(StatusCode::CONFLICT, "order-state"),
            Error::Muted => Problem::new(StatusCode::FORBIDDEN, "chat-muted"),
            Error::Invalid(err) => err.into(),
            Error::Room(refusal) => Problem::new(StatusCode::CONFLICT, refusal.code()),
            other => {
                tracing::error!(error = %other, "store error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// The JSON error body of the API, as the OpenAPI document describes it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiError {
    pub error: ApiErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiErrorDetail {
    /// A stable code, e.g. `phone-invalid`, `rate-limited`, `forbidden`.
    pub code: String,
    /// The message in the request's language.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
}

/// Chooses the request's language, and renders any problem the inner service returned.
pub async fn negotiate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let language = i18n::choose(request.headers(), state.config.default_language);
    request.extensions_mut().insert(Lang(language));
    let is_api = request.uri().path().starts_with("/api/");
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let response = next.run(request).await;

    let problem = match response.extensions().get::<Problem>() {
        Some(problem) => problem.clone(),
        None if is_bare_error(&response) => Problem::from_bare_status(response.status()),
        None => return response,
    };
    if problem.status == StatusCode::UNAUTHORIZED && !is_api {
        let next = url_encode(&path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let t = Tr(language);
    let mut rendered = if is_api {
        let body = ErrorBody {
            error: ErrorDetail {
                code: problem.code,
                message: problem.message(&t),
                field: problem.field,
            },
        };
        (problem.status, axum::Json(body)).into_response()
    } else {
        layout::error_page(&state, t, &problem)
    };
    if let Some(seconds) = problem.retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        rendered.headers_mut().insert(header::RETRY_AFTER, value);
    }
    rendered
}

/// An error status whose body nobody wrote for a person: empty, or axum's plain-text rejections.
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    match response.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(content_type) => content_type.as_bytes().starts_with(b"text/plain"),
    }
}

/// Percent-encodes a path for a query parameter.
pub fn url_encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}
