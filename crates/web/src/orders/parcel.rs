//! An order's parcel through the county's distribution centre, as its buyer and seller read
//! it on the order page: the tracking number and each step in the reader's language, or (for
//! the seller of a packed order) the carriers' prices to ship it there. The centre's own pages
//! (`logistics`) label, scan and hand it over; the public tracking page reads the same steps.

use farmgate_domain::logistics::{Direction, Stage};
use farmgate_domain::orders::{Fulfilment, OrderStatus};
use farmgate_store::logistics::{Depot, LogisticsParcel, Tracking};
use farmgate_store::orders::Order;

use crate::AppState;
use crate::i18n::Tr;
use crate::problem::Problem;

/// One step of a parcel's history, as a reader sees it.
pub(crate) struct EventLine {
    pub kind: String,
    pub text: String,
    pub when: String,
    pub at_rfc3339: String,
}

/// The history of `tracking`, oldest first, in the reader's language.
pub(crate) async fn event_lines(
    state: &AppState,
    t: &Tr,
    tracking: &Tracking,
) -> Result<Vec<EventLine>, Problem> {
    let depot = state.store.depot(tracking.parcel.depot_id).await?;
    let depot_name = depot.name(t.lang()).to_owned();
    let mut lines = Vec::with_capacity(tracking.events.len());
    for event in &tracking.events {
        let station = match event.station_id {
            Some(id) => state.store.station(id).await?.name(t.lang()).to_owned(),
            None => String::new(),
        };
        // A seller's parcel rides a run the other way: collected at the station.
        let key = match (tracking.parcel.direction, event.kind) {
            (Direction::Outbound, Stage::OnRun) => "logistics-event-collected".to_owned(),
            (_, kind) => format!("logistics-event-{}", kind.as_str().replace('_', "-")),
        };
        let text = t.args2(
            &key,
            ("depot", depot_name.clone().into()),
            ("station", station.into()),
        );
        lines.push(EventLine {
            kind: event.kind.as_str().to_owned(),
            text,
            when: crate::format::china_time(event.at),
            at_rfc3339: event.at.to_rfc3339(),
        });
    }
    Ok(lines)
}

/// An order's parcel as its buyer or seller reads it.
pub(crate) struct ParcelPanel {
    pub id: i64,
    pub number: String,
    pub carrier: String,
    pub stage: String,
    /// The label may still be voided (nothing has happened to the parcel yet).
    pub voidable: bool,
    pub events: Vec<EventLine>,
}

/// What one carrier asks for this parcel.
pub(crate) struct QuoteLine {
    pub carrier_id: i64,
    pub name: String,
    pub fee: String,
}

/// The order page's shipping panel: the parcel, or (for its seller, once packed) the carriers'
/// prices to ship it through the centre.
pub(crate) struct ShipPanel {
    pub parcel: Option<ParcelPanel>,
    pub offered: bool,
    pub quotes: Vec<QuoteLine>,
    pub grams: i64,
    pub zone: String,
}

/// What a packed order weighs: as packed, else as ordered.
fn parcel_grams(order: &Order) -> i64 {
    order
        .lines
        .iter()
        .map(|l| {
            l.packed_grams
                .unwrap_or(l.net_grams.unwrap_or(500) * i64::from(l.quantity))
        })
        .sum::<i64>()
        .max(1)
}

/// The depot of the county `shop_id` is in, if it has one.
pub(crate) async fn depot_of_shop(
    state: &AppState,
    shop_id: i64,
) -> Result<Option<Depot>, Problem> {
    let shop = state.store.shop(shop_id).await?;
    let village = state.store.region_by_id(shop.village_id).await?;
    Ok(state.store.depot_serving(&village.path).await?)
}

/// `order`'s shipping panel for its buyer or (`seller`) a member of its shop; none when the
/// order has no parcel and nothing to offer.
pub(crate) async fn ship_panel(
    state: &AppState,
    t: &Tr,
    order: &Order,
    seller: bool,
) -> Result<Option<ShipPanel>, Problem> {
    let parcel = match state.store.order_parcel(order.id).await? {
        Some(tracking) => Some(ParcelPanel {
            id: tracking.parcel.id,
            number: tracking.parcel.tracking_number.clone(),
            carrier: tracking.carrier.name(t.lang()).to_owned(),
            stage: stage_name(t, &tracking.parcel),
            voidable: seller && tracking.parcel.stage == Stage::Labelled,
            events: event_lines(state, t, &tracking).await?,
        }),
        None => None,
    };
    let grams = parcel_grams(order);
    let mut panel = ShipPanel {
        parcel,
        offered: false,
        quotes: Vec::new(),
        grams,
        zone: String::new(),
    };
    let may_label = seller
        && panel.parcel.is_none()
        && order.fulfilment == Fulfilment::Home
        && matches!(order.status, OrderStatus::Packed | OrderStatus::Shipped);
    if may_label && let Some(depot) = depot_of_shop(state, order.shop_id).await? {
        let zone = state.store.zone_of(&depot, order).await?;
        let grams = i32::try_from(grams).unwrap_or(i32::MAX);
        panel.offered = true;
        panel.zone = t.get(&format!("zone-{}", zone.as_str()));
        panel.quotes = state
            .store
            .quotes(&depot, zone, grams)
            .await?
            .into_iter()
            .map(|q| QuoteLine {
                carrier_id: q.carrier.id,
                name: q.carrier.name(t.lang()).to_owned(),
                fee: q.fee.display_price(),
            })
            .collect();
    }
    Ok((panel.parcel.is_some() || panel.offered).then_some(panel))
}

fn stage_name(t: &Tr, parcel: &LogisticsParcel) -> String {
    t.get(&format!(
        "logistics-stage-{}",
        parcel.stage.as_str().replace('_', "-")
    ))
}
