//! A shop's orders in Excel: one row per order line, streamed.

use axum::extract::{Path, State};
use axum::response::Response;
use farmgate_store::orders::Order;
use rust_xlsxwriter::{Format, XlsxError};

use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::format::china_time;
use crate::html::Chrome;
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::SheetStream;

/// `GET /seller/shops/{id}/orders.xlsx`: one row per order line, with the parcel's status,
/// where it goes and what was charged; streamed (`SheetStream`), so a shop with
/// 40,000 orders costs no more memory than one with forty.
pub async fn export_orders(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(shop_id): Path<i64>,
) -> Result<Response, Problem> {
    use farmgate_store::orders::{MAX_PAGE, OrderPage};
    let shop = managed_shop(&state, &user, shop_id).await?;
    let t = c.t;
    let stations = state
        .store
        .stations_within(
            &state
                .store
                .region_root()
                .await?
                .ok_or(Problem::not_found())?
                .path,
        )
        .await?;
    let columns = [
        "order",
        "placed_at",
        "status",
        "product",
        "unit",
        "quantity",
        "unit_price",
        "line_total",
        "packed_grams",
        "shipping",
        "order_total",
        "payment",
        "delivery",
    ]
    .iter()
    .map(|code| t.get(&format!("sheet-order-{code}")))
    .collect();
    let sheet = SheetStream::start(
        "orders",
        columns,
        14.0,
        Box::new(move |sheet, row, order: &Order| order_rows(&t, &stations, sheet, row, order)),
    )?;
    let mut before = None;
    loop {
        let page = state
            .store
            .orders_of_shop(
                shop.id,
                OrderPage {
                    before,
                    statuses: Vec::new(),
                    limit: MAX_PAGE,
                    filter: Default::default(),
                },
            )
            .await?;
        let full = page.len() as u64 == MAX_PAGE;
        before = page.last().map(|o| o.id);
        if page.is_empty() {
            break;
        }
        sheet.send(page).await?;
        if !full {
            break;
        }
    }
    sheet
        .finish(&format!("farmgate-shop-{}-orders.xlsx", shop.id))
        .await
}

/// One order's lines as rows from `row`; answers the next free row.
fn order_rows(
    t: &Tr,
    stations: &[farmgate_store::stations::Station],
    sheet: &mut rust_xlsxwriter::Worksheet,
    mut row: u32,
    order: &Order,
) -> Result<u32, XlsxError> {
    let money = Format::new().set_num_format("0.00");
    let delivery = match order.station_id {
        Some(id) => stations
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name(t.lang()).to_owned())
            .unwrap_or_default(),
        None => order.address.clone().unwrap_or_default(),
    };
    for line in &order.lines {
        sheet.write_number(row, 0, order.id as f64)?;
        sheet.write_string(row, 1, china_time(order.placed_at))?;
        sheet.write_string(
            row,
            2,
            t.get(&format!("order-status-{}", order.status.as_str())),
        )?;
        sheet.write_string(row, 3, &line.name)?;
        sheet.write_string(row, 4, t.get(&format!("unit-{}", line.unit)))?;
        sheet.write_number(row, 5, f64::from(line.quantity))?;
        sheet.write_number_with_format(row, 6, line.unit_price.0 as f64 / 100.0, &money)?;
        sheet.write_number_with_format(row, 7, line.line_total.0 as f64 / 100.0, &money)?;
        if let Some(grams) = line.packed_grams {
            sheet.write_number(row, 8, grams as f64)?;
        }
        sheet.write_number_with_format(row, 9, order.shipping.0 as f64 / 100.0, &money)?;
        sheet.write_number_with_format(row, 10, order.total.0 as f64 / 100.0, &money)?;
        sheet.write_string(
            row,
            11,
            match order.payment {
                farmgate_domain::orders::PaymentMethod::Cash => t.get("buy-cod"),
                farmgate_domain::orders::PaymentMethod::Online => t.get("checkout-online"),
            },
        )?;
        sheet.write_string(row, 12, &delivery)?;
        row += 1;
    }
    Ok(row)
}
