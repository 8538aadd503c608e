//! Narrowing a shop's orders: when they were placed, how they go (pickup or home), through
//! which station, from which live room, and a search by order number, product name or the
//! buyer's masked name ("王**": the first character of the buyer's or recipient's name).

use chrono::{DateTime, Utc};
use farmgate_domain::orders::Fulfilment;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

use super::entity::{line, order};
use crate::accounts::entity::account;

/// What a seller narrows the shop's orders to; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub placed_from: Option<DateTime<Utc>>,
    pub placed_before: Option<DateTime<Utc>>,
    pub fulfilment: Option<Fulfilment>,
    pub station_id: Option<i64>,
    pub room_id: Option<i64>,
    /// An order number ("#1024" or "1024"), part of a product's name, or a masked name.
    pub text: Option<String>,
}

/// `%` and `_` typed by a person match themselves.
fn contains(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

fn starts_with(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("{escaped}%")).escape('\\')
}

/// The search condition for what was typed.
fn search(text: &str) -> Option<Condition> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(id) = text.trim_start_matches('#').parse::<i64>() {
        return Some(Condition::all().add(order::Column::Id.eq(id)));
    }
    let by_product = order::Column::Id.in_subquery(
        Query::select()
            .column(line::Column::OrderId)
            .from(line::Entity)
            .and_where(Expr::col(line::Column::Name).like(contains(text)))
            .to_owned(),
    );
    let mut any = Condition::any().add(by_product);
    // A masked name shows one character: that is what can be searched for.
    let name: String = text.trim_end_matches('*').chars().collect();
    if name.chars().count() == 1 {
        any = any
            .add(Expr::col(order::Column::RecipientName).like(starts_with(&name)))
            .add(
                order::Column::BuyerId.in_subquery(
                    Query::select()
                        .column(account::Column::Id)
                        .from(account::Entity)
                        .and_where(Expr::col(account::Column::DisplayName).like(starts_with(&name)))
                        .to_owned(),
                ),
            );
    }
    Some(any)
}

/// The query narrowed by `filter`.
pub(super) fn narrowed(
    mut query: Select<order::Entity>,
    filter: &OrderFilter,
) -> Select<order::Entity> {
    if let Some(from) = filter.placed_from {
        query = query.filter(order::Column::PlacedAt.gte(from));
    }
    if let Some(before) = filter.placed_before {
        query = query.filter(order::Column::PlacedAt.lt(before));
    }
    if let Some(fulfilment) = filter.fulfilment {
        query = query.filter(order::Column::Fulfilment.eq(fulfilment.as_str()));
    }
    if let Some(station) = filter.station_id {
        query = query.filter(order::Column::StationId.eq(station));
    }
    if let Some(room) = filter.room_id {
        query = query.filter(order::Column::RoomId.eq(room));
    }
    if let Some(condition) = filter.text.as_deref().and_then(search) {
        query = query.filter(condition);
    }
    query
}

impl crate::Store {
    /// The stations and live rooms a shop's orders went through (for its filters): their ids.
    pub async fn order_places_of_shop(&self, shop_id: i64) -> crate::Result<(Vec<i64>, Vec<i64>)> {
        use sea_orm::{QueryOrder, QuerySelect};
        let distinct = |column: order::Column| {
            order::Entity::find()
                .select_only()
                .column(column)
                .filter(order::Column::ShopId.eq(shop_id))
                .filter(column.is_not_null())
                .distinct()
                .order_by_asc(column)
                .limit(200)
                .into_tuple::<i64>()
        };
        Ok((
            distinct(order::Column::StationId).all(&self.db).await?,
            distinct(order::Column::RoomId).all(&self.db).await?,
        ))
    }
}
