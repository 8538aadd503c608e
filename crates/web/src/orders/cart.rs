//! The cart. A guest's cart lives in their session; a signed-in buyer's in the database, so
//! it follows them to another phone. At login the guest's cart joins the account's.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::Basket;
use farmgate_store::catalog::Product;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::variant_label;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;

const SESSION_KEY: &str = "cart";

fn server_error() -> Problem {
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
}

async fn guest_cart(session: &Session) -> Result<Vec<(i64, u32)>, Problem> {
    match session.get::<Vec<(i64, u32)>>(SESSION_KEY).await {
        Ok(lines) => Ok(lines.unwrap_or_default()),
        Err(err) => {
            tracing::error!(error = %err, "could not read a guest's cart");
            Err(server_error())
        }
    }
}

async fn save_guest_cart(session: &Session, lines: &[(i64, u32)]) -> Result<(), Problem> {
    session.insert(SESSION_KEY, lines).await.map_err(|err| {
        tracing::error!(error = %err, "could not keep a guest's cart");
        server_error()
    })
}

/// What the visitor has in their cart: variant and quantity.
pub async fn lines(
    state: &AppState,
    session: &Session,
    user: Option<&CurrentUser>,
) -> Result<Vec<(i64, u32)>, Problem> {
    match user {
        Some(user) => Ok(state.store.cart(user.account.id).await?),
        None => guest_cart(session).await,
    }
}

/// Sets (`add == false`) or adds to (`add == true`) one line; zero removes it.
async fn change(
    state: &AppState,
    session: &Session,
    user: Option<&CurrentUser>,
    variant: i64,
    quantity: u32,
    add: bool,
) -> Result<(), Problem> {
    if let Some(user) = user {
        if add {
            state
                .store
                .merge_cart(user.account.id, &[(variant, quantity)])
                .await?;
        } else {
            state
                .store
                .set_cart_quantity(user.account.id, variant, quantity)
                .await?;
        }
        return Ok(());
    }
    let mut cart = guest_cart(session).await?;
    match cart.iter().position(|(v, _)| *v == variant) {
        Some(at) => {
            let wanted = if add {
                cart[at].1.saturating_add(quantity)
            } else {
                quantity
            };
            cart[at].1 = wanted.min(Basket::MAX_QUANTITY);
        }
        None if quantity > 0 && cart.len() < Basket::MAX_LINES => {
            cart.push((variant, quantity.min(Basket::MAX_QUANTITY)));
        }
        None => {}
    }
    cart.retain(|(_, q)| *q > 0);
    save_guest_cart(session, &cart).await
}

/// At login: what the guest put in the cart joins the account's cart.
pub async fn merge_at_login(state: &AppState, session: &Session, account_id: i64) {
    let merged = async {
        let guest = guest_cart(session).await?;
        if !guest.is_empty() {
            state.store.merge_cart(account_id, &guest).await?;
            save_guest_cart(session, &[]).await?;
        }
        Ok::<_, Problem>(())
    }
    .await;
    if merged.is_err() {
        tracing::warn!(
            account = account_id,
            "a guest's cart could not be merged at login"
        );
    }
}

/// A cart line as pages show it.
pub struct CartLine {
    pub variant_id: i64,
    pub product_id: i64,
    pub name: String,
    /// The name's language when it is not the reader's.
    pub written_in: Option<&'static str>,
    pub label: String,
    pub unit_price: Fen,
    pub quantity: u32,
    pub stock: i64,
    pub total: Fen,
    /// For the shipping rule: the line's weight in grams.
    pub grams: i64,
}

/// The lines of one shop: one parcel, one order.
pub struct ShopGroup {
    pub shop_id: i64,
    pub shop_name: String,
    pub lines: Vec<CartLine>,
    pub goods: Fen,
    pub grams: i64,
}

/// The cart's lines with their products, grouped by shop; lines whose product is gone or no
/// longer listed are left out.
pub async fn grouped(
    state: &AppState,
    t: &Tr,
    lines: &[(i64, u32)],
    room: Option<i64>,
) -> Result<Vec<ShopGroup>, Problem> {
    // Filled from a live room: its room prices are what the checkout will charge.
    let room_prices = match room {
        Some(room) => state.store.live_room_prices(room).await?,
        None => Default::default(),
    };
    let variant_ids: Vec<i64> = lines.iter().map(|(v, _)| *v).collect();
    let products = state.store.products_of_variants(&variant_ids).await?;
    let mut groups: Vec<ShopGroup> = Vec::new();
    for &(variant_id, quantity) in lines {
        let Some((product, variant)) = find_variant(&products, variant_id) else {
            continue;
        };
        if product.status != ProductStatus::Listed {
            continue;
        }
        let (text, written_in) = product
            .text(t.lang())
            .map(|(text, own)| (text.name.clone(), (!own).then(|| text.language.tag())))
            .unwrap_or_default();
        let unit_price = room_prices
            .get(&variant_id)
            .copied()
            .unwrap_or(variant.spec.price);
        // Prices and quantities have ceilings; the intake refuses what would not fit anyway.
        let total = unit_price.checked_mul(quantity).unwrap_or(Fen(i64::MAX));
        let grams = variant.spec.net_grams.unwrap_or(0) * i64::from(quantity);
        let line = CartLine {
            variant_id,
            product_id: product.id,
            name: text,
            written_in,
            label: variant_label(t, &variant.spec),
            unit_price,
            quantity,
            stock: variant.spec.stock,
            total,
            grams,
        };
        match groups.iter_mut().find(|g| g.shop_id == product.shop_id) {
            Some(group) => {
                group.goods = group.goods.checked_add(total).unwrap_or(Fen(i64::MAX));
                group.grams += grams;
                group.lines.push(line);
            }
            None => groups.push(ShopGroup {
                shop_id: product.shop_id,
                shop_name: String::new(),
                goods: total,
                grams,
                lines: vec![line],
            }),
        }
    }
    for group in &mut groups {
        group.shop_name = state
            .store
            .shop(group.shop_id)
            .await?
            .name_in(t.lang())
            .to_owned();
    }
    Ok(groups)
}

fn find_variant(
    products: &[Product],
    variant_id: i64,
) -> Option<(&Product, &farmgate_store::catalog::Variant)> {
    products.iter().find_map(|p| {
        p.variants
            .iter()
            .find(|v| v.id == variant_id)
            .map(|v| (p, v))
    })
}

#[derive(Template)]
#[template(path = "orders/cart.html")]
struct CartPage {
    c: Chrome,
    csrf: String,
    groups: Vec<ShopGroup>,
    goods: String,
    signed_in: bool,
}

pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    let lines = lines(&state, &session, user.as_ref()).await?;
    let groups = grouped(&state, &c.t, &lines, room_of_cart(&session).await).await?;
    let goods = Fen(groups.iter().map(|g| g.goods.0).sum()).display_price();
    Ok(render(
        StatusCode::OK,
        &CartPage {
            c,
            csrf: csrf.0,
            groups,
            goods,
            signed_in: user.is_some(),
        },
    ))
}

#[derive(Deserialize)]
pub struct CartForm {
    #[serde(default)]
    pub(crate) variant: String,
    #[serde(default)]
    pub(crate) quantity: String,
    /// `checkout` to go straight on to checkout ("buy now").
    #[serde(default)]
    pub(crate) next: String,
    /// Put in the cart from this live room: the checkout pays its room prices while it is live.
    #[serde(default)]
    pub(crate) room: String,
}

const ROOM_KEY: &str = "cart_room";

/// The live room the cart was last filled from, if any (its room prices apply at checkout).
pub async fn room_of_cart(session: &Session) -> Option<i64> {
    session.get::<i64>(ROOM_KEY).await.ok().flatten()
}

/// After a checkout: the next cart starts outside any room.
pub async fn forget_room(session: &Session) {
    let _ = session.remove::<i64>(ROOM_KEY).await;
}

/// "Buy now" holds its one line apart from the cart: the checkout buys just that, and the
/// cart stays as it was.
const BUY_NOW_KEY: &str = "buy_now";

/// The line "buy now" is holding, if any.
pub async fn buy_now_line(session: &Session) -> Option<(i64, u32)> {
    session.get::<(i64, u32)>(BUY_NOW_KEY).await.ok().flatten()
}

/// After a "buy now" checkout (or when the cart is chosen instead).
pub async fn forget_buy_now(session: &Session) {
    let _ = session.remove::<(i64, u32)>(BUY_NOW_KEY).await;
}

fn parse_line(form: &CartForm, allow_zero: bool) -> Result<(i64, u32), Problem> {
    let variant: i64 = form
        .variant
        .trim()
        .parse()
        .map_err(|_| Problem::from(ValidationError::new("variant", "not-for-sale")))?;
    let quantity: u32 = form
        .quantity
        .trim()
        .parse()
        .ok()
        .filter(|q| (u32::from(!allow_zero)..=Basket::MAX_QUANTITY).contains(q))
        .ok_or_else(|| Problem::from(ValidationError::new("quantity", "quantity-invalid")))?;
    Ok((variant, quantity))
}

/// `POST /cart`: puts a variant in the cart (from a product page) and shows the cart; or, for
/// "buy now", goes to the checkout of just that variant (the cart is left as it was).
pub async fn add(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
    Form(form): Form<CartForm>,
) -> Result<Response, Problem> {
    let (variant, quantity) = parse_line(&form, false)?;
    let products = state.store.products_of_variants(&[variant]).await?;
    let listed = find_variant(&products, variant)
        .is_some_and(|(p, v)| p.status == ProductStatus::Listed && v.spec.stock > 0);
    if !listed {
        return Err(ValidationError::new("variant", "not-for-sale").into());
    }
    let buy_now = form.next == "checkout";
    if buy_now {
        session
            .insert(BUY_NOW_KEY, (variant, quantity))
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "could not remember a buy-now line");
                server_error()
            })?;
    } else {
        change(&state, &session, user.as_ref(), variant, quantity, true).await?;
    }
    if let Ok(room) = form.room.trim().parse::<i64>() {
        session.insert(ROOM_KEY, room).await.map_err(|err| {
            tracing::error!(error = %err, "could not remember the live room of a cart");
            server_error()
        })?;
    }
    let next = if buy_now {
        "/checkout?only=now"
    } else {
        "/cart"
    };
    Ok(Redirect::to(next).into_response())
}

/// `POST /cart/update`: a new quantity for a line; zero takes it out.
pub async fn update(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    session: Session,
    Form(form): Form<CartForm>,
) -> Result<Response, Problem> {
    let (variant, quantity) = parse_line(&form, true)?;
    change(&state, &session, user.as_ref(), variant, quantity, false).await?;
    Ok(Redirect::to("/cart").into_response())
}
