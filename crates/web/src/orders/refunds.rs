//! Refund requests on the web: the buyer asks (whole order or some lines, a reason, photos)
//! and may take a refusal to the county's centre; the shop answers (all, a part, or no with a
//! reason) and marks the goods back on the shelf; the centre decides disputes and requests a
//! shop left for three days; online refunds go back through the payment's provider, cash ones
//! are paid at the station by its operator. Each step tells the other side.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::authz::Role;
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::notifications::NoticeKind;
use farmgate_domain::orders::refund::{RefundReason, RefundStatus};
use farmgate_domain::orders::{OrderStatus, PaymentMethod};
use farmgate_domain::text::parse_text;
use farmgate_domain::webhooks::WebhookEvent;
use farmgate_store::notifications::Subject;
use farmgate_store::orders::{Answerer, Order, RefundAnswer, RefundAsk, RefundRequest};
use serde::Deserialize;

use super::readable_order;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::china_time;
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::i18n::Tr;
use crate::photos::photo_url;
use crate::problem::Problem;

/// Who decides for the county: its centre's staff (and administrators above them).
pub const CENTRE: [Role; 2] = [Role::CentreStaff, Role::Admin];
/// Who pays cash refunds at a station.
const STATION: [Role; 2] = [Role::StationOperator, Role::Admin];
/// Requests a list page shows.
const PAGE: u64 = 30;

/// The refund as an order page shows it to its viewer.
pub struct RefundPanel {
    pub id: i64,
    pub status: String,
    pub reason: String,
    pub note: String,
    pub lines: Vec<String>,
    pub asked: String,
    /// The amount asked, in yuan, to prefill the shop's answer.
    pub asked_yuan: String,
    pub granted: Option<String>,
    pub decline_reason: Option<String>,
    pub photos: Vec<String>,
    /// The refund's steps after the order's own: paid back, goods returned.
    pub steps: Vec<(String, String, Option<String>)>,
    pub can_answer: bool,
    pub can_dispute: bool,
    pub can_add_photos: bool,
    pub can_mark_returned: bool,
    pub can_pay_cash: bool,
    /// Accepted online and not yet back: the shop may ask the provider again.
    pub can_retry: bool,
}

/// An amount as typed into a form: `38.00`.
fn plain_yuan(amount: farmgate_domain::money::Fen) -> String {
    amount.display_yuan().trim_start_matches('¥').to_owned()
}

/// The reason's words, in the reader's language.
fn reason_label(t: &Tr, reason: RefundReason) -> String {
    t.get(&format!("refund-reason-{}", reason.as_str()))
}

fn line_labels(request: &RefundRequest) -> Vec<String> {
    request
        .lines
        .iter()
        .map(|l| format!("{} × {} · {}", l.name, l.quantity, l.amount.display_price()))
        .collect()
}

/// The refund of `order` for its buyer or a member of its shop (`seller`), if one was asked.
pub async fn panel(
    state: &AppState,
    t: &Tr,
    order: &Order,
    seller: bool,
) -> Result<Option<RefundPanel>, Problem> {
    let Some(r) = state.store.refund_of_order(order.id).await? else {
        return Ok(None);
    };
    let mut steps = Vec::new();
    if let Some(at) = r.paid_at {
        let how = r
            .paid_ref
            .clone()
            .filter(|_| r.payment == PaymentMethod::Online);
        steps.push((
            t.arg("refund-step-paid", "amount", r.granted.display_price()),
            china_time(at),
            how.or_else(|| Some(t.get("refund-paid-cash"))),
        ));
    }
    if let Some(at) = r.returned_at {
        steps.push((t.get("refund-step-returned"), china_time(at), None));
    }
    let accepted = matches!(r.status, RefundStatus::Accepted | RefundStatus::Paid);
    let cash_at_door = r.payment == PaymentMethod::Cash && order.station_id.is_none();
    Ok(Some(RefundPanel {
        id: r.id,
        status: t.get(&format!("refund-status-{}", r.status.as_str())),
        reason: reason_label(t, r.reason),
        note: r.note.clone(),
        lines: line_labels(&r),
        asked: r.asked.display_price(),
        asked_yuan: plain_yuan(r.asked),
        granted: accepted.then(|| r.granted.display_price()),
        decline_reason: (!r.decline_reason.is_empty()).then(|| r.decline_reason.clone()),
        photos: r.photos.iter().map(|h| photo_url(h, "thumb")).collect(),
        steps,
        can_answer: seller && r.status == RefundStatus::Requested,
        can_dispute: !seller && r.status == RefundStatus::Declined,
        can_add_photos: !seller
            && (r.status.is_open() || r.status == RefundStatus::Declined)
            && (r.photos.len() as u64) < farmgate_store::orders::MAX_REFUND_PHOTOS,
        can_mark_returned: seller && accepted && r.returned_at.is_none(),
        can_pay_cash: seller && cash_at_door && r.status == RefundStatus::Accepted,
        can_retry: seller
            && r.payment == PaymentMethod::Online
            && r.status == RefundStatus::Accepted,
    }))
}

/// Whether the buyer may ask for money back for `order` now.
pub fn askable(order: &Order) -> bool {
    matches!(
        order.status,
        OrderStatus::Delivered | OrderStatus::PickedUp | OrderStatus::Completed
    )
}

#[derive(Template)]
#[template(path = "orders/refund_ask.html")]
struct AskPage {
    c: Chrome,
    csrf: String,
    order_id: i64,
    title: String,
    /// (variant, label, ordered quantity, chosen)
    lines: Vec<(i64, String, u32, bool)>,
    reasons: Vec<(&'static str, String, bool)>,
    note: String,
    errors: FormErrors,
}

fn ask_page(
    c: Chrome,
    csrf: String,
    order: &Order,
    typed: &AskForm,
    errors: FormErrors,
) -> AskPage {
    let t = &c.t;
    let lines = order
        .lines
        .iter()
        .map(|l| {
            let label = format!(
                "{} × {} · {}",
                l.name,
                l.quantity,
                l.line_total.display_price()
            );
            let chosen = typed.line.is_empty() || typed.line.contains(&l.variant_id);
            (l.variant_id, label, l.quantity, chosen)
        })
        .collect();
    let reasons = RefundReason::ALL
        .into_iter()
        .map(|r| (r.as_str(), reason_label(t, r), typed.reason == r.as_str()))
        .collect();
    AskPage {
        title: t.arg("refund-ask-title", "id", order.id),
        order_id: order.id,
        lines,
        reasons,
        note: typed.note.clone(),
        errors,
        csrf,
        c,
    }
}

/// The buyer's own order that may take a refund request; anyone else's is not found.
async fn buyers_order(state: &AppState, user: &CurrentUser, id: i64) -> Result<Order, Problem> {
    let order = readable_order(state, user, id).await?;
    if order.buyer_id != user.account.id {
        return Err(Problem::not_found());
    }
    Ok(order)
}

/// `GET /orders/{id}/refund`: what the buyer wants back, and why.
pub async fn ask_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let order = buyers_order(&state, &user, id).await?;
    if !askable(&order) || state.store.refund_of_order(id).await?.is_some() {
        return Ok(Redirect::to(&format!("/orders/{id}")).into_response());
    }
    let page = ask_page(c, csrf.0, &order, &AskForm::default(), FormErrors::none());
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct AskForm {
    /// The variants of the lines asked for (checkboxes); all of them for the whole order.
    #[serde(default)]
    line: Vec<i64>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    /// Every line's variant (`qv`) and how many of it are asked (`q`), in the same order.
    #[serde(default)]
    qv: Vec<i64>,
    #[serde(default)]
    q: Vec<String>,
}

impl AskForm {
    /// The lines asked for, with their quantities; empty when all of every line is asked.
    fn lines(&self, order: &Order) -> Result<Vec<(i64, u32)>, farmgate_domain::ValidationError> {
        let invalid = farmgate_domain::ValidationError::new("lines", "refund-lines-invalid");
        if self.line.is_empty() {
            return Err(invalid);
        }
        let mut lines = Vec::new();
        for variant in &self.line {
            let ordered = order
                .lines
                .iter()
                .find(|l| l.variant_id == *variant)
                .ok_or(invalid)?;
            let typed = self
                .qv
                .iter()
                .position(|v| v == variant)
                .and_then(|at| self.q.get(at));
            let quantity = match typed {
                Some(q) => q.trim().parse::<u32>().map_err(|_| invalid)?,
                None => ordered.quantity,
            };
            lines.push((*variant, quantity));
        }
        Ok(lines)
    }
}

/// What a store refusal of a refund step means to the person who tried it.
fn refused(err: farmgate_store::Error) -> Problem {
    match err {
        farmgate_store::Error::Conflict { field: "order" } => {
            Problem::new(StatusCode::CONFLICT, "refund-exists")
        }
        farmgate_store::Error::Conflict { field: "photo" } => {
            Problem::new(StatusCode::CONFLICT, "refund-photo-too-many").with_field("photo")
        }
        farmgate_store::Error::AlreadyDecided | farmgate_store::Error::OrderState => {
            Problem::new(StatusCode::CONFLICT, "refund-state")
        }
        other => other.into(),
    }
}

/// A notice of `kind` about `request`'s step (`step` makes it one event): its order, the
/// amount, and the answer's outcome when there is one.
fn refund_notice(
    request: &RefundRequest,
    kind: NoticeKind,
    amount: farmgate_domain::money::Fen,
    outcome: Option<&str>,
    step: &str,
) -> crate::notify::Tell {
    let mut args = vec![
        ("order".to_owned(), request.order_id.to_string()),
        ("amount".to_owned(), amount.display_yuan()),
    ];
    if let Some(outcome) = outcome {
        args.push(("outcome".to_owned(), outcome.to_owned()));
    }
    crate::notify::Tell {
        kind,
        subject: Subject::Order(request.order_id),
        args,
        event: format!("refund:{}:{step}", request.id),
    }
}

/// Opens the buyer's request and tells the shop.
pub async fn ask(state: &AppState, ask: RefundAsk) -> Result<RefundRequest, Problem> {
    let request = state.store.ask_refund(ask).await.map_err(refused)?;
    let tell = refund_notice(
        &request,
        NoticeKind::RefundRequested,
        request.asked,
        None,
        "requested",
    );
    crate::notify::tell_shop(state, request.shop_id, &tell).await;
    crate::webhooks::order_event(
        state,
        request.shop_id,
        WebhookEvent::RefundRequested,
        request.order_id,
    );
    Ok(request)
}

/// `POST /orders/{id}/refund`.
pub async fn ask_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    RepeatedForm(form): RepeatedForm<AskForm>,
) -> Result<Response, Problem> {
    let order = buyers_order(&state, &user, id).await?;
    let parsed = (|| {
        Ok::<_, farmgate_domain::ValidationError>(RefundAsk {
            order_id: order.id,
            buyer_id: user.account.id,
            reason: RefundReason::parse(&form.reason)?,
            note: parse_text("note", &form.note, false, 300)?,
            lines: form.lines(&order)?,
        })
    })();
    let outcome = match parsed {
        Ok(parsed) => ask(&state, parsed).await,
        Err(err) => Err(err.into()),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}?refund=asked")).into_response()),
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::of_problem(&c.t, &problem);
            let page = ask_page(c, csrf.0, &order, &form, errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(problem) => Err(problem),
    }
}

/// `POST /refunds/{id}/photos` (multipart, CSRF in the query): a photo of what arrived.
pub async fn add_photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, Problem> {
    let request = state.store.refund_request(id).await?;
    if request.buyer_id != user.account.id {
        return Err(Problem::not_found());
    }
    let bytes = crate::photos::upload(multipart).await?;
    let photo = state.photos.store(bytes).await?;
    state
        .store
        .add_refund_photo(id, user.account.id, &photo.hash)
        .await
        .map_err(refused)?;
    Ok(Redirect::to(&format!("/orders/{}", request.order_id)).into_response())
}

/// Who `user` answers request `request` as: a member of its shop, or the centre of the
/// shop's county; anyone else is told it does not exist.
async fn answerer(
    state: &AppState,
    user: &CurrentUser,
    request: &RefundRequest,
) -> Result<Answerer, Problem> {
    if state
        .store
        .is_shop_member(request.shop_id, user.account.id)
        .await?
    {
        return Ok(Answerer::Shop(user.account.id));
    }
    let shop = state.store.shop(request.shop_id).await?;
    let village = state.store.region_by_id(shop.village_id).await?;
    user.require(&CENTRE, &village.path)
        .map_err(|_| Problem::not_found())?;
    Ok(Answerer::Centre(user.account.id))
}

/// The answer: `all` (everything asked), `part` (with `amount` in yuan) or `decline` (with a
/// `reason` the buyer reads).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AnswerForm {
    /// `all`, `part` or `decline`.
    pub decision: String,
    /// For `part`: how much, in yuan (`12.50`).
    #[serde(default)]
    pub amount: String,
    /// For `decline`: why, as the buyer will read it.
    #[serde(default)]
    pub reason: String,
    /// Where the page goes back to.
    #[serde(default)]
    #[schema(ignore)]
    pub back: String,
}

impl AnswerForm {
    fn parse(
        &self,
        request: &RefundRequest,
    ) -> Result<RefundAnswer, farmgate_domain::ValidationError> {
        match self.decision.as_str() {
            "all" => Ok(RefundAnswer::Accept {
                amount: request.asked,
            }),
            "part" => Ok(RefundAnswer::Accept {
                amount: parse_yuan(&self.amount).map_err(|_| {
                    farmgate_domain::ValidationError::new("amount", "refund-amount-invalid")
                })?,
            }),
            "decline" => Ok(RefundAnswer::Decline {
                reason: parse_text("reason", &self.reason, true, 300)?,
            }),
            _ => Err(farmgate_domain::ValidationError::new(
                "decision",
                "refund-decision-invalid",
            )),
        }
    }
}

/// Answers request `id` for `user`, tells the buyer, and sends an accepted online refund back
/// through the provider.
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    id: i64,
    form: &AnswerForm,
) -> Result<RefundRequest, Problem> {
    let request = state.store.refund_request(id).await?;
    let by = answerer(state, user, &request).await?;
    let answer = form.parse(&request)?;
    let request = state
        .store
        .answer_refund(id, answer, by, chrono::Utc::now())
        .await
        .map_err(refused)?;
    let outcome = match request.status {
        RefundStatus::Accepted if request.granted < request.asked => "part",
        RefundStatus::Accepted => "accepted",
        _ => "declined",
    };
    let step = format!("answered:{}", request.status.as_str());
    let amount = request.granted;
    let tell = refund_notice(
        &request,
        NoticeKind::RefundAnswered,
        amount,
        Some(outcome),
        &step,
    );
    crate::notify::tell(state, request.buyer_id, &tell).await;
    let shop = state.store.shop(request.shop_id).await?;
    crate::audit::record(
        state,
        user,
        ip,
        crate::audit::Action {
            code: "refund-answered",
            subject_kind: "refund",
            subject_id: request.id,
            region_id: Some(shop.village_id),
            detail: format!("{outcome} {}", request.granted.display_yuan()),
        },
    )
    .await;
    if request.status == RefundStatus::Accepted {
        pay_back(state, &request).await;
    }
    Ok(request)
}

/// Sends an accepted online refund back through the payment's provider; the provider's
/// notification records it (`refund_paid`). A provider that cannot be reached leaves the
/// request accepted: the shop and the centre see it and try again.
pub async fn pay_back(state: &AppState, request: &RefundRequest) {
    if request.payment != PaymentMethod::Online || request.status != RefundStatus::Accepted {
        return;
    }
    let sent = async {
        let order = state.store.order(request.order_id).await?;
        let payment = state.store.payment_of_checkout(&order.checkout_id).await?;
        let provider = state
            .payments
            .by_id(&payment.provider)
            .ok_or_else(|| Problem::new(StatusCode::CONFLICT, "refund-provider-missing"))?;
        provider
            .refund(&payment, request.granted, &refund_number(request.id))
            .await
            .map_err(|err| {
                tracing::warn!(refund = request.id, error = %err, "a refund was not accepted by its provider");
                Problem::new(StatusCode::BAD_GATEWAY, "refund-failed")
            })
    };
    if let Err(problem) = sent.await {
        tracing::warn!(
            refund = request.id,
            code = problem.code,
            "a refund waits to be sent again"
        );
    }
}

/// The merchant's refund number a provider is given for request `id` (and echoes back).
pub fn refund_number(id: i64) -> String {
    format!("R{id}")
}

/// The request id of a merchant's refund number, if it is one of a refund request.
pub fn parse_refund_number(text: &str) -> Option<i64> {
    text.strip_prefix('R')?.parse().ok()
}

/// Records that refund `id` is back with the buyer (the provider's notification, or cash at
/// the station), once, and tells the buyer. `false` when it had been recorded already.
pub async fn record_paid(
    state: &AppState,
    id: i64,
    amount: farmgate_domain::money::Fen,
    reference: &str,
    paid_by: Option<i64>,
) -> Result<bool, Problem> {
    let Some(request) = state
        .store
        .refund_paid(id, amount, reference, paid_by)
        .await?
    else {
        return Ok(false);
    };
    let tell = refund_notice(
        &request,
        NoticeKind::RefundPaid,
        request.granted,
        None,
        "paid",
    );
    crate::notify::tell(state, request.buyer_id, &tell).await;
    crate::webhooks::order_event(
        state,
        request.shop_id,
        WebhookEvent::OrderRefunded,
        request.order_id,
    );
    Ok(true)
}

/// Where a form goes back to: a local path it names, or the order.
fn back_to(back: &str, order_id: i64) -> String {
    if back.is_empty() {
        return format!("/orders/{order_id}");
    }
    crate::html::local_path(Some(back))
}

/// `POST /refunds/{id}/answer`.
pub async fn answer_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, Problem> {
    let request = answer(&state, &user, ip, id, &form).await?;
    Ok(Redirect::to(&back_to(&form.back, request.order_id)).into_response())
}

/// `POST /refunds/{id}/dispute`: the buyer takes the shop's refusal to the centre.
pub async fn dispute(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let request = state
        .store
        .dispute_refund(id, user.account.id)
        .await
        .map_err(refused)?;
    Ok(Redirect::to(&format!("/orders/{}", request.order_id)).into_response())
}

/// `POST /refunds/{id}/retry`: asks the provider again for an accepted online refund.
pub async fn retry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<BackForm>,
) -> Result<Response, Problem> {
    let request = state.store.refund_request(id).await?;
    answerer(&state, &user, &request).await?;
    pay_back(&state, &request).await;
    Ok(Redirect::to(&back_to(&form.back, request.order_id)).into_response())
}

#[derive(Deserialize, Default)]
pub struct BackForm {
    #[serde(default)]
    back: String,
}

/// `POST /refunds/{id}/cash-paid`: the cash was handed back: by the operator of the station
/// the order was collected at, or by the shop for an order paid at the door.
pub async fn cash_paid(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<BackForm>,
) -> Result<Response, Problem> {
    let request = state.store.refund_request(id).await?;
    let order = state.store.order(request.order_id).await?;
    let allowed = match order.station_id {
        Some(station) => {
            let station = state.store.station(station).await?;
            let region = state.store.region_by_id(station.region_id).await?;
            user.require(&STATION, &region.path).is_ok()
        }
        None => {
            state
                .store
                .is_shop_member(request.shop_id, user.account.id)
                .await?
        }
    };
    if !allowed || request.payment != PaymentMethod::Cash {
        return Err(Problem::not_found());
    }
    let reference = format!("CASH-R{id}");
    if !record_paid(
        &state,
        id,
        request.granted,
        &reference,
        Some(user.account.id),
    )
    .await?
    {
        return Err(Problem::new(StatusCode::CONFLICT, "refund-state"));
    }
    let shop = state.store.shop(request.shop_id).await?;
    crate::audit::record(
        &state,
        &user,
        ip,
        crate::audit::Action {
            code: "refund-cash-paid",
            subject_kind: "refund",
            subject_id: id,
            region_id: Some(shop.village_id),
            detail: request.granted.display_yuan(),
        },
    )
    .await;
    Ok(Redirect::to(&back_to(&form.back, request.order_id)).into_response())
}

/// `POST /refunds/{id}/returned`: the shop has the goods back; they go back on sale.
pub async fn returned(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<BackForm>,
) -> Result<Response, Problem> {
    let request = state.store.refund_request(id).await?;
    if !state
        .store
        .is_shop_member(request.shop_id, user.account.id)
        .await?
    {
        return Err(Problem::not_found());
    }
    let request = state
        .store
        .refund_goods_returned(id, user.account.id)
        .await
        .map_err(refused)?;
    state.products_changed(request.lines.iter().map(|l| l.product_id));
    Ok(Redirect::to(&back_to(&form.back, request.order_id)).into_response())
}

/// A request in a list (the shop's, the centre's, a station's).
pub struct RefundRow {
    pub id: i64,
    pub order_id: i64,
    pub status: String,
    pub reason: String,
    pub note: String,
    pub lines: Vec<String>,
    pub asked: String,
    pub asked_yuan: String,
    pub granted: String,
    pub decline_reason: String,
    pub created: String,
    pub photos: Vec<String>,
    /// The centre may decide it now.
    pub decidable: bool,
}

fn row(t: &Tr, r: &RefundRequest) -> RefundRow {
    RefundRow {
        id: r.id,
        order_id: r.order_id,
        status: t.get(&format!("refund-status-{}", r.status.as_str())),
        reason: reason_label(t, r.reason),
        note: r.note.clone(),
        lines: line_labels(r),
        asked: r.asked.display_price(),
        asked_yuan: plain_yuan(r.asked),
        granted: r.granted.display_price(),
        decline_reason: r.decline_reason.clone(),
        created: china_time(r.created_at),
        photos: r.photos.iter().map(|h| photo_url(h, "thumb")).collect(),
        decidable: r.status.is_open(),
    }
}

#[derive(Template)]
#[template(path = "orders/refund_list.html")]
struct ListPage {
    c: Chrome,
    csrf: String,
    title: String,
    intro: String,
    /// The page's own address, which answer forms come back to.
    here: String,
    rows: Vec<RefundRow>,
    /// The status filter's choices: (value, label, chosen); empty on lists without one.
    statuses: Vec<(&'static str, String, bool)>,
    /// What the list's rows offer: `shop`, `centre` or `station`.
    mode: &'static str,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: i64,
    #[serde(default)]
    after: i64,
}

/// `GET /seller/shops/{id}/refunds?status=&before=`: the shop's refund requests.
pub async fn of_shop(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let shop = crate::auth::managed_shop(&state, &user, shop_id).await?;
    let chosen = RefundStatus::parse(&query.status);
    let found = state
        .store
        .refunds_of_shop(shop_id, chosen.as_slice(), query.before, PAGE)
        .await?;
    let t = &c.t;
    let next = (found.len() as u64 == PAGE)
        .then(|| found.last())
        .flatten()
        .map(|r| format!("?status={}&before={}", query.status, r.id));
    let statuses = RefundStatus::ALL
        .into_iter()
        .map(|s| {
            let label = t.get(&format!("refund-status-{}", s.as_str()));
            (s.as_str(), label, chosen == Some(s))
        })
        .collect();
    let page = ListPage {
        title: t.arg("refunds-shop-title", "shop", shop.name_in(t.lang())),
        intro: t.get("refunds-shop-intro"),
        here: format!("/seller/shops/{shop_id}/refunds"),
        rows: found.iter().map(|r| row(t, r)).collect(),
        statuses,
        mode: "shop",
        next,
        csrf: csrf.0,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A county-wide list (`mode` `centre` or `station`) of `found`, paged oldest first.
fn county_list(c: Chrome, csrf: String, mode: &'static str, found: &[RefundRequest]) -> Response {
    let t = &c.t;
    let next = (found.len() as u64 == PAGE)
        .then(|| found.last())
        .flatten()
        .map(|r| format!("?after={}", r.id));
    let page = ListPage {
        title: t.get(&format!("refunds-{mode}-title")),
        intro: t.get(&format!("refunds-{mode}-intro")),
        here: if mode == "centre" {
            "/centre/disputes".to_owned()
        } else {
            "/station/refunds".to_owned()
        },
        rows: found.iter().map(|r| row(t, r)).collect(),
        statuses: Vec::new(),
        mode,
        next,
        csrf,
        c,
    };
    render(StatusCode::OK, &page)
}

/// `GET /centre/disputes?after=`: what the county's centre must decide.
pub async fn for_centre(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &CENTRE).await?;
    let found = state
        .store
        .refunds_for_centre(&region.path, chrono::Utc::now(), query.after, PAGE)
        .await?;
    Ok(county_list(c, csrf.0, "centre", &found))
}

/// `GET /station/refunds?after=`: cash refunds to hand back at the operator's stations.
pub async fn for_station(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &STATION).await?;
    let found = state
        .store
        .cash_refunds_at_stations(&region.path, query.after, PAGE)
        .await?;
    Ok(county_list(c, csrf.0, "station", &found))
}
