//! Stock in several places (issue 19, decision 0029). A county's places hold goods besides the
//! shops' own stores: the centre's showroom, stations, the distribution centre. A shop keeps
//! stock at a place once it joins it, and says whether online sales draw from it.
//!
//! The shop's own store is not a row: it holds what is placed nowhere else. A variant's
//! `stock` is what online sales may take (its store's units and those at its online places);
//! `away_online` is the part at online places, so the store holds `stock - away_online`.
//! Every change here keeps three things true in its transaction: no quantity below zero,
//! `away_online` the sum of the variant's online places, and a movement for each change.

use chrono::Utc;
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::lang::Language;
use farmgate_domain::text::Texts;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{movement, place_stock, product, shop_place, stock_place, variant};
use super::stock::{Mover, movement_row};
use crate::error::corrupt;
use crate::{Error, Result, Store};

/// A place that holds goods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockPlace {
    pub id: i64,
    pub county_id: i64,
    pub kind: PlaceKind,
    pub station_id: Option<i64>,
    pub depot_id: Option<i64>,
    pub names: Texts,
    pub active: bool,
}

impl StockPlace {
    pub fn name(&self, language: Language) -> &str {
        self.names.shown(language).text
    }
}

/// A new place, or a place's new details.
#[derive(Debug, Clone)]
pub struct PlaceDetails {
    pub kind: PlaceKind,
    pub names: Texts,
    pub station_id: Option<i64>,
    pub depot_id: Option<i64>,
}

/// A place a shop keeps stock at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopPlace {
    pub place: StockPlace,
    /// Online sales draw from it (after the shop's own store, in `position` order).
    pub online: bool,
    pub position: i32,
}

/// Units of a variant at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlacedUnits {
    pub place_id: i64,
    pub variant_id: i64,
    pub shop_id: i64,
    pub quantity: i64,
}

/// Where units are taken from or put: the shop's own store, or a place it keeps stock at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spot {
    Store,
    Place { id: i64, online: bool },
}

impl Spot {
    pub(crate) fn place_id(self) -> Option<i64> {
        match self {
            Spot::Store => None,
            Spot::Place { id, .. } => Some(id),
        }
    }
}

pub(crate) fn place_from(row: stock_place::Model) -> Result<StockPlace> {
    Ok(StockPlace {
        kind: PlaceKind::parse(&row.kind).map_err(|_| corrupt("stock place", row.id))?,
        id: row.id,
        county_id: row.county_id,
        station_id: row.station_id,
        depot_id: row.depot_id,
        names: Texts::from_stored(row.name_zh, row.name_ug, row.name_en),
        active: row.active,
    })
}

/// Where `shop_id` keeps units at `place` (none: its own store); `NotFound` when the shop does
/// not keep stock there.
pub(crate) async fn spot_of(
    txn: &DatabaseTransaction,
    shop_id: i64,
    place: Option<i64>,
) -> Result<Spot> {
    let Some(place_id) = place else {
        return Ok(Spot::Store);
    };
    let row = shop_place::Entity::find_by_id((shop_id, place_id))
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Spot::Place {
        id: place_id,
        online: row.online,
    })
}

/// Takes `units` of a variant from `spot`; false (nothing taken) when fewer are there. An
/// online place's units leave the variant's `stock` and `away_online` too; the variant's row is
/// written first, so a till and an online batch take the same locks in the same order.
pub(crate) async fn take_units(
    txn: &DatabaseTransaction,
    spot: Spot,
    variant_id: i64,
    units: i64,
) -> Result<bool> {
    let stock = || Expr::col(variant::Column::Stock);
    let away = || Expr::col(variant::Column::AwayOnline);
    match spot {
        Spot::Store => {
            let taken = variant::Entity::update_many()
                .col_expr(variant::Column::Stock, stock().sub(units))
                .filter(variant::Column::Id.eq(variant_id))
                .filter(stock().sub(away()).gte(units))
                .exec(txn)
                .await?;
            Ok(taken.rows_affected == 1)
        }
        Spot::Place { id, online } => {
            if online {
                let taken = variant::Entity::update_many()
                    .col_expr(variant::Column::Stock, stock().sub(units))
                    .col_expr(variant::Column::AwayOnline, away().sub(units))
                    .filter(variant::Column::Id.eq(variant_id))
                    .filter(away().gte(units))
                    .exec(txn)
                    .await?;
                if taken.rows_affected != 1 {
                    return Ok(false);
                }
            }
            let taken = place_stock::Entity::update_many()
                .col_expr(
                    place_stock::Column::Quantity,
                    Expr::col(place_stock::Column::Quantity).sub(units),
                )
                .col_expr(place_stock::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(place_stock::Column::PlaceId.eq(id))
                .filter(place_stock::Column::VariantId.eq(variant_id))
                .filter(place_stock::Column::Quantity.gte(units))
                .exec(txn)
                .await?;
            Ok(taken.rows_affected == 1)
        }
    }
}

/// The update that takes `units` from a place's row alone, if it holds them (the intake takes
/// them from the variant's `stock` and `away_online` too); it changes one row or none.
pub(crate) fn take_placed(
    place_id: i64,
    variant_id: i64,
    units: i64,
) -> sea_orm::sea_query::UpdateStatement {
    use sea_orm::QueryTrait;
    place_stock::Entity::update_many()
        .col_expr(
            place_stock::Column::Quantity,
            Expr::col(place_stock::Column::Quantity).sub(units),
        )
        .filter(place_stock::Column::PlaceId.eq(place_id))
        .filter(place_stock::Column::VariantId.eq(variant_id))
        .filter(place_stock::Column::Quantity.gte(units))
        .into_query()
}

/// For the intake: the online places other than their stores that hold units of `variants`,
/// each variant's in the order its shop draws from them (no statement when there are none).
pub(crate) async fn online_places_of(
    txn: &impl sea_orm::ConnectionTrait,
    variants: impl Iterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, Vec<(i64, i64)>>> {
    let ids: Vec<i64> = variants.collect();
    let mut all: std::collections::HashMap<i64, Vec<(i64, i64)>> = Default::default();
    if ids.is_empty() {
        return Ok(all);
    }
    let rows = place_stock::Entity::find()
        .filter(place_stock::Column::VariantId.is_in(ids))
        .filter(place_stock::Column::Quantity.gt(0))
        .all(txn)
        .await?;
    let shops: Vec<i64> = rows.iter().map(|r| r.shop_id).collect();
    let joined = shop_place::Entity::find()
        .filter(shop_place::Column::ShopId.is_in(shops))
        .filter(shop_place::Column::Online.eq(true))
        .all(txn)
        .await?;
    let mut ordered: Vec<(i32, place_stock::Model)> = rows
        .into_iter()
        .filter_map(|r| {
            joined
                .iter()
                .find(|j| j.shop_id == r.shop_id && j.place_id == r.place_id)
                .map(|j| (j.position, r))
        })
        .collect();
    ordered.sort_by_key(|(position, r)| (r.variant_id, *position));
    for (_, r) in ordered {
        all.entry(r.variant_id)
            .or_default()
            .push((r.place_id, r.quantity));
    }
    Ok(all)
}

/// For the intake's counter sales: the units at each (variant, place) asked for and whether
/// online sales draw from them too (no statement when nothing is asked).
pub(crate) async fn counter_shelves_of(
    txn: &impl sea_orm::ConnectionTrait,
    asked: &std::collections::HashSet<(i64, i64)>,
) -> Result<std::collections::HashMap<(i64, i64), (i64, bool)>> {
    let mut all = std::collections::HashMap::new();
    if asked.is_empty() {
        return Ok(all);
    }
    let rows = place_stock::Entity::find()
        .filter(place_stock::Column::VariantId.is_in(asked.iter().map(|(v, _)| *v)))
        .filter(place_stock::Column::PlaceId.is_in(asked.iter().map(|(_, p)| *p)))
        .all(txn)
        .await?;
    let joined = shop_place::Entity::find()
        .filter(shop_place::Column::PlaceId.is_in(asked.iter().map(|(_, p)| *p)))
        .filter(shop_place::Column::ShopId.is_in(rows.iter().map(|r| r.shop_id)))
        .all(txn)
        .await?;
    for r in rows
        .iter()
        .filter(|r| asked.contains(&(r.variant_id, r.place_id)))
    {
        let online = joined
            .iter()
            .any(|j| j.shop_id == r.shop_id && j.place_id == r.place_id && j.online);
        all.insert((r.variant_id, r.place_id), (r.quantity, online));
    }
    Ok(all)
}

/// Puts `units` of a shop's variant at `spot`.
pub(crate) async fn put_units(
    txn: &DatabaseTransaction,
    spot: Spot,
    (shop_id, variant_id): (i64, i64),
    units: i64,
) -> Result<()> {
    let stock = || Expr::col(variant::Column::Stock);
    let away = || Expr::col(variant::Column::AwayOnline);
    let mut update =
        variant::Entity::update_many().col_expr(variant::Column::Stock, stock().add(units));
    if let Spot::Place { online: true, .. } = spot {
        update = update.col_expr(variant::Column::AwayOnline, away().add(units));
    }
    if matches!(spot, Spot::Store | Spot::Place { online: true, .. }) {
        update
            .filter(variant::Column::Id.eq(variant_id))
            .exec(txn)
            .await?;
    }
    if let Spot::Place { id, .. } = spot {
        let row = place_stock::ActiveModel {
            place_id: Set(id),
            variant_id: Set(variant_id),
            shop_id: Set(shop_id),
            quantity: Set(units),
            updated_at: Set(Utc::now()),
        };
        place_stock::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([place_stock::Column::PlaceId, place_stock::Column::VariantId])
                    .value(
                        place_stock::Column::Quantity,
                        Expr::col((place_stock::Entity, place_stock::Column::Quantity)).add(units),
                    )
                    .update_column(place_stock::Column::UpdatedAt)
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The units of a variant at `spot` now.
pub(crate) async fn units_at(
    txn: &DatabaseTransaction,
    spot: Spot,
    variant_id: i64,
) -> Result<i64> {
    match spot {
        Spot::Store => {
            let row = variant::Entity::find_by_id(variant_id)
                .one(txn)
                .await?
                .ok_or(Error::NotFound)?;
            Ok(row.stock - row.away_online)
        }
        Spot::Place { id, .. } => Ok(place_stock::Entity::find_by_id((id, variant_id))
            .one(txn)
            .await?
            .map(|r| r.quantity)
            .unwrap_or(0)),
    }
}

/// A movement of the ledger at `spot`.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    (shop_id, product_id, variant_id): (i64, i64, i64),
    (spot, delta): (Spot, i64),
    mover: Mover<'_>,
) -> Result<()> {
    let mut row = movement_row(
        (shop_id, product_id, variant_id),
        delta,
        mover,
        None,
        Utc::now(),
    );
    row.place_id = Set(spot.place_id());
    row.insert(txn).await?;
    Ok(())
}

/// The shop and product of a variant, or `NotFound` when it is not `shop_id`'s.
pub(crate) async fn variant_of_shop(
    txn: &DatabaseTransaction,
    shop_id: i64,
    variant_id: i64,
) -> Result<(i64, i64, i64)> {
    let row = variant::Entity::find_by_id(variant_id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    let product = product::Entity::find_by_id(row.product_id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    if product.shop_id != shop_id {
        return Err(Error::NotFound);
    }
    Ok((shop_id, product.id, variant_id))
}

impl Store {
    /// Adds a place to a county.
    pub async fn add_stock_place(
        &self,
        county_id: i64,
        details: PlaceDetails,
        by: i64,
    ) -> Result<StockPlace> {
        if details.names.is_empty() {
            return Err(ValidationError::new("name_zh", "written-in-none").into());
        }
        let row = stock_place::ActiveModel {
            county_id: Set(county_id),
            kind: Set(details.kind.as_str().to_owned()),
            station_id: Set(details.station_id),
            depot_id: Set(details.depot_id),
            name_zh: Set(details.names.stored_zh()),
            name_ug: Set(details.names.ug.clone()),
            name_en: Set(details.names.en.clone()),
            active: Set(true),
            created_by: Set(by),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        place_from(row)
    }

    /// Changes a place's details, or pauses it (no new stock goes there) and opens it again.
    pub async fn update_stock_place(
        &self,
        id: i64,
        details: PlaceDetails,
        active: bool,
    ) -> Result<StockPlace> {
        if details.names.is_empty() {
            return Err(ValidationError::new("name_zh", "written-in-none").into());
        }
        let mut row: stock_place::ActiveModel = stock_place::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .into();
        row.kind = Set(details.kind.as_str().to_owned());
        row.station_id = Set(details.station_id);
        row.depot_id = Set(details.depot_id);
        row.name_zh = Set(details.names.stored_zh());
        row.name_ug = Set(details.names.ug.clone());
        row.name_en = Set(details.names.en.clone());
        row.active = Set(active);
        place_from(row.update(&self.db).await?)
    }

    pub async fn stock_place(&self, id: i64) -> Result<StockPlace> {
        place_from(
            stock_place::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or(Error::NotFound)?,
        )
    }

    /// A county's places, in the order they were added.
    pub async fn stock_places(&self, county_id: i64) -> Result<Vec<StockPlace>> {
        stock_place::Entity::find()
            .filter(stock_place::Column::CountyId.eq(county_id))
            .order_by_asc(stock_place::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(place_from)
            .collect()
    }

    /// The shop starts keeping stock at `place_id` (of the shop's county, active), online or
    /// not; joining again changes nothing.
    pub async fn join_stock_place(
        &self,
        shop_id: i64,
        place_id: i64,
        online: bool,
        by: i64,
    ) -> Result<()> {
        let place = self.stock_place(place_id).await?;
        if !place.active {
            return Err(ValidationError::new("place", "place-paused").into());
        }
        let txn = self.begin_write().await?;
        if shop_place::Entity::find_by_id((shop_id, place_id))
            .one(&txn)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let position = shop_place::Entity::find()
            .filter(shop_place::Column::ShopId.eq(shop_id))
            .all(&txn)
            .await?
            .iter()
            .map(|p| p.position)
            .max()
            .unwrap_or(0)
            + 1;
        shop_place::ActiveModel {
            shop_id: Set(shop_id),
            place_id: Set(place_id),
            online: Set(online),
            position: Set(position),
            added_by: Set(by),
            added_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether online sales draw from the shop's units at `place_id`. The units there join or
    /// leave what online sales may take, in the same transaction.
    pub async fn set_place_online(&self, shop_id: i64, place_id: i64, online: bool) -> Result<()> {
        let txn = self.begin_write().await?;
        let row = shop_place::Entity::find_by_id((shop_id, place_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if row.online == online {
            return Ok(());
        }
        let mut query = place_stock::Entity::find()
            .filter(place_stock::Column::PlaceId.eq(place_id))
            .filter(place_stock::Column::ShopId.eq(shop_id));
        if self.backend() == crate::Backend::Postgres {
            // A till selling from the place waits until the units have moved.
            query = query.lock_exclusive();
        }
        let units = query.all(&txn).await?;
        let sign = if online { 1 } else { -1 };
        for placed in units.iter().filter(|p| p.quantity > 0) {
            let units = sign * placed.quantity;
            variant::Entity::update_many()
                .col_expr(
                    variant::Column::Stock,
                    Expr::col(variant::Column::Stock).add(units),
                )
                .col_expr(
                    variant::Column::AwayOnline,
                    Expr::col(variant::Column::AwayOnline).add(units),
                )
                .filter(variant::Column::Id.eq(placed.variant_id))
                .exec(&txn)
                .await?;
        }
        let mut row: shop_place::ActiveModel = row.into();
        row.online = Set(online);
        row.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The shop stops keeping stock at `place_id`: refused while units are still there.
    pub async fn leave_stock_place(&self, shop_id: i64, place_id: i64) -> Result<()> {
        let txn = self.begin_write().await?;
        let left = place_stock::Entity::find()
            .filter(place_stock::Column::PlaceId.eq(place_id))
            .filter(place_stock::Column::ShopId.eq(shop_id))
            .filter(place_stock::Column::Quantity.gt(0))
            .one(&txn)
            .await?;
        if left.is_some() {
            return Err(ValidationError::new("place", "place-still-holds-stock").into());
        }
        shop_place::Entity::delete_by_id((shop_id, place_id))
            .exec(&txn)
            .await?;
        place_stock::Entity::delete_many()
            .filter(place_stock::Column::PlaceId.eq(place_id))
            .filter(place_stock::Column::ShopId.eq(shop_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The places a shop keeps stock at, in the order online sales draw from them.
    pub async fn shop_places(&self, shop_id: i64) -> Result<Vec<ShopPlace>> {
        let rows = shop_place::Entity::find()
            .filter(shop_place::Column::ShopId.eq(shop_id))
            .order_by_asc(shop_place::Column::Position)
            .all(&self.db)
            .await?;
        let places = stock_place::Entity::find()
            .filter(stock_place::Column::Id.is_in(rows.iter().map(|r| r.place_id)))
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let place = places
                    .iter()
                    .find(|p| p.id == row.place_id)
                    .cloned()
                    .ok_or_else(|| corrupt("shop place", row.place_id))?;
                Ok(ShopPlace {
                    place: place_from(place)?,
                    online: row.online,
                    position: row.position,
                })
            })
            .collect()
    }

    /// The shops that keep stock at `place_id`, in the order they joined.
    pub async fn shops_at_place(&self, place_id: i64) -> Result<Vec<(i64, bool)>> {
        Ok(shop_place::Entity::find()
            .filter(shop_place::Column::PlaceId.eq(place_id))
            .order_by_asc(shop_place::Column::AddedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.shop_id, r.online))
            .collect())
    }

    /// Units at places: a shop's (every place it keeps stock at), or a place's (every shop's).
    pub async fn placed_units(
        &self,
        shop_id: Option<i64>,
        place_id: Option<i64>,
    ) -> Result<Vec<PlacedUnits>> {
        let mut query = place_stock::Entity::find();
        if let Some(shop_id) = shop_id {
            query = query.filter(place_stock::Column::ShopId.eq(shop_id));
        }
        if let Some(place_id) = place_id {
            query = query.filter(place_stock::Column::PlaceId.eq(place_id));
        }
        Ok(query
            .order_by_asc(place_stock::Column::PlaceId)
            .order_by_asc(place_stock::Column::VariantId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| PlacedUnits {
                place_id: r.place_id,
                variant_id: r.variant_id,
                shop_id: r.shop_id,
                quantity: r.quantity,
            })
            .collect())
    }

    /// The sum of a shop's movements at each spot (none: its own store) for one variant: what
    /// the ledger says is there. A test compares it with the units.
    pub async fn ledger_by_place(&self, variant_id: i64) -> Result<Vec<(Option<i64>, i64)>> {
        let rows = movement::Entity::find()
            .filter(movement::Column::VariantId.eq(variant_id))
            .all(&self.db)
            .await?;
        let mut sums: std::collections::BTreeMap<Option<i64>, i64> = Default::default();
        for row in rows {
            *sums.entry(row.place_id).or_default() += row.delta;
        }
        Ok(sums.into_iter().collect())
    }
}
