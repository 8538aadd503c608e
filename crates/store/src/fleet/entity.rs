pub mod vehicle {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fleet_vehicles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub code: String,
        pub kind: String,
        pub label: String,
        pub capacity_grams: i64,
        pub capacity_crates: i32,
        pub range_m: Option<i32>,
        pub driver_id: Option<i64>,
        pub household_id: Option<i64>,
        pub active: bool,
        pub run_pay_fen: i64,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod job {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "route_jobs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub day: String,
        pub kind: String,
        pub source: String,
        pub label: String,
        pub region_id: Option<i64>,
        pub station_id: Option<i64>,
        pub latitude: f64,
        pub longitude: f64,
        pub grams: i64,
        pub crates: i32,
        pub window_from: Option<i32>,
        pub window_until: Option<i32>,
        pub service_minutes: i32,
        pub pinned_vehicle_id: Option<i64>,
        pub household_id: Option<i64>,
        pub parcel_id: Option<i64>,
        pub status: String,
        pub code: Option<String>,
        pub created_by: i64,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod plan {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "route_plans")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub day: String,
        pub digest: String,
        pub vehicles: i32,
        pub distance_m: f64,
        pub took_ms: i32,
        pub planned_by: i64,
        pub planned_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod run {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "route_runs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub plan_id: i64,
        pub vehicle_id: i64,
        pub leaves_at: ChronoDateTimeUtc,
        pub returns_at: ChronoDateTimeUtc,
        pub distance_m: f64,
        pub load_grams: i64,
        pub load_crates: i32,
        pub status: String,
        pub started_at: Option<ChronoDateTimeUtc>,
        pub returned_at: Option<ChronoDateTimeUtc>,
        pub driver_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stop {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "route_stops")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub run_id: i64,
        pub seq: i32,
        pub job_id: i64,
        pub arrives_at: ChronoDateTimeUtc,
        pub starts_at: ChronoDateTimeUtc,
        pub leaves_at: ChronoDateTimeUtc,
        pub load_grams: i64,
        pub load_crates: i32,
        pub done_at: Option<ChronoDateTimeUtc>,
        pub proof: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod unfit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "route_unfit")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub plan_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub job_id: i64,
        pub reason: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod job_goods {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "route_job_goods")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub job_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: i64,
        pub quantity: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod load {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "run_loads")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub run_id: i64,
        pub variant_id: i64,
        pub product_id: i64,
        pub shop_id: i64,
        pub label: String,
        pub unit_price_fen: i64,
        pub loaded: i64,
        pub returned: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sale {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "run_sales")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub run_id: i64,
        pub client_id: String,
        pub load_id: i64,
        pub quantity: i64,
        pub amount_fen: i64,
        pub stop_id: Option<i64>,
        pub sold_at: ChronoDateTimeUtc,
        pub recorded_at: ChronoDateTimeUtc,
        pub seller_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod takings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "run_takings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub run_id: i64,
        pub expected_fen: i64,
        pub counted_fen: i64,
        pub counted_by: i64,
        pub counted_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod credit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "run_credits")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub run_id: i64,
        pub day: String,
        pub kind: String,
        pub shop_id: Option<i64>,
        pub account_id: Option<i64>,
        pub household_id: Option<i64>,
        pub amount_fen: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod road_place {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "road_places")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub name: String,
        pub latitude: f64,
        pub longitude: f64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod road_leg {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "road_legs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub from_place_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub to_place_id: i64,
        pub metres: f64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod road_import {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "road_imports")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub file_name: String,
        pub places: i32,
        pub legs: i32,
        pub imported_by: i64,
        pub imported_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
