//! This morning's work in the demo, for the people whose desks would otherwise be empty:
//! parcels that came in yesterday at the operators' stations, parcels on the road to doors in
//! the couriers' areas, and a villager's shop application in each centre's county. All of it
//! goes through the real intake, steps and application, as the year before it did.

use chrono::{Duration, Utc};
use farmgate_domain::accounts::{DisplayName, LoginId, PhoneNumber};
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::orders::{Basket, IdempotencyKey, OrderEvent, PaymentMethod};
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::shops::{ShopKind, ShopName};

use super::DEMO_ACCOUNTS;
use super::orders::{Buyer, DemoLife};
use crate::accounts::NewAccount;
use crate::orders::{Delivery, Order, OrderIntake, PlaceOrder};
use crate::regions::Region;
use crate::shops::NewShopApplication;
use crate::{Error, Result, Store};

/// Parcels waiting per station operator and per courier.
const PARCELS_EACH: usize = 3;

/// A villager who applied yesterday in each centre's county: (login, name, language, story).
const APPLICANTS: &[(&str, &str, Language, &str)] = &[
    (
        "applicant-tekes",
        "阿依古丽·托合提",
        Language::Ug,
        "家里养蜂，想把琼库什台的黑蜂蜜卖到城里。",
    ),
    (
        "applicant-jinghe",
        "马晓燕",
        Language::ZhCn,
        "托里乡的枸杞自家晒干，想开个小店。",
    ),
    (
        "applicant-huixian",
        "王建国",
        Language::ZhCn,
        "伏家村的核桃园十亩，想自己卖。",
    ),
    (
        "applicant-korla",
        "热依汗·买买提",
        Language::Ug,
        "赛巴格村种香梨，想在网上卖。",
    ),
    (
        "applicant-kuqa",
        "艾买提·吐尔逊",
        Language::Ug,
        "库车小白杏，去年学了直播带货。",
    ),
    (
        "applicant-zezhou",
        "李秀兰",
        Language::ZhCn,
        "高都镇的小米和黄花菜，想开网店。",
    ),
];

/// What this morning's parcels are made from.
#[derive(Clone, Copy)]
struct Morning<'a> {
    intake: &'a OrderIntake,
    buyers: &'a [Buyer],
    variants: &'a [i64],
    regions: &'a [Region],
}

fn bad(e: farmgate_domain::ValidationError) -> Error {
    Error::Config(e.to_string())
}

impl Store {
    /// Yesterday's parcels for the demo's stations and couriers, and today's applications.
    pub(super) async fn demo_waiting_work(
        &self,
        intake: &OrderIntake,
        buyers: &[Buyer],
        variants: &[i64],
        life: &mut DemoLife,
    ) -> Result<()> {
        let regions = self.all_regions().await?;
        let morning = Morning {
            intake,
            buyers,
            variants,
            regions: &regions,
        };
        let mut n = 0;
        for account in DEMO_ACCOUNTS {
            for (role, code) in account.grants {
                let area = self.region_by_code(code).await?;
                let orders = match role {
                    Role::StationOperator => self.demo_pickups(&morning, &area, &mut n).await?,
                    Role::Courier => self.demo_doorsteps(&morning, &area, &mut n).await?,
                    _ => continue,
                };
                life.orders += orders as u64;
            }
        }
        self.demo_applications(&regions).await
    }

    /// Parcels from buyers of the station's county at the operator's first station: half on
    /// their way (to receive this morning), half on the shelf since yesterday, and one left
    /// uncollected for ten days.
    async fn demo_pickups(
        &self,
        morning: &Morning<'_>,
        area: &Region,
        n: &mut usize,
    ) -> Result<usize> {
        let Morning {
            intake,
            buyers,
            variants,
            regions,
        } = *morning;
        let Some(station) = self.stations_within(&area.path).await?.into_iter().next() else {
            return Ok(0);
        };
        let county = county_of(regions, &area.path);
        let locals: Vec<&Buyer> = buyers
            .iter()
            .filter(|b| {
                let home = regions.iter().find(|r| r.id == b.village);
                matches!((county, home), (Some(c), Some(h)) if c.path.contains(&h.path))
            })
            .take(PARCELS_EACH)
            .collect();
        for (k, buyer) in locals.iter().enumerate() {
            let delivery = Delivery::Pickup {
                station_id: station.id,
            };
            let order = self
                .demo_parcel(intake, buyer, variants, delivery, n)
                .await?;
            // Half arrive today (to receive), half wait on the shelf since yesterday.
            let last = if k % 2 == 0 {
                OrderEvent::Ship
            } else {
                OrderEvent::MarkReadyForPickup
            };
            self.demo_steps(&order, last).await?;
        }
        // And one nobody came for in ten days: due to go back to its shop.
        let Some(forgetful) = locals.first() else {
            return Ok(0);
        };
        let delivery = Delivery::Pickup {
            station_id: station.id,
        };
        let order = self
            .demo_parcel(intake, forgetful, variants, delivery, n)
            .await?;
        self.demo_steps(&order, OrderEvent::MarkReadyForPickup)
            .await?;
        self.date_order(order.id, Utc::now() - Duration::days(10))
            .await?;
        Ok(locals.len() + 1)
    }

    /// Parcels shipped yesterday to doors in the courier's area: gifts to family there.
    async fn demo_doorsteps(
        &self,
        morning: &Morning<'_>,
        area: &Region,
        n: &mut usize,
    ) -> Result<usize> {
        let Morning {
            intake,
            buyers,
            variants,
            regions,
        } = *morning;
        let villages: Vec<&Region> = regions
            .iter()
            .filter(|r| r.level == RegionLevel::Village && area.path.contains(&r.path))
            .collect();
        if villages.is_empty() {
            return Ok(0);
        }
        for (k, buyer) in buyers.iter().take(PARCELS_EACH).enumerate() {
            let delivery = Delivery::Home {
                region_id: villages[k % villages.len()].id,
                address: format!("{}号", 3 + k * 11),
                recipient: DisplayName::parse(&buyer.name).map_err(bad)?,
                phone: PhoneNumber::parse(&format!("1370000{:04}", 100 + *n)).map_err(bad)?,
            };
            let order = self
                .demo_parcel(intake, buyer, variants, delivery, n)
                .await?;
            self.demo_steps(&order, OrderEvent::Ship).await?;
        }
        Ok(PARCELS_EACH.min(buyers.len()))
    }

    /// One cash order placed yesterday morning.
    async fn demo_parcel(
        &self,
        intake: &OrderIntake,
        buyer: &Buyer,
        variants: &[i64],
        delivery: Delivery,
        n: &mut usize,
    ) -> Result<Order> {
        *n += 1;
        let variant = variants[*n % variants.len().max(1)];
        if self.variant_stock(variant).await? < 1 {
            self.demo_restock(variant).await?;
        }
        let placed = intake
            .place(PlaceOrder {
                buyer_id: buyer.id,
                key: IdempotencyKey::parse(&format!("demo-waiting-{n:04}")).map_err(bad)?,
                basket: Basket::parse(&[(variant, 1)]).map_err(bad)?,
                delivery,
                payment: PaymentMethod::Cash,
                provider: "cash".to_owned(),
                pay_within: Duration::minutes(30),
                room_id: None,
            })
            .await
            .map_err(|e| Error::Config(format!("a demo order was refused: {e}")))?;
        placed.orders.into_iter().next().ok_or(Error::NotFound)
    }

    /// The shop's steps up to `last`, dated from yesterday morning.
    async fn demo_steps(&self, order: &Order, last: OrderEvent) -> Result<()> {
        let (seller, grams) = self.demo_packer(order).await?;
        for step in [
            OrderEvent::Pack {
                packed_grams: grams,
            },
            OrderEvent::Ship,
            OrderEvent::MarkReadyForPickup,
        ] {
            let note = (step == OrderEvent::Ship).then(|| format!("县物流配送中心 YD{}", order.id));
            self.advance_order(order.id, step, seller, note).await?;
            if step == last {
                break;
            }
        }
        self.date_order(order.id, Utc::now() - Duration::hours(30))
            .await
    }

    /// A villager's application waiting in each centre's county (once).
    async fn demo_applications(&self, regions: &[Region]) -> Result<()> {
        let hash = self
            .account_by_login(&LoginId::parse("buyer").map_err(bad)?)
            .await?
            .ok_or(Error::NotFound)?
            .password_hash;
        for (k, (code, name, language, story)) in APPLICANTS.iter().enumerate() {
            let login = LoginId::parse(code).map_err(bad)?;
            if self.account_by_login(&login).await?.is_some() {
                continue;
            }
            let county_code = code.trim_start_matches("applicant-");
            let county = self.region_by_code(county_code).await?;
            let Some(village) = regions
                .iter()
                .find(|r| r.level == RegionLevel::Village && county.path.contains(&r.path))
            else {
                continue;
            };
            let account = self
                .create_account(NewAccount {
                    login,
                    display_name: DisplayName::parse(name).map_err(bad)?,
                    password_hash: hash.clone(),
                    language: *language,
                })
                .await?;
            let shop_name: String = format!("{}的小店", name.split('·').next().unwrap_or(name));
            self.submit_shop_application(NewShopApplication {
                applicant_id: account.id,
                name: ShopName::parse(&shop_name).map_err(bad)?,
                kind: ShopKind::Farmer,
                village_id: village.id,
                phone: PhoneNumber::parse(&format!("1360000{:04}", 200 + k)).map_err(bad)?,
                story: (*story).to_owned(),
                trainee_id: None,
            })
            .await?;
        }
        Ok(())
    }
}

/// The county `path` lies in.
fn county_of<'a>(
    regions: &'a [Region],
    path: &farmgate_domain::regions::RegionPath,
) -> Option<&'a Region> {
    regions
        .iter()
        .find(|r| r.level == RegionLevel::County && r.path.contains(path))
}
