//! Reviews: after an order is completed, its buyer may rate each product in it once.

use chrono::{DateTime, Utc};
use farmgate_domain::lang::Language;
use farmgate_domain::orders::OrderStatus;
use farmgate_domain::orders::review::ReviewText;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{line, order, review};
use crate::accounts::entity::account;
use crate::{Error, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub id: i64,
    pub order_id: i64,
    pub product_id: i64,
    pub stars: u8,
    pub body: String,
    pub language: Language,
    /// The reviewer's display name, as written; pages mask it.
    pub buyer_name: String,
    pub created_at: DateTime<Utc>,
}

/// Stars on average and how many reviews they come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rating {
    pub average: f64,
    pub count: u64,
}

fn rating(stars: &[i16]) -> Rating {
    let count = stars.len() as u64;
    let sum: i64 = stars.iter().map(|s| i64::from(*s)).sum();
    Rating {
        average: if count == 0 {
            0.0
        } else {
            sum as f64 / count as f64
        },
        count,
    }
}

impl Store {
    /// Records the buyer's review of a product of their completed order. Refused when the order
    /// is not theirs (`NotFound`), not completed (`OrderState`), has no such product
    /// (`NotFound`), was already reviewed for it (`Conflict { field: "product" }`), or when the
    /// buyer is a member of the shop (`Invalid`: no reviewing one's own products).
    pub async fn add_review(
        &self,
        order_id: i64,
        buyer_id: i64,
        product_id: i64,
        text: &ReviewText,
        language: Language,
    ) -> Result<Review> {
        let order = order::Entity::find_by_id(order_id)
            .one(&self.db)
            .await?
            .filter(|o| o.buyer_id == buyer_id)
            .ok_or(Error::NotFound)?;
        // A shop's own members buying from it cannot praise what they sell.
        if self.is_shop_member(order.shop_id, buyer_id).await? {
            return Err(Error::Invalid(farmgate_domain::ValidationError::new(
                "product",
                "review-own-shop",
            )));
        }
        let completed = OrderStatus::parse(&order.status) == Some(OrderStatus::Completed);
        if !completed {
            return Err(Error::OrderState);
        }
        let has_product = line::Entity::find()
            .filter(line::Column::OrderId.eq(order_id))
            .filter(line::Column::ProductId.eq(product_id))
            .one(&self.db)
            .await?
            .is_some();
        if !has_product {
            return Err(Error::NotFound);
        }
        let existing = review::Entity::find()
            .filter(review::Column::OrderId.eq(order_id))
            .filter(review::Column::ProductId.eq(product_id))
            .one(&self.db)
            .await?;
        if existing.is_some() {
            return Err(Error::Conflict { field: "product" });
        }
        let row = review::ActiveModel {
            order_id: Set(order_id),
            product_id: Set(product_id),
            shop_id: Set(order.shop_id),
            buyer_id: Set(buyer_id),
            stars: Set(i16::from(text.stars)),
            body: Set(text.body.clone()),
            language: Set(language.tag().to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        // Two submissions at once: the unique index lets one in.
        .map_err(|_| Error::Conflict { field: "product" })?;
        let buyer_name = account::Entity::find_by_id(buyer_id)
            .one(&self.db)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        Ok(Review {
            id: row.id,
            order_id,
            product_id,
            stars: text.stars,
            body: row.body,
            language,
            buyer_name,
            created_at: row.created_at,
        })
    }

    /// A product's newest reviews, at most `limit`.
    pub async fn reviews_of_product(&self, product_id: i64, limit: u64) -> Result<Vec<Review>> {
        let rows = review::Entity::find()
            .filter(review::Column::ProductId.eq(product_id))
            .order_by_desc(review::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let buyer_ids: Vec<i64> = rows.iter().map(|r| r.buyer_id).collect();
        let names = account::Entity::find()
            .filter(account::Column::Id.is_in(buyer_ids))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Review {
                buyer_name: names
                    .iter()
                    .find(|a| a.id == r.buyer_id)
                    .map(|a| a.display_name.clone())
                    .unwrap_or_default(),
                id: r.id,
                order_id: r.order_id,
                product_id: r.product_id,
                stars: u8::try_from(r.stars).unwrap_or(0),
                body: r.body,
                language: Language::from_tag(&r.language).unwrap_or(Language::ZhCn),
                created_at: r.created_at,
            })
            .collect())
    }

    /// The products of `order_id` its buyer has reviewed.
    pub async fn reviewed_products(&self, order_id: i64) -> Result<Vec<i64>> {
        Ok(review::Entity::find()
            .filter(review::Column::OrderId.eq(order_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.product_id)
            .collect())
    }

    pub async fn product_rating(&self, product_id: i64) -> Result<Rating> {
        let stars: Vec<i16> = review::Entity::find()
            .select_only()
            .column(review::Column::Stars)
            .filter(review::Column::ProductId.eq(product_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rating(&stars))
    }

    pub async fn shop_rating(&self, shop_id: i64) -> Result<Rating> {
        let stars: Vec<i16> = review::Entity::find()
            .select_only()
            .column(review::Column::Stars)
            .filter(review::Column::ShopId.eq(shop_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rating(&stars))
    }
}
