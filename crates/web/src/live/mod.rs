//! Live rooms on the web: the host's console (schedule a room for their shops, go live, pin
//! products with a room price, end, moderate the chat), the room page viewers open with its
//! live connection (`socket`), one-tap buying (`buy`), and what purchases show to every
//! viewer (`activity`).

pub mod activity;
pub mod buy;
pub mod results;
pub mod socket;
pub mod video;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, TimeZone};
use farmgate_domain::ValidationError;
use farmgate_domain::authz::Role;
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::live::{RoomEvent, RoomStatus, check_room_price};
use farmgate_domain::text::parse_text;
use farmgate_store::live::{LiveEvent, NewRoom, Room};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{china_time, variant_label};
use crate::html::{Chrome, FormErrors, RepeatedForm, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// The hosts' console and rooms, the viewers' room page with its WebSocket, results, the
/// centre's list, and the video served from our origin (the ingest callbacks are separate:
/// `video::ingest_routes`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/host", get(console))
        .route("/host/rooms", post(schedule))
        .route("/host/rooms/{id}", get(room_console).post(act))
        .route("/host/rooms/{id}/photos", post(cover))
        .route("/host/rooms/{id}/results", get(results::page))
        .route("/host/rooms/{id}/results.xlsx", get(results::export))
        .route("/live/{id}", get(show))
        .route("/live/{id}/ws", get(socket::connect))
        .route("/live/{id}/cards", get(cards))
        .route("/live/{id}/buy", post(buy::buy_form))
        .route("/static/live.js", get(script))
        .route("/centre/live", get(results::centre))
        .route("/static/vendor/hls.js", get(video::hls_js))
        .route("/live/{id}/hls/index.m3u8", get(video::playlist))
        .route("/live/{id}/hls/seg/{file}", get(video::segment))
}

/// One-tap buying.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(buy::buy_api))
}

/// Who may host: sellers who are hosts, and centre staff for a shared studio.
const HOSTS: [Role; 2] = [Role::Host, Role::CentreStaff];

/// A room in a list: (id, title, status, when).
pub struct RoomCard {
    pub id: i64,
    /// The cover picture's address (large size), when the host gave one.
    pub cover: Option<String>,
    pub title: String,
    pub live: bool,
    pub status: String,
    pub when: String,
}

pub fn room_card(t: &Tr, room: &Room) -> RoomCard {
    RoomCard {
        id: room.id,
        cover: room
            .cover_hash
            .as_deref()
            .map(|hash| crate::photos::photo_url(hash, "large")),
        title: room.title(t.lang()).0.to_owned(),
        live: room.status == RoomStatus::Live,
        status: t.get(&format!("live-status-{}", room.status.as_str())),
        when: china_time(room.starts_at),
    }
}

/// The region a host schedules in: where their Host (or centre) grant is.
async fn host_region(state: &AppState, user: &CurrentUser) -> Result<i64, Problem> {
    let grant = user
        .grants
        .iter()
        .find(|g| HOSTS.contains(&g.role) || g.role == Role::Admin)
        .ok_or(Problem::forbidden())?;
    let regions = state.store.all_regions().await?;
    regions
        .iter()
        .find(|r| r.path == grant.region)
        .map(|r| r.id)
        .ok_or(Problem::forbidden())
}

/// The room, if `user` hosts it (others are told it does not exist).
async fn hosted_room(state: &AppState, user: &CurrentUser, id: i64) -> Result<Room, Problem> {
    let room = state.store.room(id).await?;
    if room.host_id == user.account.id {
        Ok(room)
    } else {
        Err(Problem::not_found())
    }
}

#[derive(Template)]
#[template(path = "live/host.html")]
struct HostPage {
    c: Chrome,
    csrf: String,
    rooms: Vec<RoomCard>,
    /// (id, name) of the shops the host may sell from.
    shops: Vec<(i64, String)>,
    errors: FormErrors,
    form: ScheduleForm,
}

/// The room scheduling form; `shop` repeats, one per shop ticked (read by `html::RepeatedForm`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    title_zh: String,
    #[serde(default)]
    title_ug: String,
    #[serde(default)]
    title_en: String,
    /// `2026-11-23T20:00` in China's time (what `<input type="datetime-local">` sends).
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    shop: Vec<String>,
}

async fn host_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    form: ScheduleForm,
    error: Option<&Problem>,
) -> Result<Response, Problem> {
    host_region(state, user).await?;
    let t = c.t;
    let rooms = state
        .store
        .rooms_of_host(user.account.id)
        .await?
        .iter()
        .map(|r| room_card(&t, r))
        .collect();
    let shops = state
        .store
        .shops_of_member(user.account.id)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let status = error.map_or(StatusCode::OK, |p| p.status);
    let errors = error.map_or_else(FormErrors::none, |p| FormErrors::of_problem(&t, p));
    Ok(render(
        status,
        &HostPage {
            c,
            csrf,
            rooms,
            shops,
            errors,
            form,
        },
    ))
}

/// `GET /host`: the host's rooms and the form to schedule one.
pub async fn console(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    host_page(&state, &user, c, csrf.0, ScheduleForm::default(), None).await
}

fn optional_title(field: &'static str, text: &str) -> Result<Option<String>, Problem> {
    Ok(Some(parse_text(field, text, false, 80)?).filter(|t| !t.is_empty()))
}

async fn schedule_room(
    state: &AppState,
    user: &CurrentUser,
    form: &ScheduleForm,
) -> Result<Room, Problem> {
    let region_id = host_region(state, user).await?;
    let title_zh = parse_text("title_zh", &form.title_zh, true, 80)?;
    let title_ug = optional_title("title_ug", &form.title_ug)?;
    let title_en = optional_title("title_en", &form.title_en)?;
    let china = chrono::FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server"))?;
    let starts_at = NaiveDateTime::parse_from_str(form.starts_at.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|local| china.from_local_datetime(&local).single())
        .map(|at| at.with_timezone(&chrono::Utc))
        .filter(|at| *at > chrono::Utc::now() - chrono::Duration::hours(1))
        .ok_or_else(|| Problem::from(ValidationError::new("starts_at", "starts-at-invalid")))?;
    let mine: Vec<i64> = state
        .store
        .shops_of_member(user.account.id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut shop_ids = Vec::new();
    for text in &form.shop {
        let id: i64 = text
            .trim()
            .parse()
            .map_err(|_| Problem::from(ValidationError::new("shop", "room-shop-invalid")))?;
        if !mine.contains(&id) {
            return Err(ValidationError::new("shop", "room-shop-invalid").into());
        }
        if !shop_ids.contains(&id) {
            shop_ids.push(id);
        }
    }
    if shop_ids.is_empty() {
        return Err(ValidationError::new("shop", "room-shop-invalid").into());
    }
    Ok(state
        .store
        .schedule_room(NewRoom {
            host_id: user.account.id,
            region_id,
            title_zh,
            title_ug,
            title_en,
            starts_at,
            shop_ids,
        })
        .await?)
}

/// `POST /host/rooms`: schedules a room; mistakes come back beside their field.
pub async fn schedule(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    RepeatedForm(form): RepeatedForm<ScheduleForm>,
) -> Result<Response, Problem> {
    match schedule_room(&state, &user, &form).await {
        Ok(room) => Ok(Redirect::to(&format!("/host/rooms/{}", room.id)).into_response()),
        Err(problem) if problem.status == StatusCode::UNPROCESSABLE_ENTITY => {
            host_page(&state, &user, c, csrf.0, form, Some(&problem)).await
        }
        Err(problem) => Err(problem),
    }
}

pub struct PinLine {
    pub variant_id: i64,
    pub name: String,
    pub price: String,
    pub room_price: Option<String>,
    pub stock: i64,
}

/// The pinned products of a room as cards: name, price, room price, stock left.
async fn pin_lines(state: &AppState, t: &Tr, room: &Room) -> Result<Vec<PinLine>, Problem> {
    let pins = state.store.pins(room.id).await?;
    let variant_ids: Vec<i64> = pins.iter().map(|p| p.variant_id).collect();
    let products = state.store.products_of_variants(&variant_ids).await?;
    let mut lines = Vec::new();
    for pin in pins {
        let Some((product, variant)) = products.iter().find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.id == pin.variant_id)
                .map(|v| (p, v))
        }) else {
            continue;
        };
        let name = product
            .text(t.lang())
            .map(|(text, _)| text.name.clone())
            .unwrap_or_default();
        lines.push(PinLine {
            variant_id: pin.variant_id,
            name: format!("{name} · {}", variant_label(t, &variant.spec)),
            price: variant.spec.price.display_price(),
            room_price: pin.room_price.map(|p| p.display_price()),
            stock: variant.spec.stock,
        });
    }
    Ok(lines)
}

/// What the room's script needs from a page: who is looking and the texts it fills in.
pub struct LiveScript {
    /// The host or centre staff: the chat shows delete and mute.
    pub moderator: bool,
    pub signed_in: bool,
    /// Text patterns the script fills in (`#` for a number, `#1`/`#2` for a place and a product).
    pub stock_pattern: String,
    pub ticker_pattern: String,
    pub ticker_somewhere: String,
    /// A signed viewer id for a guest's browser to keep (empty on the host's console).
    pub viewer: String,
}

impl LiveScript {
    pub fn new(t: &Tr, moderator: bool, signed_in: bool) -> LiveScript {
        LiveScript {
            moderator,
            signed_in,
            stock_pattern: t.arg("product-in-stock", "count", "#"),
            ticker_pattern: t.args2(
                "live-ticker",
                ("county", "#1".into()),
                ("product", "#2".into()),
            ),
            ticker_somewhere: t.arg("live-ticker-somewhere", "product", "#2"),
            viewer: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "live/host_room.html")]
struct HostRoomPage {
    c: Chrome,
    csrf: String,
    /// The host watches the chat and the purchases here, and moderates.
    live: LiveScript,
    room: RoomCard,
    stream_key: String,
    rtmp_url: String,
    can_start: bool,
    can_end: bool,
    pins: Vec<PinLine>,
    /// (variant id, label) of what the room's shops sell.
    choices: Vec<(i64, String)>,
}

/// `GET /host/rooms/{id}`: the host's console for one room.
pub async fn room_console(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let room = hosted_room(&state, &user, id).await?;
    let t = c.t;
    let mut choices = Vec::new();
    for shop_id in &room.shop_ids {
        for product in state.store.products_of_shop(*shop_id).await? {
            let name = product
                .text(t.lang())
                .map(|(text, _)| text.name.clone())
                .unwrap_or_default();
            for variant in &product.variants {
                choices.push((
                    variant.id,
                    format!(
                        "{name} · {} · {}",
                        variant_label(&t, &variant.spec),
                        variant.spec.price.display_price()
                    ),
                ));
            }
        }
    }
    let page = HostRoomPage {
        live: LiveScript::new(&t, true, true),
        csrf: csrf.0,
        room: room_card(&t, &room),
        stream_key: room.stream_key.clone(),
        rtmp_url: state.config.rtmp_url.clone(),
        can_start: room.status.next(RoomEvent::Start).is_some(),
        can_end: room.status.next(RoomEvent::End).is_some(),
        pins: pin_lines(&state, &t, &room).await?,
        choices,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct RoomAction {
    #[serde(default)]
    action: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    room_price: String,
}

/// `POST /host/rooms/{id}`: start, end, pin, unpin, or a new stream key.
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RoomAction>,
) -> Result<Response, Problem> {
    let room = hosted_room(&state, &user, id).await?;
    let variant = || -> Result<i64, Problem> {
        form.variant
            .trim()
            .parse()
            .map_err(|_| ValidationError::new("variant", "not-for-sale").into())
    };
    let event = match form.action.as_str() {
        "start" | "end" => {
            let step = if form.action == "start" {
                RoomEvent::Start
            } else {
                RoomEvent::End
            };
            let moved = state.store.move_room(room.id, step).await?;
            Some(LiveEvent::Status {
                status: moved.status.as_str().to_owned(),
            })
        }
        "rotate_key" => {
            state.store.rotate_stream_key(room.id).await?;
            None
        }
        "unpin" => {
            state.store.unpin(room.id, variant()?).await?;
            Some(LiveEvent::Pins)
        }
        "pin" => {
            let variant_id = variant()?;
            let products = state.store.products_of_variants(&[variant_id]).await?;
            let spec = products
                .iter()
                .filter(|p| room.shop_ids.contains(&p.shop_id))
                .find_map(|p| p.variants.iter().find(|v| v.id == variant_id))
                .map(|v| v.spec.clone())
                .ok_or_else(|| Problem::from(ValidationError::new("variant", "not-for-sale")))?;
            let room_price = match form.room_price.trim() {
                "" => None,
                text => Some(check_room_price(
                    parse_yuan(text)
                        .map_err(|_| ValidationError::new("room_price", "room-price-invalid"))?,
                    spec.price,
                )?),
            };
            state.store.pin(room.id, variant_id, room_price).await?;
            Some(LiveEvent::Pins)
        }
        _ => return Err(ValidationError::new("action", "bad-request").into()),
    };
    if let Some(event) = event {
        state.live.publish(room.id, event).await;
    }
    Ok(Redirect::to(&format!("/host/rooms/{}", room.id)).into_response())
}

#[derive(Template)]
#[template(path = "live/live_room.html")]
struct RoomPage {
    c: Chrome,
    csrf: String,
    room: RoomCard,
    translated: bool,
    pins: Vec<PinLine>,
    /// Drawn with the page: a resent buy form places one order.
    key: String,
    live: LiveScript,
}

/// The pinned cards as viewers see them: no room price unless the room is live.
async fn viewer_pins(state: &AppState, t: &Tr, room: &Room) -> Result<Vec<PinLine>, Problem> {
    let mut pins = pin_lines(state, t, room).await?;
    if room.status != RoomStatus::Live {
        // A room price holds only while the room is live.
        for pin in &mut pins {
            pin.room_price = None;
        }
    }
    Ok(pins)
}

/// `GET /live/{id}`: the room as viewers see it.
pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let room = state.store.room(id).await?;
    let t = c.t;
    let moderator = match &user {
        Some(user) => socket::moderates(&state, user, &room).await?,
        None => false,
    };
    let page = RoomPage {
        csrf: csrf.0,
        translated: room.title(t.lang()).1,
        room: room_card(&t, &room),
        pins: viewer_pins(&state, &t, &room).await?,
        key: uuid::Uuid::new_v4().simple().to_string(),
        live: LiveScript {
            viewer: socket::new_viewer_token(&state).await?,
            ..LiveScript::new(&t, moderator, user.is_some())
        },
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "live/live_cards.html")]
struct CardsFragment {
    c: Chrome,
    csrf: String,
    room: RoomCard,
    pins: Vec<PinLine>,
    key: String,
}

/// `GET /live/{id}/cards`: the pinned cards alone, for the page to swap in when pins change.
pub async fn cards(
    State(state): State<AppState>,
    c: Chrome,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let room = state.store.room(id).await?;
    let t = c.t;
    let page = CardsFragment {
        csrf: csrf.0,
        room: room_card(&t, &room),
        pins: viewer_pins(&state, &t, &room).await?,
        key: uuid::Uuid::new_v4().simple().to_string(),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /host/rooms/{id}/photos` (multipart, the CSRF token in the query): the room's cover,
/// checked and stored like a product photo.
pub async fn cover(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Result<Response, Problem> {
    let room = hosted_room(&state, &user, id).await?;
    let bytes = crate::photos::upload(multipart).await?;
    let photo = state.photos.store(bytes).await?;
    state.store.set_room_cover(room.id, &photo.hash).await?;
    Ok(Redirect::to(&format!("/host/rooms/{}", room.id)).into_response())
}

/// `GET /static/live.js`: the room page's script (chat, live cards, ticker, one-tap buying).
pub async fn script() -> Response {
    crate::html::javascript(include_str!("../../static/live.js"))
}
