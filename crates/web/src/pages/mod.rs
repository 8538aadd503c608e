//! Server-rendered pages: phone first, light, working without JavaScript, every string from
//! the catalogue.

pub mod account;
mod home;
pub mod layout;
pub mod people;
mod phone;
mod regions;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The HTML routes. Protected pages check their access inside, through `CurrentUser`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/regions/{code}", get(regions::show))
        .route("/login", get(account::login_form).post(account::login))
        .route(
            "/register",
            get(account::register_form).post(account::register),
        )
        .route("/logout", post(account::logout))
        .route("/account", get(account::show))
        .route("/account/phone", get(phone::form))
        .route("/account/phone/code", post(phone::send))
        .route("/account/phone/prove", post(phone::prove))
        .route("/admin/outbox", get(phone::outbox))
        .route("/people", get(people::show))
        .route("/lang/{tag}", get(layout::switch_language))
        .route(
            "/shops/apply",
            get(crate::shops::pages::apply_form).post(crate::shops::pages::apply),
        )
        .route("/shops/{id}", get(crate::shops::pages::show))
        .route(
            "/centre/shop-applications",
            get(crate::shops::pages::review),
        )
        .route(
            "/centre/shop-applications/{id}/decision",
            post(crate::shops::pages::decide),
        )
        .route("/seller", get(crate::catalog::pages::console))
        .route(
            "/seller/shops/{id}/products/new",
            get(crate::catalog::pages::new_product),
        )
        .route(
            "/seller/shops/{id}/products",
            post(crate::catalog::pages::create_product),
        )
        .route("/products/{id}", get(crate::catalog::pages::show))
        .route(
            "/seller/products/{id}/photos",
            post(crate::catalog::photos::upload_form),
        )
        .route("/photos/{hash}/{file}", get(crate::catalog::photos::serve))
        .route(
            "/seller/shops/{id}/products/template.xlsx",
            get(crate::catalog::sheets::template),
        )
        .route(
            "/seller/shops/{id}/products/import",
            get(crate::catalog::sheets::import_form).post(crate::catalog::sheets::import),
        )
        .route(
            "/seller/shops/{id}/products.xlsx",
            get(crate::catalog::sheets::export_products),
        )
        .route(
            "/seller/shops/{id}/orders.xlsx",
            get(crate::catalog::sheets::export_orders),
        )
        .route("/orders", get(crate::orders::pages::mine))
        .route(
            "/cart",
            get(crate::orders::cart::show).post(crate::orders::cart::add),
        )
        .route("/cart/update", post(crate::orders::cart::update))
        .route(
            "/checkout",
            get(crate::orders::checkout::show).post(crate::orders::checkout::submit),
        )
        .route("/checkout/{id}", get(crate::orders::checkout::done))
        .route("/checkout/{id}/pay", post(crate::orders::checkout::pay))
        .route("/search", get(crate::search::show))
        .route("/host", get(crate::live::console))
        .route("/host/rooms", post(crate::live::schedule))
        .route(
            "/host/rooms/{id}",
            get(crate::live::room_console).post(crate::live::act),
        )
        .route("/live/{id}", get(crate::live::show))
        .route("/live/{id}/ws", get(crate::live::socket::connect))
        .route("/live/{id}/cards", get(crate::live::cards))
        .route("/live/{id}/buy", post(crate::live::buy::buy_form))
        .route("/static/live.js", get(crate::live::script))
        .route("/host/rooms/{id}/results", get(crate::live::results::page))
        .route("/centre/live", get(crate::live::results::centre))
        .route("/centre/refunds", get(crate::payments::refunds::list))
        .route("/centre/audit", get(crate::audit::page))
        .route("/centre/audit.xlsx", get(crate::audit::export))
        .route(
            "/centre/refunds/{id}",
            post(crate::payments::refunds::pay_back),
        )
        .route("/host/rooms/{id}/photos", post(crate::live::cover))
        .route(
            "/host/rooms/{id}/results.xlsx",
            get(crate::live::results::export),
        )
        .route("/static/vendor/hls.js", get(crate::live::video::hls_js))
        .route(
            "/live/{id}/hls/index.m3u8",
            get(crate::live::video::playlist),
        )
        .route(
            "/live/{id}/hls/seg/{file}",
            get(crate::live::video::segment),
        )
        .route("/live-ingest/publish", post(crate::live::video::publish))
        .route("/live-ingest/done", post(crate::live::video::done))
        .route("/categories/{code}", get(crate::search::category))
        .route("/orders/{id}", get(crate::orders::pages::show))
        .route("/orders/{id}/events", post(crate::orders::pages::step))
        .route("/orders/{id}/reviews", post(crate::orders::pages::review))
        .route(
            "/seller/shops/{id}/orders",
            get(crate::orders::seller::list),
        )
        .route(
            "/seller/shops/{id}/shipping",
            post(crate::orders::seller::set_shipping),
        )
        .route("/static/app.css", get(layout::stylesheet))
}
pub use people::PEOPLE_READERS;
