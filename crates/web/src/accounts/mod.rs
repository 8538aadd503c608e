//! Accounts on the web: registering, signing in and out (pages and API tokens), the account
//! page, proving one's phone with a one-time code, the centre's list of people, and the demo's
//! outbox. Who is signed in, and the sign-in throttle, are `crate::auth`'s.

pub mod api;
pub mod pages;
pub mod people;
mod phone;
pub mod registration;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub use people::PEOPLE_READERS;

/// Sign-in, registration, the account and its phone, the people list and the outbox.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/register", get(pages::register_form).post(pages::register))
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::show))
        .route("/account/phone", get(phone::form))
        .route("/account/phone/code", post(phone::send))
        .route("/account/phone/prove", post(phone::prove))
        .route("/admin/outbox", get(phone::outbox))
        .route("/people", get(people::show))
}

/// Tokens, registration and the signed-in account.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::login))
        .routes(routes!(api::logout))
        .routes(routes!(api::register))
        .routes(routes!(api::me))
}
