//! Settlement: each carrier's month at a depot, read from its parcels' events. The centre sees
//! every carrier's (`/centre/logistics/settlements`); an express company's own accounts see
//! theirs only (`/carrier`). Both open a statement line by line and download it (XLSX,
//! streamed); the carrier disputes a line with a note, the centre answers it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_domain::text::parse_text;
use farmgate_store::logistics::{Carrier, Depot, Settlement, StatementLine};
use rust_xlsxwriter::{Worksheet, XlsxError};
use serde::Deserialize;

use super::{DepotParam, depot};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::SheetStream;

/// Statement lines per page.
const PAGE: u64 = 50;

/// Who reads a statement: the depot's centre, or the carrier itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reader {
    Centre,
    Carrier,
}

/// The depot and carrier of a statement, if `user` may read it; a 404 otherwise.
pub(super) async fn statement_of(
    state: &AppState,
    user: &CurrentUser,
    depot_id: i64,
    carrier_id: i64,
) -> Result<(Depot, Carrier, Reader), Problem> {
    let acting = state.store.carriers_of(user.account.id).await?;
    let acts_for_some = !acting.is_empty();
    if let Some(carrier) = acting.into_iter().find(|c| c.id == carrier_id) {
        let depot = state
            .store
            .depots_of_carrier(carrier.id)
            .await?
            .into_iter()
            .find(|d| d.id == depot_id)
            .ok_or(Problem::not_found())?;
        return Ok((depot, carrier, Reader::Carrier));
    }
    // Another carrier's statement does not exist for a carrier's clerk.
    let (depot, _) = depot(state, user, Some(depot_id))
        .await
        .map_err(|p| match p.status {
            StatusCode::FORBIDDEN if acts_for_some => Problem::not_found(),
            _ => p,
        })?;
    let carrier = state
        .store
        .carriers()
        .await?
        .into_iter()
        .find(|c| c.id == carrier_id)
        .ok_or(Problem::not_found())?;
    Ok((depot, carrier, Reader::Centre))
}

/// The month typed (`YYYY-MM`), this month (China's) when none is.
pub(super) fn month_of(text: &str) -> Result<LedgerMonth, Problem> {
    match text.trim() {
        "" => Ok(LedgerMonth::of(LedgerDay::of(chrono::Utc::now()))),
        typed => Ok(LedgerMonth::parse(typed)?),
    }
}

pub(super) struct SettlementRow {
    pub carrier_id: i64,
    pub carrier: String,
    pub delivered: i64,
    pub returned: i64,
    pub held: i64,
    pub fees: String,
    pub outbound: String,
    pub disputes: i64,
}

pub(super) fn settlement_row(t: &Tr, carriers: &[Carrier], s: &Settlement) -> SettlementRow {
    SettlementRow {
        carrier_id: s.carrier_id,
        carrier: carriers
            .iter()
            .find(|c| c.id == s.carrier_id)
            .map(|c| c.name(t.lang()).to_owned())
            .unwrap_or_default(),
        delivered: s.delivered,
        returned: s.returned,
        held: s.held,
        fees: s.fees.display_price(),
        outbound: t.args2(
            "settlement-outbound",
            ("count", s.outbound.into()),
            ("paid", s.outbound_paid.display_price().into()),
        ),
        disputes: s.disputes_open,
    }
}

#[derive(Template)]
#[template(path = "logistics/settlements.html")]
struct SettlementsPage {
    c: Chrome,
    depot_id: i64,
    month: String,
    previous: String,
    next: String,
    rows: Vec<SettlementRow>,
    chart: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    depot: Option<i64>,
    carrier: i64,
    month: String,
    after: i64,
}

/// `GET /centre/logistics/settlements?depot=&month=`: every carrier's month.
pub async fn centre(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Problem> {
    if query.depot.is_none() && super::depots(&state, &user).await?.is_empty() {
        return Ok(super::board::no_depot(c));
    }
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let month = month_of(&query.month)?;
    let t = &c.t;
    let carriers = state.store.carriers().await?;
    let rows: Vec<SettlementRow> = state
        .store
        .settlements(depot.id, month)
        .await?
        .iter()
        .map(|s| settlement_row(t, &carriers, s))
        .collect();
    let chart = if rows.iter().all(|r| r.delivered == 0) {
        String::new()
    } else {
        crate::html::charts::lying_bar_chart(
            t.get("settlement-delivered"),
            &rows.iter().map(|r| r.delivered).collect::<Vec<_>>(),
            rows.iter().map(|r| r.carrier.clone()).collect(),
            "#2e6b30",
        )
    };
    let page = SettlementsPage {
        depot_id: depot.id,
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        rows,
        chart,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

struct LineRow {
    parcel_id: i64,
    number: String,
    outcome: String,
    when: String,
    station: String,
    fee: String,
    dispute_id: Option<i64>,
    note: Option<String>,
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "logistics/statement.html")]
struct StatementPage {
    c: Chrome,
    csrf: String,
    title: String,
    depot_id: i64,
    carrier_id: i64,
    month: String,
    summary: Option<SettlementRow>,
    carrier_reads: bool,
    lines: Vec<LineRow>,
    next: Option<String>,
}

async fn line_rows(
    state: &AppState,
    t: &Tr,
    lines: Vec<StatementLine>,
) -> Result<Vec<LineRow>, Problem> {
    let mut names: Vec<(i64, String)> = Vec::new();
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let station = match line.station_id {
            Some(id) => match names.iter().find(|(i, _)| *i == id) {
                Some((_, name)) => name.clone(),
                None => {
                    let name = state.store.station(id).await?.name(t.lang()).to_owned();
                    names.push((id, name.clone()));
                    name
                }
            },
            None => String::new(),
        };
        rows.push(LineRow {
            parcel_id: line.parcel_id,
            outcome: t.get(&format!(
                "logistics-stage-{}",
                line.outcome.as_str().replace('_', "-")
            )),
            when: crate::format::china_time(line.at),
            fee: line.fee.display_price(),
            dispute_id: line.dispute.as_ref().map(|d| d.id),
            note: line.dispute.as_ref().map(|d| d.note.clone()),
            answer: line.dispute.and_then(|d| d.answer),
            number: line.tracking_number,
            station,
        });
    }
    Ok(rows)
}

/// `GET /logistics/statement?depot=&carrier=&month=&after=`: a carrier's statement, line by
/// line, for the depot's centre or the carrier.
pub async fn statement(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let (depot, carrier, reader) = statement_of(
        &state,
        &user,
        query.depot.unwrap_or_default(),
        query.carrier,
    )
    .await?;
    let month = month_of(&query.month)?;
    let t = &c.t;
    let lines = state
        .store
        .statement_lines(depot.id, carrier.id, month, query.after, PAGE)
        .await?;
    let next = (lines.len() as u64 == PAGE).then(|| {
        format!(
            "/logistics/statement?depot={}&carrier={}&month={month}&after={}",
            depot.id,
            carrier.id,
            lines.last().map_or(0, |l| l.event_id)
        )
    });
    let settlements = state.store.settlements(depot.id, month).await?;
    let summary = settlements
        .iter()
        .find(|s| s.carrier_id == carrier.id)
        .map(|s| settlement_row(t, std::slice::from_ref(&carrier), s));
    let page = StatementPage {
        csrf: csrf.0,
        title: t.args(
            "statement-title",
            [
                ("carrier", carrier.name(t.lang()).to_owned().into()),
                ("depot", depot.name(t.lang()).to_owned().into()),
                ("month", month.to_string().into()),
            ],
        ),
        depot_id: depot.id,
        carrier_id: carrier.id,
        month: month.to_string(),
        summary,
        carrier_reads: reader == Reader::Carrier,
        lines: line_rows(&state, t, lines).await?,
        next,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /logistics/statement.xlsx?depot=&carrier=&month=`: the whole statement, streamed.
pub async fn statement_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let (depot, carrier, _) = statement_of(
        &state,
        &user,
        query.depot.unwrap_or_default(),
        query.carrier,
    )
    .await?;
    let month = month_of(&query.month)?;
    let t = c.t;
    let columns = [
        "statement-number",
        "statement-outcome",
        "statement-when",
        "statement-station",
        "statement-fee",
        "statement-dispute",
        "statement-answer",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let sheet = SheetStream::start(
        "statement",
        columns,
        18.0,
        Box::new(move |sheet, row, line: &LineRow| write_line(&t, sheet, row, line)),
    )?;
    let mut after = 0;
    loop {
        let lines = state
            .store
            .statement_lines(depot.id, carrier.id, month, after, 1_000)
            .await?;
        let Some(last) = lines.last() else { break };
        after = last.event_id;
        let full = lines.len() == 1_000;
        sheet.send(line_rows(&state, &t, lines).await?).await?;
        if !full {
            break;
        }
    }
    sheet
        .finish(&format!(
            "farmgate-statement-{}-{}-{month}.xlsx",
            depot.code, carrier.code
        ))
        .await
}

fn write_line(_t: &Tr, sheet: &mut Worksheet, row: u32, line: &LineRow) -> Result<u32, XlsxError> {
    sheet.write_string(row, 0, &line.number)?;
    sheet.write_string(row, 1, &line.outcome)?;
    sheet.write_string(row, 2, &line.when)?;
    sheet.write_string(row, 3, &line.station)?;
    let fee = line
        .fee
        .trim_matches(['\u{2066}', '\u{2069}'])
        .trim_start_matches('¥');
    sheet.write_number(row, 4, fee.parse::<f64>().unwrap_or(0.0))?;
    sheet.write_string(row, 5, line.note.as_deref().unwrap_or_default())?;
    sheet.write_string(row, 6, line.answer.as_deref().unwrap_or_default())?;
    Ok(row + 1)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisputeForm {
    depot: i64,
    carrier: i64,
    month: String,
    parcel: i64,
    note: String,
}

/// `POST /logistics/statement/disputes`: the carrier disputes a line.
pub async fn dispute(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DisputeForm>,
) -> Result<Response, Problem> {
    let (depot, carrier, reader) = statement_of(&state, &user, form.depot, form.carrier).await?;
    if reader != Reader::Carrier {
        return Err(Problem::forbidden());
    }
    let month = month_of(&form.month)?;
    let note = parse_text("note", &form.note, true, 300)?;
    state
        .store
        .raise_dispute(
            depot.id,
            carrier.id,
            month,
            form.parcel,
            &note,
            user.account.id,
        )
        .await?;
    Ok(back(depot.id, carrier.id, month))
}

fn back(depot: i64, carrier: i64, month: LedgerMonth) -> Response {
    Redirect::to(&format!(
        "/logistics/statement?depot={depot}&carrier={carrier}&month={month}"
    ))
    .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    carrier: i64,
    month: String,
    answer: String,
}

/// `POST /logistics/disputes/{depot}/{id}/answer`: the centre answers a disputed line.
pub async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((depot_id, id)): Path<(i64, i64)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, Some(depot_id)).await?;
    let answer = parse_text("answer", &form.answer, true, 300)?;
    state
        .store
        .answer_dispute(depot.id, id, &answer, user.account.id)
        .await?;
    Ok(back(depot.id, form.carrier, month_of(&form.month)?))
}

struct CarrierMonth {
    title: String,
    row: SettlementRow,
    depot_id: i64,
}

#[derive(Template)]
#[template(path = "logistics/carrier.html")]
struct CarrierPage {
    c: Chrome,
    month: String,
    months: Vec<CarrierMonth>,
}

/// `GET /carrier`: an express company's month at each depot it works with.
pub async fn carrier_front(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(param): Query<DepotParam>,
) -> Result<Response, Problem> {
    let acting = state.store.carriers_of(user.account.id).await?;
    if acting.is_empty() {
        return Err(Problem::forbidden());
    }
    let t = &c.t;
    let month = LedgerMonth::of(LedgerDay::of(chrono::Utc::now()));
    let mut months = Vec::new();
    for carrier in &acting {
        for depot in state.store.depots_of_carrier(carrier.id).await? {
            if param.depot.is_some_and(|d| d != depot.id) {
                continue;
            }
            let settlements = state.store.settlements(depot.id, month).await?;
            let Some(mine) = settlements.iter().find(|s| s.carrier_id == carrier.id) else {
                continue;
            };
            months.push(CarrierMonth {
                title: format!("{} · {}", carrier.name(t.lang()), depot.name(t.lang())),
                row: settlement_row(t, std::slice::from_ref(carrier), mine),
                depot_id: depot.id,
            });
        }
    }
    let page = CarrierPage {
        month: month.to_string(),
        months,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
