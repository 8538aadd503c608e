//! The daily ledger, as the national programme asks stations to report: per station and day,
//! goods bought for villagers (by category), parcels received and handed out, pickup fees, cash
//! taken and handed to the centre. The operator reads the day and closes it (cash counted
//! against expected, a difference explained); the centre reads every station's month and
//! exports it.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_amount;
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{CashKind, Closing, LedgerDay, LedgerMonth};
use farmgate_store::stations::{LedgerRow, Station};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::desk::chosen;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::{server_error, xlsx};

/// A ledger row's figures as the pages show them, in the order of their headings.
const FIGURES: [&str; 11] = [
    "ledger-villager-orders",
    "ledger-villager-goods",
    "ledger-produce-batches",
    "ledger-produce-value",
    "ledger-parcels-received",
    "ledger-parcels-handed",
    "ledger-fees",
    "ledger-cash-taken",
    "ledger-cash-paid-out",
    "ledger-handed-in",
    "ledger-difference",
];

fn figures(row: &LedgerRow) -> [String; 11] {
    [
        row.villager_orders.to_string(),
        row.villager_goods.display_price(),
        row.produce_batches.to_string(),
        row.produce_value.display_price(),
        row.parcels_received.to_string(),
        row.parcels_handed.to_string(),
        row.fees.display_price(),
        row.cash_taken().display_price(),
        row.cash_paid_out().display_price(),
        row.handed_in().display_price(),
        row.difference().display_price(),
    ]
}

fn cash_kind_label(t: &Tr, kind: CashKind) -> String {
    t.get(match kind {
        CashKind::VillagerOrder => "cash-villager-order",
        CashKind::HandOver => "cash-hand-over",
        CashKind::RefundPaid => "cash-refund-paid",
        CashKind::HandedIn => "cash-handed-in",
        CashKind::Difference => "cash-difference",
        CashKind::ProducePaid => "cash-produce-paid",
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    station: Option<i64>,
    day: String,
    done: String,
}

struct MovementLine {
    when: String,
    kind: String,
    amount: String,
    order_id: Option<i64>,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "stations/day.html")]
struct DayPage {
    c: Chrome,
    csrf: String,
    station_id: i64,
    station: String,
    stations: Vec<(i64, String, bool)>,
    day: String,
    previous: String,
    next: Option<String>,
    notice: Option<String>,
    /// (heading, figure)
    figures: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    produce: Vec<(String, String)>,
    movements: Vec<MovementLine>,
    expected: String,
    /// The closing, when the day is closed: (expected, counted, handed in, explanation).
    closed: Option<(String, String, String, Option<String>)>,
    can_close: bool,
    errors: FormErrors,
    counted: String,
    handed_in: String,
    explanation: String,
}

/// The typed closing, to show again beside its mistakes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    station: i64,
    day: String,
    counted: String,
    handed_in: String,
    explanation: String,
}

/// Goods bought for villagers and produce taken in at `stations` over `span`, per category:
/// (category, "count · value") for the pages.
async fn by_category(
    state: &AppState,
    t: &Tr,
    stations: &[i64],
    (from, until): (LedgerDay, LedgerDay),
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), Problem> {
    let all = state.store.categories().await?;
    let shown = |totals: Vec<farmgate_store::stations::CategoryTotal>| {
        totals
            .into_iter()
            .map(|c| {
                (
                    category_name(&all, &c.category, t),
                    format!("{} · {}", c.orders, c.value.display_price()),
                )
            })
            .collect()
    };
    let bought = state
        .store
        .villager_goods_by_category(stations, from, until)
        .await?;
    let produce = state
        .store
        .produce_by_category(stations, from, until)
        .await?;
    Ok((shown(bought), shown(produce)))
}

fn category_name(categories: &[farmgate_store::catalog::Category], code: &str, t: &Tr) -> String {
    categories
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_owned(), |c| c.name(t.lang()).to_owned())
}

async fn day_page(
    state: &AppState,
    c: Chrome,
    csrf: String,
    (station, stations): (Station, Vec<Station>),
    day: LedgerDay,
    form: CloseForm,
    (errors, status, notice): (FormErrors, StatusCode, Option<String>),
) -> Result<Response, Problem> {
    let t = &c.t;
    let today = LedgerDay::of(chrono::Utc::now());
    let row = state
        .store
        .ledger(&[station.id], day, day.next())
        .await?
        .pop()
        .unwrap_or_default();
    let (categories, produce) = by_category(state, t, &[station.id], (day, day.next())).await?;
    let movements = state
        .store
        .cash_movements(station.id, day)
        .await?
        .into_iter()
        .map(|m| MovementLine {
            when: crate::format::china_time(m.at),
            kind: cash_kind_label(t, m.kind),
            amount: m.amount.display_price(),
            order_id: m.order_id,
            note: m.note,
        })
        .collect();
    let expected = state.store.till_balance(station.id, day).await?;
    let closed = row.closed.as_ref().map(|d| {
        (
            d.expected.display_price(),
            d.counted.display_price(),
            d.handed_in.display_price(),
            d.explanation.clone(),
        )
    });
    let page = DayPage {
        station_id: station.id,
        station: station.name(t.lang()).to_owned(),
        stations: if stations.len() > 1 {
            stations
                .iter()
                .map(|s| (s.id, s.name(t.lang()).to_owned(), s.id == station.id))
                .collect()
        } else {
            Vec::new()
        },
        day: day.to_string(),
        previous: day.previous().to_string(),
        next: (day < today).then(|| day.next().to_string()),
        notice,
        figures: FIGURES
            .iter()
            .map(|id| t.get(id))
            .zip(figures(&row))
            .collect(),
        categories,
        produce,
        movements,
        expected: expected.display_price(),
        can_close: closed.is_none() && day <= today,
        closed,
        errors,
        counted: form.counted,
        handed_in: form.handed_in,
        explanation: form.explanation,
        csrf,
        c,
    };
    Ok(render(status, &page))
}

fn day_of(text: &str) -> Result<LedgerDay, Problem> {
    match text.trim() {
        "" => Ok(LedgerDay::of(chrono::Utc::now())),
        typed => Ok(LedgerDay::parse(typed)?),
    }
}

/// `GET /station/day?station=&day=`: the operator's day: what came in and went out, and
/// closing it.
pub async fn day(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<DayQuery>,
) -> Result<Response, Problem> {
    let chosen = chosen(&state, &user, query.station).await?;
    let day = day_of(&query.day)?;
    let notice = (query.done == "closed").then(|| c.t.get("ledger-closed-notice"));
    let form = CloseForm::default();
    let shown = (FormErrors::none(), StatusCode::OK, notice);
    day_page(&state, c, csrf.0, chosen, day, form, shown).await
}

/// Reads a closing as typed: amounts in yuan (the handed-in amount may be left empty).
pub(crate) fn parse_closing(
    counted: &str,
    handed_in: &str,
    explanation: &str,
) -> Result<Closing, ValidationError> {
    let amount = |text: &str, field: &'static str| {
        parse_amount(text).map_err(|_| ValidationError::new(field, "amount-invalid"))
    };
    Ok(Closing {
        counted: amount(counted, "counted")?,
        handed_in: match handed_in.trim() {
            "" => Fen(0),
            typed => amount(typed, "handed_in")?,
        },
        explanation: Some(explanation.trim().to_owned()).filter(|e| !e.is_empty()),
    })
}

/// `POST /station/day/close`: the operator counted the cash; the day is closed.
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<CloseForm>,
) -> Result<Response, Problem> {
    let chosen = chosen(&state, &user, Some(form.station)).await?;
    let day = day_of(&form.day)?;
    let closed = match parse_closing(&form.counted, &form.handed_in, &form.explanation) {
        Ok(closing) => state
            .store
            .close_day(chosen.0.id, day, &closing, user.account.id)
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match closed {
        Ok(closed) => {
            crate::audit::record(
                &state,
                &user,
                ip,
                crate::audit::Action {
                    code: "station-day-closed",
                    subject_kind: "station",
                    subject_id: chosen.0.id,
                    region_id: Some(chosen.0.region_id),
                    detail: format!(
                        "{} · {} / {}",
                        closed.day,
                        closed.counted.display_yuan(),
                        closed.expected.display_yuan()
                    ),
                },
            )
            .await;
            Ok(Redirect::to(&format!(
                "/station/day?station={}&day={}&done=closed",
                chosen.0.id, day
            ))
            .into_response())
        }
        Err(problem) if problem.status.is_client_error() && problem.field.is_some() => {
            let shown = (FormErrors::of_problem(&c.t, &problem), problem.status, None);
            day_page(&state, c, csrf.0, chosen, day, form, shown).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    month: String,
    page: usize,
}

fn month_of(text: &str) -> Result<LedgerMonth, Problem> {
    match text.trim() {
        // The month of the last whole day: on the 1st, the month just ended.
        "" => Ok(LedgerMonth::of(
            LedgerDay::of(chrono::Utc::now()).previous(),
        )),
        typed => Ok(LedgerMonth::parse(typed)?),
    }
}

struct MonthRow {
    link: String,
    name: String,
    figures: [String; 11],
    /// Days closed of the days with anything on them.
    closed: String,
    short: bool,
}

#[derive(Template)]
#[template(path = "stations/ledger_month.html")]
struct MonthPage {
    c: Chrome,
    title: String,
    month: String,
    previous: String,
    next: String,
    headings: Vec<String>,
    rows: Vec<MonthRow>,
    total: [String; 11],
    export: String,
    categories: Vec<(String, String)>,
    produce: Vec<(String, String)>,
    /// Parcels handed out and villagers' orders per day of the month, as standing bars.
    chart: String,
    /// The busier and the quieter stations' pages.
    newer_page: Option<String>,
    older_page: Option<String>,
}

/// The colours of the month's chart: parcels handed out, orders for villagers.
pub const MONTH_COLOURS: [&str; 2] = ["#2e6b30", "#a86b00"];

/// The county's parcels handed out and villagers' orders on each day of `month`.
fn month_chart(t: &Tr, month: LedgerMonth, rows: &[LedgerRow]) -> String {
    let mut days = Vec::new();
    let mut d = month.first;
    while d < month.end() {
        days.push(d);
        d = d.next();
    }
    let mut per_day: HashMap<LedgerDay, (i64, i64)> = HashMap::new();
    for r in rows {
        if let Some(day) = r.day {
            let entry = per_day.entry(day).or_default();
            entry.0 += r.parcels_handed;
            entry.1 += r.villager_orders;
        }
    }
    let sum = |day: LedgerDay, of: fn(&(i64, i64)) -> i64| -> f32 {
        per_day.get(&day).map_or(0, of) as f32
    };
    if rows.is_empty() {
        return String::new();
    }
    crate::html::charts::bar_chart(
        vec![
            (
                t.get("ledger-parcels-handed"),
                days.iter().map(|d| sum(*d, |n| n.0)).collect(),
            ),
            (
                t.get("ledger-villager-orders"),
                days.iter().map(|d| sum(*d, |n| n.1)).collect(),
            ),
        ],
        days.iter()
            .map(|d| d.date().format("%d").to_string())
            .collect(),
        &MONTH_COLOURS,
    )
}

/// Sums `rows` per station, in `stations`' order: (the sum, days closed, days with anything).
fn per_station(stations: &[Station], rows: &[LedgerRow]) -> Vec<(LedgerRow, usize, usize)> {
    let mut by_station: HashMap<i64, (LedgerRow, usize, usize)> = HashMap::new();
    for r in rows {
        let entry = by_station.entry(r.station_id).or_insert_with(|| {
            let sum = LedgerRow {
                station_id: r.station_id,
                ..LedgerRow::default()
            };
            (sum, 0, 0)
        });
        entry.0.add(r);
        entry.1 += usize::from(r.closed.is_some());
        entry.2 += 1;
    }
    stations
        .iter()
        .map(|s| {
            by_station.remove(&s.id).unwrap_or_else(|| {
                let sum = LedgerRow {
                    station_id: s.id,
                    ..LedgerRow::default()
                };
                (sum, 0, 0)
            })
        })
        .collect()
}

/// Stations listed per page of the month.
const MONTH_PAGE: usize = 50;

/// `GET /centre/ledger?month=YYYY-MM`: every station of the county over the month.
pub async fn month(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let (county, stations, _) = super::network::network(&state, &user).await?;
    let month = month_of(&query.month)?;
    let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    let rows = state.store.ledger(&ids, month.first, month.end()).await?;
    let t = &c.t;
    let mut total = LedgerRow::default();
    let mut lines = Vec::new();
    for (station, (sum, closed, active)) in stations.iter().zip(per_station(&stations, &rows)) {
        total.add(&sum);
        lines.push((
            sum.cash_taken(),
            MonthRow {
                link: format!("/centre/ledger/{}?month={month}", station.id),
                name: station.name(t.lang()).to_owned(),
                figures: figures(&sum),
                closed: format!("{closed}/{active}"),
                short: sum.difference().0 < 0,
            },
        ));
    }
    // Busy stations first: what the county reads first is where the cash is.
    lines.sort_by_key(|(taken, _)| std::cmp::Reverse(*taken));
    let pages = lines.len().div_ceil(MONTH_PAGE).max(1);
    let page_no = query.page.clamp(1, pages);
    let lines = lines
        .into_iter()
        .skip((page_no - 1) * MONTH_PAGE)
        .take(MONTH_PAGE)
        .map(|(_, row)| row)
        .collect();
    let page_link = |n: usize| format!("/centre/ledger?month={month}&page={n}");
    let (categories, produce) = by_category(&state, t, &ids, (month.first, month.end())).await?;
    let page = MonthPage {
        title: t.arg("ledger-month-title", "county", county.name(t.lang())),
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        headings: FIGURES.iter().map(|id| t.get(id)).collect(),
        total: figures(&total),
        rows: lines,
        export: format!("/centre/ledger.xlsx?month={month}"),
        categories,
        produce,
        chart: month_chart(t, month, &rows),
        newer_page: (page_no > 1).then(|| page_link(page_no - 1)),
        older_page: (page_no < pages).then(|| page_link(page_no + 1)),
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

struct StationDayRow {
    day: String,
    figures: [String; 11],
    closing: String,
    short: bool,
}

#[derive(Template)]
#[template(path = "stations/ledger_station.html")]
struct StationMonthPage {
    c: Chrome,
    title: String,
    month: String,
    station_id: i64,
    previous: String,
    next: String,
    headings: Vec<String>,
    rows: Vec<StationDayRow>,
}

/// `GET /centre/ledger/{id}?month=`: one station's days over the month.
pub async fn station_month(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(id): Path<i64>,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let (_, station, _) = super::network::kept(&state, &user, id).await?;
    let month = month_of(&query.month)?;
    let t = &c.t;
    let rows = state
        .store
        .ledger(&[station.id], month.first, month.end())
        .await?
        .into_iter()
        .map(|r| StationDayRow {
            day: r.day.map(|d| d.to_string()).unwrap_or_default(),
            figures: figures(&r),
            closing: match &r.closed {
                Some(d) => {
                    t.args2(
                        "ledger-closing",
                        ("counted", d.counted.display_yuan().into()),
                        ("expected", d.expected.display_yuan().into()),
                    ) + &d
                        .explanation
                        .as_deref()
                        .map(|e| format!(" · {}", crate::format::isolate(e)))
                        .unwrap_or_default()
                }
                None => t.get("ledger-not-closed"),
            },
            short: r.difference().0 < 0,
        })
        .collect();
    let page = StationMonthPage {
        title: station.name(t.lang()).to_owned(),
        month: month.to_string(),
        station_id: station.id,
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        headings: FIGURES.iter().map(|id| t.get(id)).collect(),
        rows,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /centre/ledger.xlsx?month=`: the month, one row per station and day.
pub async fn month_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let (county, stations, _) = super::network::network(&state, &user).await?;
    let month = month_of(&query.month)?;
    let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    let rows = state.store.ledger(&ids, month.first, month.end()).await?;
    let bytes = workbook(&c.t, &stations, &rows).map_err(server_error)?;
    Ok(xlsx(
        bytes,
        &format!("farmgate-ledger-{}-{month}.xlsx", county.code.as_str()),
    ))
}

fn workbook(t: &Tr, stations: &[Station], rows: &[LedgerRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("ledger")?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 12)?;
    let mut headings = vec![t.get("ledger-station"), t.get("ledger-day")];
    headings.extend(FIGURES.iter().map(|id| t.get(id)));
    headings.extend(
        ["ledger-expected", "ledger-counted", "ledger-explanation"]
            .iter()
            .map(|id| t.get(id)),
    );
    for (col, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(col).unwrap_or(0), heading, &bold)?;
    }
    let yuan = |f: Fen| f.0 as f64 / 100.0;
    let names: HashMap<i64, &str> = stations.iter().map(|s| (s.id, s.name(t.lang()))).collect();
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i).unwrap_or(u32::MAX - 1) + 1;
        sheet.write_string(
            row,
            0,
            names.get(&r.station_id).copied().unwrap_or_default(),
        )?;
        sheet.write_string(row, 1, r.day.map(|d| d.to_string()).unwrap_or_default())?;
        let numbers = [
            r.villager_orders as f64,
            yuan(r.villager_goods),
            r.produce_batches as f64,
            yuan(r.produce_value),
            r.parcels_received as f64,
            r.parcels_handed as f64,
            yuan(r.fees),
            yuan(r.cash_taken()),
            yuan(r.cash_paid_out()),
            yuan(r.handed_in()),
            yuan(r.difference()),
        ];
        for (col, n) in numbers.iter().enumerate() {
            sheet.write_number(row, u16::try_from(col + 2).unwrap_or(0), *n)?;
        }
        if let Some(d) = &r.closed {
            let after = u16::try_from(FIGURES.len() + 2).unwrap_or(0);
            sheet.write_number(row, after, yuan(d.expected))?;
            sheet.write_number(row, after + 1, yuan(d.counted))?;
            sheet.write_string(row, after + 2, d.explanation.clone().unwrap_or_default())?;
        }
    }
    workbook.save_to_buffer()
}
