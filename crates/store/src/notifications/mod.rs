//! Notices to people about their things, and each person's choices per kind. A notice is
//! written once per event and reader (`event_key`), kept with the few words its message needs
//! (written out in the reader's language only when it is read), and marked read.

use chrono::{DateTime, Utc};
use farmgate_domain::notifications::NoticeKind;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::error::corrupt;
use crate::{Result, Store};

pub(crate) mod entity {
    pub mod notice {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "notifications")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub account_id: i64,
            pub kind: String,
            pub subject_kind: String,
            pub subject_id: i64,
            pub args: String,
            pub event_key: String,
            pub created_at: ChronoDateTimeUtc,
            pub read_at: Option<ChronoDateTimeUtc>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod setting {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "notification_settings")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub account_id: i64,
            #[sea_orm(primary_key, auto_increment = false)]
            pub kind: String,
            pub in_app: bool,
            pub sms: bool,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{notice, setting};

mod placed;
pub use placed::{ShopText, order_placed};
pub(crate) use placed::{shops_notices, tell_shops, texts};

/// What a notice is about, for its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Order(i64),
    ShopApplication(i64),
    TrainingSession(i64),
}

impl Subject {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Subject::Order(id) => ("order", id),
            Subject::ShopApplication(id) => ("shop_application", id),
            Subject::TrainingSession(id) => ("training_session", id),
        }
    }

    fn from_parts(kind: &str, id: i64) -> Option<Subject> {
        match kind {
            "order" => Some(Subject::Order(id)),
            "shop_application" => Some(Subject::ShopApplication(id)),
            "training_session" => Some(Subject::TrainingSession(id)),
            _ => None,
        }
    }
}

/// A notice to write.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub account_id: i64,
    pub kind: NoticeKind,
    pub subject: Subject,
    /// The message's arguments (name, value).
    pub args: Vec<(String, String)>,
    /// What makes it one event: the same key for the same reader is written once.
    pub event_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub subject: Subject,
    pub args: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// A person's choice for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NoticeSetting {
    pub kind: NoticeKind,
    pub in_app: bool,
    pub sms: bool,
}

impl NoticeSetting {
    /// What a kind does until the person chooses.
    pub fn default_for(kind: NoticeKind) -> NoticeSetting {
        NoticeSetting {
            kind,
            in_app: true,
            sms: kind.sms_by_default(),
        }
    }
}

fn notice_from(row: notice::Model) -> Result<Notice> {
    Ok(Notice {
        kind: NoticeKind::parse(&row.kind).ok_or_else(|| corrupt("notification", row.id))?,
        subject: Subject::from_parts(&row.subject_kind, row.subject_id)
            .ok_or_else(|| corrupt("notification", row.id))?,
        args: serde_json::from_str(&row.args).map_err(|_| corrupt("notification", row.id))?,
        id: row.id,
        created_at: row.created_at,
        read: row.read_at.is_some(),
    })
}

impl Store {
    /// Writes the notice unless its reader already has it (the same event) or turned its kind
    /// off; the reader's choice for its kind when it was written (whether to text them too).
    pub async fn notify(&self, new: &NewNotice) -> Result<Option<NoticeSetting>> {
        Ok(self
            .notify_many(std::slice::from_ref(new))
            .await?
            .pop()
            .flatten())
    }

    /// Writes many notices in one transaction (one flush for a burst), each as `notify` would;
    /// answers each one's choice in the same order.
    pub async fn notify_many(&self, news: &[NewNotice]) -> Result<Vec<Option<NoticeSetting>>> {
        let mut choices = Vec::with_capacity(news.len());
        for new in news {
            choices.push(self.notice_setting(new.account_id, new.kind).await?);
        }
        let txn = self.begin_write().await?;
        let mut written = Vec::with_capacity(news.len());
        for (new, choice) in news.iter().zip(choices) {
            if !choice.in_app {
                written.push(None);
                continue;
            }
            let (subject_kind, subject_id) = new.subject.parts();
            let args = serde_json::to_string(&new.args).unwrap_or_else(|_| "[]".to_owned());
            let row = notice::ActiveModel {
                account_id: Set(new.account_id),
                kind: Set(new.kind.as_str().to_owned()),
                subject_kind: Set(subject_kind.to_owned()),
                subject_id: Set(subject_id),
                args: Set(args),
                event_key: Set(new.event_key.chars().take(96).collect()),
                created_at: Set(Utc::now()),
                read_at: Set(None),
                ..Default::default()
            };
            let inserted = notice::Entity::insert(row)
                .on_conflict(
                    OnConflict::columns([notice::Column::AccountId, notice::Column::EventKey])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            written.push((inserted > 0).then_some(choice));
        }
        txn.commit().await?;
        Ok(written)
    }

    /// A person's notices, newest first, `limit` at a time before the notice id `before`.
    pub async fn notices(
        &self,
        account_id: i64,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Notice>> {
        let mut query = notice::Entity::find().filter(notice::Column::AccountId.eq(account_id));
        if let Some(before) = before {
            query = query.filter(notice::Column::Id.lt(before));
        }
        query
            .order_by_desc(notice::Column::Id)
            .limit(limit.min(200))
            .all(&self.db)
            .await?
            .into_iter()
            .map(notice_from)
            .collect()
    }

    /// How many of a person's notices are unread (for the header).
    pub async fn unread_notices(&self, account_id: i64) -> Result<u64> {
        Ok(notice::Entity::find()
            .filter(notice::Column::AccountId.eq(account_id))
            .filter(notice::Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Marks a person's notice read (all of them when `id` is none); other people's stay.
    pub async fn mark_notices_read(&self, account_id: i64, id: Option<i64>) -> Result<()> {
        let mut update = notice::Entity::update_many()
            .col_expr(notice::Column::ReadAt, Expr::value(Utc::now()))
            .filter(notice::Column::AccountId.eq(account_id))
            .filter(notice::Column::ReadAt.is_null());
        if let Some(id) = id {
            update = update.filter(notice::Column::Id.eq(id));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    /// A person's choice for `kind` (the default when they never chose).
    pub async fn notice_setting(&self, account_id: i64, kind: NoticeKind) -> Result<NoticeSetting> {
        Ok(
            setting::Entity::find_by_id((account_id, kind.as_str().to_owned()))
                .one(&self.db)
                .await?
                .map_or(NoticeSetting::default_for(kind), |row| NoticeSetting {
                    kind,
                    in_app: row.in_app,
                    sms: row.sms,
                }),
        )
    }

    /// A person's choices for every kind.
    pub async fn notice_settings(&self, account_id: i64) -> Result<Vec<NoticeSetting>> {
        let rows = setting::Entity::find()
            .filter(setting::Column::AccountId.eq(account_id))
            .all(&self.db)
            .await?;
        Ok(NoticeKind::ALL
            .into_iter()
            .map(|kind| {
                rows.iter().find(|r| r.kind == kind.as_str()).map_or(
                    NoticeSetting::default_for(kind),
                    |r| NoticeSetting {
                        kind,
                        in_app: r.in_app,
                        sms: r.sms,
                    },
                )
            })
            .collect())
    }

    /// Keeps a person's choice for one kind.
    pub async fn set_notice_setting(&self, account_id: i64, choice: NoticeSetting) -> Result<()> {
        setting::Entity::insert(setting::ActiveModel {
            account_id: Set(account_id),
            kind: Set(choice.kind.as_str().to_owned()),
            in_app: Set(choice.in_app),
            sms: Set(choice.sms),
        })
        .on_conflict(
            OnConflict::columns([setting::Column::AccountId, setting::Column::Kind])
                .update_columns([setting::Column::InApp, setting::Column::Sms])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }
}
