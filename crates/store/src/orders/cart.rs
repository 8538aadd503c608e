//! Carts kept for signed-in buyers. A guest's cart lives in their session; at login the web
//! layer merges it here with `merge_cart`.

use chrono::Utc;
use farmgate_domain::orders::Basket;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entity::cart_line;
use crate::{Result, Store};

fn bounded(quantity: i64) -> i32 {
    i32::try_from(quantity.clamp(0, i64::from(Basket::MAX_QUANTITY))).unwrap_or(0)
}

impl Store {
    /// The account's cart: variant and quantity, in the order they were added.
    pub async fn cart(&self, account_id: i64) -> Result<Vec<(i64, u32)>> {
        Ok(cart_line::Entity::find()
            .filter(cart_line::Column::AccountId.eq(account_id))
            .order_by_asc(cart_line::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| (l.variant_id, u32::try_from(l.quantity).unwrap_or(0)))
            .collect())
    }

    /// Adds each `(variant, quantity)` to what the cart holds (a quantity is capped at the
    /// most one line may order; the cart at the most lines a checkout takes).
    pub async fn merge_cart(&self, account_id: i64, lines: &[(i64, u32)]) -> Result<()> {
        let txn = self.begin_write().await?;
        for &(variant_id, quantity) in lines {
            let existing = cart_line::Entity::find()
                .filter(cart_line::Column::AccountId.eq(account_id))
                .filter(cart_line::Column::VariantId.eq(variant_id))
                .one(&txn)
                .await?;
            match existing {
                Some(line) => {
                    let total = i64::from(line.quantity) + i64::from(quantity);
                    let mut active: cart_line::ActiveModel = line.into();
                    active.quantity = Set(bounded(total));
                    active.update(&txn).await?;
                }
                None => {
                    let count = cart_line::Entity::find()
                        .filter(cart_line::Column::AccountId.eq(account_id))
                        .all(&txn)
                        .await?
                        .len();
                    if count >= Basket::MAX_LINES || quantity == 0 {
                        continue;
                    }
                    cart_line::ActiveModel {
                        account_id: Set(account_id),
                        variant_id: Set(variant_id),
                        quantity: Set(bounded(i64::from(quantity))),
                        added_at: Set(Utc::now()),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                }
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// Sets one line's quantity; zero removes it.
    pub async fn set_cart_quantity(
        &self,
        account_id: i64,
        variant_id: i64,
        quantity: u32,
    ) -> Result<()> {
        let filter = cart_line::Entity::delete_many()
            .filter(cart_line::Column::AccountId.eq(account_id))
            .filter(cart_line::Column::VariantId.eq(variant_id));
        if quantity == 0 {
            filter.exec(&self.db).await?;
            return Ok(());
        }
        let txn = self.begin_write().await?;
        let existing = cart_line::Entity::find()
            .filter(cart_line::Column::AccountId.eq(account_id))
            .filter(cart_line::Column::VariantId.eq(variant_id))
            .one(&txn)
            .await?;
        if let Some(line) = existing {
            let mut active: cart_line::ActiveModel = line.into();
            active.quantity = Set(bounded(i64::from(quantity)));
            active.update(&txn).await?;
            txn.commit().await?;
            Ok(())
        } else {
            txn.commit().await?;
            self.merge_cart(account_id, &[(variant_id, quantity)]).await
        }
    }

    /// Takes the given variants out of the cart (after they were ordered).
    pub async fn remove_from_cart(&self, account_id: i64, variant_ids: &[i64]) -> Result<()> {
        cart_line::Entity::delete_many()
            .filter(cart_line::Column::AccountId.eq(account_id))
            .filter(cart_line::Column::VariantId.is_in(variant_ids.iter().copied()))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
