//! A room's results for its host and the county's centre staff: viewers (peak, average,
//! unique), messages, orders, GMV, conversion, sales per pinned product, a minute-by-minute
//! chart (SVG, drawn on the server: no script), and the same as XLSX.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use charts_rs::{LineChart, Series};
use farmgate_store::live::{Room, RoomResults};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::live::{RoomCard, room_card, socket::moderates};
use crate::problem::Problem;
use crate::sheets::{server_error, xlsx};
use farmgate_domain::authz::Role;

/// The room, if `user` may read its results (its host, or centre staff over its county).
async fn readable_room(state: &AppState, user: &CurrentUser, id: i64) -> Result<Room, Problem> {
    let room = state.store.room(id).await?;
    if moderates(state, user, &room).await? {
        Ok(room)
    } else {
        Err(Problem::not_found())
    }
}

/// "14:05" in China's time.
fn minute_label(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    let Some(china) = chrono::FixedOffset::east_opt(8 * 3600) else {
        return String::new();
    };
    at.map(|at| at.with_timezone(&china).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The chart's lines: viewers, orders, messages (the page's legend uses the same).
pub const SERIES_COLOURS: [&str; 3] = ["#2e6b30", "#b3261e", "#a86b00"];

/// Viewers and orders per minute as an SVG line chart (empty when nothing happened yet).
fn minute_chart(t: &Tr, results: &RoomResults) -> String {
    if results.minutes.is_empty() {
        return String::new();
    }
    let labels: Vec<String> = results
        .minutes
        .iter()
        .map(|m| minute_label(m.minute))
        .collect();
    let viewers: Vec<f32> = results.minutes.iter().map(|m| m.viewers as f32).collect();
    let orders: Vec<f32> = results.minutes.iter().map(|m| m.orders as f32).collect();
    let messages: Vec<f32> = results.minutes.iter().map(|m| m.messages as f32).collect();
    let mut chart = LineChart::new(
        vec![
            Series::new(t.get("results-viewers"), viewers),
            Series::new(t.get("results-orders"), orders),
            Series::new(t.get("results-messages"), messages),
        ],
        labels,
    );
    chart.width = 360.0;
    chart.height = 240.0;
    chart.font_family = "sans-serif".to_owned();
    // The legend is HTML under the chart: the drawn one cannot measure Chinese or Uyghur text.
    chart.legend.show = Some(false);
    chart.series.colors = SERIES_COLOURS
        .iter()
        .map(|c| charts_rs::Color::from(*c))
        .collect();
    chart.svg().unwrap_or_else(|err| {
        tracing::warn!(error = %err, "could not draw a room's chart");
        String::new()
    })
}

#[derive(Template)]
#[template(path = "live/live_results.html")]
struct ResultsPage {
    c: Chrome,
    room: RoomCard,
    results: RoomResults,
    gmv: String,
    average: String,
    conversion: String,
    chart: String,
    /// (label, colour) of the chart's lines.
    legend: Vec<(String, &'static str)>,
    /// (name, quantity, amount) per product, best first.
    products: Vec<(String, u64, String)>,
}

/// `GET /host/rooms/{id}/results`
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let room = readable_room(&state, &user, id).await?;
    let results = state.store.room_results(room.id).await?;
    let t = c.t;
    let page = ResultsPage {
        room: room_card(&t, &room),
        gmv: results.gmv.display_price(),
        average: format!("{:.1}", results.average_viewers),
        conversion: format!("{:.1}%", results.conversion * 100.0),
        chart: minute_chart(&t, &results),
        legend: ["results-viewers", "results-orders", "results-messages"]
            .iter()
            .zip(SERIES_COLOURS)
            .map(|(id, colour)| (t.get(id), colour))
            .collect(),
        products: results
            .products
            .iter()
            .map(|p| (p.name.clone(), p.quantity, p.amount.display_price()))
            .collect(),
        results,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /host/rooms/{id}/results.xlsx`: the figures, the products and the minutes.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let room = readable_room(&state, &user, id).await?;
    let results = state.store.room_results(room.id).await?;
    let t = c.t;
    let bytes = workbook(&t, &room, &results).map_err(server_error)?;
    Ok(xlsx(
        bytes,
        &format!("farmgate-live-{}-results.xlsx", room.id),
    ))
}

fn workbook(t: &Tr, room: &Room, r: &RoomResults) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name("summary")?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 16)?;
    sheet.write_string_with_format(0, 0, room.title(t.lang()).0, &bold)?;
    let figures: [(&str, f64); 8] = [
        ("results-peak", r.peak_viewers as f64),
        ("results-average", r.average_viewers),
        ("results-unique", r.unique_viewers as f64),
        ("results-messages", r.messages as f64),
        ("results-orders", r.orders as f64),
        ("results-gmv", r.gmv.0 as f64 / 100.0),
        ("results-conversion", r.conversion),
        ("results-products", r.products.len() as f64),
    ];
    for (row, (id, value)) in figures.iter().enumerate() {
        let row = u32::try_from(row).unwrap_or(0) + 1;
        sheet.write_string(row, 0, t.get(id))?;
        sheet.write_number(row, 1, *value)?;
    }
    let products = workbook.add_worksheet();
    products.set_name("products")?;
    products.set_column_width(0, 30)?;
    for (col, id) in ["results-product", "results-quantity", "results-amount"]
        .iter()
        .enumerate()
    {
        products.write_string_with_format(0, u16::try_from(col).unwrap_or(0), t.get(id), &bold)?;
    }
    for (row, p) in r.products.iter().enumerate() {
        let row = u32::try_from(row).unwrap_or(0) + 1;
        products.write_string(row, 0, &p.name)?;
        products.write_number(row, 1, p.quantity as f64)?;
        products.write_number_with_format(row, 2, p.amount.0 as f64 / 100.0, &money)?;
    }
    let minutes = workbook.add_worksheet();
    minutes.set_name("minutes")?;
    for (col, id) in [
        "results-minute",
        "results-viewers",
        "results-messages",
        "results-orders",
        "results-gmv",
    ]
    .iter()
    .enumerate()
    {
        minutes.write_string_with_format(0, u16::try_from(col).unwrap_or(0), t.get(id), &bold)?;
    }
    for (row, m) in r.minutes.iter().enumerate() {
        let row = u32::try_from(row).unwrap_or(0) + 1;
        minutes.write_string(row, 0, minute_label(m.minute))?;
        minutes.write_number(row, 1, m.viewers as f64)?;
        minutes.write_number(row, 2, m.messages as f64)?;
        minutes.write_number(row, 3, m.orders as f64)?;
        minutes.write_number_with_format(row, 4, m.gmv.0 as f64 / 100.0, &money)?;
    }
    workbook.save_to_buffer()
}

#[derive(Template)]
#[template(path = "live/centre_live.html")]
struct CentreRooms {
    c: Chrome,
    county: String,
    rooms: Vec<RoomCard>,
}

/// Who may read every room's results in a region.
const CENTRE: [Role; 2] = [Role::CentreStaff, Role::Admin];

/// `GET /centre/live`: the county's rooms, for its centre staff to open their results.
pub async fn centre(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let region = user.home_region(&state, &CENTRE).await?;
    let t = c.t;
    let rooms = state
        .store
        .rooms_within(&region.path, 100)
        .await?
        .iter()
        .map(|room| room_card(&t, room))
        .collect();
    let page = CentreRooms {
        county: region.name(t.lang()).to_owned(),
        rooms,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
