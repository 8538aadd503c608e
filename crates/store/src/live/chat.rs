//! A room's chat, kept: messages in any language, the last ones for late joiners and for
//! viewers who reconnect, deletion by the host or centre staff, and muted viewers.

use chrono::{DateTime, Utc};
use farmgate_domain::lang::Language;
use farmgate_domain::live::ChatText;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::{message, mute};
use crate::accounts::entity::account;
use crate::{Error, Result, Store};

/// The most messages a joining viewer is sent.
pub const BACKLOG: u64 = 50;

/// A chat message as it was said; pages decide how to name its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    pub id: i64,
    pub room_id: i64,
    pub account_id: i64,
    /// The author's display name, unmasked.
    pub author: String,
    pub lang: Language,
    pub body: String,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Keeps a message; a viewer muted in the room is refused with `Muted`.
    pub async fn post_message(
        &self,
        room_id: i64,
        account_id: i64,
        lang: Language,
        text: &ChatText,
    ) -> Result<ChatMessage> {
        if self.is_muted(room_id, account_id).await? {
            return Err(Error::Muted);
        }
        let author = account::Entity::find_by_id(account_id)
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?
            .display_name;
        let row = message::ActiveModel {
            room_id: Set(room_id),
            account_id: Set(account_id),
            body: Set(text.as_str().to_owned()),
            lang: Set(lang.tag().to_owned()),
            created_at: Set(Utc::now()),
            deleted_at: Set(None),
            deleted_by: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(ChatMessage {
            id: row.id,
            room_id,
            account_id,
            author,
            lang,
            body: row.body,
            at: row.created_at,
        })
    }

    /// The room's messages after `after` (all when None), oldest first, at most the last
    /// [`BACKLOG`]; deleted messages are left out.
    pub async fn recent_messages(
        &self,
        room_id: i64,
        after: Option<i64>,
    ) -> Result<Vec<ChatMessage>> {
        let mut query = message::Entity::find()
            .filter(message::Column::RoomId.eq(room_id))
            .filter(message::Column::DeletedAt.is_null());
        if let Some(after) = after {
            query = query.filter(message::Column::Id.gt(after));
        }
        let mut rows = query
            .order_by_desc(message::Column::Id)
            .limit(BACKLOG)
            .all(&self.db)
            .await?;
        rows.reverse();
        let mut ids: Vec<i64> = rows.iter().map(|m| m.account_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let names: std::collections::HashMap<i64, String> = account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.display_name))
            .collect();
        Ok(rows
            .into_iter()
            .map(|m| ChatMessage {
                author: names.get(&m.account_id).cloned().unwrap_or_default(),
                lang: Language::from_tag(&m.lang).unwrap_or_default(),
                id: m.id,
                room_id: m.room_id,
                account_id: m.account_id,
                body: m.body,
                at: m.created_at,
            })
            .collect())
    }

    /// The author of a message of the room (for muting from a message).
    pub async fn message_author(&self, room_id: i64, message_id: i64) -> Result<i64> {
        message::Entity::find_by_id(message_id)
            .filter(message::Column::RoomId.eq(room_id))
            .one(&self.db)
            .await?
            .map(|m| m.account_id)
            .ok_or(Error::NotFound)
    }

    /// Hides a message from everyone; `NotFound` when the room has no such message.
    pub async fn delete_message(&self, room_id: i64, message_id: i64, by: i64) -> Result<()> {
        let done = message::Entity::update_many()
            .col_expr(message::Column::DeletedAt, Expr::value(Utc::now()))
            .col_expr(message::Column::DeletedBy, Expr::value(by))
            .filter(message::Column::Id.eq(message_id))
            .filter(message::Column::RoomId.eq(room_id))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Mutes `account_id` in the room: their messages are refused from now on.
    pub async fn mute(&self, room_id: i64, account_id: i64, by: i64) -> Result<()> {
        mute::Entity::insert(mute::ActiveModel {
            room_id: Set(room_id),
            account_id: Set(account_id),
            muted_by: Set(by),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([mute::Column::RoomId, mute::Column::AccountId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    pub async fn is_muted(&self, room_id: i64, account_id: i64) -> Result<bool> {
        Ok(mute::Entity::find_by_id((room_id, account_id))
            .one(&self.db)
            .await?
            .is_some())
    }
}
