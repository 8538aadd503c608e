//! Selling from a tricycle: the goods each community gets, the load-out counted at the centre
//! (stock leaves the shops' shelves), the sales rung up on the way (each kept once under the
//! id the phone made, whenever the phone gets a signal to send it), and the return: unsold
//! goods counted back into stock, the takings counted against the sales, and the run's income
//! credited to whose goods were sold and whose labour it was. Each step is one transaction.

use chrono::{DateTime, Utc};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::StockReason;
use farmgate_domain::fleet::{CreditKind, JobStatus, RunStatus};
use farmgate_domain::money::Fen;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use super::entity::{credit, job, job_goods, load, plan, run, sale, stop, takings, vehicle};
use crate::catalog::entity::{product, variant};
use crate::catalog::stock::{Mover, movement_row};
use crate::{Error, Result, Store};

/// The most of one line a run may load: more is a typing slip.
pub const MAX_LINE_QUANTITY: i64 = 10_000;

/// Goods and how many: a community's share, a line counted at loading or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GoodsLine {
    pub variant_id: i64,
    pub quantity: i64,
}

/// A line of what a run loaded, with what it sold and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadLine {
    pub id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub shop_id: i64,
    pub label: String,
    pub unit_price: Fen,
    pub loaded: i64,
    pub sold: i64,
    pub sales: Fen,
    /// Counted back at the centre; none until the run returns.
    pub returned: Option<i64>,
}

/// What the counted cash said against the sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Takings {
    pub expected: Fen,
    pub counted: Fen,
    pub counted_by: i64,
    pub counted_at: DateTime<Utc>,
}

/// An income a run made: a shop's goods sold, or the driver's pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunCredit {
    pub run_id: i64,
    pub day: String,
    pub kind: CreditKind,
    pub shop_id: Option<i64>,
    pub account_id: Option<i64>,
    pub household_id: Option<i64>,
    pub amount: Fen,
}

/// A run's goods and money: the load-out, the sales, the takings and the credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSheet {
    pub run_id: i64,
    pub status: RunStatus,
    pub lines: Vec<LoadLine>,
    pub sales: Fen,
    pub takings: Option<Takings>,
    pub credits: Vec<RunCredit>,
}

/// A line to load: a label in the loader's words (the product and its unit) goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadRequest {
    pub variant_id: i64,
    pub quantity: i64,
    pub label: String,
}

/// A sale rung up on the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSale {
    /// Made by the phone; the same id sent again is the same sale.
    pub client_id: String,
    pub variant_id: i64,
    pub quantity: i64,
    pub sold_at: DateTime<Utc>,
    pub stop_id: Option<i64>,
}

/// What became of a sale sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SaleOutcome {
    Recorded,
    /// Sent before (a queue sending again): kept once.
    AlreadyRecorded,
    /// Refused with the catalogue code of why (more than is left, the run closed...).
    Refused(&'static str),
}

fn quantity(q: i64, field: &'static str) -> Result<i64> {
    if (0..=MAX_LINE_QUANTITY).contains(&q) {
        Ok(q)
    } else {
        Err(ValidationError::new(field, "fleet-quantity-invalid").into())
    }
}

/// The run `run_id` if it is `depot_id`'s, with its plan's day.
async fn run_of(
    conn: &impl sea_orm::ConnectionTrait,
    depot_id: i64,
    run_id: i64,
) -> Result<(run::Model, String)> {
    let row = run::Entity::find_by_id(run_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let owner = plan::Entity::find_by_id(row.plan_id)
        .filter(plan::Column::DepotId.eq(depot_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((row, owner.day))
}

/// Stock moved for a tricycle's run by `actor_id`.
fn tricycle_mover(actor_id: i64) -> Mover<'static> {
    Mover {
        reason: StockReason::Tricycle,
        actor_id: Some(actor_id),
        note: "",
    }
}

/// Refuses a run that has not left (`run-not-left`) or is back (`run-left`).
fn must_be_out(row: &run::Model) -> Result<()> {
    use farmgate_domain::logistics::LogisticsRefusal;
    match RunStatus::parse(&row.status) {
        Some(RunStatus::Out) => Ok(()),
        Some(RunStatus::Planned) => Err(LogisticsRefusal::RunNotLeft.into()),
        _ => Err(LogisticsRefusal::RunLeft.into()),
    }
}

impl Store {
    /// Sets what community job `job_id` gets to sell (the lines replace those set before);
    /// only while it is open.
    pub async fn set_job_goods(
        &self,
        depot_id: i64,
        job_id: i64,
        lines: &[GoodsLine],
    ) -> Result<()> {
        let txn = self.begin_write().await?;
        let found = job::Entity::find_by_id(job_id)
            .filter(job::Column::DepotId.eq(depot_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if found.status != JobStatus::Open.as_str() {
            return Err(Error::AlreadyDecided);
        }
        job_goods::Entity::delete_many()
            .filter(job_goods::Column::JobId.eq(job_id))
            .exec(&txn)
            .await?;
        for line in lines.iter().filter(|l| l.quantity > 0) {
            quantity(line.quantity, "quantity")?;
            variant::Entity::find_by_id(line.variant_id)
                .one(&txn)
                .await?
                .ok_or(Error::Invalid(ValidationError::new(
                    "variant",
                    "fleet-goods-invalid",
                )))?;
            job_goods::ActiveModel {
                job_id: Set(job_id),
                variant_id: Set(line.variant_id),
                quantity: Set(line.quantity),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The goods set for `job_ids`, as (job, line).
    pub async fn job_goods(&self, job_ids: &[i64]) -> Result<Vec<(i64, GoodsLine)>> {
        Ok(job_goods::Entity::find()
            .filter(job_goods::Column::JobId.is_in(job_ids.iter().copied()))
            .order_by_asc(job_goods::Column::JobId)
            .order_by_asc(job_goods::Column::VariantId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|g| {
                (
                    g.job_id,
                    GoodsLine {
                        variant_id: g.variant_id,
                        quantity: g.quantity,
                    },
                )
            })
            .collect())
    }

    /// Loads run `run_id` with the lines as counted at the centre: each leaves its shop's
    /// stock (refused, whole, when a shelf has fewer) at today's price. Once, before it leaves.
    pub async fn load_run(
        &self,
        depot_id: i64,
        run_id: i64,
        lines: &[LoadRequest],
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<RunSheet> {
        let txn = self.begin_write().await?;
        let (row, _) = run_of(&txn, depot_id, run_id).await?;
        if row.status != RunStatus::Planned.as_str() {
            return Err(farmgate_domain::logistics::LogisticsRefusal::RunLeft.into());
        }
        let loaded_before = load::Entity::find()
            .filter(load::Column::RunId.eq(run_id))
            .one(&txn)
            .await?;
        if loaded_before.is_some() {
            return Err(Error::Conflict { field: "loaded" });
        }
        let mover = tricycle_mover(actor_id);
        for line in lines.iter().filter(|l| l.quantity > 0) {
            let count = quantity(line.quantity, "quantity")?;
            let v = variant::Entity::find_by_id(line.variant_id)
                .one(&txn)
                .await?
                .ok_or(Error::Invalid(ValidationError::new(
                    "variant",
                    "fleet-goods-invalid",
                )))?;
            let shop_id = product::Entity::find_by_id(v.product_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound)?
                .shop_id;
            let taken = variant::Entity::update_many()
                .col_expr(
                    variant::Column::Stock,
                    Expr::col(variant::Column::Stock).sub(count),
                )
                .filter(variant::Column::Id.eq(v.id))
                .filter(variant::Column::Stock.gte(count))
                .exec(&txn)
                .await?;
            if taken.rows_affected == 0 {
                return Err(ValidationError::new("quantity", "stock-below-zero").into());
            }
            movement_row((shop_id, v.product_id, v.id), -count, mover, None, now)
                .insert(&txn)
                .await?;
            load::ActiveModel {
                run_id: Set(run_id),
                variant_id: Set(v.id),
                product_id: Set(v.product_id),
                shop_id: Set(shop_id),
                label: Set(line.label.chars().take(160).collect()),
                unit_price_fen: Set(v.price_fen),
                loaded: Set(count),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| Error::unique_as(e, "variant"))?;
        }
        let sheet = sheet_of(&txn, row).await?;
        txn.commit().await?;
        Ok(sheet)
    }

    /// Keeps the sales rung up on run `run_id`'s phone: each once under its client id, while
    /// the run is out, and never more of a line than it loaded.
    pub async fn record_run_sales(
        &self,
        depot_id: i64,
        run_id: i64,
        seller_id: i64,
        sales: &[NewSale],
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, SaleOutcome)>> {
        let txn = self.begin_write().await?;
        let (row, _) = run_of(&txn, depot_id, run_id).await?;
        let lines = load::Entity::find()
            .filter(load::Column::RunId.eq(run_id))
            .all(&txn)
            .await?;
        let mut kept = sale::Entity::find()
            .filter(sale::Column::RunId.eq(run_id))
            .all(&txn)
            .await?;
        let mut outcomes = Vec::with_capacity(sales.len());
        for s in sales {
            let outcome = if kept.iter().any(|k| k.client_id == s.client_id) {
                SaleOutcome::AlreadyRecorded
            } else if s.client_id.is_empty() || s.client_id.len() > 64 {
                SaleOutcome::Refused("fleet-sale-invalid")
            } else if row.status != RunStatus::Out.as_str() {
                SaleOutcome::Refused("fleet-run-not-out")
            } else if let Some(line) = lines.iter().find(|l| l.variant_id == s.variant_id) {
                let sold: i64 = kept
                    .iter()
                    .filter(|k| k.load_id == line.id)
                    .map(|k| k.quantity)
                    .sum();
                let amount = u32::try_from(s.quantity)
                    .ok()
                    .and_then(|q| Fen(line.unit_price_fen).checked_mul(q));
                match amount {
                    Some(amount) if s.quantity > 0 && sold + s.quantity <= line.loaded => {
                        let saved = sale::ActiveModel {
                            run_id: Set(run_id),
                            client_id: Set(s.client_id.clone()),
                            load_id: Set(line.id),
                            quantity: Set(s.quantity),
                            amount_fen: Set(amount.0),
                            stop_id: Set(s.stop_id),
                            sold_at: Set(std::cmp::Ord::min(s.sold_at, now)),
                            recorded_at: Set(now),
                            seller_id: Set(seller_id),
                            ..Default::default()
                        }
                        .insert(&txn)
                        .await?;
                        kept.push(saved);
                        SaleOutcome::Recorded
                    }
                    Some(_) if s.quantity > 0 => {
                        SaleOutcome::Refused("fleet-sale-more-than-loaded")
                    }
                    _ => SaleOutcome::Refused("fleet-sale-invalid"),
                }
            } else {
                SaleOutcome::Refused("fleet-sale-not-loaded")
            };
            outcomes.push((s.client_id.clone(), outcome));
        }
        txn.commit().await?;
        Ok(outcomes)
    }

    /// The run comes back: the unsold goods as counted go back to their shelves (no line more
    /// than it loaded less what it sold), the cash as counted is kept against the sales, each
    /// shop is credited its goods' sales and the driver (or their household) the vehicle's pay
    /// per run, and the run is back. Once.
    pub async fn return_run(
        &self,
        depot_id: i64,
        run_id: i64,
        counted: Fen,
        returned: &[GoodsLine],
        actor_id: i64,
        now: DateTime<Utc>,
    ) -> Result<RunSheet> {
        let txn = self.begin_write().await?;
        let (row, day) = run_of(&txn, depot_id, run_id).await?;
        must_be_out(&row)?;
        if !(0..=farmgate_domain::money::MAX_UNIT_PRICE.0).contains(&counted.0) {
            return Err(ValidationError::new("counted", "fleet-takings-invalid").into());
        }
        let before = sheet_of(&txn, row.clone()).await?;
        let mover = tricycle_mover(actor_id);
        for line in &before.lines {
            let back = returned
                .iter()
                .find(|r| r.variant_id == line.variant_id)
                .map_or(0, |r| r.quantity);
            if back < 0 || back > line.loaded - line.sold {
                return Err(ValidationError::new("returned", "fleet-returned-invalid").into());
            }
            if back > 0 {
                variant::Entity::update_many()
                    .col_expr(
                        variant::Column::Stock,
                        Expr::col(variant::Column::Stock).add(back),
                    )
                    .filter(variant::Column::Id.eq(line.variant_id))
                    .exec(&txn)
                    .await?;
                movement_row(
                    (line.shop_id, line.product_id, line.variant_id),
                    back,
                    mover,
                    None,
                    now,
                )
                .insert(&txn)
                .await?;
            }
            load::Entity::update_many()
                .col_expr(load::Column::Returned, Expr::value(back))
                .filter(load::Column::Id.eq(line.id))
                .exec(&txn)
                .await?;
        }
        takings::ActiveModel {
            run_id: Set(run_id),
            expected_fen: Set(before.sales.0),
            counted_fen: Set(counted.0),
            counted_by: Set(actor_id),
            counted_at: Set(now),
        }
        .insert(&txn)
        .await?;
        credit(&txn, (&row, &day), &before, now).await?;
        let mut back: run::ActiveModel = row.clone().into();
        back.status = Set(RunStatus::Back.as_str().to_owned());
        back.returned_at = Set(Some(now));
        let back = back.update(&txn).await?;
        let sheet = sheet_of(&txn, back).await?;
        txn.commit().await?;
        Ok(sheet)
    }

    /// Run `run_id`'s goods and money as they stand.
    pub async fn run_sheet(&self, depot_id: i64, run_id: i64) -> Result<RunSheet> {
        let (row, _) = run_of(&self.db, depot_id, run_id).await?;
        sheet_of(&self.db, row).await
    }

    /// Marks stop `stop_id` of run `run_id` done with its proof (`code:...` or `photo:...`);
    /// its job is done. A stop whose job carries a code needs that code or a photo.
    pub async fn finish_route_stop(
        &self,
        depot_id: i64,
        run_id: i64,
        stop_id: i64,
        proof: &StopProof,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let txn = self.begin_write().await?;
        let (row, _) = run_of(&txn, depot_id, run_id).await?;
        must_be_out(&row)?;
        let found = stop::Entity::find_by_id(stop_id)
            .filter(stop::Column::RunId.eq(run_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        if found.done_at.is_some() {
            return Err(Error::AlreadyDecided);
        }
        let the_job = job::Entity::find_by_id(found.job_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let written = match proof {
            StopProof::Photo(hash) => format!("photo:{hash}"),
            StopProof::Code(typed) => {
                let expected = the_job.code.as_deref().unwrap_or_default();
                if expected.is_empty() || typed.trim() != expected {
                    return Err(ValidationError::new("code", "fleet-stop-code-wrong").into());
                }
                format!("code:{expected}")
            }
        };
        let mut done: stop::ActiveModel = found.into();
        done.done_at = Set(Some(now));
        done.proof = Set(Some(written));
        done.update(&txn).await?;
        let mut finished: job::ActiveModel = the_job.into();
        finished.status = Set(JobStatus::Done.as_str().to_owned());
        finished.updated_at = Set(now);
        finished.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The credits runs made on `day`s from `from` to `until` (inclusive), oldest first.
    pub async fn run_credits(&self, from: &str, until: &str) -> Result<Vec<RunCredit>> {
        credit::Entity::find()
            .filter(credit::Column::Day.gte(from))
            .filter(credit::Column::Day.lte(until))
            .order_by_asc(credit::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(credit_from)
            .collect()
    }
}

/// How a driver proves a stop was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopProof {
    /// The code the household or village was given with its booking.
    Code(String),
    /// A photo's hash.
    Photo(String),
}

/// Credits what run `row` of `day` earned: each shop its goods' sales, and the driver (or their
/// household) the vehicle's pay per run.
async fn credit(
    txn: &impl sea_orm::ConnectionTrait,
    (row, day): (&run::Model, &str),
    before: &RunSheet,
    now: DateTime<Utc>,
) -> Result<()> {
    let run_id = row.id;
    let mut shops: Vec<(i64, Fen)> = Vec::new();
    for line in before.lines.iter().filter(|l| l.sales.0 > 0) {
        match shops.iter_mut().find(|(s, _)| *s == line.shop_id) {
            Some((_, total)) => {
                *total = total
                    .checked_add(line.sales)
                    .ok_or(Error::Conflict { field: "amount" })?
            }
            None => shops.push((line.shop_id, line.sales)),
        }
    }
    let credit_row = |kind: CreditKind, amount: Fen| credit::ActiveModel {
        run_id: Set(run_id),
        day: Set(day.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        amount_fen: Set(amount.0),
        created_at: Set(now),
        ..Default::default()
    };
    for (shop_id, amount) in shops {
        credit::ActiveModel {
            shop_id: Set(Some(shop_id)),
            ..credit_row(CreditKind::Goods, amount)
        }
        .insert(txn)
        .await?;
    }
    let ridden = vehicle::Entity::find_by_id(row.vehicle_id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    if ridden.run_pay_fen > 0 {
        credit::ActiveModel {
            account_id: Set(row.driver_id.or(ridden.driver_id)),
            household_id: Set(ridden.household_id),
            ..credit_row(CreditKind::Labour, Fen(ridden.run_pay_fen))
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

fn credit_from(row: credit::Model) -> Result<RunCredit> {
    Ok(RunCredit {
        kind: CreditKind::parse(&row.kind)
            .ok_or_else(|| crate::error::corrupt("run credit", row.id))?,
        run_id: row.run_id,
        day: row.day,
        shop_id: row.shop_id,
        account_id: row.account_id,
        household_id: row.household_id,
        amount: Fen(row.amount_fen),
    })
}

async fn sheet_of(conn: &impl sea_orm::ConnectionTrait, row: run::Model) -> Result<RunSheet> {
    let lines = load::Entity::find()
        .filter(load::Column::RunId.eq(row.id))
        .order_by_asc(load::Column::Id)
        .all(conn)
        .await?;
    let sales = sale::Entity::find()
        .filter(sale::Column::RunId.eq(row.id))
        .all(conn)
        .await?;
    let lines: Vec<LoadLine> = lines
        .into_iter()
        .map(|l| {
            let mine = sales.iter().filter(|s| s.load_id == l.id);
            LoadLine {
                sold: mine.clone().map(|s| s.quantity).sum(),
                sales: Fen(mine.map(|s| s.amount_fen).sum()),
                id: l.id,
                variant_id: l.variant_id,
                product_id: l.product_id,
                shop_id: l.shop_id,
                label: l.label,
                unit_price: Fen(l.unit_price_fen),
                loaded: l.loaded,
                returned: l.returned,
            }
        })
        .collect();
    let total = Fen::checked_sum(lines.iter().map(|l| l.sales))
        .ok_or(Error::Conflict { field: "amount" })?;
    let takings = takings::Entity::find_by_id(row.id)
        .one(conn)
        .await?
        .map(|t| Takings {
            expected: Fen(t.expected_fen),
            counted: Fen(t.counted_fen),
            counted_by: t.counted_by,
            counted_at: t.counted_at,
        });
    let credits = credit::Entity::find()
        .filter(credit::Column::RunId.eq(row.id))
        .order_by_asc(credit::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(credit_from)
        .collect::<Result<Vec<_>>>()?;
    Ok(RunSheet {
        run_id: row.id,
        status: RunStatus::parse(&row.status)
            .ok_or_else(|| crate::error::corrupt("route run", row.id))?,
        lines,
        sales: total,
        takings,
        credits,
    })
}
