//! The front pages of the desks that had none (`crate::desks` lists every desk): the centre's
//! (applications waiting, decisions on refunds, today's and this week's sessions), a station's
//! (parcels waiting to be collected, cash refunds to hand back) and a courier's (parcels on
//! their way to doors in the area). Each is a handful of short lists with a link to the tool
//! that works through them.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, Utc};
use farmgate_domain::authz::Role;
use farmgate_domain::shops::ApplicationStatus;
use farmgate_store::orders::{Order, OrderPage, ParcelsAt};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::format::china_time;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// How many rows a section shows; its tool has the rest.
const SHOWN: u64 = 8;

const CENTRE: [Role; 2] = [Role::CentreStaff, Role::Admin];
const STATION: [Role; 2] = [Role::StationOperator, Role::Admin];
const COURIER: [Role; 2] = [Role::Courier, Role::Admin];

/// A row of a section: what it is, where it goes (if its reader may open it), and a detail.
struct Row {
    text: String,
    href: Option<String>,
    detail: String,
}

struct Section {
    heading: String,
    rows: Vec<Row>,
    empty: String,
    more: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "work/front.html")]
struct FrontPage {
    c: Chrome,
    title: String,
    intro: String,
    sections: Vec<Section>,
}

fn page(c: Chrome, title: &str, intro: String, sections: Vec<Section>) -> Response {
    let title = c.t.get(title);
    render(
        axum::http::StatusCode::OK,
        &FrontPage {
            c,
            title,
            intro,
            sections,
        },
    )
}

/// `GET /centre`: what the county's centre has waiting.
pub async fn centre(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &CENTRE).await?;
    let t = &c.t;
    let code = region.code.as_str();
    let waiting = state
        .store
        .shop_applications_within(&region.path, Some(ApplicationStatus::Pending))
        .await?;
    let mut applications = Vec::new();
    for a in waiting.iter().take(SHOWN as usize) {
        let village = state.store.region_by_id(a.village_id).await?;
        applications.push(Row {
            text: a.name.clone(),
            href: Some(format!(
                "/centre/shop-applications?region={code}#application-{}",
                a.id
            )),
            detail: format!("{} · {}", village.name(t.lang()), china_time(a.created_at)),
        });
    }
    let decisions = state
        .store
        .refunds_for_centre(&region.path, Utc::now(), 0, SHOWN)
        .await?
        .into_iter()
        .map(|r| Row {
            text: t.arg("order-title", "id", r.order_id),
            href: Some("/centre/disputes".to_owned()),
            detail: t.get(&format!("refund-status-{}", r.status.as_str())),
        })
        .collect();
    let mut sections = vec![
        Section {
            heading: t.arg("work-applications", "count", waiting.len()),
            rows: applications,
            empty: t.get("work-applications-none"),
            more: Some((
                t.get("nav-review"),
                format!("/centre/shop-applications?region={code}"),
            )),
        },
        Section {
            heading: t.get("refunds-centre-title"),
            rows: decisions,
            empty: t.get("refunds-none"),
            more: Some((t.get("refunds-centre-title"), "/centre/disputes".to_owned())),
        },
        sessions(&state, t, &region.path).await?,
    ];
    if let Some(depot) = state.store.depots_within(&region.path).await?.first() {
        if let Some(fleet) = fleet(&state, t, depot).await? {
            sections.insert(0, fleet);
        }
        sections.insert(0, distribution(&state, t, depot).await?);
    }
    if let Some(tills) = showrooms(&state, t, region.id).await? {
        sections.insert(0, tills);
    }
    if let Some(halls) = stalls(&state, t, region.id).await? {
        sections.insert(0, halls);
    }
    let intro = t.arg("work-centre-intro", "county", region.name(t.lang()));
    Ok(page(c, "work-centre-title", intro, sections))
}

/// The county's showrooms: each till's session and the sales it has waiting to be settled;
/// none when the county has no showroom.
async fn showrooms(state: &AppState, t: &Tr, county_id: i64) -> Result<Option<Section>, Problem> {
    use farmgate_domain::catalog::places::PlaceKind;
    use farmgate_domain::centre::till::TillSaleStatus;
    let mut rows = Vec::new();
    for place in state.store.stock_places(county_id).await? {
        if !place.active || place.kind != PlaceKind::Showroom {
            continue;
        }
        let detail = match state.store.open_till_session_at(place.id).await? {
            Some(session) => {
                let sales = state.store.till_sales(session.id).await?;
                let waiting = sales
                    .iter()
                    .filter(|s| s.status == TillSaleStatus::ToSettle)
                    .count();
                if waiting > 0 {
                    t.arg("work-till-to-settle", "count", waiting)
                } else {
                    t.arg("work-till-open", "time", china_time(session.opened_at))
                }
            }
            None => t.get("work-till-closed"),
        };
        rows.push(Row {
            text: place.name(t.lang()).to_owned(),
            href: Some(format!("/centre/till/{}", place.id)),
            detail,
        });
    }
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(Section {
        heading: t.get("till-title"),
        rows,
        empty: String::new(),
        more: Some((t.get("till-title"), "/centre/till".to_owned())),
    }))
}

/// The county's stalls today: how many are booked and free, and who waits for one; none when
/// the county has no stalls.
async fn stalls(state: &AppState, t: &Tr, county_id: i64) -> Result<Option<Section>, Problem> {
    use farmgate_domain::stations::till::LedgerDay;
    let stalls = state.store.stalls(county_id, false).await?;
    if stalls.is_empty() {
        return Ok(None);
    }
    let today = LedgerDay::of(chrono::Utc::now());
    let booked = state
        .store
        .stall_occupancy(county_id, (today, today))
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    let mut rows = vec![Row {
        text: t.args2(
            "work-stalls-today",
            ("booked", booked.into()),
            ("free", stalls.len().saturating_sub(booked).into()),
        ),
        href: Some("/centre/stalls".to_owned()),
        detail: String::new(),
    }];
    for wait in state.store.stall_waits(county_id, true).await? {
        rows.push(Row {
            text: wait.holder_name,
            href: Some("/centre/stalls#waiting".to_owned()),
            detail: t.arg("work-stalls-waiting", "from", wait.starts_on.to_string()),
        });
    }
    Ok(Some(Section {
        heading: t.get("stalls-title"),
        rows,
        empty: String::new(),
        more: Some((t.get("stalls-title"), "/centre/stalls".to_owned())),
    }))
}

/// The county's distribution centre this morning: parcels whose station must be found, what
/// waits for the stations, and the runs of the day.
async fn distribution(
    state: &AppState,
    t: &Tr,
    depot: &farmgate_store::logistics::Depot,
) -> Result<Section, Problem> {
    let now = Utc::now();
    let day = state.store.consolidation(depot.id, now).await?;
    let waiting: i64 = day.stations.iter().map(|s| s.parcels).sum();
    let today = farmgate_domain::stations::till::LedgerDay::of(now);
    let runs = state.store.runs_of_day(depot.id, today).await?;
    let rows = vec![
        Row {
            text: t.arg("logistics-unsorted-link", "count", day.unsorted),
            href: Some(format!("/centre/logistics/unsorted?depot={}", depot.id)),
            detail: t.args2(
                "logistics-board-figures",
                ("scanned", day.scanned_today.into()),
                ("advised", day.advised.into()),
            ),
        },
        Row {
            text: t.arg("work-waiting-for-stations", "count", waiting),
            href: Some(format!("/centre/logistics/runs?depot={}", depot.id)),
            detail: t.arg("work-runs-today", "count", runs.len() as i64),
        },
    ];
    Ok(Section {
        heading: depot.name(t.lang()).to_owned(),
        rows,
        empty: String::new(),
        more: Some((
            t.get("logistics-scan-title"),
            format!("/centre/logistics/scan?depot={}", depot.id),
        )),
    })
}

/// Tomorrow morning's runs: the jobs waiting to be planned and whether a plan is made; none
/// when the depot has no fleet.
async fn fleet(
    state: &AppState,
    t: &Tr,
    depot: &farmgate_store::logistics::Depot,
) -> Result<Option<Section>, Problem> {
    use farmgate_domain::fleet::JobStatus;
    if state.store.vehicles(depot.id, false).await?.is_empty() {
        return Ok(None);
    }
    let tomorrow = farmgate_domain::stations::till::LedgerDay::of(Utc::now())
        .next()
        .to_string();
    let open = state
        .store
        .route_jobs(depot.id, &tomorrow, Some(JobStatus::Open))
        .await?;
    let plan = state.store.latest_plan(depot.id, &tomorrow).await?;
    let href = format!("/centre/fleet/day?depot={}&day={tomorrow}", depot.id);
    let rows = vec![Row {
        text: t.arg("work-fleet-jobs", "count", open.len() as i64),
        href: Some(href.clone()),
        detail: match plan {
            Some(p) => t.arg("work-fleet-planned", "runs", p.runs.len() as i64),
            None => t.get("work-fleet-unplanned"),
        },
    }];
    Ok(Some(Section {
        heading: t.get("fleet-day-title"),
        rows,
        empty: String::new(),
        more: Some((t.get("fleet-plan"), href)),
    }))
}

/// The county's sessions running today or starting within a week.
async fn sessions(
    state: &AppState,
    t: &Tr,
    region: &farmgate_domain::regions::RegionPath,
) -> Result<Section, Problem> {
    let today = crate::training::today();
    let found = state
        .store
        .sessions_within(region, today - Duration::days(5), 40)
        .await?;
    let mut rows = Vec::new();
    for s in found
        .iter()
        .filter(|s| {
            let ends = s.starts_on + Duration::days(i64::from(s.days.max(1)) - 1);
            ends >= today && s.starts_on <= today + Duration::days(7)
        })
        .take(SHOWN as usize)
    {
        let course = state.store.course(s.course_id).await?;
        let running = s.starts_on <= today;
        rows.push(Row {
            text: course.title.get(t.lang()).0.to_owned(),
            href: Some(format!("/trainer/sessions/{}", s.id)),
            detail: format!(
                "{} · {} · {}",
                if running {
                    t.get("work-session-today")
                } else {
                    s.starts_on.to_string()
                },
                crate::format::isolate(s.venue.shown(t.lang()).text),
                t.arg("work-enrolled", "count", s.enrolled)
            ),
        });
    }
    Ok(Section {
        heading: t.get("work-sessions"),
        rows,
        empty: t.get("work-sessions-none"),
        more: Some((t.get("trainer-title"), "/trainer".to_owned())),
    })
}

/// A parcel as a station operator or a courier sees it: its number, what is in it, and where
/// it waits or goes; no buyer's name or phone (the parcel's own page is its buyer's and shop's).
async fn parcel_row(state: &AppState, t: &Tr, order: &Order) -> Result<Row, Problem> {
    let units: i64 = order.lines.iter().map(|l| i64::from(l.quantity)).sum();
    let place = match (order.station_id, order.delivery_region_id) {
        (Some(station), _) => state
            .store
            .station(station)
            .await?
            .name(t.lang())
            .to_owned(),
        (None, Some(region)) => state
            .store
            .region_by_id(region)
            .await?
            .name(t.lang())
            .to_owned(),
        _ => String::new(),
    };
    Ok(Row {
        text: t.arg("order-title", "id", order.id),
        href: None,
        detail: format!(
            "{place} · {} · {}",
            t.arg("work-units", "count", units),
            china_time(order.placed_at)
        ),
    })
}

async fn parcels(state: &AppState, t: &Tr, at: ParcelsAt<'_>) -> Result<Vec<Row>, Problem> {
    let page = OrderPage {
        limit: SHOWN,
        ..OrderPage::default()
    };
    let mut rows = Vec::new();
    for order in state.store.parcels_waiting(at, page).await? {
        rows.push(parcel_row(state, t, &order).await?);
    }
    Ok(rows)
}

/// `GET /station`: parcels waiting at the operator's stations, and cash refunds to hand back.
pub async fn station(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &STATION).await?;
    let t = &c.t;
    let waiting = parcels(&state, t, ParcelsAt::Stations(&region.path)).await?;
    let refunds = state
        .store
        .cash_refunds_at_stations(&region.path, 0, SHOWN)
        .await?
        .into_iter()
        .map(|r| Row {
            text: t.arg("order-title", "id", r.order_id),
            href: Some("/station/refunds".to_owned()),
            detail: r.granted.display_yuan(),
        })
        .collect();
    let to_close = days_to_close(&state, t, &region).await?;
    let sections = vec![
        Section {
            heading: t.get("work-days-to-close"),
            rows: to_close,
            empty: t.get("work-days-all-closed"),
            more: Some((t.get("ledger-day-title"), "/station/day".to_owned())),
        },
        Section {
            heading: t.get("work-parcels-at-station"),
            rows: waiting,
            empty: t.get("work-parcels-none"),
            more: Some((t.get("station-parcels-open"), "/station/parcels".to_owned())),
        },
        Section {
            heading: t.get("refunds-station-title"),
            rows: refunds,
            empty: t.get("refunds-none"),
            more: Some((
                t.get("refunds-station-title"),
                "/station/refunds".to_owned(),
            )),
        },
    ];
    let intro = t.arg("work-station-intro", "place", region.name(t.lang()));
    Ok(page(c, "work-station-title", intro, sections))
}

/// Days of the last two weeks (before today) on which the stations in `region` took or
/// moved something and which nobody closed, newest first.
async fn days_to_close(
    state: &AppState,
    t: &Tr,
    region: &farmgate_store::regions::Region,
) -> Result<Vec<Row>, Problem> {
    use farmgate_domain::stations::till::LedgerDay;
    let stations = state.store.stations_within(&region.path).await?;
    let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    let today = LedgerDay::of(chrono::Utc::now());
    let mut from = today;
    for _ in 0..14 {
        from = from.previous();
    }
    let mut open = state.store.ledger(&ids, from, today).await?;
    open.retain(|r| {
        let busy = r.villager_orders > 0
            || r.parcels_received > 0
            || r.parcels_handed > 0
            || !r.cash.is_empty();
        r.closed.is_none() && busy
    });
    open.sort_by_key(|r| std::cmp::Reverse(r.day));
    Ok(open
        .into_iter()
        .take(SHOWN as usize)
        .filter_map(|r| {
            let day = r.day?;
            let station = stations.iter().find(|s| s.id == r.station_id)?;
            Some(Row {
                text: format!("{} · {day}", station.name(t.lang())),
                href: Some(format!("/station/day?station={}&day={day}", station.id)),
                detail: t.arg("work-day-cash", "amount", r.net().display_yuan()),
            })
        })
        .collect())
}

/// `GET /courier`: parcels on their way to doors in the courier's area.
pub async fn courier(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &COURIER).await?;
    let t = &c.t;
    let today = farmgate_domain::stations::till::LedgerDay::of(Utc::now());
    let runs = state
        .store
        .runs_of_driver(user.account.id, today)
        .await?
        .into_iter()
        .map(|run| Row {
            text: t.args2(
                "run-title",
                ("run", run.id.into()),
                ("driver", user.account.display_name.clone().into()),
            ),
            href: Some("/courier/run".to_owned()),
            detail: format!(
                "{} · {}",
                t.get(&format!("run-status-{}", run.status.as_str())),
                china_time(run.depart_at)
            ),
        })
        .collect();
    let mut tricycle = Vec::new();
    for (depot, run) in state
        .store
        .driver_runs(user.account.id, &today.to_string())
        .await?
    {
        let code = state
            .store
            .vehicles(depot, true)
            .await?
            .into_iter()
            .find(|v| v.id == run.vehicle_id)
            .map(|v| v.code)
            .unwrap_or_default();
        tricycle.push(Row {
            text: t.args2(
                "fleet-run-title",
                ("vehicle", code.into()),
                ("stops", (run.stops.len() as i64).into()),
            ),
            href: Some("/courier/fleet".to_owned()),
            detail: format!(
                "{} · {}",
                t.get(&format!("fleet-run-status-{}", run.status.as_str())),
                china_time(run.leaves_at)
            ),
        });
    }
    let mut sections = vec![
        Section {
            heading: t.get("driver-title"),
            rows: runs,
            empty: t.get("driver-none"),
            more: Some((t.get("driver-title"), "/courier/run".to_owned())),
        },
        Section {
            heading: t.get("work-parcels-to-doors"),
            rows: parcels(&state, t, ParcelsAt::Doors(&region.path)).await?,
            empty: t.get("work-parcels-none"),
            more: None,
        },
    ];
    if !tricycle.is_empty() {
        sections.insert(
            0,
            Section {
                heading: t.get("fleet-driver-title"),
                rows: tricycle,
                empty: String::new(),
                more: Some((t.get("fleet-driver-title"), "/courier/fleet".to_owned())),
            },
        );
    }
    let intro = t.arg("work-courier-intro", "place", region.name(t.lang()));
    Ok(page(c, "work-courier-title", intro, sections))
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/centre", get(centre))
        .route("/station", get(station))
        .route("/courier", get(courier))
}
