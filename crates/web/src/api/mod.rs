//! The JSON API under `/api/v1`, documented by utoipa from the handlers themselves: the
//! OpenAPI 3.1 document at `/api/openapi.json` cannot drift from the routes.

mod accounts;
mod docs;
mod regions;

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::get;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::Problem;

#[derive(OpenApi)]
#[openapi(
    info(title = "FarmGate API", description = "The county rural e-commerce public service platform. Errors are `{\"error\":{\"code\",\"message\",\"field\"}}` with the message in the request's language (Accept-Language: zh-CN, ug, en)."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Tokens for API clients"),
        (name = "accounts", description = "Registration and the signed-in account"),
        (name = "regions", description = "The administrative tree and who works where"),
        (name = "catalog", description = "Products, their texts in three languages, variants and stock"),
        (name = "orders", description = "Placing orders (idempotent, never oversold) and reading them"),
        (name = "shops", description = "Applying to open a shop, the centre's review, shop profiles"),
        (name = "payments", description = "Payment providers' callbacks (signed, idempotent)"),
        (name = "training", description = "Courses, sessions, enrolment with a waitlist, attendance, check-in codes and certificate verification"),
        (name = "live", description = "Live rooms: one-tap buying; chat and live events are on the WebSocket /live/{id}/ws"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::me))
        .routes(routes!(regions::list))
        .routes(routes!(regions::show))
        .routes(routes!(regions::people))
        .routes(routes!(regions::grant))
        .routes(routes!(crate::shops::api::submit, crate::shops::api::mine))
        .routes(routes!(crate::shops::api::queue))
        .routes(routes!(crate::shops::api::decide))
        .routes(routes!(crate::shops::api::show))
        .routes(routes!(crate::catalog::api::create))
        .routes(routes!(crate::catalog::api::show))
        .routes(routes!(crate::catalog::api::list))
        .routes(routes!(crate::catalog::photos::upload_api))
        .routes(routes!(crate::orders::api::place, crate::orders::api::mine))
        .routes(routes!(crate::orders::api::show))
        .routes(routes!(crate::orders::api::of_shop))
        .routes(routes!(crate::orders::api::advance))
        .routes(routes!(crate::orders::api::review))
        .routes(routes!(crate::orders::api::reviews))
        .routes(routes!(crate::stations::list))
        .routes(routes!(crate::live::buy::buy_api))
        .routes(routes!(crate::orders::seller::put_shipping))
        .routes(routes!(crate::search::api))
        .routes(routes!(crate::payments::sandbox::notify))
        .routes(routes!(
            crate::training::api::courses,
            crate::training::api::add_course
        ))
        .routes(routes!(
            crate::training::api::sessions,
            crate::training::api::schedule
        ))
        .routes(routes!(crate::training::api::enrol))
        .routes(routes!(crate::training::api::withdraw))
        .routes(routes!(crate::training::api::roster))
        .routes(routes!(crate::training::api::tick))
        .routes(routes!(crate::training::api::check_in))
        .routes(routes!(crate::training::api::verify))
        .split_for_parts();
    let doc = std::sync::Arc::new(openapi.clone());
    let json_doc = doc.clone();
    let router = router
        .route(
            "/api/openapi.json",
            get(move || docs::json(json_doc.clone())),
        )
        .route("/api/docs", get(move |c| docs::page(doc.clone(), c)));
    (router, openapi)
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
