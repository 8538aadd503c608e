//! Outbound webhooks (`farmgate_domain::webhooks`): subscriptions of a shop or of a region's
//! centre, and deliveries, written once per event and subscription, claimed by one sender at
//! a time (a lease on `next_attempt_at`, so several instances never send one twice at once),
//! and retried until delivered or given up.

mod entity;

use chrono::{DateTime, Utc};
use farmgate_domain::webhooks::WebhookEvent;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::{Error, Result, Store};
use entity::{delivery, subscription};

/// Who a subscription belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Owner {
    Shop(i64),
    /// A county's centre: every shop within the region.
    Region(i64),
}

impl Owner {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Owner::Shop(id) => ("shop", id),
            Owner::Region(id) => ("region", id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub id: i64,
    pub owner: Owner,
    pub url: String,
    /// The key deliveries are signed with; shown to the subscriber.
    pub secret: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    /// Given up after `MAX_ATTEMPTS`.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub event: String,
    pub event_key: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery claimed for sending, with where and how to sign it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery: Delivery,
    pub url: String,
    pub secret: String,
}

fn corrupt(what: &str, id: i64) -> Error {
    crate::error::corrupt(what, id)
}

fn subscription_of(row: subscription::Model) -> Result<Subscription> {
    let owner = match row.owner_kind.as_str() {
        "shop" => Owner::Shop(row.owner_id),
        "region" => Owner::Region(row.owner_id),
        _ => return Err(corrupt("webhook subscription", row.id)),
    };
    Ok(Subscription {
        id: row.id,
        owner,
        url: row.url,
        secret: row.secret,
        events: row
            .events
            .split(',')
            .filter_map(WebhookEvent::parse)
            .collect(),
        active: row.active,
        created_at: row.created_at,
    })
}

fn delivery_of(row: delivery::Model) -> Result<Delivery> {
    Ok(Delivery {
        status: DeliveryStatus::parse(&row.status)
            .ok_or_else(|| corrupt("webhook delivery", row.id))?,
        id: row.id,
        subscription_id: row.subscription_id,
        event: row.event,
        event_key: row.event_key,
        body: row.body,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_status: row.last_status,
        last_error: row.last_error,
        created_at: row.created_at,
        delivered_at: row.delivered_at,
    })
}

/// A new subscription's signing key: 64 hex digits of randomness.
fn new_secret() -> String {
    format!(
        "whsec_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Store {
    /// Subscribes `url` (checked by the caller) to `events` for `owner`.
    pub async fn add_webhook(
        &self,
        owner: Owner,
        url: &str,
        events: &[WebhookEvent],
        created_by: i64,
    ) -> Result<Subscription> {
        let (kind, id) = owner.parts();
        let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
        let row = subscription::ActiveModel {
            owner_kind: Set(kind.to_owned()),
            owner_id: Set(id),
            url: Set(url.to_owned()),
            secret: Set(new_secret()),
            events: Set(names.join(",")),
            active: Set(true),
            created_by: Set(created_by),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        subscription_of(row)
    }

    pub async fn webhook(&self, id: i64) -> Result<Subscription> {
        subscription_of(
            subscription::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or(Error::NotFound)?,
        )
    }

    pub async fn webhooks_of(&self, owner: Owner) -> Result<Vec<Subscription>> {
        let (kind, id) = owner.parts();
        subscription::Entity::find()
            .filter(subscription::Column::OwnerKind.eq(kind))
            .filter(subscription::Column::OwnerId.eq(id))
            .order_by_asc(subscription::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(subscription_of)
            .collect()
    }

    /// Pauses or resumes subscription `id` (a paused one is sent nothing new).
    pub async fn set_webhook_active(&self, id: i64, active: bool) -> Result<()> {
        let moved = subscription::Entity::update_many()
            .col_expr(subscription::Column::Active, Expr::value(active))
            .filter(subscription::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if moved.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Removes subscription `id` and its delivery log.
    pub async fn remove_webhook(&self, id: i64) -> Result<()> {
        let txn = self.begin_write().await?;
        delivery::Entity::delete_many()
            .filter(delivery::Column::SubscriptionId.eq(id))
            .exec(&txn)
            .await?;
        let gone = subscription::Entity::delete_by_id(id).exec(&txn).await?;
        if gone.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        txn.commit().await?;
        Ok(())
    }

    /// Every active subscription (the sender keeps them in memory, so an event nobody
    /// subscribed to costs no query).
    pub async fn active_webhooks(&self) -> Result<Vec<Subscription>> {
        subscription::Entity::find()
            .filter(subscription::Column::Active.eq(true))
            .all(&self.db)
            .await?
            .into_iter()
            .map(subscription_of)
            .collect()
    }

    /// Writes a delivery of `event` to each of `subscription_ids`, once per `event_key` (the
    /// same event twice is one delivery). Returns how many were written.
    pub async fn write_webhook_deliveries(
        &self,
        subscription_ids: &[i64],
        event: WebhookEvent,
        event_key: &str,
        body: &str,
    ) -> Result<u64> {
        let now = Utc::now();
        let mut written = 0;
        for id in subscription_ids {
            let row = delivery::ActiveModel {
                subscription_id: Set(*id),
                event: Set(event.as_str().to_owned()),
                event_key: Set(event_key.chars().take(96).collect()),
                body: Set(body.to_owned()),
                status: Set(DeliveryStatus::Pending.as_str().to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_error: Set(String::new()),
                created_at: Set(now),
                ..Default::default()
            };
            written += delivery::Entity::insert(row)
                .on_conflict(
                    OnConflict::columns([
                        delivery::Column::SubscriptionId,
                        delivery::Column::EventKey,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(written)
    }

    /// Claims up to `limit` deliveries due at `now` for `lease` (nobody else sends them
    /// meanwhile), with their subscription's address and key.
    pub async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<Outgoing>> {
        let due = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .order_by_asc(delivery::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut claimed = Vec::new();
        for row in due {
            let moved = delivery::Entity::update_many()
                .col_expr(delivery::Column::NextAttemptAt, Expr::value(now + lease))
                .filter(delivery::Column::Id.eq(row.id))
                .filter(delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
                .filter(delivery::Column::NextAttemptAt.eq(row.next_attempt_at))
                .exec(&self.db)
                .await?;
            if moved.rows_affected == 0 {
                continue;
            }
            let Some(sub) = subscription::Entity::find_by_id(row.subscription_id)
                .one(&self.db)
                .await?
            else {
                continue;
            };
            claimed.push(Outgoing {
                url: sub.url,
                secret: sub.secret,
                delivery: delivery_of(row)?,
            });
        }
        Ok(claimed)
    }

    /// Records one attempt of delivery `id`: delivered, or failed with the answer's status or
    /// the error, to be tried again at `retry_at` (or given up when `None`).
    pub async fn record_webhook_attempt(
        &self,
        id: i64,
        status_code: Option<i32>,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now = Utc::now();
        let delivered = error.is_none();
        let status = match (delivered, retry_at) {
            (true, _) => DeliveryStatus::Delivered,
            (false, Some(_)) => DeliveryStatus::Pending,
            (false, None) => DeliveryStatus::Failed,
        };
        let error: String = error.unwrap_or_default().chars().take(200).collect();
        let mut update = delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, Expr::value(status.as_str()))
            .col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
            .col_expr(delivery::Column::LastStatus, Expr::value(status_code))
            .col_expr(delivery::Column::LastError, Expr::value(error))
            .filter(delivery::Column::Id.eq(id));
        if delivered {
            update = update.col_expr(delivery::Column::DeliveredAt, Expr::value(now));
        }
        if let Some(at) = retry_at {
            update = update.col_expr(delivery::Column::NextAttemptAt, Expr::value(at));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    /// Subscription `id`'s deliveries, newest first, `limit` before `before_id` (0: newest).
    pub async fn webhook_deliveries(
        &self,
        id: i64,
        before_id: i64,
        limit: u64,
    ) -> Result<Vec<Delivery>> {
        let mut query = delivery::Entity::find()
            .filter(delivery::Column::SubscriptionId.eq(id))
            .order_by_desc(delivery::Column::Id)
            .limit(limit);
        if before_id > 0 {
            query = query.filter(delivery::Column::Id.lt(before_id));
        }
        query
            .all(&self.db)
            .await?
            .into_iter()
            .map(delivery_of)
            .collect()
    }

    pub async fn webhook_delivery(&self, id: i64) -> Result<Delivery> {
        delivery_of(
            delivery::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or(Error::NotFound)?,
        )
    }

    /// Sends delivery `id` again now (a failed one too), for its subscriber.
    pub async fn retry_webhook_delivery(&self, id: i64) -> Result<Delivery> {
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                Expr::value(DeliveryStatus::Pending.as_str()),
            )
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(Utc::now()))
            .filter(delivery::Column::Id.eq(id))
            .filter(delivery::Column::Status.ne(DeliveryStatus::Delivered.as_str()))
            .exec(&self.db)
            .await?;
        delivery_of(
            delivery::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or(Error::NotFound)?,
        )
    }
}
