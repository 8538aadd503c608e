//! Tekes' showroom (issue 19): "well-packaged soaps, bottles of lavender oils, dairy puffs, dried
//! apricots, nuts ... for tourists to purchase", all of which can also be ordered online. The
//! county's centre keeps the showroom; Tekes' shops keep goods on its shelves (sent from their
//! stores and received, online too). Four months of till sessions, busier in the tourist summer,
//! each sale placed through the intake as a counter sale and kept by the till, each day closed
//! with the cash counted (now and then a few yuan short, with its reason). Today's session is
//! open with a few sales and one the showroom could not fill, waiting for the cashier.

use chrono::{DateTime, Datelike, Duration, Utc};
use farmgate_domain::catalog::places::PlaceKind;
use farmgate_domain::centre::till::TillPayment;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
use farmgate_domain::text::Texts;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::catalog::{NewTransfer, PlaceDetails, Product};
use crate::centre::entity::{sale, session};
use crate::centre::{NewTillSale, TillLine, TillOutcome};
use crate::orders::{Delivery, IntakeError, OrderIntake, PlaceOrder};
use crate::{Error, Result, Store};

/// Units of each item a shop keeps on the showroom's shelf, topped up when it runs low.
const SHELF: i64 = 12;

/// A small deterministic generator: the demo is the same on every machine.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Sales on a day of `month`: tourists come in summer.
fn sales_in(month: u32) -> u64 {
    match month {
        7 | 8 => 9,
        6 | 9 => 6,
        5 | 10 => 4,
        _ => 2,
    }
}

fn bad(e: farmgate_domain::ValidationError) -> Error {
    Error::Config(e.to_string())
}

/// The showroom's shelf: (shop, variant, price) of every listed item of its shops.
type Shelf = Vec<(i64, i64, Fen)>;

impl Store {
    /// Loads Tekes' showroom and its till's last `days` days (once): how many till sales.
    pub async fn load_demo_showroom(&self, now: DateTime<Utc>, days: i64) -> Result<u64> {
        let tekes = self.region_by_code("tekes").await?;
        if self
            .stock_places(tekes.id)
            .await?
            .iter()
            .any(|p| p.kind == PlaceKind::Showroom)
        {
            return Ok(0);
        }
        let Some(cashier) = self.demo_login("tekes-centre").await? else {
            return Ok(0);
        };
        let place = self
            .add_stock_place(
                tekes.id,
                PlaceDetails {
                    kind: PlaceKind::Showroom,
                    names: Texts::new(
                        Some("特克斯县电商公共服务中心展厅".to_owned()),
                        Some("تېكەس ناھىيەلىك ئېلېكترونلۇق سودا مەركىزى كۆرگەزمە زالى".to_owned()),
                        Some("Tekes e-commerce centre showroom".to_owned()),
                    ),
                    station_id: None,
                    depot_id: None,
                },
                cashier,
            )
            .await?
            .id;
        let shelf = self.demo_shelf(place, cashier).await?;
        if shelf.is_empty() {
            return Ok(0);
        }
        let intake = OrderIntake::start(self.clone());
        let mut dice = Dice(19);
        let mut sold = 0;
        for back in (1..=days).rev() {
            let day = now - Duration::days(back);
            // Closed on Mondays.
            if day.weekday() == chrono::Weekday::Mon {
                continue;
            }
            let sales = sales_in(day.month()) + dice.below(3);
            sold += self
                .demo_till_day(&intake, (place, cashier), &shelf, (day, sales), &mut dice)
                .await?;
        }
        sold += self
            .demo_till_today(&intake, (place, cashier), &shelf, now, &mut dice)
            .await?;
        Ok(sold)
    }

    async fn demo_login(&self, login: &str) -> Result<Option<i64>> {
        let login =
            farmgate_domain::accounts::LoginId::parse(login).map_err(|_| Error::NotFound)?;
        Ok(self.account_by_login(&login).await?.map(|a| a.id))
    }

    /// Tekes' shops keep their goods at the showroom (online too): sent and received.
    async fn demo_shelf(&self, place: i64, by: i64) -> Result<Shelf> {
        let tekes = self.region_by_code("tekes").await?;
        let villages: Vec<i64> = self
            .regions_under(&tekes.path, farmgate_domain::regions::RegionLevel::Village)
            .await?
            .iter()
            .map(|r| r.id)
            .collect();
        let mut shelf = Vec::new();
        // The seed's goods first: the lavender workshop's oils, soaps, dairy puffs, apricots
        // and nuts; then a few graduates' shops.
        let mut shops = Vec::new();
        for shop in self.shops_in_villages(&villages).await? {
            let products: Vec<Product> = self.products_of_shop(shop.id).await?;
            shops.push((products.len(), shop.id, products));
        }
        shops.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, shop_id, products) in shops.into_iter().take(4) {
            let listed: Vec<(i64, Fen)> = products
                .iter()
                .filter(|p| p.status == farmgate_domain::catalog::ProductStatus::Listed)
                .flat_map(|p| p.variants.iter().map(|v| (v.id, v.spec.price)))
                .filter(|(_, price)| price.0 > 0)
                .take(5)
                .collect();
            if listed.is_empty() {
                continue;
            }
            self.join_stock_place(shop_id, place, true, by).await?;
            for &(variant, price) in &listed {
                shelf.push((shop_id, variant, price));
            }
        }
        Ok(shelf)
    }

    /// What the shelf holds of `variant`, topped up from the shop's store when it runs low.
    async fn demo_top_up(&self, place: i64, (shop, variant): (i64, i64), by: i64) -> Result<()> {
        let there: i64 = self
            .placed_units(Some(shop), Some(place))
            .await?
            .iter()
            .filter(|u| u.variant_id == variant)
            .map(|u| u.quantity)
            .sum();
        if there >= 3 {
            return Ok(());
        }
        let stock = self.variant(variant).await?;
        if stock.spec.stock - stock.away_online < SHELF {
            self.demo_restock(variant).await?;
        }
        let sent = self
            .send_transfer(
                NewTransfer {
                    shop_id: shop,
                    from: None,
                    to: Some(place),
                    lines: &[(variant, SHELF)],
                    note: "",
                },
                by,
            )
            .await?;
        self.receive_transfer(sent.id, &[], by).await?;
        Ok(())
    }

    /// One sale of one to three items off the shelf, rung up at `at`.
    async fn demo_ring(
        &self,
        intake: &OrderIntake,
        (place, cashier, session_id): (i64, i64, i64),
        shelf: &Shelf,
        (at, dice): (DateTime<Utc>, &mut Dice),
    ) -> Result<Option<i64>> {
        let mut lines: Vec<TillLine> = Vec::new();
        for _ in 0..=dice.below(3) {
            let (shop, variant, price) = shelf[dice.below(shelf.len() as u64) as usize];
            if lines.iter().any(|l| l.variant_id == variant) {
                continue;
            }
            self.demo_top_up(place, (shop, variant), cashier).await?;
            lines.push(TillLine::rung(variant, 1 + dice.below(2) as i64, price));
        }
        let client_id = uuid::Uuid::new_v4().to_string();
        let wanted: Vec<(i64, i64)> = lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        let placed = intake
            .place(PlaceOrder {
                buyer_id: cashier,
                key: IdempotencyKey::parse(&client_id).map_err(bad)?,
                basket: Basket::parse(&wanted).map_err(bad)?,
                delivery: Delivery::Counter { place_id: place },
                payment: PaymentMethod::Cash,
                provider: "cash".to_owned(),
                pay_within: Duration::minutes(30),
                room_id: None,
            })
            .await;
        let checkout = match placed {
            Ok(checkout) => checkout,
            Err(IntakeError::Store(err)) => return Err(err),
            Err(_) => return Ok(None),
        };
        let charged =
            Fen::checked_sum(lines.iter().filter_map(TillLine::amount)).unwrap_or_default();
        let paid_by = if dice.below(3) == 0 {
            TillPayment::Cash
        } else {
            TillPayment::Code
        };
        let kept = self
            .record_till_sale(
                NewTillSale {
                    session_id,
                    client_id: &client_id,
                    rung_at: at,
                    paid_by,
                    charged,
                    lines: &lines,
                },
                TillOutcome::Placed {
                    checkout_id: checkout.checkout_id.clone(),
                },
            )
            .await?;
        for order in &checkout.orders {
            self.date_order(order.id, at).await?;
        }
        sale::Entity::update_many()
            .col_expr(sale::Column::ReceivedAt, Expr::value(at))
            .filter(sale::Column::Id.eq(kept.id))
            .exec(&self.db)
            .await?;
        Ok(Some(kept.id))
    }

    /// A day of the till: opened at ten with ¥200, `sales` sales, closed at six with the cash
    /// counted (one day in nine five yuan short).
    async fn demo_till_day(
        &self,
        intake: &OrderIntake,
        (place, cashier): (i64, i64),
        shelf: &Shelf,
        (day, sales): (DateTime<Utc>, u64),
        dice: &mut Dice,
    ) -> Result<u64> {
        let opened_at = day
            .date_naive()
            .and_hms_opt(2, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let session = self.open_till_session(place, Fen(20_000), cashier).await?;
        let mut sold = 0;
        for n in 0..sales {
            let at = opened_at + Duration::minutes(20 + 45 * n as i64);
            if self
                .demo_ring(intake, (place, cashier, session.id), shelf, (at, dice))
                .await?
                .is_some()
            {
                sold += 1;
            }
        }
        let expected = self.demo_expected(session.id).await?;
        let (counted, note) = if dice.below(9) == 0 {
            (Fen(expected.0 - 500), "找零多给了五元")
        } else {
            (expected, "")
        };
        self.close_till_session(session.id, counted, note, cashier)
            .await?;
        session::Entity::update_many()
            .col_expr(session::Column::OpenedAt, Expr::value(opened_at))
            .col_expr(
                session::Column::ClosedAt,
                Expr::value(opened_at + Duration::hours(8)),
            )
            .filter(session::Column::Id.eq(session.id))
            .exec(&self.db)
            .await?;
        Ok(sold)
    }

    async fn demo_expected(&self, session_id: i64) -> Result<Fen> {
        let sales = self.till_sales(session_id).await?;
        let cash = sales
            .iter()
            .filter(|s| s.paid_by == TillPayment::Cash)
            .map(|s| s.charged);
        Ok(Fen::checked_sum(cash)
            .and_then(|c| c.checked_add(Fen(20_000)))
            .unwrap_or_default())
    }

    /// Today: the till open since ten, three sales, and one the showroom could not fill (the
    /// last jar sold online while the till was offline), waiting for the cashier to settle.
    async fn demo_till_today(
        &self,
        intake: &OrderIntake,
        (place, cashier): (i64, i64),
        shelf: &Shelf,
        now: DateTime<Utc>,
        dice: &mut Dice,
    ) -> Result<u64> {
        let session = self.open_till_session(place, Fen(20_000), cashier).await?;
        let mut sold = 0;
        for n in 0..3 {
            let at = now - Duration::minutes(90 - 25 * n);
            if self
                .demo_ring(intake, (place, cashier, session.id), shelf, (at, dice))
                .await?
                .is_some()
            {
                sold += 1;
            }
        }
        let (_, variant, price) = shelf[0];
        let there: i64 = self
            .placed_units(None, Some(place))
            .await?
            .iter()
            .filter(|u| u.variant_id == variant)
            .map(|u| u.quantity)
            .sum();
        let lines = [TillLine::rung(variant, there + 1, price)];
        let charged = lines[0].amount().unwrap_or_default();
        self.record_till_sale(
            NewTillSale {
                session_id: session.id,
                client_id: "demo-tekes-offline-sale-1",
                rung_at: now - Duration::minutes(10),
                paid_by: TillPayment::Cash,
                charged,
                lines: &lines,
            },
            TillOutcome::Short {
                variant_id: variant,
            },
        )
        .await?;
        Ok(sold + 1)
    }
}
