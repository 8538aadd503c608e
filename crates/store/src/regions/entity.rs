use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: String,
    pub code: String,
    pub path: String,
    pub name_zh: String,
    pub name_ug: Option<String>,
    pub name_en: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub known_for_zh: Option<String>,
    pub known_for_ug: Option<String>,
    pub known_for_en: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
