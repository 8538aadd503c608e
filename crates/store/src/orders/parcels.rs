//! Parcels waiting for someone who is not their shop: at the stations of a region (for the
//! stations' operators to hand out) and on their way to doors in a region (for its couriers).

use farmgate_domain::orders::{Fulfilment, OrderStatus};
use farmgate_domain::regions::RegionPath;
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};

use super::entity::order;
use super::{Order, OrderPage};
use crate::{Result, Store};

/// Where parcels wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParcelsAt<'a> {
    /// Ready for pickup at a station within the region.
    Stations(&'a RegionPath),
    /// Shipped to a home address within the region.
    Doors(&'a RegionPath),
}

/// The ids of the regions within `region` (itself included).
fn regions_within(region: &RegionPath) -> SelectStatement {
    use crate::regions::entity as regions;
    Query::select()
        .column(regions::Column::Id)
        .from(regions::Entity)
        .and_where(Expr::col(regions::Column::Path).like(format!("{}%", region.as_str())))
        .to_owned()
}

impl Store {
    /// A page of the parcels waiting `at`, newest first (`page.statuses` is ignored: a parcel
    /// waits at a station while ready for pickup, and on the road while shipped).
    pub async fn parcels_waiting(&self, at: ParcelsAt<'_>, page: OrderPage) -> Result<Vec<Order>> {
        use crate::stations::entity::station;
        let (owner, status) = match at {
            ParcelsAt::Stations(region) => {
                let stations = Query::select()
                    .column(station::Column::Id)
                    .from(station::Entity)
                    .and_where(station::Column::RegionId.in_subquery(regions_within(region)))
                    .to_owned();
                (
                    order::Column::StationId.in_subquery(stations),
                    OrderStatus::ReadyForPickup,
                )
            }
            ParcelsAt::Doors(region) => (
                order::Column::DeliveryRegionId
                    .in_subquery(regions_within(region))
                    .and(order::Column::Fulfilment.eq(Fulfilment::Home.as_str())),
                OrderStatus::Shipped,
            ),
        };
        let page = OrderPage {
            statuses: vec![status],
            ..page
        };
        self.order_page(owner, page).await
    }
}
