//! The till's tables (migration 42).

pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "till_sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub place_id: i64,
        pub opened_by: i64,
        pub opened_at: ChronoDateTimeUtc,
        pub opening_cash_fen: i64,
        pub closed_by: Option<i64>,
        pub closed_at: Option<ChronoDateTimeUtc>,
        pub counted_cash_fen: Option<i64>,
        pub expected_cash_fen: Option<i64>,
        pub note: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sale {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "till_sales")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub session_id: i64,
        pub client_id: String,
        pub rung_at: ChronoDateTimeUtc,
        pub received_at: ChronoDateTimeUtc,
        pub status: String,
        pub paid_by: String,
        pub charged_fen: i64,
        pub given_back_fen: i64,
        pub checkout_id: Option<String>,
        pub short_variant_id: Option<i64>,
        pub settled_by: Option<i64>,
        pub settled_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sale_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "till_sale_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sale_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: i64,
        pub quantity: i64,
        pub unit_price_fen: i64,
        pub given_back: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
