//! The catalogue: the category tree (reference data every installation needs), products with
//! texts per language, variants with unit, weight, price and stock, and tags.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000003_catalog"
    }
}

/// (code, parent code, zh, ug, en): the categories of issue 3.
pub const CATEGORIES: &[(&str, Option<&str>, &str, &str, &str)] = &[
    ("nuts", None, "坚果", "مېغىزلار", "Nuts"),
    ("dried-fruit", None, "果干", "قاق مېۋىلەر", "Dried fruit"),
    (
        "fresh-produce",
        None,
        "新鲜果蔬",
        "يېڭى مېۋە-كۆكتات",
        "Fresh fruit and vegetables",
    ),
    ("honey", None, "蜂蜜", "ھەسەل", "Honey"),
    (
        "oils-condiments",
        None,
        "油脂调味",
        "ياغ ۋە تېتىتقۇلار",
        "Oils and condiments",
    ),
    ("dairy", None, "乳制品", "سۈت مەھسۇلاتلىرى", "Dairy"),
    (
        "naan-baked",
        None,
        "馕与烘焙",
        "نان ۋە پىشۇرۇلغان يېمەكلىكلەر",
        "Naan and baked goods",
    ),
    ("grains", None, "杂粮", "ئاشلىقلار", "Grains"),
    (
        "handicrafts",
        None,
        "手工艺品",
        "قول ھۈنەر بۇيۇملىرى",
        "Handicrafts",
    ),
    (
        "heritage",
        None,
        "非物质文化遗产",
        "غەيرىي ماددىي مەدەنىيەت مىراسى",
        "Intangible cultural heritage",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("categories")
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("parent_id"))
                    .col(string_len_uniq("code", 64))
                    .col(string_len("name_zh", 64))
                    .col(string_len("name_ug", 96))
                    .col(string_len("name_en", 96))
                    .col(integer("position"))
                    .foreign_key(&mut fk(
                        "fk_categories_parent",
                        ("categories", "parent_id"),
                        ("categories", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (position, (code, _parent, zh, ug, en)) in CATEGORIES.iter().enumerate() {
            let insert = Query::insert()
                .into_table("categories")
                .columns(["code", "name_zh", "name_ug", "name_en", "position"])
                .values_panic([
                    (*code).into(),
                    (*zh).into(),
                    (*ug).into(),
                    (*en).into(),
                    <i32 as TryFrom<usize>>::try_from(position)
                        .unwrap_or(i32::MAX)
                        .into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("products")
                    .col(big_pk_auto("id"))
                    .col(big_integer("shop_id"))
                    .col(big_integer("category_id"))
                    .col(big_integer("origin_id"))
                    .col(string_len("status", 16))
                    .col(string_len_null("organic_certificate", 64))
                    .col(big_integer("sales_count").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_products_shop",
                        ("products", "shop_id"),
                        ("shops", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_products_category",
                        ("products", "category_id"),
                        ("categories", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_products_origin",
                        ("products", "origin_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_products_shop", "shop_id"),
            ("idx_products_category", "category_id"),
            ("idx_products_origin", "origin_id"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("products")
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("product_texts")
                    .col(big_integer("product_id"))
                    .col(string_len("language", 8))
                    .col(string_len("name", 128))
                    .col(text("story"))
                    .primary_key(Index::create().col("product_id").col("language"))
                    .foreign_key(&mut fk(
                        "fk_product_texts_product",
                        ("product_texts", "product_id"),
                        ("products", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("product_tags")
                    .col(big_integer("product_id"))
                    .col(string_len("tag", 32))
                    .primary_key(Index::create().col("product_id").col("tag"))
                    .foreign_key(&mut fk(
                        "fk_product_tags_product",
                        ("product_tags", "product_id"),
                        ("products", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("variants")
                    .col(big_pk_auto("id"))
                    .col(big_integer("product_id"))
                    .col(string_len("unit", 16))
                    .col(big_integer_null("net_grams"))
                    .col(big_integer("price_fen"))
                    .col(big_integer("stock"))
                    .col(string_len("price_policy", 24))
                    .col(integer("tolerance_bp").default(0))
                    .col(integer("position"))
                    .check(Expr::col("stock").gte(0))
                    .check(Expr::col("price_fen").gt(0))
                    .foreign_key(&mut fk(
                        "fk_variants_product",
                        ("variants", "product_id"),
                        ("products", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_variants_product")
                    .table("variants")
                    .col("product_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "variants",
            "product_tags",
            "product_texts",
            "products",
            "categories",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
