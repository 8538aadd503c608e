//! Errors at the edge, turned into HTTP in one place.
//!
//! A handler returns a [`Problem`]: a status, a stable code (a catalogue id without its
//! `error-` prefix) and optionally the field at fault. The `negotiate` middleware, which knows
//! the request's language, renders it: `{"error":{"code","message","field"}}` under `/api/`,
//! an error page elsewhere. Bare error statuses from layers (timeouts, body limits, unknown
//! methods) are rendered the same way, so no user ever sees an untranslated error.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use farmgate_domain::ValidationError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::i18n::Tr;

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

    pub fn from_bare_status(status: StatusCode) -> Problem {
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
            Error::ApplicationPending => Problem::new(StatusCode::CONFLICT, "application-pending"),
            Error::OrderState => Problem::new(StatusCode::CONFLICT, "order-state"),
            Error::Muted => Problem::new(StatusCode::FORBIDDEN, "chat-muted"),
            Error::Invalid(err) => err.into(),
            Error::Room(refusal) => Problem::new(StatusCode::CONFLICT, refusal.code()),
            Error::Training(refusal) => {
                use farmgate_domain::training::TrainingRefusal;
                let status = match refusal {
                    TrainingRefusal::Waitlisted
                    | TrainingRefusal::AccountHasRecord
                    | TrainingRefusal::RecordClaimed => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                let problem = Problem::new(status, refusal.code());
                match refusal.field() {
                    Some(field) => problem.with_field(field),
                    None => problem,
                }
            }
            Error::Payment(refusal) => Problem::new(StatusCode::CONFLICT, refusal.code()),
            Error::Logistics(refusal) => {
                use farmgate_domain::logistics::LogisticsRefusal;
                let status = match refusal {
                    LogisticsRefusal::UnknownCarrier
                    | LogisticsRefusal::WrongHandoverCode
                    | LogisticsRefusal::NoStops => StatusCode::UNPROCESSABLE_ENTITY,
                    LogisticsRefusal::NoParcel => StatusCode::NOT_FOUND,
                    _ => StatusCode::CONFLICT,
                };
                Problem::new(status, refusal.code()).with_field(refusal.field())
            }
            Error::Station(refusal) => {
                use farmgate_domain::stations::StationRefusal;
                let status = match refusal {
                    StationRefusal::AlreadyReceived | StationRefusal::DayClosed => {
                        StatusCode::CONFLICT
                    }
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Problem::new(status, refusal.code()).with_field(refusal.field())
            }
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

impl Problem {
    /// The API's JSON error body, with the message in the reader's language.
    pub fn json(&self, t: &Tr) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message(t),
                field: self.field,
            },
        };
        (self.status, axum::Json(body)).into_response()
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

/// Percent-encodes a path for a query parameter.
pub fn url_encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// `Json<T>` whose rejections are FarmGate problems, translated like every other error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let status = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(Problem::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "payload-too-large",
                        ));
                    }
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    StatusCode::BAD_REQUEST => StatusCode::BAD_REQUEST,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Err(Problem::new(status, "json-invalid"))
            }
        }
    }
}
