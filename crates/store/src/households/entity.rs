pub mod household {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "households")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub village_id: i64,
        pub head_name: String,
        pub registered_year: i32,
        pub lifted_year: Option<i32>,
        pub note: String,
        pub active: bool,
        pub created_by: i64,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "household_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: i64,
        pub name: String,
        pub relation: String,
        pub id_sealed: String,
        pub id_index: String,
        pub id_masked: String,
        pub birth_year: i32,
        pub phone: Option<String>,
        pub account_id: Option<i64>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod link {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "household_links")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: i64,
        pub kind: String,
        pub target_id: i64,
        pub share_percent: i32,
        pub confirmed_by: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod poverty_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "poverty_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub year: i32,
        pub yuan_fen_per_person: i64,
        pub set_by: i64,
        pub set_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod income {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "household_incomes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: i64,
        pub month: String,
        pub source: String,
        pub amount_fen: i64,
        pub note: String,
        pub pool_id: Option<i64>,
        pub entered_by: i64,
        pub entered_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod pool {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dividend_pools")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub name: String,
        pub month: String,
        pub amount_fen: i64,
        pub rule: String,
        pub created_by: i64,
        pub created_at: ChronoDateTimeUtc,
        pub paid_by: Option<i64>,
        pub paid_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod share {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dividend_shares")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub pool_id: i64,
        pub household_id: i64,
        pub work_days: i32,
        pub members: i32,
        pub amount_fen: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
