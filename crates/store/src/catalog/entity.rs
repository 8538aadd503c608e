pub mod category {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "categories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        pub code: String,
        pub name_zh: String,
        pub name_ug: String,
        pub name_en: String,
        pub position: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod product {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "products")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub shop_id: i64,
        pub category_id: i64,
        pub origin_id: i64,
        pub status: String,
        pub organic_certificate: Option<String>,
        pub sales_count: i64,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
        /// The shop's own code for it (FG and its id when the shop gave none).
        pub code: Option<String>,
        /// When paused: when it will be back ("新核桃九月上市").
        pub back_in: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "crate::regions::entity::Entity",
            from = "Column::OriginId",
            to = "crate::regions::entity::Column::Id"
        )]
        Origin,
    }

    impl Related<crate::regions::entity::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Origin.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod text {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "product_texts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub product_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub language: String,
        pub name: String,
        pub story: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tag {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "product_tags")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub product_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub tag: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod variant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "variants")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub product_id: i64,
        pub unit: String,
        pub net_grams: Option<i64>,
        pub price_fen: i64,
        pub stock: i64,
        pub price_policy: String,
        pub tolerance_bp: i32,
        pub position: i32,
        /// Gone from sale (kept for the orders that bought it).
        pub retired_at: Option<ChronoDateTimeUtc>,
        /// At or below this the shop is told it is running low (0: never).
        pub low_stock_threshold: i64,
        /// Of `stock`, the units at other places online sales draw from (decision 0029); the
        /// shop's own store holds `stock - away_online`.
        pub away_online: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::product::Entity",
            from = "Column::ProductId",
            to = "super::product::Column::Id"
        )]
        Product,
    }

    impl Related<super::product::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Product.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod photo {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "product_photos")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub product_id: i64,
        pub hash: String,
        pub width: i32,
        pub height: i32,
        pub position: i32,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod movement {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stock_movements")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub shop_id: i64,
        pub product_id: i64,
        pub variant_id: i64,
        pub delta: i64,
        pub reason: String,
        pub note: String,
        pub actor_id: Option<i64>,
        pub order_id: Option<i64>,
        pub created_at: ChronoDateTimeUtc,
        /// Where the units moved (none: the shop's own store).
        pub place_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stock_place {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "stock_places")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub county_id: i64,
        pub kind: String,
        pub station_id: Option<i64>,
        pub depot_id: Option<i64>,
        pub name_zh: String,
        pub name_ug: Option<String>,
        pub name_en: Option<String>,
        pub active: bool,
        pub created_by: i64,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod shop_place {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_places")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub shop_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub place_id: i64,
        pub online: bool,
        pub position: i32,
        pub added_by: i64,
        pub added_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod place_stock {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "place_stock")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub place_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: i64,
        pub shop_id: i64,
        pub quantity: i64,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod transfer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stock_transfers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub shop_id: i64,
        pub from_place_id: Option<i64>,
        pub to_place_id: Option<i64>,
        pub status: String,
        pub note: String,
        pub sent_by: i64,
        pub sent_at: ChronoDateTimeUtc,
        pub received_by: Option<i64>,
        pub received_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod transfer_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stock_transfer_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub transfer_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: i64,
        pub sent: i64,
        pub received: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stock_count {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stock_counts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub place_id: Option<i64>,
        pub shop_id: Option<i64>,
        pub note: String,
        pub counted_by: i64,
        pub counted_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod count_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stock_count_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub count_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: i64,
        pub shop_id: i64,
        pub expected: i64,
        pub counted: i64,
        pub reason: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
