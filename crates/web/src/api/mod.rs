//! The JSON API under `/api/v1`: each module's `api()` merged, documented by utoipa from the
//! handlers themselves, so the OpenAPI 3.1 document at `/api/openapi.json` cannot drift from
//! the routes.

mod docs;

use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

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
        (name = "stations", description = "Township and village stations: parcels received by label and handed over against the buyer's pickup code"),
        (name = "logistics", description = "The county's distribution centre: scanning parcels in off the carriers' vans, carriers' manifests, what waits for each station, tracking by number"),
        (name = "fleet", description = "The centre's own fleet: the day's collection and selling runs of its tricycles, planned by a vehicle-routing solver"),
        (name = "stats", description = "The county's statistics: a region's month of online retail sales and online consumption with the change on the month and the year, the places under it and the categories, read from rollups"),
        (name = "places", description = "Stock in several places: the county's showroom, stations and distribution centre; a shop's goods there, transfers between its places with what arrived counted, and counts of a shelf"),
        (name = "till", description = "The showroom's till: sessions opened and closed with the cash counted, sales sent with a client-made id (kept once) and placed as counter sales of the place, short sales settled"),
        (name = "shops", description = "Applying to open a shop, the centre's review, shop profiles"),
        (name = "payments", description = "Payment providers' callbacks (signed, idempotent)"),
        (name = "webhooks", description = "Order events posted to a shop's or a county's address, signed (HMAC-SHA256 with a timestamp) and retried with backoff"),
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

/// The API routes of every module, and their OpenAPI document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::accounts::api())
        .merge(crate::regions::api())
        .merge(crate::shops::api())
        .merge(crate::catalog::api())
        .merge(crate::orders::api())
        .merge(crate::stations::api())
        .merge(crate::logistics::api())
        .merge(crate::fleet::api())
        .merge(crate::stats::api())
        .merge(crate::centre::api())
        .merge(crate::live::api())
        .merge(crate::search::api())
        .merge(crate::payments::api())
        .merge(crate::webhooks::pages::api())
        .merge(crate::training::api())
        .split_for_parts();
    let mut openapi = openapi;
    tidy(&mut openapi);
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

/// What strict validators (openapi-spec-validator) and client generators require of the
/// document besides unique operation ids (each handler names its own: `placeOrder`,
/// `listShopOrders`): a description on every response (a response declared with only its
/// status and body is described by its status's reason phrase: "Unauthorized", "Conflict").
fn tidy(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                if let utoipa::openapi::RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
                        .and_then(|code| code.canonical_reason())
                        .unwrap_or("Response")
                        .to_owned();
                }
            }
        }
    }
}
