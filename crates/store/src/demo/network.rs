//! The seeds' station networks: Gaodu's thirty village stations ("delivering an average of
//! nearly 100,000 express parcels per month"), the nineteen sites in Korla run by poor
//! households, and township stations in Tekes and Kuqa, with a week of express parcels each so
//! the county's health page and map have something to show; two of Gaodu's went quiet.

use chrono::{Duration, Utc};
use farmgate_domain::money::Fen;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::stations::{ParcelStatus, StationKind};
use farmgate_domain::text::Texts;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::stations::entity::{parcel, station};
use crate::stations::{NewStation, StationDetails};
use crate::{Result, Store};

/// Gaodu's stations hand out about 100,000 parcels a month between them: ~110 a day each.
const GAODU_PER_DAY: i64 = 110;
/// Korla's household-run sites are small: a few parcels a day.
const KORLA_PER_DAY: i64 = 6;
/// Township stations of Tekes and Kuqa.
const TOWNSHIP_PER_DAY: i64 = 25;

/// (code, region, zh, ug, en)
const TOWNSHIPS: [(&str, &str, &str, &str, &str); 5] = [
    (
        "tekes-karadala-town",
        "tekes-karadala",
        "喀拉达拉镇电商服务站",
        "قارادالا بازىرى ئېلېكترونلۇق سودا پونكىتى",
        "Karadala Town E-commerce Station",
    ),
    (
        "tekes-qiaolaketierke-town",
        "tekes-qiaolaketierke",
        "乔拉克铁热克镇电商服务站",
        "چولاق تېرەك بازىرى ئېلېكترونلۇق سودا پونكىتى",
        "Qiaolaketierke Town E-commerce Station",
    ),
    (
        "kuqa-wuqia-town",
        "kuqa-wuqia",
        "乌恰镇电商服务站",
        "ئۇچا بازىرى ئېلېكترونلۇق سودا پونكىتى",
        "Wuqia Town E-commerce Station",
    ),
    (
        "kuqa-qiman-town",
        "kuqa-qiman",
        "齐满镇电商服务站",
        "چىمەن بازىرى ئېلېكترونلۇق سودا پونكىتى",
        "Qiman Town E-commerce Station",
    ),
    (
        "kuqa-yixihala-town",
        "kuqa-yixihala",
        "伊西哈拉镇电商服务站",
        "ئىشقالا بازىرى ئېلېكترونلۇق سودا پونكىتى",
        "Yixihala Town E-commerce Station",
    ),
];

/// A station to add, with the parcels it handled a day (none for one gone quiet).
struct Planned {
    code: String,
    region: String,
    /// A village to add for it first (Gaodu's villages beyond the seed's two): zh, ug, en.
    village: Option<(String, String, String)>,
    kind: StationKind,
    names: Texts,
    /// Offset from its place, in hundredths of a degree (north, east).
    offset: (f64, f64),
    population: i32,
    per_day: i64,
    quiet: bool,
}

fn plan() -> Vec<Planned> {
    let mut planned = Vec::new();
    for n in 1..=30u32 {
        // A spiral around the town, a village every few kilometres.
        let turn = f64::from(n) * 2.4;
        let reach = 1.5 + f64::from(n) * 0.35;
        // Each serves a village: the seed's Baofu and Beijie, and villages around the town.
        let (region, village) = match n {
            1 => ("zezhou-baofu".to_owned(), None),
            2 => ("zezhou-beijie".to_owned(), None),
            _ => (
                format!("zezhou-gaodu-v{n:02}"),
                Some((
                    format!("高都镇第{n}村"),
                    format!("گاۋدۇ {n}-كەنت"),
                    format!("Gaodu Village {n}"),
                )),
            ),
        };
        planned.push(Planned {
            code: format!("zezhou-gaodu-{n:02}"),
            region,
            village,
            kind: StationKind::Village,
            names: Texts::new(
                Some(format!("高都镇第{n}村级服务站")),
                Some(format!("گاۋدۇ بازىرى {n}-كەنت پونكىتى")),
                Some(format!("Gaodu village station {n}")),
            ),
            offset: (reach * turn.sin(), reach * turn.cos()),
            population: 900 + (n as i32 * 37) % 900,
            per_day: GAODU_PER_DAY,
            quiet: n >= 29,
        });
    }
    for n in 1..=19u32 {
        let turn = f64::from(n) * 2.1;
        planned.push(Planned {
            code: format!("korla-site-{n:02}"),
            region: if n % 2 == 0 {
                "korla-tiekeqi"
            } else {
                "korla-qiaerbag"
            }
            .to_owned(),
            village: None,
            kind: StationKind::Village,
            names: Texts::new(
                Some(format!("库尔勒市帮扶服务点{n}")),
                Some(format!("كورلا ياردەم مۇلازىمەت نۇقتىسى {n}")),
                Some(format!("Korla household-run site {n}")),
            ),
            offset: (2.0 * turn.sin(), 2.5 * turn.cos()),
            population: 400 + (n as i32 * 53) % 500,
            per_day: KORLA_PER_DAY,
            quiet: false,
        });
    }
    for (code, region, zh, ug, en) in TOWNSHIPS {
        planned.push(Planned {
            code: code.to_owned(),
            region: region.to_owned(),
            village: None,
            kind: StationKind::Township,
            names: Texts::new(Some(zh.into()), Some(ug.into()), Some(en.into())),
            offset: (0.0, 0.0),
            population: 12_000,
            per_day: TOWNSHIP_PER_DAY,
            quiet: false,
        });
    }
    planned
}

impl Store {
    /// Adds the seeds' station networks and a week of their express parcels (once: nothing when
    /// Gaodu's first station exists). Returns (stations, parcels) added.
    pub async fn load_demo_network(&self) -> Result<(u64, u64)> {
        let done = station::Entity::find()
            .filter(station::Column::Code.eq("zezhou-gaodu-01"))
            .one(&self.db)
            .await?;
        if done.is_some() {
            return Ok((0, 0));
        }
        let now = Utc::now();
        let (mut stations, mut parcels) = (0, 0);
        let town = self.region_by_code("zezhou-gaodu").await?;
        for planned in plan() {
            let place = match &planned.village {
                Some((zh, ug, en)) => {
                    let (lat, lon) = town.latitude.zip(town.longitude).unwrap_or((0.0, 0.0));
                    let new = crate::regions::NewRegion {
                        code: &planned.region,
                        name_zh: zh,
                        name_ug: Some(ug),
                        name_en: en,
                        coordinates: Some((
                            lat + planned.offset.0 / 100.0,
                            lon + planned.offset.1 / 100.0,
                        )),
                        known_for: None,
                    };
                    self.add_region(Some(&town), new).await?
                }
                None => self.region_by_code(&planned.region).await?,
            };
            let (lat, lon) = place.latitude.zip(place.longitude).unwrap_or((0.0, 0.0));
            // A new village stands where its station was planned; the station at its heart.
            let offset = if planned.village.is_some() {
                (0.0, 0.0)
            } else {
                planned.offset
            };
            let mut details =
                StationDetails::new(place.id, planned.kind, planned.names, Texts::zh("村委会旁"));
            details.latitude = Some(lat + offset.0 / 100.0);
            details.longitude = Some(lon + offset.1 / 100.0);
            details.population = Some(planned.population);
            details.collects_produce = true;
            details.hours = Some("09:00-20:00".to_owned());
            details.pickup_fee = Fen(0);
            let added = self
                .add_station(NewStation {
                    code: planned.code.clone(),
                    details,
                })
                .await?;
            stations += 1;
            // A week of express parcels (an express company's, no order of ours), or, for a
            // station gone quiet, a few three weeks ago.
            let (days, per_day, since) = if planned.quiet {
                (1, 4, 21)
            } else {
                (7, planned.per_day, 0)
            };
            let mut rows = Vec::new();
            for day in 0..days {
                for k in 0..per_day {
                    let at = now - Duration::days(since + day) - Duration::minutes(k * 5 + 30);
                    // This morning's last few are still on the shelf.
                    let waiting = day == 0 && since == 0 && k < per_day / 10 + 1;
                    rows.push(parcel::ActiveModel {
                        station_id: Set(added.id),
                        order_id: Set(None),
                        label: Set(format!("YD{}{:03}{:04}", added.id, since + day, k)),
                        status: Set(if waiting {
                            ParcelStatus::Received
                        } else {
                            ParcelStatus::HandedOver
                        }
                        .as_str()
                        .to_owned()),
                        pickup_code: Set(format!(
                            "{:06}",
                            (added.id * 7919 + k * 104_729) % 1_000_000
                        )),
                        wrong_codes: Set(0),
                        expected_at: Set(at - Duration::hours(12)),
                        received_at: Set(Some(at - Duration::hours(3))),
                        handed_at: Set((!waiting).then_some(at)),
                        fee_fen: Set(0),
                        cash_fen: Set(0),
                        ..Default::default()
                    });
                }
            }
            parcels += rows.len() as u64;
            for chunk in rows.chunks(500) {
                parcel::Entity::insert_many(chunk.to_vec())
                    .exec(&self.db)
                    .await?;
            }
        }
        Ok((stations, parcels))
    }
}

impl Store {
    /// For `farmgate bench stations`: `stations` village stations in the county `county`
    /// (spread over its villages), `parcels` express parcels over the last 30 days shared among
    /// them (received, most handed over with a ¥1 fee taken in cash), and every past day
    /// closed. Returns the stations' ids.
    pub async fn load_bench_network(
        &self,
        county: &str,
        stations: usize,
        parcels: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<i64>> {
        let county = self.region_by_code(county).await?;
        let villages: Vec<_> = self
            .all_regions()
            .await?
            .into_iter()
            .filter(|r| r.level == RegionLevel::Village && county.path.contains(&r.path))
            .collect();
        let mut ids = Vec::with_capacity(stations);
        for n in 0..stations {
            let place = &villages[n % villages.len().max(1)];
            let (lat, lon) = place.latitude.zip(place.longitude).unwrap_or((0.0, 0.0));
            let mut details = StationDetails::new(
                place.id,
                StationKind::Village,
                Texts::zh(format!("测试服务站{n:03}")),
                Texts::zh("村委会旁"),
            );
            details.latitude = Some(lat + (n % 20) as f64 / 200.0);
            details.longitude = Some(lon + (n / 20) as f64 / 200.0);
            details.pickup_fee = Fen(100);
            let added = self
                .add_station(NewStation {
                    code: format!("bench-{n:04}"),
                    details,
                })
                .await?;
            ids.push(added.id);
        }
        let per_station = parcels / stations.max(1);
        for (k, &station_id) in ids.iter().enumerate() {
            self.bench_station_month(station_id, k, per_station).await?;
            progress(k as u64 + 1);
        }
        Ok(ids)
    }

    /// A month of `per_station` parcels at bench station `station_id` (the `k`th), its cash
    /// and its closed days.
    async fn bench_station_month(
        &self,
        station_id: i64,
        k: usize,
        per_station: usize,
    ) -> Result<()> {
        use crate::stations::entity::{cash, day};
        use farmgate_domain::stations::till::{CashKind, LedgerDay};
        let now = Utc::now();
        let today = LedgerDay::of(now);
        let mut rows = Vec::with_capacity(per_station);
        let mut moves = Vec::new();
        let mut by_day = std::collections::BTreeMap::<String, i64>::new();
        for p in 0..per_station {
            let age = (p * 30 / per_station.max(1)) as i64;
            let at = now - Duration::days(age) - Duration::minutes((p % 600) as i64);
            let handed = age > 0 || p % 10 != 0;
            let cash_taken = handed && p % 3 == 0;
            rows.push(parcel::ActiveModel {
                station_id: Set(station_id),
                order_id: Set(None),
                label: Set(format!("BN{station_id}X{p:06}")),
                status: Set(if handed {
                    ParcelStatus::HandedOver
                } else {
                    ParcelStatus::Received
                }
                .as_str()
                .to_owned()),
                pickup_code: Set(format!("{:06}", (p * 7919 + k) % 1_000_000)),
                wrong_codes: Set(0),
                expected_at: Set(at - Duration::hours(12)),
                received_at: Set(Some(at - Duration::hours(3))),
                handed_at: Set(handed.then_some(at)),
                fee_fen: Set(if handed { 100 } else { 0 }),
                cash_fen: Set(if cash_taken { 100 } else { 0 }),
                ..Default::default()
            });
            if cash_taken {
                let d = LedgerDay::of(at).to_string();
                *by_day.entry(d.clone()).or_default() += 100;
                moves.push(cash::ActiveModel {
                    station_id: Set(station_id),
                    day: Set(d),
                    kind: Set(CashKind::HandOver.as_str().to_owned()),
                    amount_fen: Set(100),
                    at: Set(at),
                    ..Default::default()
                });
            }
        }
        for chunk in rows.chunks(500) {
            parcel::Entity::insert_many(chunk.to_vec())
                .exec(&self.db)
                .await?;
        }
        for chunk in moves.chunks(500) {
            cash::Entity::insert_many(chunk.to_vec())
                .exec(&self.db)
                .await?;
        }
        // Every past day closed, the count as expected and all of it handed in.
        let mut balance = 0;
        let mut closings = Vec::new();
        let mut handed_in = Vec::new();
        for (d, taken) in by_day.iter().filter(|(d, _)| **d < today.to_string()) {
            balance += taken;
            closings.push(day::ActiveModel {
                station_id: Set(station_id),
                day: Set(d.clone()),
                expected_fen: Set(balance),
                counted_fen: Set(balance),
                handed_in_fen: Set(balance),
                explanation: Set(None),
                closed_by: Set(1),
                closed_at: Set(now),
            });
            handed_in.push(cash::ActiveModel {
                station_id: Set(station_id),
                day: Set(d.clone()),
                kind: Set(CashKind::HandedIn.as_str().to_owned()),
                amount_fen: Set(-balance),
                at: Set(now),
                ..Default::default()
            });
            balance = 0;
        }
        for chunk in closings.chunks(500) {
            day::Entity::insert_many(chunk.to_vec())
                .exec(&self.db)
                .await?;
        }
        for chunk in handed_in.chunks(500) {
            cash::Entity::insert_many(chunk.to_vec())
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }
}
