pub mod order {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub checkout_id: String,
        pub buyer_id: i64,
        pub shop_id: i64,
        pub idempotency_key: String,
        pub status: String,
        pub fulfilment: String,
        pub payment_method: String,
        pub pickup_region_id: Option<i64>,
        pub address: Option<String>,
        pub goods_fen: i64,
        pub shipping_fen: i64,
        pub total_fen: i64,
        pub placed_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
        pub station_id: Option<i64>,
        pub delivery_region_id: Option<i64>,
        pub recipient_name: Option<String>,
        pub recipient_phone: Option<String>,
        /// The live room the order was placed from.
        pub room_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub order_id: i64,
        pub variant_id: i64,
        pub product_id: i64,
        pub name: String,
        pub unit: String,
        pub net_grams: Option<i64>,
        pub quantity: i32,
        pub unit_price_fen: i64,
        pub line_fen: i64,
        pub price_policy: String,
        pub tolerance_bp: i32,
        pub packed_grams: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub order_id: i64,
        pub status: String,
        pub actor_id: Option<i64>,
        pub note: Option<String>,
        pub at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod payment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub checkout_id: String,
        pub buyer_id: i64,
        pub provider: String,
        pub amount_fen: i64,
        pub status: String,
        pub gateway_ref: Option<String>,
        pub created_at: ChronoDateTimeUtc,
        pub expires_at: Option<ChronoDateTimeUtc>,
        pub settled_at: Option<ChronoDateTimeUtc>,
        pub refund_due_fen: i64,
        pub refunded_fen: i64,
        pub refund_ref: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod cart_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cart_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub account_id: i64,
        pub variant_id: i64,
        pub quantity: i32,
        pub added_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod review {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reviews")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub order_id: i64,
        pub product_id: i64,
        pub shop_id: i64,
        pub buyer_id: i64,
        pub stars: i16,
        pub body: String,
        pub language: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod refund_request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refund_requests")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub order_id: i64,
        pub buyer_id: i64,
        pub shop_id: i64,
        pub reason: String,
        pub note: String,
        pub status: String,
        pub asked_fen: i64,
        pub granted_fen: i64,
        pub decline_reason: String,
        pub decided_by: Option<i64>,
        pub decided_by_centre: bool,
        pub created_at: ChronoDateTimeUtc,
        pub decided_at: Option<ChronoDateTimeUtc>,
        pub disputed_at: Option<ChronoDateTimeUtc>,
        pub paid_at: Option<ChronoDateTimeUtc>,
        pub paid_ref: Option<String>,
        pub paid_by: Option<i64>,
        pub returned_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod refund_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refund_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub refund_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_line_id: i64,
        pub quantity: i32,
        pub amount_fen: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod refund_photo {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refund_photos")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub refund_id: i64,
        pub hash: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub position: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
