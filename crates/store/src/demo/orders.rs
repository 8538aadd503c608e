//! A year of life for the seed shops: orders placed through the real intake by demo buyers
//! who live in the seeds' counties (each picks up at a station of their own county or has the
//! parcel brought home), in the seasons their goods sell (fresh fruit in summer, walnuts, red
//! dates and dried fruit in autumn, gift boxes before the Spring Festival), each walked through
//! the real steps (paid, packed, shipped, ready or delivered, collected, completed), some
//! refunded (asked, answered, paid back), many reviewed. The intake and the steps write with
//! the time of day they run; the demo then moves each order's times back to its day in the
//! year, so timelines, lists and figures read like a year that happened.

use chrono::{DateTime, Datelike, Duration, Utc};
use farmgate_domain::accounts::{DisplayName, LoginId, PhoneNumber};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::notifications::NoticeKind;
use farmgate_domain::orders::refund::RefundReason;
use farmgate_domain::orders::review::ReviewText;
use farmgate_domain::orders::{Basket, IdempotencyKey, OrderEvent, PaymentMethod};
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::till::CashKind;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::accounts::NewAccount;
use crate::notifications::entity::notice;
use crate::orders::entity::{event, order, payment, refund_request, review};
use crate::orders::{Answerer, Delivery, Order, OrderIntake, PlaceOrder, RefundAnswer, RefundAsk};
use crate::stations::entity::parcel;
use crate::{Error, Result, Store};

/// What a year of demo life added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoLife {
    pub buyers: u64,
    pub orders: u64,
    pub refunds: u64,
    pub reviews: u64,
}

/// The demo's buyers: a name each, and where in the seeds' counties they live.
const BUYERS: &[&str] = &[
    "王芳",
    "李娜",
    "张伟",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周杰",
    "吴敏",
    "徐强",
    "孙悦",
    "马超",
    "朱琳",
    "胡斌",
    "郭婷",
    "何勇",
    "高洁",
    "林涛",
    "罗欣",
    "阿依古丽",
    "买买提",
    "古丽娜尔",
    "艾力",
    "热依拉",
    "努尔兰",
    "帕提古丽",
    "吐尔逊",
    "迪丽娜尔",
    "阿布都",
    "米娜",
    "沙吾提",
];

/// Where the first buyers live: streets of cities far from the seeds' counties (home delivery;
/// no station of theirs is near).
const CITY_STREETS: &[&str] = &[
    "shanghai-zhangjiang",
    "beijing-wangjing",
    "guangzhou-shipai",
    "chengdu-yulin",
    "hangzhou-wenxin",
];
/// How many of the buyers live in those cities (two in each).
const CITY_BUYERS: usize = 10;

/// The buyers from this one on (in `BUYERS`) use FarmGate in Uyghur.
const UYGHUR_FROM: usize = 20;

/// How many orders each month brings for a kind of goods (January first).
fn season(category: &str) -> [u32; 12] {
    match category {
        "fresh-produce" => [0, 0, 0, 0, 1, 4, 6, 6, 4, 1, 0, 0],
        "nuts" | "dried-fruit" => [5, 2, 1, 1, 1, 1, 1, 2, 4, 6, 5, 3],
        "honey" => [3, 2, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
        "dairy" | "naan-baked" => [2, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2],
        // Goods into the countryside are bought through the stations (`demo::till`).
        "appliances" | "daily-goods" | "farm-supplies" => [0; 12],
        _ => [3, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2],
    }
}

const REVIEWS_ZH: &[(i64, &str)] = &[
    (5, "很新鲜，包装也结实，家里人都说好吃。"),
    (5, "第二次买了，和上次一样好，服务站取货很方便。"),
    (4, "味道不错，就是快递慢了两天。"),
    (5, "老家的味道，给爸妈也订了一份。"),
    (3, "还可以，个头大小不太一样。"),
    (5, "价格实在，店主人很热情，有问必答。"),
];
const REVIEWS_UG: &[(i64, &str)] = &[
    (5, "ناھايىتى يېڭى، ئوراپ قاچىلىشىمۇ پۇختا ئىكەن."),
    (5, "پونكىتتىن ئېلىش قولاي بولدى، رەھمەت."),
    (4, "تەمى ياخشى، پەقەت سەل كېچىكىپ كەلدى."),
];

/// A small deterministic generator: the same demo every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A demo buyer and the way they receive parcels.
pub(super) struct Buyer {
    pub(super) id: i64,
    /// A station in their county, when there is one and they prefer to pick up.
    station: Option<i64>,
    pub(super) village: i64,
    pub(super) name: String,
    /// Reads and writes Uyghur (their reviews are in Uyghur).
    uyghur: bool,
}

impl Store {
    /// Adds a year of orders for the seed shops, `progress(done, total)` as it goes. Runs once:
    /// a database that has demo orders is left alone.
    pub async fn load_demo_orders(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<DemoLife> {
        let done_before = order::Entity::find()
            .filter(order::Column::IdempotencyKey.starts_with("demo-life-"))
            .one(&self.db)
            .await?;
        if done_before.is_some() {
            return Ok(DemoLife::default());
        }
        let mut life = DemoLife::default();
        let buyers = self.demo_buyers(&mut life).await?;
        let plan = self.demo_plan(&buyers).await?;
        let intake = OrderIntake::start(self.clone());
        let total = plan.len() as u64;
        let mut dice = Dice(20_261_130);
        let mut variants: Vec<i64> = plan.iter().map(|p| p.2).collect();
        variants.sort_unstable();
        variants.dedup();
        for (n, planned) in plan.into_iter().enumerate() {
            self.live_one(&intake, &buyers, planned, n, &mut dice, &mut life)
                .await?;
            progress(n as u64 + 1, total);
        }
        self.demo_rooms(&intake, &buyers, &mut life).await?;
        self.demo_waiting_work(&intake, &buyers, &variants, &mut life)
            .await?;
        Ok(life)
    }

    /// Huixian's walnut room: one session held this morning (viewers, chat, orders: its
    /// results page has something to show) and the next one scheduled for tomorrow evening.
    async fn demo_rooms(
        &self,
        intake: &OrderIntake,
        buyers: &[Buyer],
        life: &mut DemoLife,
    ) -> Result<()> {
        use crate::live::NewRoom;
        use farmgate_domain::live::{ChatText, RoomEvent};
        let bad = |e: farmgate_domain::ValidationError| Error::Config(e.to_string());
        let Some(host) = self
            .account_by_login(&LoginId::parse("huixian-host").map_err(bad)?)
            .await?
        else {
            return Ok(());
        };
        let Some(shop) = self.shops_of_member(host.id).await?.into_iter().next() else {
            return Ok(());
        };
        let Some(walnuts) = self.products_of_shop(shop.id).await?.into_iter().next() else {
            return Ok(());
        };
        let variant = walnuts.variants[0].id;
        let now = Utc::now();
        let room = |title_zh: &str, title_ug: &str, starts_at| NewRoom {
            host_id: host.id,
            region_id: shop.village_id,
            title_zh: title_zh.to_owned(),
            title_ug: Some(title_ug.to_owned()),
            title_en: None,
            starts_at,
            shop_ids: vec![shop.id],
        };
        let held = self
            .schedule_room(room(
                "徽县新核桃上市直播",
                "خۇيشيەن يېڭى ياڭاق بازارغا چىقتى",
                now - Duration::hours(3),
            ))
            .await?;
        self.pin(held.id, variant, Some(Fen(3200))).await?;
        self.move_room(held.id, RoomEvent::Start).await?;
        let viewers: Vec<String> = (0..40).map(|n| format!("demo-viewer-{n}")).collect();
        self.record_viewers(held.id, &viewers).await?;
        for (n, line) in [
            "今年的核桃皮薄吗？",
            "已下单，给老家寄一箱",
            "主播讲得好，支持徽县！",
        ]
        .iter()
        .enumerate()
        {
            let text = ChatText::parse(line).map_err(bad)?;
            self.post_message(held.id, buyers[n].id, Language::ZhCn, &text)
                .await?;
        }
        for (n, buyer) in buyers.iter().take(12).enumerate() {
            let placed = intake
                .place(PlaceOrder {
                    buyer_id: buyer.id,
                    key: IdempotencyKey::parse(&format!("demo-room-{n:04}")).map_err(bad)?,
                    basket: Basket::parse(&[(variant, 1 + (n % 2) as i64)]).map_err(bad)?,
                    delivery: match buyer.station {
                        Some(station_id) => Delivery::Pickup { station_id },
                        None => Delivery::Pickup {
                            station_id: self.demo_any_station().await?,
                        },
                    },
                    payment: PaymentMethod::Cash,
                    provider: "cash".to_owned(),
                    pay_within: Duration::minutes(30),
                    room_id: Some(held.id),
                })
                .await
                .map_err(|e| Error::Config(format!("a demo room order was refused: {e}")))?;
            life.orders += placed.orders.len() as u64;
        }
        self.move_room(held.id, RoomEvent::End).await?;
        let tomorrow = (now + Duration::days(1)).date_naive();
        let evening = tomorrow
            .and_hms_opt(12, 0, 0)
            .map_or(now + Duration::days(1), |at| at.and_utc());
        self.schedule_room(room(
            "陇南秋收：核桃、花椒和橄榄油",
            "لۇڭنەن كۈزلۈك ھوسۇلى: ياڭاق، قىزىل مۇچ ۋە زەيتۇن يېغى",
            evening,
        ))
        .await?;
        Ok(())
    }

    async fn demo_any_station(&self) -> Result<i64> {
        let root = self.region_root().await?.ok_or(Error::NotFound)?;
        self.stations_within(&root.path)
            .await?
            .first()
            .map(|s| s.id)
            .ok_or(Error::NotFound)
    }

    async fn demo_buyers(&self, life: &mut DemoLife) -> Result<Vec<Buyer>> {
        let bad = |e: farmgate_domain::ValidationError| Error::Config(e.to_string());
        let hash = self
            .account_by_login(&LoginId::parse("buyer").map_err(bad)?)
            .await?
            .ok_or(Error::NotFound)?
            .password_hash;
        let regions = self.all_regions().await?;
        let villages: Vec<_> = regions
            .iter()
            .filter(|r| r.level == RegionLevel::Village)
            .collect();
        let root = self.region_root().await?.ok_or(Error::NotFound)?;
        let stations = self.stations_within(&root.path).await?;
        let mut buyers = Vec::new();
        for (n, name) in BUYERS.iter().enumerate() {
            let street = match CITY_STREETS.get(n % CITY_STREETS.len()) {
                Some(code) if n < CITY_BUYERS => regions.iter().find(|r| r.code.as_str() == *code),
                _ => None,
            };
            let village = street.unwrap_or(villages[(n * 7) % villages.len()]);
            let county = regions
                .iter()
                .find(|r| r.level == RegionLevel::County && r.path.contains(&village.path));
            let near = stations.iter().find(|s| {
                let at = regions.iter().find(|r| r.id == s.region_id);
                matches!((county, at), (Some(c), Some(at)) if c.path.contains(&at.path))
            });
            let login = LoginId::parse(&format!("demo-buyer-{n:02}")).map_err(bad)?;
            let account = match self.account_by_login(&login).await? {
                Some(account) => account,
                None => {
                    life.buyers += 1;
                    self.create_account(NewAccount {
                        login,
                        display_name: DisplayName::parse(name).map_err(bad)?,
                        password_hash: hash.clone(),
                        language: if n >= 20 {
                            Language::Ug
                        } else {
                            Language::ZhCn
                        },
                    })
                    .await?
                }
            };
            buyers.push(Buyer {
                id: account.id,
                station: near.filter(|_| n % 3 != 0).map(|s| s.id),
                village: village.id,
                name: (*name).to_owned(),
                uyghur: n >= UYGHUR_FROM,
            });
        }
        Ok(buyers)
    }

    /// Every order of the year: (day, buyer index, variant, quantity), oldest first.
    async fn demo_plan(&self, buyers: &[Buyer]) -> Result<Vec<(DateTime<Utc>, usize, i64, i64)>> {
        let categories = self.categories().await?;
        let start = Utc::now() - Duration::days(365);
        let mut dice = Dice(7);
        let mut plan = Vec::new();
        for demo in super::catalog::DEMO_SHOPS {
            let bad = |e: farmgate_domain::ValidationError| Error::Config(e.to_string());
            let Some(owner) = self
                .account_by_login(&LoginId::parse(demo.owner).map_err(bad)?)
                .await?
            else {
                continue;
            };
            let Some(shop) = self.shops_of_member(owner.id).await?.into_iter().next() else {
                continue;
            };
            for product in self.products_of_shop(shop.id).await? {
                let Some(variant) = product.variants.first() else {
                    continue;
                };
                let category = categories
                    .iter()
                    .find(|c| c.id == product.category_id)
                    .map_or("", |c| c.code.as_str());
                for day in (0..365).step_by(3) {
                    let at = start
                        + Duration::days(day)
                        + Duration::minutes(dice.below(600) as i64 + 480);
                    let month = at.month0() as usize;
                    // Weights are orders a month; a slot every three days is a tenth of one.
                    if dice.below(10) < u64::from(season(category)[month]) {
                        let buyer = dice.below(buyers.len() as u64) as usize;
                        plan.push((at, buyer, variant.id, 1 + dice.below(3) as i64));
                    }
                }
            }
        }
        plan.sort_by_key(|p| p.0);
        Ok(plan)
    }

    /// Places one planned order and walks it as its shop and buyer would, then dates it.
    async fn live_one(
        &self,
        intake: &OrderIntake,
        buyers: &[Buyer],
        (at, buyer, variant, quantity): (DateTime<Utc>, usize, i64, i64),
        n: usize,
        dice: &mut Dice,
        life: &mut DemoLife,
    ) -> Result<()> {
        let who = &buyers[buyer];
        if self.variant_stock(variant).await? < quantity {
            self.demo_restock(variant).await?;
        }
        let online = dice.below(3) != 0;
        let bad = |e: farmgate_domain::ValidationError| Error::Config(e.to_string());
        let delivery = match who.station {
            Some(station_id) => Delivery::Pickup { station_id },
            None => Delivery::Home {
                region_id: who.village,
                address: format!("{}号", 10 + n % 90),
                recipient: DisplayName::parse(&who.name).map_err(bad)?,
                phone: PhoneNumber::parse(&format!("139{:08}", 10_000 + n)).map_err(bad)?,
            },
        };
        let placed = intake
            .place(PlaceOrder {
                buyer_id: who.id,
                key: IdempotencyKey::parse(&format!("demo-life-{n:06}")).map_err(bad)?,
                basket: Basket::parse(&[(variant, quantity)]).map_err(bad)?,
                delivery,
                payment: if online {
                    PaymentMethod::Online
                } else {
                    PaymentMethod::Cash
                },
                provider: if online { "sandbox" } else { "cash" }.to_owned(),
                pay_within: Duration::minutes(30),
                room_id: None,
            })
            .await
            .map_err(|e| Error::Config(format!("a demo order was refused: {e}")))?;
        life.orders += 1;
        let order = &placed.orders[0];
        if online {
            self.settle_payment(
                placed.payment.id,
                placed.payment.amount,
                &format!("SBX-demo-{n}"),
            )
            .await?;
        }
        // The last weeks' orders are still on their way; a few are cancelled unpaid.
        let age = Utc::now() - at;
        if age < Duration::days(2) {
            return self.date_order(order.id, at).await;
        }
        self.walk(order, who.station.is_some(), age).await?;
        if age > Duration::days(8) {
            self.after_sale(order, who, n, dice, life).await?;
        }
        self.date_order(order.id, at).await
    }

    pub(super) async fn demo_restock(&self, variant: i64) -> Result<()> {
        use farmgate_domain::catalog::{StockChange, StockReason};
        self.change_stock(
            variant,
            StockChange::Adjust(60),
            crate::catalog::Mover {
                reason: StockReason::Restock,
                actor_id: None,
                note: "",
            },
        )
        .await?;
        Ok(())
    }

    /// Who packs a demo order (its shop's first member) and what the parcel weighs.
    pub(super) async fn demo_packer(&self, order: &Order) -> Result<(i64, i64)> {
        let seller = self
            .shop_member_ids(order.shop_id)
            .await?
            .first()
            .copied()
            .unwrap_or(order.buyer_id);
        let grams = order
            .lines
            .iter()
            .map(|l| l.net_grams.unwrap_or(500) * i64::from(l.quantity))
            .sum::<i64>()
            .max(1);
        Ok((seller, grams))
    }

    /// The shop's and the buyer's steps, as far as an order of this age has come.
    async fn walk(&self, order: &Order, pickup: bool, age: Duration) -> Result<()> {
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
        if pickup {
            steps.push((OrderEvent::MarkReadyForPickup, seller));
            steps.push((OrderEvent::PickUp, order.buyer_id));
        } else {
            steps.push((OrderEvent::Deliver, seller));
        }
        if age > Duration::days(7) {
            steps.push((OrderEvent::Complete, order.buyer_id));
        }
        for (step, actor) in steps {
            let note = (step == OrderEvent::Ship).then(|| format!("县物流配送中心 YD{}", order.id));
            self.advance_order(order.id, step, actor, note).await?;
        }
        Ok(())
    }

    /// Some orders are reviewed; a few are refunded (in full, in part, or not).
    async fn after_sale(
        &self,
        order: &Order,
        who: &Buyer,
        n: usize,
        dice: &mut Dice,
        life: &mut DemoLife,
    ) -> Result<()> {
        let roll = dice.below(100);
        if roll < 4 {
            let reason = [
                RefundReason::Damaged,
                RefundReason::Quality,
                RefundReason::WrongItem,
            ][n % 3];
            let asked = self
                .ask_refund(RefundAsk {
                    order_id: order.id,
                    buyer_id: who.id,
                    reason,
                    note: String::new(),
                    lines: Vec::new(),
                })
                .await?;
            let seller = self.shop_member_ids(order.shop_id).await?;
            let seller = seller.first().copied().unwrap_or(who.id);
            let answer = match roll {
                0 => RefundAnswer::Decline {
                    reason: "照片上的货是好的，欢迎再联系我们。".to_owned(),
                },
                1 => RefundAnswer::Accept {
                    amount: Fen(asked.asked.0 / 2),
                },
                _ => RefundAnswer::Accept {
                    amount: asked.asked,
                },
            };
            let answered = self
                .answer_refund(asked.id, answer, Answerer::Shop(seller), Utc::now())
                .await?;
            if answered.granted.0 > 0 {
                let paid_ref = format!("SBXR-demo-{n}");
                self.refund_paid(answered.id, answered.granted, &paid_ref, None)
                    .await?;
            }
            life.refunds += 1;
        } else if roll < 45 {
            let ug = who.uyghur;
            let (stars, body) = if ug {
                REVIEWS_UG[n % REVIEWS_UG.len()]
            } else {
                REVIEWS_ZH[n % REVIEWS_ZH.len()]
            };
            let text = ReviewText::parse(stars, body).map_err(|e| Error::Config(e.to_string()))?;
            let language = if ug { Language::Ug } else { Language::ZhCn };
            let product = order.lines[0].product_id;
            self.add_review(order.id, who.id, product, &text, language)
                .await?;
            life.reviews += 1;
        }
        Ok(())
    }

    /// Moves order `id`'s times back to `placed_at`: the order, each step a little after the
    /// one before (hours to days, as parcels travel), its payment, refund and review.
    pub(super) async fn date_order(&self, id: i64, placed_at: DateTime<Utc>) -> Result<()> {
        let txn = self.begin_write().await?;
        let events = event::Entity::find()
            .filter(event::Column::OrderId.eq(id))
            .order_by_asc(event::Column::Id)
            .all(&txn)
            .await?;
        let gaps = [0, 1, 20, 26, 70, 90, 150, 160, 175, 190];
        let mut last = placed_at;
        let mut parcel_times = Vec::new();
        for (step, e) in events.iter().enumerate() {
            let at = placed_at + Duration::hours(gaps[step.min(gaps.len() - 1)]);
            last = at;
            // The station's parcel follows the order's steps (`stations::parcels`).
            let column = match e.status.as_str() {
                "shipped" => Some(parcel::Column::ExpectedAt),
                "ready_for_pickup" => Some(parcel::Column::ReceivedAt),
                "picked_up" => Some(parcel::Column::HandedAt),
                _ => None,
            };
            if let Some(column) = column {
                parcel_times.push((column, at));
            }
            event::Entity::update_many()
                .col_expr(event::Column::At, Expr::value(at))
                .filter(event::Column::Id.eq(e.id))
                .exec(&txn)
                .await?;
        }
        for &(column, at) in &parcel_times {
            if matches!(column, parcel::Column::HandedAt) {
                crate::stations::till::date_cash(&txn, id, CashKind::HandOver, at).await?;
            }
        }
        crate::stations::till::date_villager_order(&txn, id, placed_at).await?;
        for (column, at) in parcel_times {
            parcel::Entity::update_many()
                .col_expr(column, Expr::value(at))
                .filter(parcel::Column::OrderId.eq(id))
                .exec(&txn)
                .await?;
        }
        order::Entity::update_many()
            .col_expr(order::Column::PlacedAt, Expr::value(placed_at))
            .col_expr(order::Column::UpdatedAt, Expr::value(last))
            .filter(order::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let row = order::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        payment::Entity::update_many()
            .col_expr(payment::Column::CreatedAt, Expr::value(placed_at))
            .col_expr(
                payment::Column::SettledAt,
                Expr::value(placed_at + Duration::hours(1)),
            )
            .filter(payment::Column::CheckoutId.eq(row.checkout_id))
            .filter(payment::Column::SettledAt.is_not_null())
            .exec(&txn)
            .await?;
        let after = |hours| Expr::value(placed_at + Duration::hours(hours));
        refund_request::Entity::update_many()
            .col_expr(refund_request::Column::CreatedAt, after(160))
            .col_expr(refund_request::Column::DecidedAt, after(175))
            .filter(refund_request::Column::OrderId.eq(id))
            .exec(&txn)
            .await?;
        refund_request::Entity::update_many()
            .col_expr(refund_request::Column::PaidAt, after(190))
            .filter(refund_request::Column::OrderId.eq(id))
            .filter(refund_request::Column::PaidAt.is_not_null())
            .exec(&txn)
            .await?;
        review::Entity::update_many()
            .col_expr(review::Column::CreatedAt, after(170))
            .filter(review::Column::OrderId.eq(id))
            .exec(&txn)
            .await?;
        // The shop read its notice of an order long past; the last days' are still new.
        let seen =
            (Utc::now() - placed_at > Duration::days(2)).then(|| placed_at + Duration::hours(2));
        notice::Entity::update_many()
            .col_expr(notice::Column::CreatedAt, Expr::value(placed_at))
            .col_expr(notice::Column::ReadAt, Expr::value(seen))
            .filter(notice::Column::SubjectKind.eq("order"))
            .filter(notice::Column::SubjectId.eq(id))
            .filter(notice::Column::Kind.eq(NoticeKind::OrderPlaced.as_str()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
