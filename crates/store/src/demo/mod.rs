//! Demo data: the seed articles' counties and the people who work there.
//!
//! Loading is idempotent: regions and accounts that already exist are left alone, so
//! `farmgate seed demo` can run on every start of the demo.

pub mod bench_stats;
pub mod catalog;
pub mod fleet;
mod households;
mod graduates;
mod ground_floor;
pub mod logistics;
mod logistics_history;
mod orders;
mod network;
pub use orders::DemoLife;
pub mod regions;
mod showroom;
pub mod stations;
mod taobao;
mod till;
pub mod training;
mod training_data;
mod waiting;

use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;

use crate::accounts::NewAccount;
use crate::regions::{NewRegion, Region};
use crate::{Error, Result, Store};

/// The password of every demo account; printed by `farmgate serve --demo`.
pub const DEMO_PASSWORD: &str = "farmgate-demo";

/// A demo account: who they are and what they hold where.
pub struct DemoAccount {
    pub login: &'static str,
    pub display_name: &'static str,
    pub grants: &'static [(Role, &'static str)],
}

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        login: "admin",
        display_name: "平台管理员",
        grants: &[(Role::Admin, "cn")],
    },
    DemoAccount {
        login: "buyer",
        display_name: "买家小王",
        grants: &[(Role::Buyer, "cn")],
    },
    DemoAccount {
        login: "tekes-centre",
        display_name: "特克斯县电商公共服务中心",
        grants: &[(Role::CentreStaff, "tekes"), (Role::Trainer, "tekes")],
    },
    DemoAccount {
        login: "tekes-official",
        display_name: "特克斯县商务局",
        grants: &[(Role::Official, "tekes")],
    },
    DemoAccount {
        login: "jinghe-seller",
        display_name: "精河枸杞合作社",
        grants: &[(Role::Seller, "jinghe-tuoli")],
    },
    DemoAccount {
        login: "huixian-host",
        display_name: "徽县核桃直播间",
        grants: &[(Role::Seller, "huixian"), (Role::Host, "huixian")],
    },
    DemoAccount {
        login: "saibag-station",
        display_name: "赛巴格村服务站",
        grants: &[(Role::StationOperator, "korla-saibag")],
    },
    DemoAccount {
        login: "kuokesu-station",
        display_name: "阔克苏村服务站",
        grants: &[(Role::StationOperator, "tekes-kuokesu")],
    },
    DemoAccount {
        login: "kuqa-centre",
        display_name: "库车市电商公共服务中心",
        grants: &[(Role::CentreStaff, "kuqa")],
    },
    DemoAccount {
        login: "jinghe-centre",
        display_name: "精河县电商公共服务中心",
        grants: &[(Role::CentreStaff, "jinghe")],
    },
    DemoAccount {
        login: "huixian-centre",
        display_name: "徽县电商公共服务中心",
        grants: &[(Role::CentreStaff, "huixian")],
    },
    DemoAccount {
        login: "korla-centre",
        display_name: "库尔勒市电商公共服务中心",
        grants: &[(Role::CentreStaff, "korla")],
    },
    DemoAccount {
        login: "korla-trainer",
        display_name: "库尔勒市电商培训讲师",
        grants: &[(Role::Trainer, "korla")],
    },
    DemoAccount {
        login: "korla-official",
        display_name: "库尔勒市商务和工业信息化局",
        grants: &[(Role::Official, "korla")],
    },
    DemoAccount {
        login: "zezhou-centre",
        display_name: "泽州县电商公共服务中心",
        grants: &[(Role::CentreStaff, "zezhou")],
    },
    DemoAccount {
        login: "gaodu-courier",
        display_name: "高都镇物流配送中心",
        grants: &[(Role::Courier, "zezhou-gaodu")],
    },
    DemoAccount {
        login: "korla-rider",
        display_name: "阿卜杜拉·买买提",
        grants: &[(Role::Courier, "korla-qiaerbag")],
    },
    DemoAccount {
        login: "tekes-seller",
        display_name: "特克斯薰衣草工坊",
        grants: &[],
    },
    DemoAccount {
        login: "saibag-seller",
        display_name: "米热古丽",
        grants: &[],
    },
    DemoAccount {
        login: "saibag-stallholder",
        display_name: "阿依古丽·吐尔逊",
        grants: &[],
    },
    DemoAccount {
        login: "kuqa-seller",
        display_name: "库车农特产展销中心",
        grants: &[],
    },
    DemoAccount {
        login: "kuqa-supply",
        display_name: "库车市供销社惠农超市",
        grants: &[],
    },
    DemoAccount {
        login: "gaodu-seller",
        display_name: "北街村农特产",
        grants: &[],
    },
];

/// What loading the demo did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    pub regions_added: u64,
    pub accounts_added: u64,
}

impl Store {
    /// Loads the demo regions, calling `progress` after each node.
    pub async fn load_demo_regions(&self, progress: &(dyn Fn() + Sync)) -> Result<u64> {
        let tree = regions::tree();
        let mut added = 0;
        // Depth-first with an explicit stack: (node, parent region).
        let mut stack: Vec<(&regions::Place, Option<Region>)> = vec![(&tree, None)];
        while let Some((place, parent)) = stack.pop() {
            let region = match self.region_by_code(place.code).await {
                Ok(existing) => existing,
                Err(Error::NotFound) => {
                    added += 1;
                    self.add_region(
                        parent.as_ref(),
                        NewRegion {
                            code: place.code,
                            name_zh: place.zh,
                            name_ug: place.ug,
                            name_en: place.en,
                            coordinates: Some(place.at),
                            known_for: place.known_for,
                        },
                    )
                    .await?
                }
                Err(other) => return Err(other),
            };
            progress();
            for child in place.children.iter().rev() {
                stack.push((child, Some(region.clone())));
            }
        }
        Ok(added)
    }

    /// Creates the demo accounts (all with `password_hash`) and their grants.
    pub async fn load_demo_accounts(&self, password_hash: &str) -> Result<u64> {
        let mut added = 0;
        for demo in DEMO_ACCOUNTS {
            let login = LoginId::parse(demo.login).map_err(|e| Error::Config(e.to_string()))?;
            let account = match self.account_by_login(&login).await? {
                Some(existing) => existing,
                None => {
                    added += 1;
                    self.create_account(NewAccount {
                        login,
                        display_name: DisplayName::parse(demo.display_name)
                            .map_err(|e| Error::Config(e.to_string()))?,
                        password_hash: password_hash.to_owned(),
                        language: Language::ZhCn,
                    })
                    .await?
                }
            };
            for (role, region_code) in demo.grants {
                let region = self.region_by_code(region_code).await?;
                self.grant_role(account.id, *role, region.id, None).await?;
            }
        }
        Ok(added)
    }
}

impl Store {
    /// Opens the demo shops (through the real application and approval) and lists their
    /// products. A demo owner who already has a shop is left alone. Returns (shops, products).
    pub async fn load_demo_catalog(&self) -> Result<(u64, u64)> {
        use crate::shops::{Decision, NewShopApplication};
        use farmgate_domain::accounts::PhoneNumber;
        use farmgate_domain::shops::ShopName;

        let bad = |e: farmgate_domain::ValidationError| Error::Config(e.to_string());
        let categories = self.categories().await?;
        let (mut shops, mut products) = (0, 0);
        for demo in catalog::DEMO_SHOPS {
            let owner = self
                .account_by_login(&LoginId::parse(demo.owner).map_err(bad)?)
                .await?
                .ok_or(Error::NotFound)?;
            if !self.shops_of_member(owner.id).await?.is_empty() {
                continue;
            }
            let village = self.region_by_code(demo.village).await?;
            let application = self
                .submit_shop_application(NewShopApplication {
                    applicant_id: owner.id,
                    name: ShopName::parse(demo.name).map_err(bad)?,
                    kind: demo.kind,
                    village_id: village.id,
                    phone: PhoneNumber::parse(demo.phone).map_err(bad)?,
                    story: demo.story.to_owned(),
                    trainee_id: None,
                })
                .await?;
            // Approved by the staff of the shop's county's centre, as a real shop is.
            let reviewer = self.demo_centre_of(&village).await?;
            let approved = self
                .decide_shop_application(application.id, reviewer, Decision::Approve)
                .await?;
            let shop_id = approved.shop_id.ok_or(Error::NotFound)?;
            self.set_shop_shipping(shop_id, demo.shipping).await?;
            let shop = self.shop(shop_id).await?;
            let names = demo
                .names
                .iter()
                .map(|(language, name)| ShopName::parse(name).map(|n| (*language, n)))
                .collect::<std::result::Result<_, _>>()
                .map_err(bad)?;
            let profile = crate::shops::ShopProfile {
                name: ShopName::parse(&shop.name).map_err(bad)?,
                names,
                phone: PhoneNumber::parse(&shop.phone).map_err(bad)?,
                story: shop.story,
            };
            self.update_shop_profile(shop_id, &profile).await?;
            shops += 1;
            for product in demo.products {
                self.demo_product(shop_id, product, &village, &categories)
                    .await?;
                products += 1;
            }
        }
        Ok((shops, products))
    }
}

impl Store {
    /// Lists demo `product` in shop `shop_id`, grown in `village`.
    pub(super) async fn demo_product(
        &self,
        shop_id: i64,
        product: &catalog::DemoProduct,
        village: &Region,
        categories: &[crate::catalog::Category],
    ) -> Result<()> {
        use crate::catalog::{NewProduct, ProductDetails, ProductText};
        let category = categories
            .iter()
            .find(|c| c.code == product.category)
            .ok_or(Error::NotFound)?;
        let variant = product
            .variant()
            .ok_or_else(|| Error::Config(format!("demo product {} is invalid", product.zh)))?;
        self.create_product(NewProduct {
            shop_id,
            status: catalog::DemoProduct::STATUS,
            variants: vec![variant],
            details: ProductDetails {
                category_id: category.id,
                origin_id: village.id,
                organic_certificate: None,
                tags: product.tags.to_vec(),
                texts: product
                    .texts()
                    .into_iter()
                    .map(|(language, name, story)| ProductText {
                        language,
                        name: name.to_owned(),
                        story: story.to_owned(),
                    })
                    .collect(),
                code: None,
            },
        })
        .await?;
        Ok(())
    }

    /// The demo centre staff account of `place`'s county (`<county>-centre`), or the
    /// administrator where a county has none.
    pub(crate) async fn demo_centre_of(&self, place: &crate::regions::Region) -> Result<i64> {
        let bad = |e: farmgate_domain::ValidationError| Error::Config(e.to_string());
        for id in place.path.ids() {
            let region = self.region_by_id(id).await?;
            if region.level != farmgate_domain::regions::RegionLevel::County {
                continue;
            }
            let login = LoginId::parse(&format!("{}-centre", region.code.as_str())).map_err(bad)?;
            if let Some(staff) = self.account_by_login(&login).await? {
                return Ok(staff.id);
            }
        }
        Ok(self
            .account_by_login(&LoginId::parse("admin").map_err(bad)?)
            .await?
            .ok_or(Error::NotFound)?
            .id)
    }

    /// Opens the demo stations; ones that exist (by code) are left alone. Returns how many
    /// were added.
    pub async fn load_demo_stations(&self) -> Result<u64> {
        use crate::stations::{NewStation, StationDetails};
        use farmgate_domain::money::Fen;
        use farmgate_domain::text::Texts;

        let existing: Vec<String> = self
            .stations_within(&self.region_root().await?.ok_or(Error::NotFound)?.path)
            .await?
            .into_iter()
            .map(|s| s.code)
            .collect();
        let texts = |(zh, ug, en): (&str, &str, &str)| {
            Texts::new(Some(zh.into()), Some(ug.into()), Some(en.into()))
        };
        let mut added = 0;
        for demo in stations::DEMO_STATIONS {
            if existing.iter().any(|c| c == demo.code) {
                continue;
            }
            let region = self.region_by_code(demo.region).await?;
            let mut details = StationDetails::new(
                region.id,
                demo.kind,
                texts((demo.zh, demo.ug, demo.en)),
                texts(demo.address),
            );
            details.hours = Some(demo.hours.to_owned());
            details.pickup_fee = Fen(demo.pickup_fee_fen);
            details.population = Some(demo.population);
            details.collects_produce = demo.kind != farmgate_domain::stations::StationKind::Centre;
            let station = self
                .add_station(NewStation {
                    code: demo.code.to_owned(),
                    details,
                })
                .await?;
            // The demo's operators work the stations of the place they were granted.
            for person in DEMO_ACCOUNTS {
                let operates = person
                    .grants
                    .iter()
                    .any(|(role, at)| *role == Role::StationOperator && *at == demo.region);
                if !operates {
                    continue;
                }
                let login =
                    LoginId::parse(person.login).map_err(|e| Error::Config(e.to_string()))?;
                if let Some(account) = self.account_by_login(&login).await? {
                    self.add_station_operator(station.id, account.id, None)
                        .await?;
                }
            }
            added += 1;
        }
        Ok(added)
    }
}
