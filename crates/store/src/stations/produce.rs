//! Produce taken in on consignment at a station: the receiving shop's buying prices, each
//! intake a batch (weighed, graded, priced, its units added to the shop's stock in the same
//! transaction with a `consignment` stock movement), what each grower is owed as their
//! produce sells, and what was paid out (cash from the station's till, or a transfer).
//!
//! Sales after an intake sell the stock that was there before it first (`stock_before`), so a
//! batch's sold units are the units sold since, less that, within the batch's own.

use chrono::{DateTime, NaiveDate, Utc};
use farmgate_domain::accounts::{DisplayName, PhoneNumber};
use farmgate_domain::catalog::{StockReason, Unit};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::StationRefusal;
use farmgate_domain::stations::produce::{BatchCode, Grade, Payout, owed_for};
use farmgate_domain::stations::till::CashKind;
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{consignment, payout, produce_price, station};
use crate::catalog::entity::{movement, product, variant};
use crate::catalog::stock::movement_row;
use crate::{Error, Result, Store};

/// A shop's buying price per kilogram for a variant's produce of a grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProducePrice {
    pub shop_id: i64,
    pub variant_id: i64,
    pub grade: Grade,
    pub per_kg: Fen,
}

/// What the operator takes in: whose, what, how heavy and how good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsignment {
    pub station_id: i64,
    pub variant_id: i64,
    pub grade: Grade,
    pub grams: i64,
    pub grower_name: DisplayName,
    pub grower_phone: Option<PhoneNumber>,
    /// The grower agreed that buyers see their given name.
    pub name_shown: bool,
    pub village_id: i64,
    pub harvested_on: Option<NaiveDate>,
}

/// A batch of produce, with what it has earned its grower so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consignment {
    pub id: i64,
    pub code: String,
    pub station_id: i64,
    pub shop_id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub village_id: i64,
    pub grower_name: String,
    #[serde(skip)]
    pub grower_phone: Option<String>,
    pub name_shown: bool,
    pub grade: Grade,
    pub grams: i64,
    pub units: i64,
    pub per_kg: Fen,
    /// What the whole batch is worth to its grower.
    pub owed: Fen,
    pub harvested_on: Option<NaiveDate>,
    pub taken_at: DateTime<Utc>,
    /// Units of it sold so far, what that earned the grower, and what was paid out.
    pub sold_units: i64,
    pub earned: Fen,
    pub paid: Fen,
}

impl Consignment {
    /// Earned and not yet paid.
    pub fn due(&self) -> Fen {
        Fen(Ord::max(self.earned.0 - self.paid.0, 0))
    }
}

fn grams_per_unit(row: &variant::Model) -> Option<i64> {
    row.net_grams
        .or_else(|| Unit::parse(&row.unit).and_then(Unit::grams))
        .filter(|g| *g > 0)
}

impl Store {
    /// Sets (or, with `None`, removes) shop `shop_id`'s buying price for its variant's produce
    /// of `grade`. A variant of another shop is a 404.
    pub async fn set_produce_price(
        &self,
        shop_id: i64,
        variant_id: i64,
        grade: Grade,
        per_kg: Option<Fen>,
    ) -> Result<()> {
        let row = variant::Entity::find_by_id(variant_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let owner = product::Entity::find_by_id(row.product_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if owner.shop_id != shop_id {
            return Err(Error::NotFound);
        }
        produce_price::Entity::delete_many()
            .filter(produce_price::Column::VariantId.eq(variant_id))
            .filter(produce_price::Column::Grade.eq(grade.as_str()))
            .exec(&self.db)
            .await?;
        if let Some(per_kg) = per_kg {
            farmgate_domain::money::check_unit_price(per_kg, "per_kg")?;
            produce_price::Entity::insert(produce_price::ActiveModel {
                variant_id: Set(variant_id),
                grade: Set(grade.as_str().to_owned()),
                shop_id: Set(shop_id),
                per_kg_fen: Set(per_kg.0),
                updated_at: Set(Utc::now()),
            })
            .exec_without_returning(&self.db)
            .await?;
        }
        Ok(())
    }

    /// Every buying price of `shops` (all shops when empty).
    pub async fn produce_prices(&self, shops: &[i64]) -> Result<Vec<ProducePrice>> {
        let mut query = produce_price::Entity::find();
        if !shops.is_empty() {
            query = query.filter(produce_price::Column::ShopId.is_in(shops.iter().copied()));
        }
        query
            .order_by_asc(produce_price::Column::VariantId)
            .order_by_asc(produce_price::Column::Grade)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                Ok(ProducePrice {
                    grade: Grade::parse(&row.grade)
                        .map_err(|_| crate::error::corrupt("produce price", row.variant_id))?,
                    shop_id: row.shop_id,
                    variant_id: row.variant_id,
                    per_kg: Fen(row.per_kg_fen),
                })
            })
            .collect()
    }

    /// Takes in a grower's produce at a station that collects it: priced per the receiving
    /// shop's list, its units added to the shop's stock, one batch with its own code.
    pub async fn take_in_produce(
        &self,
        new: &NewConsignment,
        actor_id: i64,
    ) -> Result<Consignment> {
        let txn = self.begin_write().await?;
        let at = station::Entity::find_by_id(new.station_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if !at.collects_produce || !at.active {
            return Err(StationRefusal::NotCollecting.into());
        }
        let price =
            produce_price::Entity::find_by_id((new.variant_id, new.grade.as_str().to_owned()))
                .one(&txn)
                .await?
                .ok_or(StationRefusal::NotPriced)?;
        let row = variant::Entity::find_by_id(new.variant_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let per_unit = grams_per_unit(&row).ok_or(StationRefusal::NotByWeight)?;
        let units = new.grams / per_unit;
        if units < 1 {
            return Err(
                farmgate_domain::ValidationError::new("weight", "weight-below-unit").into(),
            );
        }
        let owed = owed_for(new.grams, Fen(price.per_kg_fen)).ok_or(
            farmgate_domain::ValidationError::new("weight", "weight-invalid"),
        )?;
        let now = Utc::now();
        let mut bytes = [0u8; 10];
        rand::rng().fill(&mut bytes);
        let code = BatchCode::from_bytes(bytes);
        let inserted = consignment::ActiveModel {
            code: Set(code.as_str().to_owned()),
            station_id: Set(new.station_id),
            shop_id: Set(price.shop_id),
            variant_id: Set(new.variant_id),
            village_id: Set(new.village_id),
            grower_name: Set(new.grower_name.as_str().to_owned()),
            grower_phone: Set(new.grower_phone.as_ref().map(|p| p.as_str().to_owned())),
            name_shown: Set(new.name_shown),
            grade: Set(new.grade.as_str().to_owned()),
            grams: Set(new.grams),
            units: Set(units),
            stock_before: Set(row.stock),
            per_kg_fen: Set(price.per_kg_fen),
            owed_fen: Set(owed.0),
            harvested_on: Set(new.harvested_on.map(|d| d.format("%Y-%m-%d").to_string())),
            taken_at: Set(now),
            taken_by: Set(actor_id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        variant::Entity::update_many()
            .col_expr(
                variant::Column::Stock,
                Expr::col(variant::Column::Stock).add(units),
            )
            .filter(variant::Column::Id.eq(new.variant_id))
            .exec(&txn)
            .await?;
        let note = format!("{} · {}", code.as_str(), new.grower_name.as_str());
        movement_row(
            (price.shop_id, row.product_id, row.id),
            units,
            crate::catalog::Mover {
                reason: StockReason::Consignment,
                actor_id: Some(actor_id),
                note: &note,
            },
            None,
            now,
        )
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.consignment(inserted.id).await
    }

    pub async fn consignment(&self, id: i64) -> Result<Consignment> {
        let row = consignment::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(self.with_sales(vec![row]).await?.remove(0))
    }

    /// The batch a QR code names.
    pub async fn consignment_by_code(&self, code: &BatchCode) -> Result<Consignment> {
        let row = consignment::Entity::find()
            .filter(consignment::Column::Code.eq(code.as_str()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(self.with_sales(vec![row]).await?.remove(0))
    }

    /// The batches taken in at `stations`, newest first; at most `limit`, older than `before`.
    pub async fn consignments(
        &self,
        stations: &[i64],
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Consignment>> {
        let mut query = consignment::Entity::find()
            .filter(consignment::Column::StationId.is_in(stations.iter().copied()));
        if let Some(before) = before {
            query = query.filter(consignment::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(consignment::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.with_sales(rows).await
    }

    /// The newest batches of `variant_id` (for a buyer's "where it came from").
    pub async fn consignments_of_variant(
        &self,
        variant_id: i64,
        limit: u64,
    ) -> Result<Vec<Consignment>> {
        let rows = consignment::Entity::find()
            .filter(consignment::Column::VariantId.eq(variant_id))
            .order_by_desc(consignment::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.with_sales(rows).await
    }

    /// `rows` with what each has sold, earned and been paid.
    async fn with_sales(&self, rows: Vec<consignment::Model>) -> Result<Vec<Consignment>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let paid: Vec<(i64, i64)> = payout::Entity::find()
            .select_only()
            .column(payout::Column::ConsignmentId)
            .column_as(payout::Column::AmountFen.sum().cast_as("BIGINT"), "paid")
            .filter(payout::Column::ConsignmentId.is_in(ids))
            .group_by(payout::Column::ConsignmentId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            // Net units sold since the intake: sales, less cancellations and returns.
            let moved: Option<Option<i64>> = movement::Entity::find()
                .select_only()
                .column_as(movement::Column::Delta.sum().cast_as("BIGINT"), "moved")
                .filter(movement::Column::VariantId.eq(row.variant_id))
                .filter(movement::Column::CreatedAt.gt(row.taken_at))
                .filter(movement::Column::Reason.is_in([
                    StockReason::Sold.as_str(),
                    StockReason::Cancelled.as_str(),
                    StockReason::Returned.as_str(),
                ]))
                .into_tuple()
                .one(&self.db)
                .await?;
            let sold_since = -moved.flatten().unwrap_or(0);
            let sold_units = (sold_since - row.stock_before).clamp(0, row.units);
            let earned = i128::from(row.owed_fen) * i128::from(sold_units)
                / i128::from(Ord::max(row.units, 1));
            let product_id = variant::Entity::find_by_id(row.variant_id)
                .one(&self.db)
                .await?
                .map_or(0, |v| v.product_id);
            out.push(Consignment {
                grade: Grade::parse(&row.grade)
                    .map_err(|_| crate::error::corrupt("consignment", row.id))?,
                harvested_on: row
                    .harvested_on
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                paid: Fen(paid.iter().find(|(id, _)| *id == row.id).map_or(0, |p| p.1)),
                earned: Fen(i64::try_from(earned).unwrap_or(i64::MAX)),
                sold_units,
                product_id,
                id: row.id,
                code: row.code,
                station_id: row.station_id,
                shop_id: row.shop_id,
                variant_id: row.variant_id,
                village_id: row.village_id,
                grower_name: row.grower_name,
                grower_phone: row.grower_phone,
                name_shown: row.name_shown,
                grams: row.grams,
                units: row.units,
                per_kg: Fen(row.per_kg_fen),
                owed: Fen(row.owed_fen),
                taken_at: row.taken_at,
            });
        }
        Ok(out)
    }

    /// Pays out what batches `ids` at `station_id` have earned and not been paid, by `method`
    /// (cash leaves the station's till): the total paid. Batches of other stations are a 404.
    pub async fn pay_growers(
        &self,
        station_id: i64,
        ids: &[i64],
        method: Payout,
        reference: Option<&str>,
        actor_id: i64,
    ) -> Result<Fen> {
        let batches = consignment::Entity::find()
            .filter(consignment::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        if batches.len() != ids.len() || batches.iter().any(|b| b.station_id != station_id) {
            return Err(Error::NotFound);
        }
        let batches = self.with_sales(batches).await?;
        let txn = self.begin_write().await?;
        let now = Utc::now();
        let mut total = Fen(0);
        for batch in batches.iter().filter(|b| b.due().0 > 0) {
            // Paid since it was read (a second tap): only what is still due.
            let paid_now: Option<Option<i64>> = payout::Entity::find()
                .select_only()
                .column_as(payout::Column::AmountFen.sum().cast_as("BIGINT"), "paid")
                .filter(payout::Column::ConsignmentId.eq(batch.id))
                .into_tuple()
                .one(&txn)
                .await?;
            let due = batch.earned.0 - paid_now.flatten().unwrap_or(0);
            if due <= 0 {
                continue;
            }
            payout::Entity::insert(payout::ActiveModel {
                consignment_id: Set(batch.id),
                amount_fen: Set(due),
                method: Set(method.as_str().to_owned()),
                reference: Set(reference.map(str::to_owned)),
                paid_by: Set(actor_id),
                paid_at: Set(now),
                ..Default::default()
            })
            .exec_without_returning(&txn)
            .await?;
            if method == Payout::Cash {
                super::till::record(
                    &txn,
                    super::till::Movement {
                        station_id,
                        kind: CashKind::ProducePaid,
                        amount: Fen(-due),
                        order_id: None,
                        parcel_id: None,
                        actor_id: Some(actor_id),
                        note: Some(batch.code.clone()),
                    },
                    now,
                )
                .await?;
            }
            total = Fen(total.0 + due);
        }
        txn.commit().await?;
        Ok(total)
    }
}
