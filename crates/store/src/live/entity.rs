pub mod room {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_rooms")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub host_id: i64,
        pub region_id: i64,
        pub title_zh: String,
        pub title_ug: Option<String>,
        pub title_en: Option<String>,
        pub status: String,
        pub starts_at: ChronoDateTimeUtc,
        pub started_at: Option<ChronoDateTimeUtc>,
        pub ended_at: Option<ChronoDateTimeUtc>,
        pub stream_key: String,
        pub created_at: ChronoDateTimeUtc,
        /// The key the stream now on air was pushed with (set when the push is let in).
        pub stream_name: Option<String>,
        /// The cover picture's hash (see `catalog::photos`).
        pub cover_hash: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "crate::regions::entity::Entity",
            from = "Column::RegionId",
            to = "crate::regions::entity::Column::Id"
        )]
        Region,
    }

    impl Related<crate::regions::entity::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Region.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod room_shop {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_room_shops")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub room_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub shop_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod pin {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_pins")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub room_id: i64,
        pub variant_id: i64,
        pub room_price_fen: Option<i64>,
        pub pinned: bool,
        pub pinned_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod message {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_messages")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub room_id: i64,
        pub account_id: i64,
        pub body: String,
        pub lang: String,
        pub created_at: ChronoDateTimeUtc,
        pub deleted_at: Option<ChronoDateTimeUtc>,
        pub deleted_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod mute {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_mutes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub room_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: i64,
        pub muted_by: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod viewer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_viewers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub room_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub viewer: String,
        pub first_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod viewer_minute {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "live_viewer_minutes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub room_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub minute: ChronoDateTimeUtc,
        #[sea_orm(primary_key, auto_increment = false)]
        pub instance: String,
        pub viewers: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
