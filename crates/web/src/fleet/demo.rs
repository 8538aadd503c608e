//! Qiaerbag's last week on the road, for the demo, through the real code paths: each morning
//! the communities and a few collections are planned by the solver, the selling runs are
//! loaded from the Saibag stall's shelf (restocked first, as the stall does each morning),
//! leave, sell, finish their stops with the household's code and come back with their takings
//! and unsold goods. Today's plan is made and left waiting: 阿卜杜拉's tricycle has a community
//! to sell in, its goods set, for the rider's phone.

use chrono::{DateTime, Utc};
use farmgate_domain::accounts::LoginId;
use farmgate_domain::catalog::{StockChange, StockReason};
use farmgate_domain::fleet::RouteJobKind;
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::LedgerDay;
use farmgate_routing::Budget;
use farmgate_store::Store;
use farmgate_store::catalog::Mover;
use farmgate_store::demo::fleet::{DEPOT, morning_jobs};
use farmgate_store::fleet::{GoodsLine, LoadRequest, NewSale, StopProof};

/// Days of runs before today.
const PAST_DAYS: u32 = 7;

/// Why loading the demo week stopped.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] farmgate_store::Error),
    #[error("planning the demo day {0} failed")]
    Plan(String),
}

/// The goods a community gets: the stall's first two products on sale, a few of each.
async fn stall_goods(store: &Store) -> Result<Vec<(i64, String)>, DemoError> {
    let Some(owner) = store
        .account_by_login(&LoginId::parse("saibag-seller").map_err(farmgate_store::Error::from)?)
        .await?
    else {
        return Ok(Vec::new());
    };
    let mut goods = Vec::new();
    for shop in store.shops_of_member(owner.id).await? {
        for product in store.products_of_shop(shop.id).await? {
            let name = product
                .text(farmgate_domain::lang::Language::ZhCn)
                .map(|(t, _)| t.name.clone())
                .unwrap_or_default();
            if let Some(v) = product.variants.first() {
                goods.push((v.id, name));
            }
        }
    }
    goods.truncate(2);
    Ok(goods)
}

/// Loads the week (days already planned are left alone). Returns the runs it worked.
pub async fn load_demo_runs(store: &Store, now: DateTime<Utc>) -> Result<u64, DemoError> {
    let county = store.region_by_code("korla").await?;
    let Some(depot) = store
        .depots_within(&county.path)
        .await?
        .into_iter()
        .find(|d| d.code == DEPOT)
    else {
        return Ok(0);
    };
    let login = |text: &str| LoginId::parse(text).map_err(farmgate_store::Error::from);
    let (Some(staff), Some(rider)) = (
        store.account_by_login(&login("korla-centre")?).await?,
        store.account_by_login(&login("korla-rider")?).await?,
    ) else {
        return Ok(0);
    };
    let goods = stall_goods(store).await?;
    let vehicles = store.vehicles(depot.id, false).await?;
    let Some(riders) = vehicles
        .iter()
        .find(|v| v.details.driver_id == Some(rider.id))
    else {
        return Ok(0);
    };
    let today = LedgerDay::of(now);
    let mut day = today;
    for _ in 0..PAST_DAYS {
        day = day.previous();
    }
    let mut worked = 0;
    for k in 0..=PAST_DAYS {
        let text = day.to_string();
        let past = day != today;
        if store.latest_plan(depot.id, &text).await?.is_none() {
            // The morning's communities, and on past days a dozen collections too (today's
            // plan is the communities alone: every rider has a community waiting).
            let collections = if past { 12 } else { 0 };
            let jobs: Vec<_> = morning_jobs(100 + u64::from(k))
                .into_iter()
                .filter(|j| j.kind == RouteJobKind::Sell)
                .chain(
                    morning_jobs(200 + u64::from(k))
                        .into_iter()
                        .skip(16)
                        .take(collections),
                )
                .collect();
            let mut sells = Vec::new();
            for details in &jobs {
                let job = store
                    .add_route_job(depot.id, &text, details, staff.id, now)
                    .await?;
                if job.details.kind == RouteJobKind::Sell {
                    sells.push(job.id);
                }
            }
            // Today every community has goods: whichever the rider's tricycle is given, it sells.
            let stocked = if past { 2 } else { sells.len() };
            for (n, job) in sells.iter().take(stocked).enumerate() {
                let lines: Vec<GoodsLine> = goods
                    .iter()
                    .map(|(variant_id, _)| GoodsLine {
                        variant_id: *variant_id,
                        quantity: 6 + n as i64 * 2,
                    })
                    .collect();
                store.set_job_goods(depot.id, *job, &lines).await?;
            }
            if let Some(first) = sells.first() {
                store
                    .pin_route_job(depot.id, *first, Some(riders.id), now)
                    .await?;
            }
            let budget = Budget {
                seconds: 2,
                generations: Some(200),
                seeded: true,
            };
            let plan = super::plan_day(store, &depot, (day, budget), staff.id)
                .await
                .map_err(|_| DemoError::Plan(text.clone()))?;
            if past {
                for run in &plan.runs {
                    let driver = vehicles
                        .iter()
                        .find(|v| v.id == run.vehicle_id)
                        .and_then(|v| v.details.driver_id)
                        .unwrap_or(staff.id);
                    work_run(store, depot.id, run, (&goods, staff.id, driver), now).await?;
                    worked += 1;
                }
            }
        }
        day = day.next();
    }
    Ok(worked)
}

/// A past run from loading to handing in: the stall restocks what the run takes, most of it
/// sells in small sales, every stop is done with its job's code, and the cash counted is the
/// sales (one morning in four a yuan short).
async fn work_run(
    store: &Store,
    depot: i64,
    run: &farmgate_store::fleet::PlannedRun,
    (goods, staff, driver): (&[(i64, String)], i64, i64),
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    let job_ids: Vec<i64> = run.stops.iter().map(|s| s.job_id).collect();
    let planned = store.job_goods(&job_ids).await?;
    let mut lines: Vec<LoadRequest> = Vec::new();
    for (_, g) in &planned {
        store
            .change_stock(
                g.variant_id,
                StockChange::Adjust(g.quantity),
                Mover {
                    reason: StockReason::Restock,
                    actor_id: Some(staff),
                    note: "",
                },
            )
            .await?;
        lines.push(LoadRequest {
            variant_id: g.variant_id,
            quantity: g.quantity,
            label: goods
                .iter()
                .find(|(v, _)| *v == g.variant_id)
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
        });
    }
    let at = run.leaves_at.min(now);
    if !lines.is_empty() {
        store.load_run(depot, run.id, &lines, staff, at).await?;
    }
    store.start_route_run(depot, run.id, driver, at).await?;
    let mut sales = Vec::new();
    for line in &lines {
        let mut left = line.quantity * 3 / 4;
        let mut n = 0;
        while left > 0 {
            let quantity = left.min(1 + n % 3);
            sales.push(NewSale {
                client_id: format!("demo-{}-{}-{n}", run.id, line.variant_id),
                variant_id: line.variant_id,
                quantity,
                sold_at: at,
                stop_id: None,
            });
            left -= quantity;
            n += 1;
        }
    }
    store
        .record_run_sales(depot, run.id, driver, &sales, at)
        .await?;
    for stop in &run.stops {
        if let Some(job) = store.route_job(depot, stop.job_id).await?
            && let Some(code) = job.code
        {
            store
                .finish_route_stop(depot, run.id, stop.id, &StopProof::Code(code), at)
                .await?;
        }
    }
    let sheet = store.run_sheet(depot, run.id).await?;
    let short = if run.id % 4 == 0 && sheet.sales.0 >= 100 {
        100
    } else {
        0
    };
    let returned: Vec<GoodsLine> = sheet
        .lines
        .iter()
        .map(|l| GoodsLine {
            variant_id: l.variant_id,
            quantity: l.loaded - l.sold,
        })
        .collect();
    store
        .return_run(
            depot,
            run.id,
            Fen(sheet.sales.0 - short),
            &returned,
            staff,
            run.returns_at.min(now),
        )
        .await?;
    Ok(())
}
