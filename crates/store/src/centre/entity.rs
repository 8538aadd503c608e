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

// The stalls and the park (migration 43).

pub mod stall {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stalls")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub region_id: i64,
        pub hall: String,
        pub code: String,
        pub row_no: i32,
        pub col_no: i32,
        pub size_m2: i32,
        pub water: bool,
        pub power: bool,
        pub heating: bool,
        pub day_rate_fen: i64,
        pub month_rate_fen: i64,
        pub season_rate_fen: i64,
        pub active: bool,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod booking {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stall_bookings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub stall_id: i64,
        pub household_id: Option<i64>,
        pub holder_name: String,
        pub holder_phone: Option<String>,
        pub term: String,
        pub starts_on: String,
        pub ends_on: String,
        pub rent_fen: i64,
        pub status: String,
        pub wait_id: Option<i64>,
        pub booked_by: i64,
        pub booked_at: ChronoDateTimeUtc,
        pub cancelled_by: Option<i64>,
        pub cancelled_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod wait {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stall_waits")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub household_id: Option<i64>,
        pub holder_name: String,
        pub holder_phone: Option<String>,
        pub term: String,
        pub starts_on: String,
        pub status: String,
        pub booking_id: Option<i64>,
        pub added_by: i64,
        pub added_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod takings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stall_takings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub booking_id: i64,
        pub household_id: Option<i64>,
        pub day: String,
        pub amount_fen: i64,
        pub entered_by: i64,
        pub entered_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod park_unit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "park_units")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub region_id: i64,
        pub code: String,
        pub name: String,
        pub size_m2: i32,
        pub monthly_rent_fen: i64,
        pub active: bool,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod lease {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "park_leases")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        pub tenant_name: String,
        pub shop_id: Option<i64>,
        pub moved_from_id: Option<i64>,
        pub starts_on: String,
        pub rent_from: String,
        pub ends_on: Option<String>,
        pub monthly_rent_fen: i64,
        pub created_by: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod till_return {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "till_returns")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub session_id: i64,
        pub sale_id: i64,
        pub variant_id: i64,
        pub quantity: i64,
        pub amount_fen: i64,
        pub order_id: i64,
        pub returned_by: i64,
        pub returned_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod park_rent {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "park_rents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub lease_id: i64,
        pub month: String,
        pub amount_fen: i64,
        pub method: String,
        pub reference: String,
        pub entered_by: i64,
        pub entered_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
