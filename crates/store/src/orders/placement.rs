//! Placement's one home: what a set of placements reads, how each is decided in memory, and the
//! rows it writes. The intake's set-based path (`batch.rs`) runs a whole batch through it; the
//! careful path runs each placement through it as a batch of one, inside a savepoint.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use farmgate_domain::catalog::{ProductStatus, StockReason};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderStatus, PaymentMethod};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TryIntoModel,
};

use super::entity::{event, line, order, payment};
use super::payments::{Payment, PaymentStatus};
use super::writer::Batch;
use super::{Checkout, Delivery, Order, OrderEventRow, OrderLine, PlaceOrder, assemble};
use crate::catalog::entity::{movement, product, text, variant};
use crate::catalog::{Mover, movement_row};
use crate::shops::entity::shipping;
use crate::shops::shipping_rule_of;
use crate::stations::entity::station;
use crate::{Backend, Error, bulk};

/// Why a placement was refused. Refusals are answers, not failures: nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("variant {variant_id} has fewer units left than asked for")]
    OutOfStock { variant_id: i64 },
    #[error("variant {variant_id} is not for sale")]
    NotForSale { variant_id: i64 },
    #[error("station {station_id} does not take parcels")]
    NoSuchStation { station_id: i64 },
    #[error("the order intake has stopped")]
    Closed,
    /// The order breaks a rule (an amount too large to hold, say); refused with its field.
    #[error(transparent)]
    Invalid(#[from] farmgate_domain::ValidationError),
    #[error(transparent)]
    Store(#[from] Error),
}

impl IntakeError {
    /// The same refusal again, for a repeat of a placement's key (a store failure fails the
    /// whole batch and is never repeated).
    pub(super) fn repeat(&self) -> IntakeError {
        match self {
            IntakeError::OutOfStock { variant_id } => IntakeError::OutOfStock {
                variant_id: *variant_id,
            },
            IntakeError::NotForSale { variant_id } => IntakeError::NotForSale {
                variant_id: *variant_id,
            },
            IntakeError::NoSuchStation { station_id } => IntakeError::NoSuchStation {
                station_id: *station_id,
            },
            IntakeError::Invalid(rule) => IntakeError::Invalid(*rule),
            IntakeError::Closed | IntakeError::Store(_) => IntakeError::Closed,
        }
    }
}

impl From<sea_orm::DbErr> for IntakeError {
    fn from(err: sea_orm::DbErr) -> Self {
        IntakeError::Store(Error::Db(err))
    }
}

/// An amount that does not fit: refused on the quantity, never wrapped.
pub(super) const TOO_LARGE: IntakeError = IntakeError::Invalid(
    farmgate_domain::ValidationError::new("quantity", "amount-too-large"),
);

/// One placement decided in memory: its orders (one per shop) and its payment.
pub(super) struct Planned {
    pub checkout_id: String,
    pub buyer_id: i64,
    pub orders: Vec<PlannedOrder>,
    pub payment: payment::ActiveModel,
}

pub(super) struct PlannedOrder {
    row: order::ActiveModel,
    shop_id: i64,
    lines: Vec<line::ActiveModel>,
    /// (product, variant, units) taken from the shelf, for the stock ledger.
    taken: Vec<(i64, i64, u32)>,
    /// (variant, place, units) of `taken` drawn from the shop's other online places when its
    /// own store ran short (decision 0029); the rest came from the store.
    drawn: Vec<(i64, i64, i64)>,
}

/// Earlier answers: for each placement whose key was used before, what it made then.
pub(super) async fn replays(
    txn: &impl ConnectionTrait,
    batch: &[&PlaceOrder],
) -> Result<Vec<Option<Checkout>>, Error> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    // The (buyer, key) pairs as a table of values joined to the orders: one index seek per
    // pair. (Two IN lists would seek every buyer with every key; SQLite answers a row-value
    // `IN (VALUES ...)` by scanning the orders.)
    let pairs: HashSet<(i64, &str)> = batch.iter().map(|p| (p.buyer_id, p.key.as_str())).collect();
    let backend = txn.get_database_backend();
    // The only values of the statement: PostgreSQL numbers them from 1, SQLite takes `?`.
    let rows: Vec<String> = match backend {
        sea_orm::DbBackend::Postgres => (0..pairs.len())
            .map(|n| format!("(${}, ${})", 2 * n + 1, 2 * n + 2))
            .collect(),
        _ => vec!["(?, ?)".to_owned(); pairs.len()],
    };
    let values: Vec<sea_orm::Value> = pairs
        .iter()
        .flat_map(|(buyer, key)| [(*buyer).into(), (*key).into()])
        .collect();
    let earlier = order::Entity::find()
        .from_raw_sql(sea_orm::Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT orders.* FROM (VALUES {}) AS asked \
                 JOIN orders ON orders.buyer_id = asked.column1 \
                 AND orders.idempotency_key = asked.column2",
                rows.join(", ")
            ),
            values,
        ))
        .all(txn)
        .await?;
    let mut answers = Vec::with_capacity(batch.len());
    for request in batch {
        let rows: Vec<order::Model> = earlier
            .iter()
            .filter(|o| o.buyer_id == request.buyer_id && o.idempotency_key == request.key.as_str())
            .cloned()
            .collect();
        let Some(first) = rows.first() else {
            answers.push(None);
            continue;
        };
        let checkout_id = first.checkout_id.clone();
        let payment = payment::Entity::find()
            .filter(payment::Column::CheckoutId.eq(&checkout_id))
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?;
        answers.push(Some(Checkout {
            checkout_id,
            orders: assemble(txn, rows).await?,
            payment: Payment::try_from(payment)?,
            replayed: true,
            shop_texts: Vec::new(),
        }));
    }
    Ok(answers)
}

/// How a batch reads the stock it sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// Without a lock: the hot rows are locked only by the conditional updates at the end,
    /// so other instances' batches work side by side; the stock read may be gone by then.
    Unlocked,
    /// Locked as read (PostgreSQL: `FOR UPDATE` in id order, so two instances never wait on
    /// each other in a circle; SQLite: the transaction holds the write lock already): exact.
    Locked(Backend),
}

/// Everything the placements of a batch ask for, read once for the whole batch.
pub(super) struct Inputs {
    variants: HashMap<i64, variant::Model>,
    products: HashMap<i64, product::Model>,
    names: HashMap<i64, String>,
    stations: HashMap<i64, station::Model>,
    rules: HashMap<i64, shipping::Model>,
    room_prices: HashMap<(i64, i64), i64>,
    /// For variants with units at online places besides their store: (place, units) in the
    /// order online sales draw from them.
    away: HashMap<i64, Vec<(i64, i64)>>,
    /// For counter sales: the units at each (variant, place) asked for, and whether online
    /// sales draw from that place too.
    counter: HashMap<(i64, i64), (i64, bool)>,
}

impl Inputs {
    /// Reads the batch's variants (as `reading` says: the batch takes their stock last, with
    /// conditional updates in id order, `batch.rs`), products, names, stations, rules and room
    /// prices.
    pub async fn read(
        txn: &impl ConnectionTrait,
        batch: &[&PlaceOrder],
        reading: Reading,
    ) -> Result<Inputs, Error> {
        let variant_ids: HashSet<i64> = batch
            .iter()
            .flat_map(|p| p.basket.lines().iter().map(|(v, _)| *v))
            .collect();
        let mut variants_query = variant::Entity::find()
            .filter(variant::Column::Id.is_in(variant_ids.iter().copied()))
            .order_by_asc(variant::Column::Id);
        if reading == Reading::Locked(Backend::Postgres) {
            variants_query = variants_query.lock_exclusive();
        }
        let variants = by_id(variants_query.all(txn).await?, |v| v.id);
        let product_ids: HashSet<i64> = variants.values().map(|v| v.product_id).collect();
        let products = by_id(
            product::Entity::find()
                .filter(product::Column::Id.is_in(product_ids.iter().copied()))
                .all(txn)
                .await?,
            |p| p.id,
        );
        let names = text::Entity::find()
            .filter(text::Column::ProductId.is_in(product_ids.iter().copied()))
            .filter(text::Column::Language.eq(Language::ZhCn.tag()))
            .all(txn)
            .await?
            .into_iter()
            .map(|t| (t.product_id, t.name))
            .collect();
        let shop_ids: HashSet<i64> = products.values().map(|p| p.shop_id).collect();
        let rules = by_id(
            shipping::Entity::find()
                .filter(shipping::Column::ShopId.is_in(shop_ids.iter().copied()))
                .all(txn)
                .await?,
            |r| r.shop_id,
        );
        let room_ids: Vec<i64> = batch
            .iter()
            .filter_map(|p| p.room_id)
            .collect::<HashSet<i64>>()
            .into_iter()
            .collect();
        let away = crate::catalog::places::online_places_of(
            txn,
            variants
                .values()
                .filter(|v| v.away_online > 0)
                .map(|v| v.id),
        )
        .await?;
        let asked: HashSet<(i64, i64)> = batch
            .iter()
            .filter_map(|p| match p.delivery {
                Delivery::Counter { place_id } => Some((p, place_id)),
                _ => None,
            })
            .flat_map(|(p, place_id)| p.basket.lines().iter().map(move |(v, _)| (*v, place_id)))
            .collect();
        Ok(Inputs {
            variants,
            products,
            names,
            stations: stations(txn, batch).await?,
            rules,
            room_prices: crate::live::room_prices(txn, &room_ids).await?,
            away,
            counter: crate::catalog::places::counter_shelves_of(txn, &asked).await?,
        })
    }

    /// The stock each variant had when read.
    pub fn stock(&self) -> HashMap<i64, i64> {
        self.variants.iter().map(|(id, v)| (*id, v.stock)).collect()
    }

    /// Where each variant's units were when read: its store's, and its other online places'.
    pub fn shelves(&self) -> Shelves {
        Shelves {
            store: self
                .variants
                .iter()
                .map(|(id, v)| (*id, v.stock - v.away_online))
                .collect(),
            away: self.away.clone(),
            counter: self.counter.clone(),
        }
    }

    /// A variant at the price this placement pays: the room price when bought from a live room
    /// that pinned it with one.
    fn priced(&self, room_id: Option<i64>, variant_id: i64) -> Option<variant::Model> {
        let mut v = self
            .variants
            .get(&variant_id)
            .filter(|v| v.retired_at.is_none())?
            .clone();
        if let Some(price) = room_id.and_then(|room| self.room_prices.get(&(room, variant_id))) {
            v.price_fen = *price;
        }
        Some(v)
    }
}

/// The open stations the batch's pickups name (no statement when none does).
async fn stations(
    txn: &impl ConnectionTrait,
    batch: &[&PlaceOrder],
) -> Result<HashMap<i64, station::Model>, Error> {
    let ids: HashSet<i64> = batch
        .iter()
        .filter_map(|p| match p.delivery {
            Delivery::Pickup { station_id } => Some(station_id),
            Delivery::Home { .. } | Delivery::Counter { .. } => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(by_id(
        station::Entity::find()
            .filter(station::Column::Id.is_in(ids.iter().copied()))
            .filter(station::Column::Active.eq(true))
            .all(txn)
            .await?,
        |s| s.id,
    ))
}

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> i64) -> HashMap<i64, T> {
    rows.into_iter().map(|row| (id(&row), row)).collect()
}

/// What is left on each variant's shelves as a batch is decided: its store's units, and its
/// other online places' in the order they are drawn from.
pub(super) struct Shelves {
    store: HashMap<i64, i64>,
    away: HashMap<i64, Vec<(i64, i64)>>,
    /// What is left at each (variant, place) counter sales asked for, and whether the place
    /// is online.
    counter: HashMap<(i64, i64), (i64, bool)>,
}

/// Where an accepted placement's units came from, beyond its shops' stores.
#[derive(Default)]
pub(super) struct Drawn {
    /// (variant, place, units) from places online sales draw from: out of the variant's stock.
    pub online: Vec<(i64, i64, i64)>,
    /// (variant, place, units) from places sold on the spot only: the variant's stock stays.
    pub offline: Vec<(i64, i64, i64)>,
}

impl Shelves {
    /// Units left of `variant_id` at `place_id` for a counter sale.
    fn at_counter(&self, variant_id: i64, place_id: i64) -> i64 {
        self.counter
            .get(&(variant_id, place_id))
            .map_or(0, |(units, _)| *units)
    }

    /// Takes an accepted counter sale's units from `place_id`, noting them on each order; an
    /// online place's units also leave what online sales may draw from there.
    pub(super) fn take_counter(&mut self, planned: &mut Planned, place_id: i64) -> Drawn {
        let mut drawn = Drawn::default();
        for order in &mut planned.orders {
            for &(_, variant_id, units) in &order.taken {
                let units = i64::from(units);
                let (left, online) = self.counter.entry((variant_id, place_id)).or_default();
                *left -= units;
                order.drawn.push((variant_id, place_id, units));
                if *online {
                    drawn.online.push((variant_id, place_id, units));
                    let away = self.away.entry(variant_id).or_default();
                    if let Some((_, there)) = away.iter_mut().find(|(p, _)| *p == place_id) {
                        *there -= units;
                    }
                } else {
                    drawn.offline.push((variant_id, place_id, units));
                }
            }
        }
        drawn
    }

    /// Takes an accepted placement's units, each from its shop's store first and then from
    /// its online places in order, noting on each order what came from places; returns the
    /// (variant, place, units) drawn from places.
    pub(super) fn take(&mut self, planned: &mut Planned) -> Vec<(i64, i64, i64)> {
        let mut all = Vec::new();
        for order in &mut planned.orders {
            for &(_, variant_id, units) in &order.taken {
                let store = self.store.entry(variant_id).or_default();
                let from_store = i64::from(units).min((*store).max(0));
                *store -= from_store;
                let mut short = i64::from(units) - from_store;
                for (place_id, left) in self.away.entry(variant_id).or_default().iter_mut() {
                    if short == 0 {
                        break;
                    }
                    let drawn = short.min(*left);
                    if drawn > 0 {
                        *left -= drawn;
                        short -= drawn;
                        if let Some((there, _)) = self.counter.get_mut(&(variant_id, *place_id)) {
                            *there -= drawn;
                        }
                        order.drawn.push((variant_id, *place_id, drawn));
                        all.push((variant_id, *place_id, drawn));
                    }
                }
            }
        }
        all
    }
}

/// One placement against what was read and the stock left: its orders (one per shop) and
/// payment, or why it is refused.
pub(super) fn decide(
    request: &PlaceOrder,
    inputs: &Inputs,
    (left, shelves): (&HashMap<i64, i64>, &Shelves),
    now: DateTime<Utc>,
) -> Result<Planned, IntakeError> {
    let mut by_shop: BTreeMap<i64, Vec<(variant::Model, u32)>> = BTreeMap::new();
    for &(variant_id, quantity) in request.basket.lines() {
        let v = inputs
            .priced(request.room_id, variant_id)
            .ok_or(IntakeError::NotForSale { variant_id })?;
        let p = inputs
            .products
            .get(&v.product_id)
            .filter(|p| p.status == ProductStatus::Listed.as_str())
            .ok_or(IntakeError::NotForSale { variant_id })?;
        by_shop.entry(p.shop_id).or_default().push((v, quantity));
    }
    let pickup = match &request.delivery {
        Delivery::Pickup { station_id } => Some(inputs.stations.get(station_id).ok_or(
            IntakeError::NoSuchStation {
                station_id: *station_id,
            },
        )?),
        Delivery::Home { .. } | Delivery::Counter { .. } => None,
    };
    for &(variant_id, quantity) in request.basket.lines() {
        let there = match request.delivery {
            Delivery::Counter { place_id } => shelves.at_counter(variant_id, place_id),
            _ => left.get(&variant_id).copied().unwrap_or(0),
        };
        if there < i64::from(quantity) {
            return Err(IntakeError::OutOfStock { variant_id });
        }
    }
    // Time-ordered (UUID v7, 74 random bits): a batch's new ids go to the end of the orders'
    // and payments' checkout indexes instead of a random page each, so a commit writes a few
    // index pages rather than one per order.
    let checkout_id = uuid::Uuid::now_v7().to_string();
    let mut orders = Vec::new();
    let mut amount = Fen(0);
    for (shop_id, lines) in by_shop {
        let (goods, shipping, total) = parcel_amounts(
            lines.iter().map(|(v, q)| (v, *q)),
            pickup,
            inputs.rules.get(&shop_id),
        )?;
        amount = amount.checked_add(total).ok_or(TOO_LARGE)?;
        let to = destination(request, pickup)?;
        let row = order_row(request, &checkout_id, shop_id, (goods, shipping), to, now);
        let taken = lines
            .iter()
            .map(|(v, quantity)| (v.product_id, v.id, *quantity))
            .collect();
        let lines = lines
            .into_iter()
            .map(|(v, quantity)| {
                let name = inputs.names.get(&v.product_id).cloned().unwrap_or_default();
                line_row(&v, quantity, name)
            })
            .collect();
        orders.push(PlannedOrder {
            row,
            shop_id,
            lines,
            taken,
            drawn: Vec::new(),
        });
    }
    let payment = payment_row(request, &checkout_id, amount, now);
    Ok(Planned {
        checkout_id,
        buyer_id: request.buyer_id,
        orders,
        payment,
    })
}

/// One parcel's goods, fee and total: the station's fee for a pickup, the shop's rule (or free)
/// for home delivery; every sum checked (`parcel_total`).
fn parcel_amounts<'a>(
    lines: impl Iterator<Item = (&'a variant::Model, u32)> + Clone,
    pickup: Option<&station::Model>,
    rule: Option<&shipping::Model>,
) -> Result<(Fen, Fen, Fen), IntakeError> {
    let prices = lines.clone().map(|(v, q)| (Fen(v.price_fen), q));
    let (goods, _) = farmgate_domain::money::parcel_total(prices, Fen(0))?;
    let grams = lines.fold(0i64, |sum, (v, q)| {
        sum.saturating_add(v.net_grams.unwrap_or(0).saturating_mul(i64::from(q)))
    });
    let shipping = match pickup {
        Some(station) => Fen(station.pickup_fee_fen),
        None => rule
            .map(shipping_rule_of)
            .transpose()?
            .unwrap_or_default()
            .fee(goods, grams),
    };
    let total = goods.checked_add(shipping).ok_or(TOO_LARGE)?;
    Ok((goods, shipping, total))
}

/// Where an order goes, as its row records it.
struct Destination {
    station_id: Option<i64>,
    pickup_region_id: Option<i64>,
    delivery_region_id: Option<i64>,
    address: Option<String>,
    recipient: Option<String>,
    phone: Option<String>,
}

/// The destination of a placement: its station (which must be open), or its address.
fn destination(
    request: &PlaceOrder,
    pickup: Option<&station::Model>,
) -> Result<Destination, IntakeError> {
    match (&request.delivery, pickup) {
        (
            Delivery::Home {
                region_id,
                address,
                recipient,
                phone,
            },
            _,
        ) => Ok(Destination {
            station_id: None,
            pickup_region_id: None,
            delivery_region_id: Some(*region_id),
            address: Some(address.clone()),
            recipient: Some(recipient.as_str().to_owned()),
            phone: Some(phone.as_str().to_owned()),
        }),
        (Delivery::Pickup { .. }, Some(s)) => Ok(Destination {
            station_id: Some(s.id),
            pickup_region_id: Some(s.region_id),
            delivery_region_id: None,
            address: None,
            recipient: None,
            phone: None,
        }),
        (Delivery::Pickup { station_id }, None) => Err(IntakeError::NoSuchStation {
            station_id: *station_id,
        }),
        (Delivery::Counter { .. }, _) => Ok(Destination {
            station_id: None,
            pickup_region_id: None,
            delivery_region_id: None,
            address: None,
            recipient: None,
            phone: None,
        }),
    }
}

/// A new order's row, placed now.
fn order_row(
    request: &PlaceOrder,
    checkout_id: &str,
    shop_id: i64,
    (goods, shipping): (Fen, Fen),
    to: Destination,
    now: DateTime<Utc>,
) -> order::ActiveModel {
    order::ActiveModel {
        checkout_id: Set(checkout_id.to_owned()),
        buyer_id: Set(request.buyer_id),
        shop_id: Set(shop_id),
        idempotency_key: Set(request.key.as_str().to_owned()),
        status: Set(first_status(request).as_str().to_owned()),
        fulfilment: Set(request.delivery.fulfilment().as_str().to_owned()),
        payment_method: Set(request.payment.as_str().to_owned()),
        station_id: Set(to.station_id),
        pickup_region_id: Set(to.pickup_region_id),
        delivery_region_id: Set(to.delivery_region_id),
        address: Set(to.address),
        recipient_name: Set(to.recipient),
        recipient_phone: Set(to.phone),
        goods_fen: Set(goods.0),
        shipping_fen: Set(shipping.0),
        total_fen: Set(goods.0 + shipping.0),
        placed_at: Set(now),
        updated_at: Set(now),
        room_id: Set(request.room_id),
        ..Default::default()
    }
}

/// Where a new order starts: placed, or complete when sold over a counter (paid and handed
/// over on the spot).
fn first_status(request: &PlaceOrder) -> OrderStatus {
    match request.delivery {
        Delivery::Counter { .. } => OrderStatus::Completed,
        _ => OrderStatus::Placed,
    }
}

/// An order line for `quantity` of `v` (at the price it carries), named as it was ordered; its
/// order's id is set when the order is written.
fn line_row(v: &variant::Model, quantity: u32, name: String) -> line::ActiveModel {
    line::ActiveModel {
        order_id: Set(0),
        variant_id: Set(v.id),
        product_id: Set(v.product_id),
        name: Set(name),
        unit: Set(v.unit.clone()),
        net_grams: Set(v.net_grams),
        quantity: Set(i32::try_from(quantity).unwrap_or(i32::MAX)),
        unit_price_fen: Set(v.price_fen),
        line_fen: Set(v.price_fen * i64::from(quantity)),
        price_policy: Set(v.price_policy.clone()),
        tolerance_bp: Set(v.tolerance_bp),
        packed_grams: Set(None),
        ..Default::default()
    }
}

/// The checkout's payment: pending until the deadline for online payment, due for cash.
fn payment_row(
    request: &PlaceOrder,
    checkout_id: &str,
    amount: Fen,
    now: DateTime<Utc>,
) -> payment::ActiveModel {
    let online = request.payment == PaymentMethod::Online;
    let counter = matches!(request.delivery, Delivery::Counter { .. });
    let status = if counter {
        PaymentStatus::Paid
    } else if online {
        PaymentStatus::Pending
    } else {
        PaymentStatus::Due
    };
    payment::ActiveModel {
        checkout_id: Set(checkout_id.to_owned()),
        buyer_id: Set(request.buyer_id),
        provider: Set(request.provider.clone()),
        amount_fen: Set(amount.0),
        status: Set(status.as_str().to_owned()),
        gateway_ref: Set(None),
        created_at: Set(now),
        expires_at: Set((online && !counter).then(|| now + request.pay_within)),
        settled_at: Set(counter.then_some(now)),
        refund_due_fen: Set(0),
        refunded_fen: Set(0),
        refund_ref: Set(None),
        ..Default::default()
    }
}

/// The "placed" event of an order.
fn placed_event(order_id: i64, buyer_id: i64, now: DateTime<Utc>) -> event::ActiveModel {
    event::ActiveModel {
        order_id: Set(order_id),
        status: Set(OrderStatus::Placed.as_str().to_owned()),
        actor_id: Set(Some(buyer_id)),
        note: Set(None),
        at: Set(now),
        ..Default::default()
    }
}

/// The orders a batch wrote, by (checkout, shop).
type Written = HashMap<(String, i64), order::Model>;

/// Writes the planned placements (orders, then their lines, events and payments, a few hundred
/// rows per statement, and the shops' notices of them) and answers each from what was written,
/// without reading it back.
pub(super) async fn write(
    txn: &DatabaseTransaction,
    planned: Vec<Planned>,
    now: DateTime<Utc>,
) -> Result<Vec<Checkout>, Error> {
    let orders: Vec<&PlannedOrder> = planned.iter().flat_map(|p| p.orders.iter()).collect();
    let written: Written = bulk::insert_returning::<order::Entity>(
        txn,
        orders.iter().map(|p| p.row.clone()).collect(),
    )
    .await?
    .into_iter()
    .map(|row| ((row.checkout_id.clone(), row.shop_id), row))
    .collect();
    let Children {
        lines,
        events,
        movements,
    } = children(&planned, &written, now)?;
    bulk::insert::<line::Entity>(txn, lines).await?;
    bulk::insert::<event::Entity>(txn, events).await?;
    bulk::insert::<movement::Entity>(txn, movements).await?;
    let payments = bulk::insert_returning::<payment::Entity>(
        txn,
        planned.iter().map(|p| p.payment.clone()).collect(),
    )
    .await?
    .into_iter()
    .map(|row| (row.checkout_id.clone(), row))
    .collect();
    let answers = answers(planned, &written, payments)?;
    let orders: Vec<&Order> = answers.iter().flat_map(|c| c.orders.iter()).collect();
    crate::notifications::tell_shops(txn, &orders, now).await?;
    Ok(answers)
}

/// The same on the SQLite intake's writer, without an await: each row through its table's
/// prepared insert, each new id from the insert itself.
pub(super) fn write_on(
    batch: &mut Batch<'_>,
    planned: Vec<Planned>,
    now: DateTime<Utc>,
) -> Result<Vec<Checkout>, Error> {
    let mut written = Written::new();
    for o in planned.iter().flat_map(|p| p.orders.iter()) {
        let row = inserted(batch, &o.row, |row, id| row.id = Set(id))?;
        written.insert((row.checkout_id.clone(), row.shop_id), row);
    }
    let children = children(&planned, &written, now)?;
    for row in &children.lines {
        batch.insert(row)?;
    }
    for row in &children.events {
        batch.insert(row)?;
    }
    for row in &children.movements {
        batch.insert(row)?;
    }
    let mut payments = HashMap::new();
    for p in &planned {
        let row = inserted(batch, &p.payment, |row, id| row.id = Set(id))?;
        payments.insert(row.checkout_id.clone(), row);
    }
    let answers = answers(planned, &written, payments)?;
    let orders: Vec<&Order> = answers.iter().flat_map(|c| c.orders.iter()).collect();
    if let Some(notices) = crate::notifications::shops_notices(&orders, now, DbBackend::Sqlite)? {
        batch.execute(&notices, false)?;
    }
    Ok(answers)
}

/// Inserts a row whose every column but its id is set; the row as written.
fn inserted<A>(
    batch: &mut Batch<'_>,
    row: &A,
    with_id: impl FnOnce(&mut A, i64),
) -> Result<<A::Entity as EntityTrait>::Model, Error>
where
    A: ActiveModelTrait + TryIntoModel<<A::Entity as EntityTrait>::Model>,
{
    let id = batch.insert(row)?;
    let mut row = row.clone();
    with_id(&mut row, id);
    Ok(row.try_into_model()?)
}

/// What a batch writes for its orders once they have ids: lines, events and stock movements.
struct Children {
    lines: Vec<line::ActiveModel>,
    events: Vec<event::ActiveModel>,
    movements: Vec<movement::ActiveModel>,
}

fn written_order<'a>(
    written: &'a Written,
    checkout_id: &str,
    shop_id: i64,
) -> Result<&'a order::Model, Error> {
    written
        .get(&(checkout_id.to_owned(), shop_id))
        .ok_or_else(|| Error::Corrupt("an order of the batch was not written".to_owned()))
}

fn children(planned: &[Planned], written: &Written, now: DateTime<Utc>) -> Result<Children, Error> {
    let mut lines = Vec::new();
    let mut events = Vec::new();
    let mut movements = Vec::new();
    for p in planned {
        let sold = Mover {
            reason: StockReason::Sold,
            actor_id: Some(p.buyer_id),
            note: "",
        };
        for o in &p.orders {
            let id = written_order(written, &p.checkout_id, o.shop_id)?.id;
            lines.extend(o.lines.iter().cloned().map(|mut l| {
                l.order_id = Set(id);
                l
            }));
            events.push(placed_event(id, p.buyer_id, now));
            if matches!(&o.row.status, sea_orm::ActiveValue::Set(s) if s == OrderStatus::Completed.as_str())
            {
                // Sold over a counter: handed over as it was placed.
                let mut done = placed_event(id, p.buyer_id, now);
                done.status = Set(OrderStatus::Completed.as_str().to_owned());
                events.push(done);
            }
            for &(product_id, variant_id, units) in &o.taken {
                let key = (o.shop_id, product_id, variant_id);
                let mut from_store = i64::from(units);
                for &(_, place_id, drawn) in o.drawn.iter().filter(|d| d.0 == variant_id) {
                    from_store -= drawn;
                    let mut row = movement_row(key, -drawn, sold, Some(id), now);
                    row.place_id = Set(Some(place_id));
                    movements.push(row);
                }
                if from_store > 0 {
                    movements.push(movement_row(key, -from_store, sold, Some(id), now));
                }
            }
        }
    }
    Ok(Children {
        lines,
        events,
        movements,
    })
}

/// Each placement's answer, from the orders and payments written.
fn answers(
    planned: Vec<Planned>,
    written: &Written,
    mut payments: HashMap<String, payment::Model>,
) -> Result<Vec<Checkout>, Error> {
    let mut answers = Vec::with_capacity(planned.len());
    for p in planned {
        let mut orders = Vec::with_capacity(p.orders.len());
        for o in &p.orders {
            orders.push(answer(
                written_order(written, &p.checkout_id, o.shop_id)?,
                &o.lines,
                p.buyer_id,
            )?);
        }
        let payment = payments
            .remove(&p.checkout_id)
            .ok_or_else(|| Error::Corrupt("a payment of the batch was not written".to_owned()))?;
        answers.push(Checkout {
            checkout_id: p.checkout_id,
            orders,
            payment: Payment::try_from(payment)?,
            replayed: false,
            shop_texts: Vec::new(),
        });
    }
    Ok(answers)
}

/// An order as the caller sees it, built from the row written and the lines planned.
fn answer(row: &order::Model, lines: &[line::ActiveModel], buyer_id: i64) -> Result<Order, Error> {
    let built = lines
        .iter()
        .map(planned_line)
        .collect::<Result<Vec<_>, _>>()?;
    let mut order = super::order_from_row(row, built)?;
    order.events = vec![OrderEventRow {
        status: OrderStatus::Placed,
        actor_id: Some(buyer_id),
        note: None,
        at: row.placed_at,
    }];
    Ok(order)
}

fn planned_line(l: &line::ActiveModel) -> Result<OrderLine, Error> {
    fn set<T: Clone + Into<sea_orm::Value>>(field: &sea_orm::ActiveValue<T>) -> Result<T, Error> {
        match field {
            sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => Ok(v.clone()),
            sea_orm::ActiveValue::NotSet => {
                Err(Error::Corrupt("a planned line is incomplete".to_owned()))
            }
        }
    }
    Ok(OrderLine {
        variant_id: set(&l.variant_id)?,
        product_id: set(&l.product_id)?,
        name: set(&l.name)?,
        unit: set(&l.unit)?,
        net_grams: set(&l.net_grams)?,
        quantity: u32::try_from(set(&l.quantity)?).unwrap_or(0),
        unit_price: Fen(set(&l.unit_price_fen)?),
        line_total: Fen(set(&l.line_fen)?),
        packed_grams: None,
    })
}
