//! The camp graduates of the demo who opened shops: each gets an account (their phone number
//! is the login), applies as a trainee, is approved by the centre, lists one product of
//! Tekes, and sells: most made a first sale, about a third reached ten orders, a few went
//! quiet (the follow-up list's "no sale in 30 days").
//!
//! Everything goes through the real application, approval, catalogue and order intake; only
//! the dates are set back afterwards to when it happened.

use chrono::{Days, NaiveDate, Utc};
use farmgate_domain::accounts::{DisplayName, LoginId, PhoneNumber};
use farmgate_domain::catalog::{PricePolicy, ProductStatus, Tag, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Basket, IdempotencyKey, OrderStatus, PaymentMethod};
use farmgate_domain::shops::{ShopKind, ShopName};
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::accounts::NewAccount;
use std::collections::HashMap;

use crate::catalog::{NewProduct, Photo, ProductDetails, ProductText};
use crate::orders::entity::order;
use crate::orders::{Delivery, OrderIntake, PlaceOrder};
use crate::shops::entity::{application, shop};
use crate::shops::{Decision, NewShopApplication};
use crate::training::entity::trainee;
use crate::{Error, Result, Store};

/// What Tekes' graduates sell: (product zh, ug, en, category, price in fen).
/// What the graduates sell: varied goods of Tekes, each in the unit it is sold by.
pub struct Goods {
    pub zh: &'static str,
    pub ug: &'static str,
    pub en: &'static str,
    pub category: &'static str,
    pub unit: Unit,
    pub net_grams: Option<i64>,
    pub price_fen: i64,
}

const fn goods(
    (zh, ug, en): (&'static str, &'static str, &'static str),
    category: &'static str,
    unit: Unit,
    net_grams: Option<i64>,
    price_fen: i64,
) -> Goods {
    Goods {
        zh,
        ug,
        en,
        category,
        unit,
        net_grams,
        price_fen,
    }
}

impl Goods {
    /// Its name in each language (the graduates write no story yet).
    fn texts(&self) -> Vec<ProductText> {
        [
            (Language::ZhCn, self.zh),
            (Language::Ug, self.ug),
            (Language::En, self.en),
        ]
        .into_iter()
        .map(|(language, name)| ProductText {
            language,
            name: name.to_owned(),
            story: String::new(),
        })
        .collect()
    }
}

pub const GOODS: &[Goods] = &[
    goods(
        ("黑蜂蜂蜜", "قارا ھەرە ھەسىلى", "Black bee honey"),
        "honey",
        Unit::Jar,
        Some(500),
        8800,
    ),
    goods(
        ("百花蜜", "گۈل ھەسىلى", "Wildflower honey"),
        "honey",
        Unit::Jar,
        Some(500),
        5800,
    ),
    goods(
        ("奶疙瘩", "قۇرۇت", "Dried curd"),
        "dairy",
        Unit::Bag,
        Some(250),
        3600,
    ),
    goods(
        ("酥油", "سېرىق ماي", "Butter ghee"),
        "dairy",
        Unit::Jar,
        Some(500),
        6800,
    ),
    goods(
        ("薰衣草精油", "لاۋاندا يېغى", "Lavender oil"),
        "oils-condiments",
        Unit::Bottle,
        Some(10),
        6800,
    ),
    goods(
        (
            "薰衣草手工皂",
            "لاۋاندا قول سوپۇنى",
            "Handmade lavender soap",
        ),
        "handicrafts",
        Unit::Piece,
        Some(100),
        2800,
    ),
    goods(
        ("沙棘油", "چىغانچاق يېغى", "Sea buckthorn oil"),
        "oils-condiments",
        Unit::Bottle,
        Some(100),
        9800,
    ),
    goods(
        (
            "野生雪菊",
            "ياۋايى قار خىرىزانتېما",
            "Wild snow chrysanthemum tea",
        ),
        "dried-fruit",
        Unit::Bag,
        Some(50),
        4500,
    ),
    goods(
        ("手工馕", "قولدا ياقان نان", "Hand-baked naan"),
        "naan-baked",
        Unit::Piece,
        None,
        800,
    ),
    goods(
        ("窝窝馕", "كىچىك توقاچ", "Small round naan"),
        "naan-baked",
        Unit::Bag,
        Some(500),
        1800,
    ),
    goods(
        ("小白杏干", "ئاق ئۆرۈك قېقى", "Dried white apricots"),
        "dried-fruit",
        Unit::Bag,
        Some(500),
        3900,
    ),
    goods(
        ("葡萄干", "ئۈزۈم قېقى", "Raisins"),
        "dried-fruit",
        Unit::Bag,
        Some(500),
        2600,
    ),
    goods(
        ("野生核桃", "ياۋايى ياڭاق", "Wild walnuts"),
        "nuts",
        Unit::Bag,
        Some(1000),
        4200,
    ),
    goods(
        ("巴旦木", "بادام", "Badam almonds"),
        "nuts",
        Unit::Bag,
        Some(500),
        4600,
    ),
    goods(
        ("新疆红枣", "شىنجاڭ چىلان", "Xinjiang red dates"),
        "dried-fruit",
        Unit::Bag,
        Some(1000),
        3200,
    ),
    goods(
        ("昭苏油菜花蜜", "سېرىق گۈل ھەسىلى", "Rapeseed-flower honey"),
        "honey",
        Unit::Jar,
        Some(500),
        4800,
    ),
    goods(
        ("手工毡绣挎包", "كىگىز كەشتە سومكا", "Felt-embroidered bag"),
        "handicrafts",
        Unit::Piece,
        None,
        12800,
    ),
    goods(
        (
            "哈萨克刺绣靠垫",
            "قازاق كەشتە ياستۇق",
            "Kazakh embroidered cushion",
        ),
        "heritage",
        Unit::Piece,
        None,
        16800,
    ),
    goods(
        ("特克斯小米", "تېكەس قوناق", "Tekes millet"),
        "grains",
        Unit::Bag,
        Some(2500),
        3500,
    ),
    goods(
        ("土鸡蛋", "يەرلىك توخۇ تۇخۇمى", "Free-range eggs"),
        "fresh-produce",
        Unit::Box,
        None,
        4200,
    ),
];

/// The graduates' customers, from across the country.
const CUSTOMERS: &[&str] = &[
    "上海的陈女士",
    "广州的李先生",
    "北京的王阿姨",
    "成都的刘同学",
    "杭州的周先生",
];

fn config(e: impl std::fmt::Display) -> Error {
    Error::Config(e.to_string())
}

/// Opens a shop for each (trainee id, phone, day the camp ended); returns how many.
pub(super) async fn open_shops(
    store: &Store,
    password_hash: &str,
    photos: &HashMap<String, Photo>,
    graduates: &[(i64, String, NaiveDate)],
    rng: &mut StdRng,
) -> Result<u64> {
    // Tekes' centre reviews its graduates' shops.
    let reviewer = store
        .demo_centre_of(&store.region_by_code("tekes").await?)
        .await?;
    let root = store.region_root().await?.ok_or(Error::NotFound)?;
    let station = store
        .stations_within(&root.path)
        .await?
        .into_iter()
        .find(|s| s.code == "tekes-centre")
        .ok_or(Error::NotFound)?;
    let town = Town {
        reviewer,
        customers: demo_customers(store, password_hash).await?,
        station: station.id,
        categories: store.categories().await?,
        intake: OrderIntake::start(store.clone()),
        today: Utc::now().date_naive(),
    };
    let mut opened = 0;
    for (n, (trainee_id, phone, ended)) in graduates.iter().enumerate() {
        let (application_id, shop_id, variant) =
            graduate_shop(store, &town, photos, password_hash, n, *trainee_id, phone).await?;
        // When it happened: applied within three weeks of the camp, opened two days later.
        let applied_on = (*ended + Days::new(rng.random_range(2..21))).min(town.today);
        let opened_on = (applied_on + Days::new(2)).min(town.today);
        backdate_opening(store, application_id, shop_id, applied_on, opened_on).await?;
        demo_sales(store, &town, shop_id, variant, opened_on, rng).await?;
        opened += 1;
    }
    Ok(opened)
}

/// What every graduate's shop shares: who approves (the county's centre), who buys, where parcels are picked up.
struct Town {
    reviewer: i64,
    customers: Vec<i64>,
    station: i64,
    categories: Vec<crate::catalog::Category>,
    intake: OrderIntake,
    today: NaiveDate,
}

/// A day's time in the demo: 03:00 UTC (11:00 in China).
fn at(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_hms_opt(3, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc())
}

/// The graduates' customers: a few buyers of their own, so the demo `buyer` starts with no
/// orders (a first purchase still asks where to pick up).
async fn demo_customers(store: &Store, password_hash: &str) -> Result<Vec<i64>> {
    let mut customers = Vec::new();
    for (n, name) in CUSTOMERS.iter().enumerate() {
        let login = LoginId::parse(&format!("customer{:02}", n + 1)).map_err(config)?;
        let account = match store.account_by_login(&login).await? {
            Some(account) => account,
            None => {
                store
                    .create_account(NewAccount {
                        login,
                        display_name: DisplayName::parse(name).map_err(config)?,
                        password_hash: password_hash.to_owned(),
                        language: Language::ZhCn,
                    })
                    .await?
            }
        };
        customers.push(account.id);
    }
    Ok(customers)
}

/// The graduate's account (their phone is the login), their application, approved, and their
/// first product with its picture; answers (application id, shop id, variant id).
async fn graduate_shop(
    store: &Store,
    town: &Town,
    photos: &HashMap<String, Photo>,
    password_hash: &str,
    n: usize,
    trainee_id: i64,
    phone: &str,
) -> Result<(i64, i64, i64)> {
    let person = store.trainee(trainee_id).await?;
    let account = store
        .create_account(NewAccount {
            login: LoginId::parse(phone).map_err(config)?,
            display_name: DisplayName::parse(&person.name).map_err(config)?,
            password_hash: password_hash.to_owned(),
            language: if n.is_multiple_of(2) {
                Language::ZhCn
            } else {
                Language::Ug
            },
        })
        .await?;
    trainee::Entity::update_many()
        .col_expr(
            trainee::Column::AccountId,
            sea_orm::sea_query::Expr::value(account.id),
        )
        .filter(trainee::Column::Id.eq(trainee_id))
        .exec(&store.db)
        .await?;
    let goods = &GOODS[n % GOODS.len()];
    let application = store
        .submit_shop_application(NewShopApplication {
            applicant_id: account.id,
            name: ShopName::parse(&format!("{}的{}", person.name, goods.zh)).map_err(config)?,
            kind: ShopKind::Farmer,
            village_id: person.region_id,
            phone: PhoneNumber::parse(phone).map_err(config)?,
            story: format!(
                "我在特克斯县电商公共服务中心的五日训练营学会了开网店，卖自家的{}。",
                goods.zh
            ),
            trainee_id: Some(trainee_id),
        })
        .await?;
    let approved = store
        .decide_shop_application(application.id, town.reviewer, Decision::Approve)
        .await?;
    let shop_id = approved.shop_id.ok_or(Error::NotFound)?;
    let category = town
        .categories
        .iter()
        .find(|c| c.code == goods.category)
        .ok_or(Error::NotFound)?;
    let product = store
        .create_product(NewProduct {
            shop_id,
            status: ProductStatus::Listed,
            variants: vec![
                VariantSpec::new(
                    goods.unit,
                    goods.net_grams,
                    Fen(goods.price_fen),
                    500,
                    PricePolicy::Fixed,
                )
                .map_err(config)?,
            ],
            details: ProductDetails {
                category_id: category.id,
                origin_id: person.region_id,
                organic_certificate: None,
                tags: vec![Tag::PovertyAlleviation]
                    .into_iter()
                    .filter(|_| n.is_multiple_of(3))
                    .collect(),
                texts: goods.texts(),
                code: None,
            },
        })
        .await?;
    let variant = product.variants.first().ok_or(Error::NotFound)?.id;
    if let Some(photo) = photos.get(goods.zh) {
        store.add_product_photo(product.id, photo).await?;
    }
    Ok((application.id, shop_id, variant))
}

/// The application as made on `applied_on`, decided and opened on `opened_on`.
async fn backdate_opening(
    store: &Store,
    application_id: i64,
    shop_id: i64,
    applied_on: NaiveDate,
    opened_on: NaiveDate,
) -> Result<()> {
    application::Entity::update_many()
        .col_expr(
            application::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(at(applied_on)),
        )
        .col_expr(
            application::Column::DecidedAt,
            sea_orm::sea_query::Expr::value(Some(at(opened_on))),
        )
        .filter(application::Column::Id.eq(application_id))
        .exec(&store.db)
        .await?;
    shop::Entity::update_many()
        .col_expr(
            shop::Column::OpenedAt,
            sea_orm::sea_query::Expr::value(at(opened_on)),
        )
        .filter(shop::Column::Id.eq(shop_id))
        .exec(&store.db)
        .await?;
    Ok(())
}

/// The shop's sales since it opened, completed: none, a few or more than ten; a few shops sold
/// early and then went quiet.
async fn demo_sales(
    store: &Store,
    town: &Town,
    shop_id: i64,
    variant: i64,
    opened_on: NaiveDate,
    rng: &mut StdRng,
) -> Result<()> {
    let orders = match rng.random_range(0..100) {
        0..18 => 0,
        18..62 => rng.random_range(1..10),
        _ => rng.random_range(10..16),
    };
    let open_days = (town.today - opened_on).num_days().max(1);
    // A few sold early and then went quiet.
    let quiet = rng.random_bool(0.15);
    for k in 0..orders {
        let checkout = town
            .intake
            .place(PlaceOrder {
                buyer_id: town.customers[usize::try_from(k).unwrap_or(0) % town.customers.len()],
                key: IdempotencyKey::parse(&format!("demo-graduate-{shop_id}-{k}"))
                    .map_err(config)?,
                basket: Basket::parse(&[(variant, 1 + (k % 2))]).map_err(config)?,
                delivery: Delivery::Pickup {
                    station_id: town.station,
                },
                payment: PaymentMethod::Cash,
                provider: "cash".to_owned(),
                pay_within: chrono::Duration::minutes(30),
                room_id: None,
            })
            .await
            .map_err(|e| Error::Config(format!("a demo order was refused: {e:?}")))?;
        let span = if quiet { open_days.min(20) } else { open_days };
        let day =
            opened_on + Days::new(u64::try_from(rng.random_range(0..span.max(1))).unwrap_or(0));
        for placed in checkout.orders {
            order::Entity::update_many()
                .col_expr(
                    order::Column::PlacedAt,
                    sea_orm::sea_query::Expr::value(at(day)),
                )
                .col_expr(
                    order::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(at(day)),
                )
                .col_expr(
                    order::Column::Status,
                    sea_orm::sea_query::Expr::value(OrderStatus::Completed.as_str()),
                )
                .filter(order::Column::Id.eq(placed.id))
                .exec(&store.db)
                .await?;
        }
    }
    Ok(())
}
