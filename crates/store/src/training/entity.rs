//! The tables of migration 10, as sea-orm sees them.

pub mod course {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "courses")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub region_id: i64,
        pub kind: String,
        pub days: i32,
        pub min_days: i32,
        /// Languages of instruction, comma-separated tags (`zh-CN,ug`).
        pub languages: String,
        pub title_zh: String,
        pub title_ug: Option<String>,
        pub title_en: Option<String>,
        pub summary_zh: String,
        pub summary_ug: Option<String>,
        pub summary_en: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod course_day {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "course_days")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub course_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: i32,
        pub syllabus_zh: String,
        pub syllabus_ug: Option<String>,
        pub syllabus_en: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "training_sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub course_id: i64,
        pub region_id: i64,
        pub venue_kind: String,
        pub venue_name: String,
        pub venue_name_ug: Option<String>,
        pub venue_name_en: Option<String>,
        pub online_url: Option<String>,
        pub live_room_id: Option<i64>,
        pub capacity: i32,
        pub starts_on: ChronoDate,
        pub days: i32,
        pub created_by: Option<i64>,
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

pub mod session_trainer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "session_trainers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub session_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod trainee {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trainees")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub phone: Option<String>,
        pub account_id: Option<i64>,
        pub region_id: i64,
        pub station_id: Option<i64>,
        pub gender: Option<String>,
        pub birth_year: Option<i32>,
        pub created_by: Option<i64>,
        pub created_at: ChronoDateTimeUtc,
        /// Who confirmed in person that the record is its account's (a trainer or station
        /// operator of the county); None when the account proved the phone with a code.
        pub confirmed_by: Option<i64>,
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

pub mod enrolment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrolments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub session_id: i64,
        pub trainee_id: i64,
        pub status: String,
        pub enrolled_by: Option<i64>,
        pub created_at: ChronoDateTimeUtc,
        pub promoted_at: Option<ChronoDateTimeUtc>,
        pub withdrawn_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attendance {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "attendance")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub session_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub trainee_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: i32,
        pub method: String,
        pub recorded_by: Option<i64>,
        pub recorded_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::trainee::Entity",
            from = "Column::TraineeId",
            to = "super::trainee::Column::Id"
        )]
        Trainee,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod certificate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificates")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub session_id: i64,
        pub trainee_id: i64,
        pub issued_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod signing_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "signing_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub purpose: String,
        pub secret: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
