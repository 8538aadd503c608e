//! Beijie, Jincheng's first Taobao village (seed 004): "sales from online stores in Beijie
//! village exceeded 10 million yuan". The demo gives the village its villagers' own shops
//! (opened over the years since the county's training) and two years of their orders, written
//! in bulk, so the statistics and the Taobao-village page read a village that qualifies. The
//! orders come from buyers across the country, gathered under one account that never signs in.

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::lang::Language;
use sea_orm::{ActiveModelTrait, Set};

use super::catalog::DemoProduct;
use crate::accounts::NewAccount;
use crate::{Error, Result, Store};
use farmgate_domain::catalog::Unit;

const BEIJIE: &str = "zezhou-beijie";
/// The households the demo gives Beijie: 36 active shops are a tenth of them.
const HOUSEHOLDS: i64 = 352;
/// Two years of orders averaging about ¥170 (one in 15 called off or refunded): about ¥11
/// million a year.
const ORDERS: u64 = 140_000;

const FAMILIES: [&str; 12] = [
    "周", "王", "李", "张", "赵", "郭", "牛", "程", "崔", "段", "申", "常",
];
/// What the villagers sell (Zezhou's millet, hawthorn and day-lilies).
const GOODS: [DemoProduct; 3] = [
    DemoProduct {
        zh: "农家小米",
        ug: "دېھقان تېرىقى",
        en: "Farm millet",
        category: "grains",
        unit: Unit::Bag,
        net_grams: Some(2500),
        price_fen: 3600,
        stock: 300,
        tags: &[],
        story: "太行山上的谷子，自家碾的小米。",
    },
    DemoProduct {
        zh: "山楂干",
        ug: "قۇرۇتۇلغان دولانە",
        en: "Dried hawthorn",
        category: "dried-fruit",
        unit: Unit::Bag,
        net_grams: Some(500),
        price_fen: 2800,
        stock: 300,
        tags: &[],
        story: "",
    },
    DemoProduct {
        zh: "黄花菜",
        ug: "سېرىق گۈل كۆكتات",
        en: "Dried day-lily buds",
        category: "fresh-produce",
        unit: Unit::Bag,
        net_grams: Some(500),
        price_fen: 4200,
        stock: 300,
        tags: &[],
        story: "",
    },
];

impl Store {
    /// Beijie's villagers' shops and their two years of orders; nothing when they are there.
    /// Returns the orders written.
    pub async fn load_demo_beijie(&self, now: DateTime<Utc>) -> Result<u64> {
        use crate::shops::entity::shop;
        let login = LoginId::parse("beijie-buyers").map_err(|e| Error::Config(e.to_string()))?;
        if self.account_by_login(&login).await?.is_some() {
            return Ok(0);
        }
        let buyers = self
            .create_account(NewAccount {
                login,
                display_name: DisplayName::parse("全国各地的买家")
                    .map_err(|e| Error::Config(e.to_string()))?,
                // No password opens it.
                password_hash: "!".to_owned(),
                language: Language::ZhCn,
            })
            .await?;
        let beijie = self.region_by_code(BEIJIE).await?;
        let categories = self.categories().await?;
        let mut shops = Vec::new();
        for (n, (family, goods)) in FAMILIES
            .iter()
            .flat_map(|f| GOODS.iter().map(move |g| (f, g)))
            .enumerate()
        {
            let row = shop::ActiveModel {
                name: Set(format!("北街{family}家{}", goods.zh)),
                kind: Set("farmer".to_owned()),
                village_id: Set(beijie.id),
                phone: Set(format!("1390999{:04}", 1000 + n)),
                story: Set(String::new()),
                status: Set("open".to_owned()),
                // Opened over the year before the orders begin, after the county's training.
                opened_at: Set(now - Duration::days(1_100 - 10 * n as i64)),
                ..Default::default()
            }
            .insert(&self.db)
            .await?;
            self.demo_product(row.id, goods, &beijie, &categories)
                .await?;
            shops.push(row.id);
        }
        let root = self
            .region_root()
            .await?
            .ok_or_else(|| Error::Config("no regions".into()))?;
        let (_, places) = self.shops_and_villages_under(&root.path).await?;
        let written = self
            .load_bench_orders(
                (buyers.id, &shops, &places),
                ORDERS,
                (now - Duration::days(730), now - Duration::days(1)),
                &|_| {},
            )
            .await?;
        let admin = self
            .account_by_login(&LoginId::parse("admin").map_err(|e| Error::Config(e.to_string()))?)
            .await?
            .ok_or_else(|| Error::Config("the demo administrator".into()))?;
        self.set_village_households(&beijie, Some(HOUSEHOLDS), admin.id)
            .await?;
        Ok(written)
    }
}
