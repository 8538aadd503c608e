//! Managing webhooks: a shop's members for the shop, a county's centre staff for the county;
//! the page, the delivery log and the API.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::authz::Role;
use farmgate_domain::webhooks::WebhookEvent;
use farmgate_store::webhooks::{Delivery, Owner, Subscription};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::check_url;
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::csrf::CsrfToken;
use crate::format::china_time;
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::problem::{ApiError, ApiJson, Problem};

/// Who manages a county's subscriptions.
const CENTRE: [Role; 2] = [Role::CentreStaff, Role::Admin];
/// Deliveries a log page shows.
const LOG_PAGE: u64 = 50;

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/seller/shops/{id}/webhooks", get(shop_page).post(shop_add))
        .route("/centre/webhooks", get(centre_page).post(centre_add))
        .route("/webhooks/{id}", get(log_page))
        .route("/webhooks/{id}/active", post(set_active))
        .route("/webhooks/{id}/delete", post(remove))
        .route("/webhooks/deliveries/{id}/retry", post(retry))
}

pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list_api, add_api))
        .routes(routes!(remove_api))
        .routes(routes!(deliveries_api))
}

/// Subscription `id`, if `user` manages its owner; anyone else is told it does not exist.
async fn owned(state: &AppState, user: &CurrentUser, id: i64) -> Result<Subscription, Problem> {
    let sub = state.store.webhook(id).await?;
    let allowed = match sub.owner {
        Owner::Shop(shop) => state.store.is_shop_member(shop, user.account.id).await?,
        Owner::Region(region) => {
            let region = state.store.region_by_id(region).await?;
            user.require(&CENTRE, &region.path).is_ok()
        }
    };
    if allowed {
        Ok(sub)
    } else {
        Err(Problem::not_found())
    }
}

/// Where the owner's page is.
fn owner_page(owner: Owner) -> String {
    match owner {
        Owner::Shop(id) => format!("/seller/shops/{id}/webhooks"),
        Owner::Region(_) => "/centre/webhooks".to_owned(),
    }
}

/// The events chosen on a form or in a body; at least one.
fn parse_events(names: &[String]) -> Result<Vec<WebhookEvent>, farmgate_domain::ValidationError> {
    let invalid = farmgate_domain::ValidationError::new("events", "webhook-events-invalid");
    let mut events = Vec::new();
    for name in names {
        let event = WebhookEvent::parse(name).ok_or(invalid)?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() {
        return Err(invalid);
    }
    Ok(events)
}

/// Checks and adds a subscription for `owner`.
async fn add(
    state: &AppState,
    user: &CurrentUser,
    owner: Owner,
    url: &str,
    events: &[String],
) -> Result<Subscription, Problem> {
    let url = check_url(url, state.config.webhooks_to_private)?;
    let events = parse_events(events)?;
    let sub = state
        .store
        .add_webhook(owner, url.as_str(), &events, user.account.id)
        .await?;
    state.webhooks.changed();
    Ok(sub)
}

pub struct SubRow {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub events: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "webhooks/webhooks.html")]
struct ListPage {
    c: Chrome,
    csrf: String,
    title: String,
    action: String,
    subs: Vec<SubRow>,
    events: Vec<(&'static str, bool)>,
    url: String,
    errors: FormErrors,
}

fn list_page(
    c: Chrome,
    csrf: String,
    owner: Owner,
    title: String,
    subs: &[Subscription],
    typed: (&str, &[String]),
    errors: FormErrors,
) -> ListPage {
    ListPage {
        title,
        action: owner_page(owner),
        subs: subs
            .iter()
            .map(|s| SubRow {
                id: s.id,
                url: s.url.clone(),
                secret: s.secret.clone(),
                events: s
                    .events
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                active: s.active,
            })
            .collect(),
        events: WebhookEvent::ALL
            .into_iter()
            .map(|e| {
                (
                    e.as_str(),
                    typed.1.is_empty() || typed.1.iter().any(|t| t == e.as_str()),
                )
            })
            .collect(),
        url: typed.0.to_owned(),
        errors,
        csrf,
        c,
    }
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    event: Vec<String>,
}

async fn show(
    state: &AppState,
    c: Chrome,
    csrf: String,
    owner: Owner,
    title: String,
    typed: (&str, &[String]),
    errors: FormErrors,
) -> Result<Response, Problem> {
    let subs = state.store.webhooks_of(owner).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = list_page(c, csrf, owner, title, &subs, typed, errors);
    Ok(render(status, &page))
}

/// `GET /seller/shops/{id}/webhooks`.
pub async fn shop_page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, id).await?;
    let title = c.t.arg("webhooks-title", "owner", shop.name_in(c.t.lang()));
    show(
        &state,
        c,
        csrf.0,
        Owner::Shop(id),
        title,
        ("", &[]),
        FormErrors::none(),
    )
    .await
}

/// Adds a subscription from a form, or shows the form again with its mistakes.
async fn add_from_form(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    owner: Owner,
    title: String,
    form: AddForm,
) -> Result<Response, Problem> {
    match add(state, user, owner, &form.url, &form.event).await {
        Ok(_) => Ok(Redirect::to(&owner_page(owner)).into_response()),
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            show(
                state,
                c,
                csrf,
                owner,
                title,
                (&form.url, &form.event),
                errors,
            )
            .await
        }
        Err(problem) => Err(problem),
    }
}

/// `POST /seller/shops/{id}/webhooks`.
pub async fn shop_add(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    RepeatedForm(form): RepeatedForm<AddForm>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, id).await?;
    let title = c.t.arg("webhooks-title", "owner", shop.name_in(c.t.lang()));
    add_from_form(&state, &user, c, csrf.0, Owner::Shop(id), title, form).await
}

/// `GET /centre/webhooks`: the county's subscriptions (every shop in it).
pub async fn centre_page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &CENTRE).await?;
    let title = c.t.arg("webhooks-title", "owner", region.name(c.t.lang()));
    show(
        &state,
        c,
        csrf.0,
        Owner::Region(region.id),
        title,
        ("", &[]),
        FormErrors::none(),
    )
    .await
}

/// `POST /centre/webhooks`.
pub async fn centre_add(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    RepeatedForm(form): RepeatedForm<AddForm>,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &CENTRE).await?;
    let title = c.t.arg("webhooks-title", "owner", region.name(c.t.lang()));
    add_from_form(
        &state,
        &user,
        c,
        csrf.0,
        Owner::Region(region.id),
        title,
        form,
    )
    .await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

/// `POST /webhooks/{id}/active`: pause or resume.
pub async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ActiveForm>,
) -> Result<Response, Problem> {
    let sub = owned(&state, &user, id).await?;
    state.store.set_webhook_active(id, form.active).await?;
    state.webhooks.changed();
    Ok(Redirect::to(&owner_page(sub.owner)).into_response())
}

/// `POST /webhooks/{id}/delete`.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let sub = owned(&state, &user, id).await?;
    state.store.remove_webhook(id).await?;
    state.webhooks.changed();
    Ok(Redirect::to(&owner_page(sub.owner)).into_response())
}

pub struct LogRow {
    pub id: i64,
    pub event: String,
    pub status: String,
    pub attempts: i32,
    pub answer: String,
    pub created: String,
    pub next: String,
    pub retriable: bool,
}

fn log_row(t: &crate::i18n::Tr, d: &Delivery) -> LogRow {
    use farmgate_store::webhooks::DeliveryStatus;
    LogRow {
        id: d.id,
        event: d.event.clone(),
        status: t.get(&format!("webhook-status-{}", d.status.as_str())),
        attempts: d.attempts,
        answer: match d.last_status {
            Some(code) => code.to_string(),
            None => d.last_error.clone(),
        },
        created: china_time(d.created_at),
        next: if d.status == DeliveryStatus::Pending {
            china_time(d.next_attempt_at)
        } else {
            String::new()
        },
        retriable: d.status != DeliveryStatus::Delivered,
    }
}

#[derive(Template)]
#[template(path = "webhooks/log.html")]
struct LogPage {
    c: Chrome,
    csrf: String,
    id: i64,
    url: String,
    back: String,
    rows: Vec<LogRow>,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    before: i64,
}

/// `GET /webhooks/{id}?before=`: the delivery log.
pub async fn log_page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<LogQuery>,
) -> Result<Response, Problem> {
    let sub = owned(&state, &user, id).await?;
    let found = state
        .store
        .webhook_deliveries(id, query.before, LOG_PAGE)
        .await?;
    let next = (found.len() as u64 == LOG_PAGE)
        .then(|| found.last().map(|d| d.id))
        .flatten();
    let page = LogPage {
        rows: found.iter().map(|d| log_row(&c.t, d)).collect(),
        id,
        url: sub.url,
        back: owner_page(sub.owner),
        next,
        csrf: csrf.0,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /webhooks/deliveries/{id}/retry`: send it again now.
pub async fn retry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let delivery = state.store.webhook_delivery(id).await?;
    owned(&state, &user, delivery.subscription_id).await?;
    state.store.retry_webhook_delivery(id).await?;
    state.webhooks.wake.notify_one();
    Ok(Redirect::to(&format!("/webhooks/{}", delivery.subscription_id)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// The key each delivery's `X-FarmGate-Signature` is made with:
    /// `v1=` + hex HMAC-SHA256 of `"{X-FarmGate-Timestamp}.{body}"`.
    pub secret: String,
    /// `order.placed`, `order.paid`, `order.shipped`, `refund.requested`, `order.refunded`
    pub events: Vec<String>,
    pub active: bool,
}

impl From<&Subscription> for WebhookView {
    fn from(s: &Subscription) -> Self {
        WebhookView {
            id: s.id,
            url: s.url.clone(),
            secret: s.secret.clone(),
            events: s.events.iter().map(|e| e.as_str().to_owned()).collect(),
            active: s.active,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct WebhookBody {
    /// Where to post: http(s), not this machine or a private network.
    pub url: String,
    pub events: Vec<String>,
}

/// A shop's webhook subscriptions.
#[utoipa::path(get, operation_id = "listShopWebhooks", path = "/api/v1/shops/{id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")),
    responses((status = 200, body = [WebhookView]), (status = 401, body = ApiError), (status = 404, description = "Not a member of the shop", body = ApiError)))]
pub async fn list_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<WebhookView>>, Problem> {
    managed_shop(&state, &user, id).await?;
    let subs = state.store.webhooks_of(Owner::Shop(id)).await?;
    Ok(Json(subs.iter().map(WebhookView::from).collect()))
}

/// Subscribes an address to a shop's order events. Each delivery is a JSON POST signed with
/// the subscription's secret (`X-FarmGate-Signature`, `X-FarmGate-Timestamp`), retried with
/// backoff until a 2xx answer.
#[utoipa::path(post, operation_id = "addShopWebhook", path = "/api/v1/shops/{id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Shop id")), request_body = WebhookBody,
    responses((status = 201, body = WebhookView), (status = 401, body = ApiError), (status = 404, description = "Not a member of the shop", body = ApiError), (status = 422, description = "A private or malformed address, or no known event", body = ApiError)))]
pub async fn add_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WebhookBody>,
) -> Result<(StatusCode, Json<WebhookView>), Problem> {
    managed_shop(&state, &user, id).await?;
    let sub = add(&state, &user, Owner::Shop(id), &body.url, &body.events).await?;
    Ok((StatusCode::CREATED, Json(WebhookView::from(&sub))))
}

/// Removes a subscription and its delivery log.
#[utoipa::path(delete, operation_id = "removeWebhook", path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn remove_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    owned(&state, &user, id).await?;
    state.store.remove_webhook(id).await?;
    state.webhooks.changed();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed`
    pub status: String,
    pub attempts: i32,
    /// The receiver's last HTTP status.
    pub last_status: Option<i32>,
    pub last_error: String,
    pub body: String,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A subscription's delivery log, newest first, 50 a page.
#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id"), ("before" = Option<i64>, Query, description = "Deliveries older than this id")),
    responses((status = 200, body = [DeliveryView]), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn deliveries_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<LogQuery>,
) -> Result<Json<Vec<DeliveryView>>, Problem> {
    owned(&state, &user, id).await?;
    let found = state
        .store
        .webhook_deliveries(id, query.before, LOG_PAGE)
        .await?;
    Ok(Json(
        found
            .into_iter()
            .map(|d| DeliveryView {
                id: d.id,
                event: d.event,
                status: d.status.as_str().to_owned(),
                attempts: d.attempts,
                last_status: d.last_status,
                last_error: d.last_error,
                body: d.body,
                created_at: d.created_at.to_rfc3339(),
                delivered_at: d.delivered_at.map(|at| at.to_rfc3339()),
            })
            .collect(),
    ))
}
