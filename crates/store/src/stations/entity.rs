pub mod station {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
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
        pub active: bool,
        pub created_at: ChronoDateTimeUtc,
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
