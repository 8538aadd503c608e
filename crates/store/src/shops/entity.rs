pub mod shop {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shops")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub kind: String,
        pub village_id: i64,
        pub phone: String,
        pub story: String,
        pub status: String,
        pub opened_at: ChronoDateTimeUtc,
        pub name_zh: Option<String>,
        pub name_ug: Option<String>,
        pub name_en: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub shop_id: i64,
        pub account_id: i64,
        pub role: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod application {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_applications")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub applicant_id: i64,
        pub name: String,
        pub kind: String,
        pub village_id: i64,
        pub phone: String,
        pub story: String,
        pub status: String,
        pub rejection_reason: Option<String>,
        pub decided_by: Option<i64>,
        pub decided_at: Option<ChronoDateTimeUtc>,
        pub shop_id: Option<i64>,
        pub created_at: ChronoDateTimeUtc,
        pub trainee_id: Option<i64>,
        pub household_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "crate::regions::entity::Entity",
            from = "Column::VillageId",
            to = "crate::regions::entity::Column::Id"
        )]
        Village,
    }

    impl Related<crate::regions::entity::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Village.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod shipping {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_shipping")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub shop_id: i64,
        pub kind: String,
        pub fee_a_fen: i64,
        pub fee_b_fen: i64,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
