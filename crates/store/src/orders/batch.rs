//! The intake's fast path: a whole batch of placements in a constant number of statements.
//!
//! Everything the batch needs is read at once (earlier orders under the batch's keys, the
//! variants with their products and names, stations, shipping rules); the placements are then
//! decided in memory, in arrival order, against the stock read inside the transaction; each
//! variant's stock is taken with ONE conditional update for the whole batch; orders, lines,
//! events and payments are written with one multi-row insert each, and the answers are built
//! from what was written, without reading it back.
//!
//! The stock read is exact when this intake is the only writer of those variants: on
//! PostgreSQL the rows are locked (`FOR UPDATE`) as they are read; on SQLite the batch's
//! conditional update finds the stock changed if another process wrote in between. Then this
//! path gives up (`Ok(None)`), the caller rolls back and takes the per-placement path.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderStatus, PaymentMethod};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::{event, line, order, payment};
use super::intake::IntakeError;
use super::payments::{Payment, PaymentStatus};
use super::{Checkout, Delivery, Order, OrderEventRow, OrderLine, PlaceOrder, assemble};
use crate::catalog::entity::{product, text, variant};
use crate::shops::entity::shipping;
use crate::shops::shipping_rule_of;
use crate::stations::entity::station;
use crate::{Backend, Error};

/// Rows per multi-row insert: well inside SQLite's and PostgreSQL's limits on parameters.
const ROWS_PER_INSERT: usize = 500;

/// One accepted placement, decided in memory: its orders (one per shop) and payment.
struct Accepted {
    index: usize,
    checkout_id: String,
    orders: Vec<PlannedOrder>,
    payment: payment::ActiveModel,
}

struct PlannedOrder {
    row: order::ActiveModel,
    shop_id: i64,
    lines: Vec<line::ActiveModel>,
}

/// Decides and writes a batch; `Ok(None)` when another writer changed the stock meanwhile.
pub(super) async fn place_set(
    txn: &DatabaseTransaction,
    backend: Backend,
    batch: &[&PlaceOrder],
) -> Result<Option<Vec<Result<Checkout, IntakeError>>>, Error> {
    let mut outcomes: Vec<Option<Result<Checkout, IntakeError>>> =
        (0..batch.len()).map(|_| None).collect();

    // Keys used before: those placements are answered with what they made then.
    let buyers: HashSet<i64> = batch.iter().map(|p| p.buyer_id).collect();
    let keys: HashSet<&str> = batch.iter().map(|p| p.key.as_str()).collect();
    let earlier = order::Entity::find()
        .filter(order::Column::BuyerId.is_in(buyers.iter().copied()))
        .filter(order::Column::IdempotencyKey.is_in(keys.iter().copied()))
        .all(txn)
        .await?;
    for (index, request) in batch.iter().enumerate() {
        let rows: Vec<order::Model> = earlier
            .iter()
            .filter(|o| o.buyer_id == request.buyer_id && o.idempotency_key == request.key.as_str())
            .cloned()
            .collect();
        if let Some(first) = rows.first() {
            let checkout_id = first.checkout_id.clone();
            let payment = payment::Entity::find()
                .filter(payment::Column::CheckoutId.eq(&checkout_id))
                .one(txn)
                .await?
                .ok_or(Error::NotFound)?;
            outcomes[index] = Some(Ok(Checkout {
                checkout_id,
                orders: assemble(txn, rows).await?,
                payment: Payment::try_from(payment)?,
                replayed: true,
            }));
        }
    }

    // What the new placements ask for, read once for the whole batch.
    let variant_ids: HashSet<i64> = batch
        .iter()
        .flat_map(|p| p.basket.lines().iter().map(|(v, _)| *v))
        .collect();
    // Locked in id order, so two instances' batches never wait on each other in a circle.
    let mut variants_query = variant::Entity::find()
        .filter(variant::Column::Id.is_in(variant_ids.iter().copied()))
        .order_by_asc(variant::Column::Id);
    if backend == Backend::Postgres {
        variants_query = variants_query.lock_exclusive();
    }
    let variants: HashMap<i64, variant::Model> = variants_query
        .all(txn)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let product_ids: HashSet<i64> = variants.values().map(|v| v.product_id).collect();
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids.iter().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let names: HashMap<i64, String> = text::Entity::find()
        .filter(text::Column::ProductId.is_in(product_ids.iter().copied()))
        .filter(text::Column::Language.eq(Language::ZhCn.tag()))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| (t.product_id, t.name))
        .collect();
    let station_ids: HashSet<i64> = batch
        .iter()
        .filter_map(|p| match p.delivery {
            Delivery::Pickup { station_id } => Some(station_id),
            Delivery::Home { .. } => None,
        })
        .collect();
    let stations: HashMap<i64, station::Model> = station::Entity::find()
        .filter(station::Column::Id.is_in(station_ids.iter().copied()))
        .filter(station::Column::Active.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let shop_ids: HashSet<i64> = products.values().map(|p| p.shop_id).collect();
    let rules: HashMap<i64, shipping::Model> = shipping::Entity::find()
        .filter(shipping::Column::ShopId.is_in(shop_ids.iter().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| (r.shop_id, r))
        .collect();

    let room_ids: Vec<i64> = batch
        .iter()
        .filter_map(|p| p.room_id)
        .collect::<HashSet<i64>>()
        .into_iter()
        .collect();
    let room_prices = crate::live::room_prices(txn, &room_ids).await?;

    // Decide each placement in arrival order against the stock left.
    let mut left: HashMap<i64, i64> = variants.iter().map(|(id, v)| (*id, v.stock)).collect();
    let mut taken: BTreeMap<i64, i64> = BTreeMap::new();
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut keys_this_batch: HashMap<(i64, String), usize> = HashMap::new();
    let now = Utc::now();
    for (index, request) in batch.iter().enumerate() {
        if outcomes[index].is_some() {
            continue;
        }
        // The same key twice in one batch: the second gets the first's answer (filled below).
        let key = (request.buyer_id, request.key.as_str().to_owned());
        if keys_this_batch.contains_key(&key) {
            continue;
        }
        keys_this_batch.insert(key, index);
        let priced = Priced {
            variants: &variants,
            room_prices: &room_prices,
        };
        match decide(
            request, &priced, &products, &names, &stations, &rules, &left, now,
        ) {
            Err(refusal) => outcomes[index] = Some(Err(refusal)),
            Ok((checkout_id, orders, amount)) => {
                for &(variant_id, quantity) in request.basket.lines() {
                    *left.entry(variant_id).or_default() -= i64::from(quantity);
                    *taken.entry(variant_id).or_default() += i64::from(quantity);
                }
                let online = request.payment == PaymentMethod::Online;
                let payment = payment::ActiveModel {
                    checkout_id: Set(checkout_id.clone()),
                    buyer_id: Set(request.buyer_id),
                    provider: Set(request.provider.clone()),
                    amount_fen: Set(amount),
                    status: Set(if online {
                        PaymentStatus::Pending
                    } else {
                        PaymentStatus::Due
                    }
                    .as_str()
                    .to_owned()),
                    gateway_ref: Set(None),
                    created_at: Set(now),
                    expires_at: Set(online.then(|| now + request.pay_within)),
                    settled_at: Set(None),
                    refund_due_fen: Set(0),
                    refunded_fen: Set(0),
                    refund_ref: Set(None),
                    ..Default::default()
                };
                accepted.push(Accepted {
                    index,
                    checkout_id,
                    orders,
                    payment,
                });
            }
        }
    }

    // One conditional update per variant for the whole batch.
    for (variant_id, quantity) in &taken {
        let updated = variant::Entity::update_many()
            .col_expr(
                variant::Column::Stock,
                Expr::col(variant::Column::Stock).sub(*quantity),
            )
            .filter(variant::Column::Id.eq(*variant_id))
            .filter(variant::Column::Stock.gte(*quantity))
            .exec(txn)
            .await?;
        if updated.rows_affected == 0 {
            return Ok(None);
        }
    }

    // Orders, then their lines, events and payments, a few hundred rows per statement.
    let planned: Vec<&PlannedOrder> = accepted.iter().flat_map(|a| a.orders.iter()).collect();
    let mut written: HashMap<(String, i64), order::Model> = HashMap::new();
    for chunk in planned.chunks(ROWS_PER_INSERT) {
        let rows = order::Entity::insert_many(chunk.iter().map(|p| p.row.clone()))
            .exec_with_returning(txn)
            .await?;
        for row in rows {
            written.insert((row.checkout_id.clone(), row.shop_id), row);
        }
    }
    let order_id = |checkout_id: &str, shop_id: i64| -> Result<i64, Error> {
        written
            .get(&(checkout_id.to_owned(), shop_id))
            .map(|o| o.id)
            .ok_or_else(|| Error::Corrupt("an order of the batch was not written".to_owned()))
    };
    let mut lines = Vec::new();
    let mut events = Vec::new();
    for a in &accepted {
        for o in &a.orders {
            let id = order_id(&a.checkout_id, o.shop_id)?;
            for l in &o.lines {
                let mut l = l.clone();
                l.order_id = Set(id);
                lines.push(l);
            }
            events.push(event::ActiveModel {
                order_id: Set(id),
                status: Set(OrderStatus::Placed.as_str().to_owned()),
                actor_id: Set(Some(batch[a.index].buyer_id)),
                note: Set(None),
                at: Set(now),
                ..Default::default()
            });
        }
    }
    for chunk in lines.chunks(ROWS_PER_INSERT) {
        line::Entity::insert_many(chunk.iter().cloned())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in events.chunks(ROWS_PER_INSERT) {
        event::Entity::insert_many(chunk.iter().cloned())
            .exec_without_returning(txn)
            .await?;
    }
    let mut payments: HashMap<String, payment::Model> = HashMap::new();
    let payment_rows: Vec<payment::ActiveModel> =
        accepted.iter().map(|a| a.payment.clone()).collect();
    for chunk in payment_rows.chunks(ROWS_PER_INSERT) {
        for row in payment::Entity::insert_many(chunk.iter().cloned())
            .exec_with_returning(txn)
            .await?
        {
            payments.insert(row.checkout_id.clone(), row);
        }
    }

    // The answers, from what was written.
    for a in accepted {
        let request = batch[a.index];
        let mut orders = Vec::new();
        for o in &a.orders {
            let row = written
                .get(&(a.checkout_id.clone(), o.shop_id))
                .ok_or_else(|| {
                    Error::Corrupt("an order of the batch was not written".to_owned())
                })?;
            orders.push(answer(row, &o.lines, request.buyer_id)?);
        }
        let payment = payments
            .remove(&a.checkout_id)
            .ok_or_else(|| Error::Corrupt("a payment of the batch was not written".to_owned()))?;
        outcomes[a.index] = Some(Ok(Checkout {
            checkout_id: a.checkout_id,
            orders,
            payment: Payment::try_from(payment)?,
            replayed: false,
        }));
    }
    // Repeats of a key within the batch answer as replays of the first.
    for (index, request) in batch.iter().enumerate() {
        if outcomes[index].is_some() {
            continue;
        }
        let first = keys_this_batch
            .get(&(request.buyer_id, request.key.as_str().to_owned()))
            .copied()
            .unwrap_or(index);
        outcomes[index] = Some(match &outcomes[first] {
            Some(Ok(checkout)) => Ok(Checkout {
                replayed: true,
                ..checkout.clone()
            }),
            Some(Err(IntakeError::OutOfStock { variant_id })) => Err(IntakeError::OutOfStock {
                variant_id: *variant_id,
            }),
            Some(Err(IntakeError::NotForSale { variant_id })) => Err(IntakeError::NotForSale {
                variant_id: *variant_id,
            }),
            Some(Err(IntakeError::NoSuchStation { station_id })) => {
                Err(IntakeError::NoSuchStation {
                    station_id: *station_id,
                })
            }
            _ => Err(IntakeError::Closed),
        });
    }
    Ok(Some(
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Err(IntakeError::Closed)))
            .collect(),
    ))
}

/// The batch's variants, each at the price the placement pays: the room price when bought from
/// a live room that pinned it with one.
pub(super) struct Priced<'a> {
    pub variants: &'a HashMap<i64, variant::Model>,
    pub room_prices: &'a HashMap<(i64, i64), i64>,
}

impl Priced<'_> {
    pub fn get(&self, room_id: Option<i64>, variant_id: i64) -> Option<variant::Model> {
        let mut v = self.variants.get(&variant_id)?.clone();
        if let Some(price) = room_id.and_then(|room| self.room_prices.get(&(room, variant_id))) {
            v.price_fen = *price;
        }
        Some(v)
    }
}

/// One placement against what the batch read and the stock left: its orders (one per shop)
/// and the amount its payment covers, or why it is refused.
#[allow(clippy::too_many_arguments)]
fn decide(
    request: &PlaceOrder,
    variants: &Priced<'_>,
    products: &HashMap<i64, product::Model>,
    names: &HashMap<i64, String>,
    stations: &HashMap<i64, station::Model>,
    rules: &HashMap<i64, shipping::Model>,
    left: &HashMap<i64, i64>,
    now: chrono::DateTime<Utc>,
) -> Result<(String, Vec<PlannedOrder>, i64), IntakeError> {
    let mut by_shop: BTreeMap<i64, Vec<(variant::Model, u32)>> = BTreeMap::new();
    for &(variant_id, quantity) in request.basket.lines() {
        let v = variants
            .get(request.room_id, variant_id)
            .ok_or(IntakeError::NotForSale { variant_id })?;
        let p = products
            .get(&v.product_id)
            .filter(|p| p.status == ProductStatus::Listed.as_str())
            .ok_or(IntakeError::NotForSale { variant_id })?;
        by_shop.entry(p.shop_id).or_default().push((v, quantity));
    }
    let pickup = match &request.delivery {
        Delivery::Pickup { station_id } => {
            Some(stations.get(station_id).ok_or(IntakeError::NoSuchStation {
                station_id: *station_id,
            })?)
        }
        Delivery::Home { .. } => None,
    };
    for &(variant_id, quantity) in request.basket.lines() {
        if left.get(&variant_id).copied().unwrap_or(0) < i64::from(quantity) {
            return Err(IntakeError::OutOfStock { variant_id });
        }
    }
    let checkout_id = uuid::Uuid::new_v4().to_string();
    let mut orders = Vec::new();
    let mut amount = Fen(0);
    for (shop_id, lines) in by_shop {
        let (goods, shipping, total) = parcel_amounts(
            lines.iter().map(|(v, q)| (v, *q)),
            pickup,
            rules.get(&shop_id),
        )?;
        let to = destination(request, pickup)?;
        amount = amount.checked_add(total).ok_or(TOO_LARGE)?;
        let row = order_row(
            request,
            &checkout_id,
            shop_id,
            (goods.0, shipping.0),
            to,
            now,
        );
        let lines = lines
            .into_iter()
            .map(|(v, quantity)| {
                let name = names.get(&v.product_id).cloned().unwrap_or_default();
                line_row(0, &v, quantity, name)
            })
            .collect();
        orders.push(PlannedOrder {
            row,
            shop_id,
            lines,
        });
    }
    Ok((checkout_id, orders, amount.0))
}

/// An amount that does not fit: refused on the quantity, never wrapped.
pub(super) const TOO_LARGE: IntakeError = IntakeError::Invalid(
    farmgate_domain::ValidationError::new("quantity", "amount-too-large"),
);

/// One parcel's goods, fee and total: the station's fee for a pickup, the shop's rule (or free)
/// for home delivery; every sum checked (`parcel_total`).
pub(super) fn parcel_amounts<'a>(
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
pub(super) struct Destination {
    station_id: Option<i64>,
    pickup_region_id: Option<i64>,
    delivery_region_id: Option<i64>,
    address: Option<String>,
    recipient: Option<String>,
    phone: Option<String>,
}

/// The destination of a placement: its station (which must be open), or its address.
pub(super) fn destination(
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
            recipient: Some(recipient.clone()),
            phone: Some(phone.clone()),
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
    }
}

/// A new order's row, placed now.
pub(super) fn order_row(
    request: &PlaceOrder,
    checkout_id: &str,
    shop_id: i64,
    (goods, shipping): (i64, i64),
    to: Destination,
    now: chrono::DateTime<Utc>,
) -> order::ActiveModel {
    order::ActiveModel {
        checkout_id: Set(checkout_id.to_owned()),
        buyer_id: Set(request.buyer_id),
        shop_id: Set(shop_id),
        idempotency_key: Set(request.key.as_str().to_owned()),
        status: Set(OrderStatus::Placed.as_str().to_owned()),
        fulfilment: Set(request.delivery.fulfilment().as_str().to_owned()),
        payment_method: Set(request.payment.as_str().to_owned()),
        station_id: Set(to.station_id),
        pickup_region_id: Set(to.pickup_region_id),
        delivery_region_id: Set(to.delivery_region_id),
        address: Set(to.address),
        recipient_name: Set(to.recipient),
        recipient_phone: Set(to.phone),
        goods_fen: Set(goods),
        shipping_fen: Set(shipping),
        total_fen: Set(goods + shipping),
        placed_at: Set(now),
        updated_at: Set(now),
        room_id: Set(request.room_id),
        ..Default::default()
    }
}

/// An order line for `quantity` of `v` (at the price it carries), named as it was ordered.
pub(super) fn line_row(
    order_id: i64,
    v: &variant::Model,
    quantity: u32,
    name: String,
) -> line::ActiveModel {
    line::ActiveModel {
        order_id: Set(order_id),
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

/// An order as the caller sees it, built from the row written and the lines planned.
fn answer(row: &order::Model, lines: &[line::ActiveModel], buyer_id: i64) -> Result<Order, Error> {
    let mut built = Vec::with_capacity(lines.len());
    for l in lines {
        let value = |field: &sea_orm::ActiveValue<i64>| match field {
            sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => Ok(*v),
            sea_orm::ActiveValue::NotSet => {
                Err(Error::Corrupt("a planned line is incomplete".to_owned()))
            }
        };
        let quantity = match &l.quantity {
            sea_orm::ActiveValue::Set(q) => u32::try_from(*q).unwrap_or(0),
            _ => 0,
        };
        built.push(OrderLine {
            variant_id: value(&l.variant_id)?,
            product_id: value(&l.product_id)?,
            name: match &l.name {
                sea_orm::ActiveValue::Set(n) => n.clone(),
                _ => String::new(),
            },
            unit: match &l.unit {
                sea_orm::ActiveValue::Set(u) => u.clone(),
                _ => String::new(),
            },
            net_grams: match &l.net_grams {
                sea_orm::ActiveValue::Set(g) => *g,
                _ => None,
            },
            quantity,
            unit_price: Fen(value(&l.unit_price_fen)?),
            line_total: Fen(value(&l.line_fen)?),
            packed_grams: None,
        });
    }
    let mut order = super::order_from_row(row, built)?;
    order.events = vec![OrderEventRow {
        status: OrderStatus::Placed,
        actor_id: Some(buyer_id),
        note: None,
        at: row.placed_at,
    }];
    Ok(order)
}
