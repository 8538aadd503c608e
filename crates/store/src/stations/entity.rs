pub mod station {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "stations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub region_id: i64,
        pub code: String,
        pub kind: String,
        pub name_zh: String,
        pub name_ug: Option<String>,
        pub name_en: String,
        pub address: String,
        pub address_ug: Option<String>,
        pub address_en: Option<String>,
        pub phone: Option<String>,
        pub hours: Option<String>,
        pub pickup_fee_fen: i64,
        pub hold_days: i32,
        pub active: bool,
        pub created_at: ChronoDateTimeUtc,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub population: Option<i32>,
        pub collects_produce: bool,
        pub household_id: Option<i64>,
        pub updated_at: Option<ChronoDateTimeUtc>,
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

pub mod parcel {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_parcels")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub station_id: i64,
        pub order_id: Option<i64>,
        pub label: String,
        pub status: String,
        pub pickup_code: String,
        pub wrong_codes: i32,
        pub expected_at: ChronoDateTimeUtc,
        pub received_at: Option<ChronoDateTimeUtc>,
        pub received_by: Option<i64>,
        pub handed_at: Option<ChronoDateTimeUtc>,
        pub handed_by: Option<i64>,
        pub fee_fen: i64,
        pub cash_fen: i64,
        pub returned_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod operator {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_operators")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub station_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: i64,
        pub added_by: Option<i64>,
        pub added_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An order an operator placed for a villager.
pub mod villager_order {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_id: i64,
        pub station_id: i64,
        pub placed_by: i64,
        pub villager_name: String,
        pub villager_phone: Option<String>,
        pub pickup_code: String,
        pub paid_fen: i64,
        pub placed_at: ChronoDateTimeUtc,
        pub claimed_by: Option<i64>,
        pub claimed_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One movement of a station's cash.
pub mod cash {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_cash")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub station_id: i64,
        pub day: String,
        pub kind: String,
        pub amount_fen: i64,
        pub order_id: Option<i64>,
        pub parcel_id: Option<i64>,
        pub actor_id: Option<i64>,
        pub note: Option<String>,
        pub at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A station's closed day.
pub mod day {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_days")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub station_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: String,
        pub expected_fen: i64,
        pub counted_fen: i64,
        pub handed_in_fen: i64,
        pub explanation: Option<String>,
        pub closed_by: i64,
        pub closed_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A shop's buying price for a variant's produce of a grade.
pub mod produce_price {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "produce_prices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub grade: String,
        pub shop_id: i64,
        pub per_kg_fen: i64,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A batch of produce taken in on consignment.
pub mod consignment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consignments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub station_id: i64,
        pub shop_id: i64,
        pub variant_id: i64,
        pub village_id: i64,
        pub grower_name: String,
        pub grower_phone: Option<String>,
        pub name_shown: bool,
        pub grade: String,
        pub grams: i64,
        pub units: i64,
        pub stock_before: i64,
        pub per_kg_fen: i64,
        pub owed_fen: i64,
        pub harvested_on: Option<String>,
        pub taken_at: ChronoDateTimeUtc,
        pub taken_by: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A grower's share paid out.
pub mod payout {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consignment_payouts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub consignment_id: i64,
        pub amount_fen: i64,
        pub method: String,
        pub reference: Option<String>,
        pub paid_by: i64,
        pub paid_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An operation a phone did offline and sent later, by the id the phone made for it.
pub mod sync {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_sync")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub client_id: String,
        pub station_id: i64,
        pub account_id: i64,
        pub kind: String,
        pub outcome: String,
        pub code: Option<String>,
        pub at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
