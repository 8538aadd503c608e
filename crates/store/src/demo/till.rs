//! Two months at the demo operators' stations: villagers' purchases (a radio, a rice cooker,
//! school bags, cotton seed from Kuqa's supply co-op) placed through the intake, recorded in
//! the till, shipped, received and handed over with the slip's code, each dated back to its
//! day; and the days closed one after another (the cash counted, now and then five yuan short
//! with its reason, handed to the centre on Mondays). Yesterday is left for the operator to
//! close, and a few days in the past were never closed, so the ledger shows both. The
//! county's produce shop has its buying prices, and two growers' produce was taken in.

use chrono::{Datelike, Duration, Utc};
use farmgate_domain::accounts::{DisplayName, LoginId, PhoneNumber};
use farmgate_domain::authz::Role;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Basket, IdempotencyKey, OrderEvent, PaymentMethod};
use farmgate_domain::stations::till::{CashKind, Closing, LedgerDay};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::DEMO_ACCOUNTS;
use crate::orders::{Delivery, OrderIntake, PlaceOrder};
use crate::stations::Villager;
use crate::stations::entity::{cash, day, villager_order};
use crate::{Error, Result, Store};

/// Days of the demo's ledger.
const DAYS: i64 = 60;

/// Villagers who buy through their station: (name, phone if they have one).
const VILLAGERS: &[(&str, Option<&str>)] = &[
    ("阿依古丽·买买提", None),
    ("吐尔逊·托合提", Some("13899990101")),
    ("热依拉", None),
    ("艾力·玉苏甫", Some("13899990102")),
    ("帕提古丽", None),
    ("努尔兰", None),
];

fn bad(e: farmgate_domain::ValidationError) -> Error {
    Error::Config(e.to_string())
}

impl Store {
    /// Loads the operators' two months of villagers' purchases and closed days (once): how
    /// many purchases.
    pub async fn load_demo_till(&self) -> Result<u64> {
        if villager_order::Entity::find()
            .one(&self.db)
            .await?
            .is_some()
        {
            return Ok(0);
        }
        let goods = self.demo_countryside_goods().await?;
        if goods.is_empty() {
            return Ok(0);
        }
        let intake = OrderIntake::start(self.clone());
        let mut bought = 0;
        for account in DEMO_ACCOUNTS {
            for (role, code) in account.grants {
                if *role != Role::StationOperator {
                    continue;
                }
                let operator = self
                    .account_by_login(&LoginId::parse(account.login).map_err(bad)?)
                    .await?
                    .ok_or(Error::NotFound)?;
                let area = self.region_by_code(code).await?;
                let Some(station) = self.stations_within(&area.path).await?.into_iter().next()
                else {
                    continue;
                };
                bought += self
                    .demo_purchases(&intake, operator.id, station.id, &goods)
                    .await?;
                self.demo_closings(operator.id, station.id).await?;
                self.demo_produce(operator.id, station.id).await?;
            }
        }
        Ok(bought)
    }

    /// The county's produce shop sets its buying prices, and the station took in two growers'
    /// produce for it this week: Qiongkushitai's apricots at Kokesu, Korla's pears at Saibag.
    async fn demo_produce(&self, operator: i64, station: i64) -> Result<()> {
        use crate::stations::NewConsignment;
        use farmgate_domain::stations::produce::Grade;
        let here = self.station(station).await?;
        let (owner, product, village) = match here.code.as_str() {
            "tekes-kuokesu" => ("tekes-seller", "琼库什台杏干", "tekes-qiongkushitai"),
            "korla-saibag" => ("saibag-seller", "库尔勒香梨", "korla-saibag"),
            _ => return Ok(()),
        };
        let Some(account) = self
            .account_by_login(&LoginId::parse(owner).map_err(bad)?)
            .await?
        else {
            return Ok(());
        };
        let Some(shop) = self.shops_of_member(account.id).await?.into_iter().next() else {
            return Ok(());
        };
        let Some(variant) = self
            .products_of_shop(shop.id)
            .await?
            .into_iter()
            .find(|p| {
                p.text(farmgate_domain::lang::Language::ZhCn)
                    .is_some_and(|(t, _)| t.name == product)
            })
            .and_then(|p| p.variants.first().map(|v| v.id))
        else {
            return Ok(());
        };
        for (grade, yuan) in [
            (Grade::First, 1600),
            (Grade::Second, 1200),
            (Grade::Third, 800),
        ] {
            self.set_produce_price(shop.id, variant, grade, Some(Fen(yuan)))
                .await?;
        }
        let village = self.region_by_code(village).await?;
        for (k, (grams, grade, shown)) in
            [(12_500, Grade::First, true), (8_000, Grade::Second, false)]
                .into_iter()
                .enumerate()
        {
            let (name, phone) = VILLAGERS[(k + 2) % VILLAGERS.len()];
            self.take_in_produce(
                &NewConsignment {
                    station_id: station,
                    variant_id: variant,
                    grade,
                    grams,
                    grower_name: DisplayName::parse(name).map_err(bad)?,
                    grower_phone: phone.map(PhoneNumber::parse).transpose().map_err(bad)?,
                    name_shown: shown,
                    village_id: village.id,
                    harvested_on: Some((Utc::now() - Duration::days(20 + k as i64)).date_naive()),
                },
                operator,
            )
            .await?;
        }
        Ok(())
    }

    /// The variants of the goods villagers buy through stations.
    async fn demo_countryside_goods(&self) -> Result<Vec<i64>> {
        let Some(owner) = self
            .account_by_login(&LoginId::parse("kuqa-supply").map_err(bad)?)
            .await?
        else {
            return Ok(Vec::new());
        };
        let Some(shop) = self.shops_of_member(owner.id).await?.into_iter().next() else {
            return Ok(Vec::new());
        };
        Ok(self
            .products_of_shop(shop.id)
            .await?
            .iter()
            .filter_map(|p| p.variants.first().map(|v| v.id))
            .collect())
    }

    /// A purchase every day or two over the last `DAYS`, each walked as far as its age allows:
    /// older ones collected, the last two days' still on their way.
    async fn demo_purchases(
        &self,
        intake: &OrderIntake,
        operator: i64,
        station: i64,
        goods: &[i64],
    ) -> Result<u64> {
        let mut made = 0;
        for age in (1..=DAYS).rev() {
            // A quiet day now and then; the last two days were busy (a day to close, two
            // parcels on their way).
            if age > 2 && (age + station) % 4 == 3 {
                continue;
            }
            let k = usize::try_from(age + station).unwrap_or(0);
            let (name, phone) = VILLAGERS[k % VILLAGERS.len()];
            let variant = goods[k % goods.len()];
            if self.variant_stock(variant).await? < 2 {
                self.demo_restock(variant).await?;
            }
            let placed = intake
                .place(PlaceOrder {
                    buyer_id: operator,
                    key: IdempotencyKey::parse(&format!("demo-villager-{station}-{age}"))
                        .map_err(bad)?,
                    basket: Basket::parse(&[(variant, 1 + (age % 2))]).map_err(bad)?,
                    delivery: Delivery::Pickup {
                        station_id: station,
                    },
                    payment: PaymentMethod::Cash,
                    provider: "cash".to_owned(),
                    pay_within: Duration::minutes(30),
                    room_id: None,
                })
                .await
                .map_err(|e| Error::Config(format!("a demo purchase was refused: {e}")))?;
            let villager = Villager {
                name: DisplayName::parse(name).map_err(bad)?,
                phone: phone.map(PhoneNumber::parse).transpose().map_err(bad)?,
            };
            let ids: Vec<i64> = placed.orders.iter().map(|o| o.id).collect();
            self.record_villager_orders(station, operator, &villager, &ids)
                .await?;
            for order in &placed.orders {
                let (seller, grams) = self.demo_packer(order).await?;
                let mut steps = vec![
                    (
                        OrderEvent::Pack {
                            packed_grams: grams,
                        },
                        seller,
                    ),
                    (OrderEvent::Ship, seller),
                ];
                if age > 2 {
                    steps.push((OrderEvent::MarkReadyForPickup, operator));
                    steps.push((OrderEvent::PickUp, operator));
                }
                for (step, actor) in steps {
                    self.advance_order(order.id, step, actor, None).await?;
                }
                let morning = Utc::now() - Duration::days(age) - Duration::hours(2);
                self.date_order(order.id, morning).await?;
                made += 1;
            }
        }
        Ok(made)
    }

    /// Closes the station's days from the oldest to the day before yesterday, each in the
    /// evening: the count matches, or (every eleventh day) is five yuan short with its reason;
    /// on Mondays the cash goes to the centre. Every ninth day was never closed.
    async fn demo_closings(&self, operator: i64, station: i64) -> Result<()> {
        let today = LedgerDay::of(Utc::now());
        let mut d = today;
        for _ in 0..DAYS {
            d = d.previous();
        }
        let mut n = 0;
        while d < today.previous() {
            n += 1;
            if n % 9 == 0 {
                d = d.next();
                continue;
            }
            let expected = self.till_balance(station, d).await?;
            let counted = if n % 11 == 0 && expected.0 >= 500 {
                Fen(expected.0 - 500)
            } else {
                expected
            };
            let monday = d.date().weekday() == chrono::Weekday::Mon;
            let closing = Closing {
                counted,
                handed_in: if monday { counted } else { Fen(0) },
                explanation: (counted != expected).then(|| "找零多给了五块".to_owned()),
            };
            self.close_day(station, d, &closing, operator).await?;
            self.date_closing(station, d).await?;
            d = d.next();
        }
        Ok(())
    }

    /// Moves the closing of `d` (and the cash it moved) to that day's evening, 20:00 in China.
    async fn date_closing(&self, station: i64, d: LedgerDay) -> Result<()> {
        let (start, _) = d.bounds();
        let at = start + Duration::hours(20);
        day::Entity::update_many()
            .col_expr(day::Column::ClosedAt, Expr::value(at))
            .filter(day::Column::StationId.eq(station))
            .filter(day::Column::Day.eq(d.to_string()))
            .exec(&self.db)
            .await?;
        cash::Entity::update_many()
            .col_expr(cash::Column::At, Expr::value(at))
            .filter(cash::Column::StationId.eq(station))
            .filter(cash::Column::Day.eq(d.to_string()))
            .filter(
                cash::Column::Kind
                    .is_in([CashKind::Difference.as_str(), CashKind::HandedIn.as_str()]),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
