pub mod depot {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "depots")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub county_id: i64,
        pub region_id: i64,
        pub name_zh: String,
        pub name_ug: Option<String>,
        pub name_en: Option<String>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod carrier {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carriers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub name_zh: String,
        pub name_ug: Option<String>,
        pub name_en: Option<String>,
        pub tracking_pattern: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod agreement {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_agreements")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub carrier_id: i64,
        pub inbound_fee_fen: i64,
        pub active: bool,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod rate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_rates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub agreement_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub zone: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub up_to_grams: i32,
        pub fee_fen: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod parcel {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "logistics_parcels")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub carrier_id: i64,
        pub tracking_number: String,
        pub direction: String,
        pub stage: String,
        pub day: Option<String>,
        pub region_id: Option<i64>,
        pub station_id: Option<i64>,
        pub receiver_name: Option<String>,
        pub receiver_phone: Option<String>,
        pub address: Option<String>,
        pub weight_grams: Option<i32>,
        pub fee_fen: i64,
        pub order_id: Option<i64>,
        pub shop_id: Option<i64>,
        pub advised_at: Option<ChronoDateTimeUtc>,
        pub scanned_at: Option<ChronoDateTimeUtc>,
        pub scanned_by: Option<i64>,
        pub updated_at: ChronoDateTimeUtc,
        pub run_id: Option<i64>,
        pub stop_id: Option<i64>,
        pub station_parcel_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "parcel_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parcel_id: i64,
        pub carrier_id: i64,
        pub kind: String,
        pub at: ChronoDateTimeUtc,
        pub actor_id: Option<i64>,
        pub station_id: Option<i64>,
        pub client_id: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod run {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "runs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub day: String,
        pub vehicle: String,
        pub driver_id: i64,
        pub status: String,
        pub depart_at: ChronoDateTimeUtc,
        pub left_at: Option<ChronoDateTimeUtc>,
        pub done_at: Option<ChronoDateTimeUtc>,
        pub planned_by: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stop {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "run_stops")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub run_id: i64,
        pub seq: i32,
        pub station_id: i64,
        pub expected_at: ChronoDateTimeUtc,
        pub handover_code: String,
        pub parcels: i32,
        pub delivered_at: Option<ChronoDateTimeUtc>,
        pub proof: Option<String>,
        pub photo: Option<String>,
        pub returns: i32,
        pub produce: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: i64,
        pub added_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dispute {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_disputes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub carrier_id: i64,
        pub month: String,
        pub parcel_id: i64,
        pub note: String,
        pub raised_by: i64,
        pub raised_at: ChronoDateTimeUtc,
        pub answer: Option<String>,
        pub answered_by: Option<i64>,
        pub answered_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod waybill_block {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "waybill_blocks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub depot_id: i64,
        pub carrier_id: i64,
        pub prefix: String,
        pub digits: i32,
        pub next_serial: i64,
        pub last_serial: i64,
        pub added_by: i64,
        pub added_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
