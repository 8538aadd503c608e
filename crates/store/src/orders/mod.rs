//! Orders and the one path every order placement goes through: the intake.
//!
//! The intake is a task that owns writing orders. Placements queue to it; it takes every
//! placement waiting, runs them in ONE transaction (each inside its own savepoint, so one
//! buyer's sold-out line does not undo another's order), commits once, and only then answers
//! each caller. That is group commit: one disk flush for many orders. Stock is decremented
//! with `UPDATE ... SET stock = stock - q WHERE id = ? AND stock >= q` in the transaction that
//! writes the order, so stock can never go below zero, whatever runs beside it (another
//! intake, another server instance on the same PostgreSQL). A placement carries the buyer's
//! idempotency key: the same key returns the orders it made the first time.

pub(crate) mod advance;
mod batch;
mod cart;
mod filter;
pub(crate) mod entity;
mod intake;
mod parcels;
mod payments;
mod placement;
mod profile;
mod writer;
mod refunds;
mod reviews;

pub use filter::OrderFilter;
pub use intake::{IntakeError, OrderIntake};
pub use parcels::ParcelsAt;
pub use payments::{Payment, PaymentStatus, Settlement};
pub use profile::{IntakeProfile, Part as IntakePart};
pub use refunds::{
    Answerer, MAX_REFUND_PHOTOS, RefundAnswer, RefundAsk, RefundLine, RefundRequest, ShopTakings,
};
pub use reviews::{Rating, Review};

use chrono::{DateTime, Utc};
use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Basket, Fulfilment, IdempotencyKey, OrderStatus, PaymentMethod};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::{Error, Result, Store};
use entity::{event, line, order};

/// A placement as the buyer asked for it, parsed at the edge.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub buyer_id: i64,
    pub key: IdempotencyKey,
    pub basket: Basket,
    pub delivery: Delivery,
    pub payment: PaymentMethod,
    /// Which provider takes the payment (`cash`, `sandbox`, ...).
    pub provider: String,
    /// How long an online payment may take before the orders are cancelled and the stock
    /// goes back on sale.
    pub pay_within: chrono::Duration,
    /// Bought from this live room: its room prices apply while it is live.
    pub room_id: Option<i64>,
}

/// Where the parcels of a checkout go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivery {
    /// Picked up at a station, which may charge a fee per parcel.
    Pickup { station_id: i64 },
    /// Sent to an address in a region (township or village); each shop charges by its rule.
    Home {
        region_id: i64,
        address: String,
        recipient: DisplayName,
        phone: PhoneNumber,
    },
    /// Sold over the counter of a place (the showroom's till, issue 19): drawn from the shops'
    /// units at that place only, paid and handed over on the spot.
    Counter { place_id: i64 },
}

impl Delivery {
    pub fn fulfilment(&self) -> Fulfilment {
        match self {
            Delivery::Pickup { .. } => Fulfilment::Pickup,
            Delivery::Home { .. } => Fulfilment::Home,
            Delivery::Counter { .. } => Fulfilment::Counter,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    pub variant_id: i64,
    pub product_id: i64,
    pub name: String,
    pub unit: String,
    pub net_grams: Option<i64>,
    pub quantity: u32,
    pub unit_price: Fen,
    pub line_total: Fen,
    pub packed_grams: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderEventRow {
    pub status: OrderStatus,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: i64,
    pub checkout_id: String,
    pub buyer_id: i64,
    pub shop_id: i64,
    pub status: OrderStatus,
    pub fulfilment: Fulfilment,
    pub payment: PaymentMethod,
    pub station_id: Option<i64>,
    pub pickup_region_id: Option<i64>,
    pub delivery_region_id: Option<i64>,
    pub address: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_phone: Option<String>,
    pub goods: Fen,
    pub shipping: Fen,
    pub total: Fen,
    pub placed_at: DateTime<Utc>,
    pub lines: Vec<OrderLine>,
    pub events: Vec<OrderEventRow>,
}

/// What one placement produced: an order per shop, under one checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkout {
    pub checkout_id: String,
    pub orders: Vec<Order>,
    /// The one payment that covers every order of the checkout.
    pub payment: Payment,
    /// True when the key had been used before and these are the orders it made then.
    pub replayed: bool,
    /// The shops' members to text about their new orders (they chose texts for them); the
    /// intake wrote their notices with the orders. Empty on a replay.
    #[serde(skip)]
    pub shop_texts: Vec<crate::notifications::ShopText>,
}

fn corrupt(id: i64) -> Error {
    crate::error::corrupt("order", id)
}

/// How many ids one `IN (...)` list carries: SQLite allows 32,766 variables a statement, and
/// long lists plan badly everywhere.
pub(crate) const IN_CHUNK: usize = 500;

/// The most orders one page of a list holds.
pub const MAX_PAGE: u64 = 100;

/// Loads orders with their lines and events: two queries per `IN_CHUNK` orders, grouped by
/// order once (not searched per order).
pub(crate) async fn assemble<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<order::Model>,
) -> Result<Vec<Order>> {
    use std::collections::HashMap;
    let mut lines_of: HashMap<i64, Vec<OrderLine>> = HashMap::new();
    let mut events_of: HashMap<i64, Vec<event::Model>> = HashMap::new();
    let ids: Vec<i64> = rows.iter().map(|o| o.id).collect();
    for chunk in ids.chunks(IN_CHUNK) {
        let lines = line::Entity::find()
            .filter(line::Column::OrderId.is_in(chunk.iter().copied()))
            .order_by_asc(line::Column::Id)
            .all(conn)
            .await?;
        for l in lines {
            lines_of.entry(l.order_id).or_default().push(OrderLine {
                variant_id: l.variant_id,
                product_id: l.product_id,
                name: l.name,
                unit: l.unit,
                net_grams: l.net_grams,
                quantity: u32::try_from(l.quantity).unwrap_or(0),
                unit_price: Fen(l.unit_price_fen),
                line_total: Fen(l.line_fen),
                packed_grams: l.packed_grams,
            });
        }
        let events = event::Entity::find()
            .filter(event::Column::OrderId.is_in(chunk.iter().copied()))
            .order_by_asc(event::Column::Id)
            .all(conn)
            .await?;
        for e in events {
            events_of.entry(e.order_id).or_default().push(e);
        }
    }
    rows.into_iter()
        .map(|o| {
            let mut order = order_from_row(&o, lines_of.remove(&o.id).unwrap_or_default())?;
            order.events = events_of
                .remove(&o.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| {
                    Ok(OrderEventRow {
                        status: OrderStatus::parse(&e.status).ok_or_else(|| corrupt(o.id))?,
                        actor_id: e.actor_id,
                        note: e.note,
                        at: e.at,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(order)
        })
        .collect()
}

/// Which orders a list shows, newest first: those before `before` (an order id; keyset
/// paging), in the given statuses (all when empty), at most `limit` (`MAX_PAGE` at most; 0
/// means `MAX_PAGE`).
#[derive(Debug, Clone, Default)]
pub struct OrderPage {
    pub before: Option<i64>,
    pub statuses: Vec<OrderStatus>,
    pub limit: u64,
    pub filter: OrderFilter,
}

/// An order from its row and lines, with no events yet.
pub(crate) fn order_from_row(o: &order::Model, lines: Vec<OrderLine>) -> Result<Order> {
    Ok(Order {
        status: OrderStatus::parse(&o.status).ok_or_else(|| corrupt(o.id))?,
        fulfilment: Fulfilment::parse(&o.fulfilment).ok_or_else(|| corrupt(o.id))?,
        payment: PaymentMethod::parse(&o.payment_method).ok_or_else(|| corrupt(o.id))?,
        lines,
        events: Vec::new(),
        id: o.id,
        checkout_id: o.checkout_id.clone(),
        buyer_id: o.buyer_id,
        shop_id: o.shop_id,
        station_id: o.station_id,
        pickup_region_id: o.pickup_region_id,
        delivery_region_id: o.delivery_region_id,
        address: o.address.clone(),
        recipient_name: o.recipient_name.clone(),
        recipient_phone: o.recipient_phone.clone(),
        goods: Fen(o.goods_fen),
        shipping: Fen(o.shipping_fen),
        total: Fen(o.total_fen),
        placed_at: o.placed_at,
    })
}

impl Store {
    pub async fn order(&self, id: i64) -> Result<Order> {
        let row = order::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        assemble(&self.db, vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// A page of a buyer's orders, newest first.
    pub async fn orders_of_buyer(&self, buyer_id: i64, page: OrderPage) -> Result<Vec<Order>> {
        self.order_page(order::Column::BuyerId.eq(buyer_id), page)
            .await
    }

    /// What a buyer's key placed before, if anything (a resent checkout form finds it here
    /// even after the cart it came from was emptied).
    pub async fn checkout_of_key(
        &self,
        buyer_id: i64,
        key: &IdempotencyKey,
    ) -> Result<Option<Checkout>> {
        let rows = order::Entity::find()
            .filter(order::Column::BuyerId.eq(buyer_id))
            .filter(order::Column::IdempotencyKey.eq(key.as_str()))
            .order_by_asc(order::Column::Id)
            .all(&self.db)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let checkout_id = first.checkout_id.clone();
        let payment = self.payment_of_checkout(&checkout_id).await?;
        Ok(Some(Checkout {
            checkout_id,
            orders: assemble(&self.db, rows).await?,
            payment,
            replayed: true,
            shop_texts: Vec::new(),
        }))
    }

    /// The orders one checkout made, one per shop.
    pub async fn orders_of_checkout(&self, checkout_id: &str) -> Result<Vec<Order>> {
        let rows = order::Entity::find()
            .filter(order::Column::CheckoutId.eq(checkout_id))
            .order_by_asc(order::Column::Id)
            .all(&self.db)
            .await?;
        assemble(&self.db, rows).await
    }

    /// A page of a shop's orders, newest first: only that shop's lines exist on them.
    pub async fn orders_of_shop(&self, shop_id: i64, page: OrderPage) -> Result<Vec<Order>> {
        self.order_page(order::Column::ShopId.eq(shop_id), page)
            .await
    }

    async fn order_page(
        &self,
        owner: sea_orm::sea_query::SimpleExpr,
        page: OrderPage,
    ) -> Result<Vec<Order>> {
        let mut query = filter::narrowed(order::Entity::find().filter(owner), &page.filter);
        if let Some(before) = page.before {
            query = query.filter(order::Column::Id.lt(before));
        }
        if !page.statuses.is_empty() {
            query =
                query.filter(order::Column::Status.is_in(page.statuses.iter().map(|s| s.as_str())));
        }
        let rows = query
            .order_by_desc(order::Column::Id)
            .limit(match page.limit {
                0 => MAX_PAGE,
                limit => limit.min(MAX_PAGE),
            })
            .all(&self.db)
            .await?;
        assemble(&self.db, rows).await
    }

    /// Every order of a shop, newest first, read a page at a time (benchmarks and tests count
    /// what was sold; pages and exports use `orders_of_shop` and `each_order_of_shop`).
    pub async fn all_orders_of_shop(&self, shop_id: i64) -> Result<Vec<Order>> {
        let mut all = Vec::new();
        self.each_order_of_shop(shop_id, |page| {
            all.extend(page);
            true
        })
        .await?;
        Ok(all)
    }

    /// Every order of a shop, newest first, a page at a time: `each` sees one page and says
    /// whether to go on (exports write as they read, never holding every order).
    pub async fn each_order_of_shop<F>(&self, shop_id: i64, mut each: F) -> Result<()>
    where
        F: FnMut(Vec<Order>) -> bool,
    {
        let mut before = None;
        loop {
            let page = self
                .orders_of_shop(
                    shop_id,
                    OrderPage {
                        before,
                        statuses: Vec::new(),
                        limit: MAX_PAGE,
                        filter: Default::default(),
                    },
                )
                .await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            before = Some(last.id);
            let full = page.len() as u64 == MAX_PAGE;
            if !each(page) || !full {
                return Ok(());
            }
        }
    }

    /// Where the buyer's last order went and how it was paid: what a one-tap purchase in a
    /// live room uses. None before the buyer's first order.
    pub async fn buyer_defaults(&self, buyer_id: i64) -> Result<Option<(Delivery, PaymentMethod)>> {
        let Some(last) = order::Entity::find()
            .filter(order::Column::BuyerId.eq(buyer_id))
            .filter(order::Column::Fulfilment.ne(Fulfilment::Counter.as_str()))
            .order_by_desc(order::Column::Id)
            .limit(1)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let payment = PaymentMethod::parse(&last.payment_method).unwrap_or(PaymentMethod::Cash);
        let delivery = match (last.station_id, last.delivery_region_id) {
            (Some(station_id), _) => Delivery::Pickup { station_id },
            (None, Some(region_id)) => Delivery::Home {
                region_id,
                address: last.address.unwrap_or_default(),
                recipient: DisplayName::parse(last.recipient_name.as_deref().unwrap_or_default())
                    .map_err(|_| corrupt(last.id))?,
                phone: PhoneNumber::parse(last.recipient_phone.as_deref().unwrap_or_default())
                    .map_err(|_| corrupt(last.id))?,
            },
            (None, None) => return Ok(None),
        };
        Ok(Some((delivery, payment)))
    }

    /// How many units of each variant are left, in one query.
    pub async fn variant_stocks(
        &self,
        variant_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        use crate::catalog::entity::variant;

        let rows: Vec<(i64, i64)> = variant::Entity::find()
            .select_only()
            .column(variant::Column::Id)
            .column(variant::Column::Stock)
            .filter(variant::Column::Id.is_in(variant_ids.iter().copied()))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// How many units of a variant are left.
    pub async fn variant_stock(&self, variant_id: i64) -> Result<i64> {
        use crate::catalog::entity::variant;
        Ok(variant::Entity::find_by_id(variant_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .stock)
    }
}
