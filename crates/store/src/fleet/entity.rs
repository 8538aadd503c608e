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
