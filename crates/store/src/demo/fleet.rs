//! Korla's fleet in the demo: Qiaerbag's poverty-alleviation e-commerce centre and its 20
//! electric tricycles ("every morning, we collect goods here and then go to make a sale in the
//! designated community"), and tomorrow's jobs waiting to be planned: the communities of Korla
//! city to sell in, the collections villagers booked, and sellers' parcels to fetch.

use chrono::{DateTime, Utc};
use farmgate_domain::fleet::{Capacity, JobSource, MinuteWindow, RouteJobKind, VehicleKind};
use farmgate_domain::stations::till::LedgerDay;
use farmgate_domain::text::Texts;
use farmgate_routing::{GeoPoint, RoadLeg, RoadPlace, Roads};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::fleet::{JobDetails, VehicleDetails};
use crate::logistics::{Depot, NewDepot};
use crate::{Result, Store};

/// The depot's code.
pub const DEPOT: &str = "korla-qiaerbag-depot";

/// Korla city's communities the tricycles sell in, with where they are.
const COMMUNITIES: [(&str, f64, f64); 16] = [
    ("天山东路社区", 41.7301, 86.1812),
    ("梨香社区", 41.7262, 86.1698),
    ("建设社区", 41.7335, 86.1604),
    ("团结社区", 41.7198, 86.1755),
    ("朝阳社区", 41.7412, 86.1689),
    ("萨依巴格社区", 41.7458, 86.1405),
    ("新城社区", 41.7153, 86.1950),
    ("人民东路社区", 41.7268, 86.1889),
    ("孔雀河社区", 41.7220, 86.1561),
    ("白鹭洲社区", 41.7105, 86.1643),
    ("滨河社区", 41.7380, 86.1798),
    ("育才社区", 41.7489, 86.1560),
    ("石化社区", 41.7043, 86.2102),
    ("华山社区", 41.7521, 86.1720),
    ("英下社区", 41.7612, 86.1306),
    ("铁克其社区", 41.7699, 86.1468),
];

/// Households and villages that book collections, with the village they live in.
const GROWERS: [(&str, &str, f64, f64); 12] = [
    ("吐尔逊家", "赛巴格村", 41.7900, 86.0800),
    ("阿依古丽家", "赛巴格村", 41.7935, 86.0862),
    ("买买提家", "恰尔巴格村", 41.7760, 86.1010),
    ("热依拉家", "恰尔巴格村", 41.7712, 86.0955),
    ("艾力家", "恰尔巴格村", 41.7830, 86.1102),
    ("帕提古丽家", "铁克其村", 41.7705, 86.1401),
    ("努尔东家", "铁克其村", 41.7652, 86.1355),
    ("古丽娜家", "铁克其村", 41.7601, 86.1452),
    ("王建国家", "赛巴格村", 41.8012, 86.0731),
    ("李秀兰家", "恰尔巴格村", 41.7881, 86.0920),
    ("阿布都家", "赛巴格村", 41.7968, 86.0698),
    ("米热古丽家", "赛巴格村", 41.7921, 86.0786),
];

const GOODS: [(&str, i64); 5] = [
    ("香梨", 25),
    ("红枣", 15),
    ("鸡蛋", 10),
    ("馕", 8),
    ("蔬菜", 20),
];

/// Sellers of the township whose parcels a tricycle fetches for the centre's vans.
const SELLERS: [(&str, f64, f64); 8] = [
    ("米热古丽的香梨小店", 41.7921, 86.0786),
    ("恰尔巴格合作社", 41.7790, 86.1040),
    ("赛巴格村服务站", 41.7905, 86.0805),
    ("铁克其农家店", 41.7680, 86.1420),
    ("梨城果业", 41.7550, 86.1250),
    ("孔雀河土特产", 41.7350, 86.1500),
    ("库尔勒香梨直供", 41.7480, 86.1350),
    ("恰尔巴格馕坑", 41.7802, 86.0990),
];

fn window(from: i32, until: i32) -> Option<MinuteWindow> {
    MinuteWindow::new(from, until).ok()
}

fn job(kind: RouteJobKind, source: JobSource, label: String, at: (f64, f64)) -> JobDetails {
    JobDetails {
        kind,
        source,
        label,
        region_id: None,
        station_id: None,
        latitude: at.0,
        longitude: at.1,
        grams: 0,
        crates: 0,
        window: None,
        service_minutes: 5,
        pinned_vehicle_id: None,
        household_id: None,
        parcel_id: None,
    }
}

/// Tomorrow's 120 jobs: 16 communities to sell in from eight, 72 collections booked for the
/// early morning, 32 parcels to fetch before noon. Seeded, so every demo has the same morning.
pub fn morning_jobs(seed: u64) -> Vec<JobDetails> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut jobs = Vec::with_capacity(120);
    for (name, lat, lon) in COMMUNITIES {
        let kg = rng.random_range(80..=150);
        jobs.push(JobDetails {
            grams: kg * 1000,
            crates: rng.random_range(4..=8),
            window: window(8 * 60, 9 * 60),
            service_minutes: 150,
            ..job(
                RouteJobKind::Sell,
                JobSource::Community,
                format!("{name} · 早市售卖"),
                (lat, lon),
            )
        });
    }
    for k in 0..72 {
        let (who, village, lat, lon) = GROWERS[k % GROWERS.len()];
        let (goods, base) = GOODS[rng.random_range(0..GOODS.len())];
        let kg = base + rng.random_range(0..=10);
        let jitter = |rng: &mut StdRng| rng.random_range(-0.006..0.006);
        jobs.push(JobDetails {
            grams: kg * 1000,
            crates: 1,
            window: window(6 * 60, 9 * 60 + 30),
            service_minutes: 6,
            ..job(
                RouteJobKind::Pickup,
                JobSource::Booking,
                format!("{village} · {who} {goods} {kg} 公斤"),
                (lat + jitter(&mut rng), lon + jitter(&mut rng)),
            )
        });
    }
    for k in 0..32 {
        let (seller, lat, lon) = SELLERS[k % SELLERS.len()];
        let kg = rng.random_range(2..=8);
        jobs.push(JobDetails {
            grams: kg * 1000,
            window: window(6 * 60 + 30, 12 * 60),
            service_minutes: 4,
            ..job(
                RouteJobKind::Pickup,
                JobSource::Parcel,
                format!("{seller} · 包裹 {kg} 公斤"),
                (lat, lon),
            )
        })
    }
    jobs
}

/// The road table the centre measured: the depot, the communities, the growers' homes and the
/// sellers, every pair once (one way is both ways), each road 1.2 to 1.6 times the straight
/// line (the town's roads bend round orchards and canals). Seeded, so every demo has the same.
pub fn demo_roads(depot: GeoPoint, seed: u64) -> Roads {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut places = vec![RoadPlace {
        name: "恰尔巴格乡电商扶贫中心".into(),
        point: depot,
    }];
    let named = COMMUNITIES
        .iter()
        .map(|(name, lat, lon)| (name.to_string(), *lat, *lon))
        .chain(
            GROWERS
                .iter()
                .map(|(who, village, lat, lon)| (format!("{village}{who}"), *lat, *lon)),
        )
        .chain(
            SELLERS
                .iter()
                .map(|(name, lat, lon)| (name.to_string(), *lat, *lon)),
        );
    places.extend(named.map(|(name, lat, lon)| RoadPlace {
        name,
        point: GeoPoint::new(lat, lon),
    }));
    let mut legs = Vec::new();
    for from in 0..places.len() {
        for to in from + 1..places.len() {
            let straight = places[from].point.metres_to(places[to].point);
            let metres = (straight * rng.random_range(1.2..1.6)).round();
            legs.push(RoadLeg { from, to, metres });
        }
    }
    Roads { places, legs }
}

impl Store {
    /// Qiaerbag's depot and its 20 tricycles (once), and tomorrow's jobs when tomorrow has
    /// none yet. Returns (tricycles added, jobs added).
    pub async fn load_demo_fleet(&self, now: DateTime<Utc>) -> Result<(u64, u64)> {
        let county = self.region_by_code("korla").await?;
        let (depot, added) = match self
            .depots_within(&county.path)
            .await?
            .into_iter()
            .find(|d| d.code == DEPOT)
        {
            Some(depot) => (depot, 0),
            None => self.demo_fleet_depot(now).await?,
        };
        let tomorrow = LedgerDay::of(now).next().to_string();
        if !self.route_jobs(depot.id, &tomorrow, None).await?.is_empty() {
            return Ok((added, 0));
        }
        let Some(planner) = self
            .account_by_login(&farmgate_domain::accounts::LoginId::parse("korla-centre")?)
            .await?
        else {
            return Ok((added, 0));
        };
        let jobs = morning_jobs(17);
        for details in &jobs {
            self.add_route_job(depot.id, &tomorrow, details, planner.id, now)
                .await?;
        }
        Ok((added, jobs.len() as u64))
    }

    async fn demo_fleet_depot(&self, now: DateTime<Utc>) -> Result<(Depot, u64)> {
        let county = self.region_by_code("korla").await?;
        let town = self.region_by_code("korla-qiaerbag").await?;
        let depot = self
            .add_depot(NewDepot {
                code: DEPOT.into(),
                county_id: county.id,
                region_id: town.id,
                names: Texts::new(
                    Some("恰尔巴格乡电商扶贫中心".into()),
                    Some("چارباغ يېزىلىق ئېلېكترونلۇق سودا مەركىزى".into()),
                    Some("Qiaerbag E-commerce Poverty Relief Centre".into()),
                ),
                latitude: town.latitude,
                longitude: town.longitude,
            })
            .await?;
        // The township's centre is also where the express companies' parcels leave from.
        let carriers = self.demo_carriers().await?;
        self.demo_terms(&depot, &carriers).await?;
        let rider = self
            .account_by_login(&farmgate_domain::accounts::LoginId::parse("korla-rider")?)
            .await?;
        let centre = self
            .account_by_login(&farmgate_domain::accounts::LoginId::parse("korla-centre")?)
            .await?;
        if let (Some(centre), Some(lat), Some(lon)) = (centre, depot.latitude, depot.longitude) {
            let roads = demo_roads(GeoPoint::new(lat, lon), 34);
            self.replace_roads(
                depot.id,
                ("库尔勒恰尔巴格道路实测.csv", &roads),
                centre.id,
                now,
            )
            .await?;
        }
        for n in 1..=20u32 {
            let details = VehicleDetails {
                // Eight of them are ridden by registered households (the seed's point).
                label: if n <= 8 {
                    format!("扶贫三轮车 {n} 号")
                } else {
                    format!("三轮车 {n} 号")
                },
                capacity: Capacity::new(300_000, 12)?,
                range_m: Some(60_000),
                driver_id: if n == 1 {
                    rider.as_ref().map(|r| r.id)
                } else {
                    None
                },
                household_id: None,
                // The centre pays ¥60 a morning.
                run_pay: farmgate_domain::money::Fen(6_000),
            };
            self.add_vehicle(
                depot.id,
                (&format!("QEB-{n:02}"), VehicleKind::Tricycle),
                &details,
                now,
            )
            .await?;
        }
        Ok((depot, 20))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_morning_is_120_checked_jobs_and_the_same_every_time() {
        let jobs = morning_jobs(17);
        assert_eq!(jobs.len(), 120);
        assert_eq!(jobs, morning_jobs(17));
        for j in &jobs {
            assert!(farmgate_domain::fleet::job_load(j.grams, j.crates).is_ok());
            assert!(j.window.is_some());
        }
        let sells = jobs.iter().filter(|j| j.kind == RouteJobKind::Sell).count();
        assert_eq!(sells, 16);
    }

    #[test]
    fn the_road_table_reads_back_and_knows_every_community() {
        let roads = demo_roads(GeoPoint::new(41.78, 86.1), 34);
        assert_eq!(roads.places.len(), 37);
        assert_eq!(roads.legs.len(), 37 * 36 / 2);
        assert_eq!(Roads::from_csv(&roads.to_csv()).unwrap(), roads);
        for (_, lat, lon) in COMMUNITIES {
            assert!(roads.nearest(GeoPoint::new(lat, lon)).is_some());
        }
    }
}
