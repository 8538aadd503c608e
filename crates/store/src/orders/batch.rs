//! The intake's set-based path: a whole batch of placements in a constant number of statements.
//!
//! Everything the batch needs is read at once (`placement::Inputs`: earlier orders under the
//! batch's keys, the variants with their products and names, stations, shipping rules); the
//! placements are then decided in memory, in arrival order, against the stock read inside the
//! transaction; orders, lines, events and payments are written with one multi-row insert
//! each, and the answers are built from what was written, without reading it back; LAST, each
//! variant's stock is taken with ONE conditional update for the whole batch (decision 0034).
//!
//! The stock is read without a lock. Taking it last means a hot variant's row is locked only
//! for that update and the commit: on PostgreSQL several instances' batches read, decide and
//! write side by side and queue only for the row (the update waits for the other's commit and
//! then checks the condition against the stock it left). When the stock read is no longer
//! there (another instance or process sold it meanwhile), the conditional update says so
//! (`Stocked::Changed`), the caller rolls the batch back and takes the per-placement path.
//! Never oversold: no unit leaves without the conditional update; never half-done: the batch
//! is one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, UpdateStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryTrait,
};

use super::placement::{self, Drawn, Inputs, IntakeError, Planned, Reading};
use super::profile::{Laps, Part};
use super::writer::Writer;
use super::{Checkout, Delivery, PlaceOrder};
use crate::Error;
use crate::catalog::entity::variant;

/// What became of each placement of a batch.
pub(super) type Outcomes = Vec<Result<Checkout, IntakeError>>;

/// A batch read and decided, not written yet.
pub(super) struct Prepared {
    /// Each placement's outcome so far: replays and refusals; the accepted are written next.
    outcomes: Vec<Option<Result<Checkout, IntakeError>>>,
    decided: Decided,
    now: DateTime<Utc>,
}

/// Reads what the batch needs (earlier answers under its keys, then `Inputs`) and decides
/// each placement in memory.
pub(super) async fn prepare(
    conn: &impl ConnectionTrait,
    batch: &[&PlaceOrder],
    reading: Reading,
    laps: &mut Laps,
) -> Result<Prepared, Error> {
    let mut outcomes: Vec<Option<Result<Checkout, IntakeError>>> = placement::replays(conn, batch)
        .await?
        .into_iter()
        .map(|replay| replay.map(Ok))
        .collect();
    let inputs = Inputs::read(conn, batch, reading).await?;
    laps.lap(Part::Read);
    let now = Utc::now();
    let decided = decide_all(batch, &inputs, &mut outcomes, now);
    laps.lap(Part::Decide);
    Ok(Prepared {
        outcomes,
        decided,
        now,
    })
}

/// Decides and writes a batch, or nothing when another writer changed the stock meanwhile.
pub(super) async fn place_set(
    txn: &DatabaseTransaction,
    batch: &[&PlaceOrder],
    reading: Reading,
    laps: &mut Laps,
) -> Result<Stocked, Error> {
    let Prepared {
        mut outcomes,
        mut decided,
        now,
    } = prepare(txn, batch, reading, laps).await?;
    let (indexes, planned) = decided.take_accepted();
    for (index, checkout) in indexes
        .into_iter()
        .zip(placement::write(txn, planned, now).await?)
    {
        outcomes[index] = Some(Ok(checkout));
    }
    laps.lap(Part::Write);
    // The hot rows last: their locks are held only for these updates and the commit.
    for (variant_id, update) in decided.stock_updates() {
        if txn.execute(&update).await?.rows_affected() == 0 {
            laps.lap(Part::Stock);
            return Ok(Stocked::Changed { variant_id });
        }
    }
    laps.lap(Part::Stock);
    Ok(Stocked::Placed(answer_repeats(
        batch,
        outcomes,
        &decided.first_of_key,
    )))
}

/// Writes a prepared batch on the SQLite intake's writer: one `BEGIN IMMEDIATE` transaction
/// run without an await, committed (and flushed) before it returns; rolled back when the
/// stock read is no longer there.
pub(super) fn place_on(
    writer: &mut Writer,
    batch: &[&PlaceOrder],
    prepared: Prepared,
    laps: &mut Laps,
) -> Result<Stocked, Error> {
    let Prepared {
        mut outcomes,
        mut decided,
        now,
    } = prepared;
    let mut txn = writer.begin()?;
    laps.lap(Part::Lock);
    let (indexes, planned) = decided.take_accepted();
    for (index, checkout) in indexes
        .into_iter()
        .zip(placement::write_on(&mut txn, planned, now)?)
    {
        outcomes[index] = Some(Ok(checkout));
    }
    laps.lap(Part::Write);
    for (variant_id, update) in decided.stock_updates() {
        if txn.execute(&update, true)? == 0 {
            laps.lap(Part::Stock);
            return Ok(Stocked::Changed { variant_id });
        }
    }
    laps.lap(Part::Stock);
    txn.commit()?;
    laps.lap(Part::Commit);
    Ok(Stocked::Placed(answer_repeats(
        batch,
        outcomes,
        &decided.first_of_key,
    )))
}

/// How a batch went: placed (each placement's outcome), or the stock of a variant changed
/// between reading and taking it (another writer), and nothing was written.
pub(super) enum Stocked {
    Placed(Outcomes),
    Changed { variant_id: i64 },
}

/// The batch decided in memory: the accepted placements (with their place in the batch), the
/// units taken of each variant, and where each key was first seen.
struct Decided {
    accepted: Vec<(usize, Planned)>,
    taken: BTreeMap<i64, i64>,
    /// Of `taken`, the units drawn from other online places than the shops' stores, by
    /// (variant, place).
    drawn: BTreeMap<(i64, i64), i64>,
    /// Units sold over the counter of places online sales do not draw from, by (variant,
    /// place): not part of any variant's stock.
    offline: BTreeMap<(i64, i64), i64>,
    first_of_key: HashMap<(i64, String), usize>,
}

/// Decides each placement not answered yet, in arrival order, against the stock left. The
/// same key twice in one batch: the second is answered with the first's outcome later.
fn decide_all(
    batch: &[&PlaceOrder],
    inputs: &Inputs,
    outcomes: &mut [Option<Result<Checkout, IntakeError>>],
    now: DateTime<Utc>,
) -> Decided {
    let mut left = inputs.stock();
    let mut shelves = inputs.shelves();
    let mut decided = Decided {
        accepted: Vec::new(),
        taken: BTreeMap::new(),
        drawn: BTreeMap::new(),
        offline: BTreeMap::new(),
        first_of_key: HashMap::new(),
    };
    for (index, request) in batch.iter().enumerate() {
        if outcomes[index].is_some() {
            continue;
        }
        let key = (request.buyer_id, request.key.as_str().to_owned());
        if decided.first_of_key.contains_key(&key) {
            continue;
        }
        decided.first_of_key.insert(key, index);
        match placement::decide(request, inputs, (&left, &shelves), now) {
            Err(refusal) => outcomes[index] = Some(Err(refusal)),
            Ok(mut planned) => {
                let drawn = match request.delivery {
                    Delivery::Counter { place_id } => {
                        let drawn = shelves.take_counter(&mut planned, place_id);
                        // Units at an online place are part of the variant's stock too.
                        for &(variant_id, _, units) in &drawn.online {
                            *left.entry(variant_id).or_default() -= units;
                            *decided.taken.entry(variant_id).or_default() += units;
                        }
                        drawn
                    }
                    _ => {
                        for &(variant_id, quantity) in request.basket.lines() {
                            *left.entry(variant_id).or_default() -= i64::from(quantity);
                            *decided.taken.entry(variant_id).or_default() += i64::from(quantity);
                        }
                        Drawn {
                            online: shelves.take(&mut planned),
                            offline: Vec::new(),
                        }
                    }
                };
                decided.count(drawn);
                decided.accepted.push((index, planned));
            }
        }
    }
    decided
}

impl Decided {
    /// Counts the units an accepted placement drew from places, by (variant, place).
    fn count(&mut self, drawn: Drawn) {
        for (variant_id, place_id, units) in drawn.online {
            *self.drawn.entry((variant_id, place_id)).or_default() += units;
        }
        for (variant_id, place_id, units) in drawn.offline {
            *self.offline.entry((variant_id, place_id)).or_default() += units;
        }
    }
}

impl Decided {
    /// The accepted placements, with their places in the batch.
    fn take_accepted(&mut self) -> (Vec<usize>, Vec<Planned>) {
        std::mem::take(&mut self.accepted).into_iter().unzip()
    }

    /// One conditional update per variant for the whole batch (its store must hold what was
    /// not drawn from other places), then one per place drawn from (online places and, for
    /// counter sales, places sold on the spot only), each with the variant it takes: an update
    /// that changes no row means that variant's shelves no longer hold what was taken.
    fn stock_updates(&self) -> Vec<(i64, UpdateStatement)> {
        let mut updates = Vec::new();
        for (variant_id, quantity) in &self.taken {
            let away: i64 = self
                .drawn
                .range((*variant_id, i64::MIN)..=(*variant_id, i64::MAX))
                .map(|(_, units)| units)
                .sum();
            let stock = || Expr::col(variant::Column::Stock);
            let on_away = || Expr::col(variant::Column::AwayOnline);
            let mut update = variant::Entity::update_many()
                .col_expr(variant::Column::Stock, stock().sub(*quantity))
                .filter(variant::Column::Id.eq(*variant_id))
                .filter(stock().sub(on_away()).gte(*quantity - away));
            if away > 0 {
                update = update
                    .col_expr(variant::Column::AwayOnline, on_away().sub(away))
                    .filter(on_away().gte(away));
            }
            updates.push((*variant_id, update.into_query()));
        }
        for (&(variant_id, place_id), &units) in self.drawn.iter().chain(&self.offline) {
            updates.push((
                variant_id,
                crate::catalog::places::take_placed(place_id, variant_id, units),
            ));
        }
        updates
    }
}

/// Repeats of a key within the batch answer as replays of the first.
fn answer_repeats(
    batch: &[&PlaceOrder],
    mut outcomes: Vec<Option<Result<Checkout, IntakeError>>>,
    first_of_key: &HashMap<(i64, String), usize>,
) -> Outcomes {
    for (index, request) in batch.iter().enumerate() {
        if outcomes[index].is_some() {
            continue;
        }
        let first = first_of_key
            .get(&(request.buyer_id, request.key.as_str().to_owned()))
            .copied()
            .unwrap_or(index);
        outcomes[index] = Some(match &outcomes[first] {
            Some(Ok(checkout)) => Ok(Checkout {
                replayed: true,
                shop_texts: Vec::new(),
                ..checkout.clone()
            }),
            Some(Err(refusal)) => Err(refusal.repeat()),
            None => Err(IntakeError::Closed),
        });
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Err(IntakeError::Closed)))
        .collect()
}
