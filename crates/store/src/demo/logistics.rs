//! Gaodu's distribution centre (the seed: "attracting eight express delivery companies to the
//! logistics distribution center in Gaodu township ... Thirty village-level stations"): the
//! eight carriers with their numbers' shapes, what each agreed with the centre, and this
//! morning's vans: the carriers' manifests for Gaodu's villages, most parcels scanned in and
//! sorted to their stations, a few on the "find the station" list, the rest still to scan.

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::logistics::{Rate, TrackingNumber, TrackingPattern, Zone};
use farmgate_domain::money::Fen;
use farmgate_domain::text::Texts;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::logistics::entity::depot;
use crate::logistics::{Advice, Carrier, Depot, NewCarrier, NewDepot, Scan, Terms};
use crate::{Result, Store};

/// One of the eight express companies of the seed, as the demo knows it.
pub struct DemoCarrier {
    pub code: &'static str,
    pub names: [&'static str; 3],
    /// Its tracking numbers' shape.
    pub pattern: &'static str,
    /// A demo number: this prefix, then the serial in this many digits.
    pub prefix: &'static str,
    pub digits: usize,
    /// What the centre charges it per inbound parcel, in fen.
    pub fee: i64,
}

pub const CARRIERS: [DemoCarrier; 8] = [
    DemoCarrier {
        code: "ems",
        names: ["中国邮政 EMS", "جۇڭگو پوچتىسى EMS", "China Post EMS"],
        pattern: r"E[A-Z]\d{9}CN|1\d{12}",
        prefix: "1",
        digits: 12,
        fee: 120,
    },
    DemoCarrier {
        code: "sf",
        names: ["顺丰速运", "شۈنفېڭ تېز يوللانمىسى", "SF Express"],
        pattern: r"SF\d{13}",
        prefix: "SF",
        digits: 13,
        fee: 100,
    },
    DemoCarrier {
        code: "zto",
        names: ["中通快递", "جۇڭتۇڭ تېز يوللانمىسى", "ZTO Express"],
        pattern: r"7[58]\d{12}",
        prefix: "78",
        digits: 12,
        fee: 80,
    },
    DemoCarrier {
        code: "yto",
        names: ["圆通速递", "يۈەنتۇڭ تېز يوللانمىسى", "YTO Express"],
        pattern: r"YT\d{13}",
        prefix: "YT",
        digits: 13,
        fee: 80,
    },
    DemoCarrier {
        code: "sto",
        names: ["申通快递", "شېنتۇڭ تېز يوللانمىسى", "STO Express"],
        pattern: r"77\d{11}",
        prefix: "77",
        digits: 11,
        fee: 80,
    },
    DemoCarrier {
        code: "yunda",
        names: ["韵达快递", "يۈندا تېز يوللانمىسى", "Yunda Express"],
        pattern: r"4[36]\d{13}",
        prefix: "43",
        digits: 13,
        fee: 80,
    },
    DemoCarrier {
        code: "jt",
        names: ["极兔速递", "جىتۇ تېز يوللانمىسى", "J&T Express"],
        pattern: r"JT\d{13}",
        prefix: "JT",
        digits: 13,
        fee: 90,
    },
    DemoCarrier {
        code: "jd",
        names: ["京东物流", "جىڭدۇڭ لوگىستىكىسى", "JD Logistics"],
        pattern: r"JD[A-Z]{2}\d{11}",
        prefix: "JDVA",
        digits: 11,
        fee: 110,
    },
];

/// Parcels advised this morning, and how many of them are scanned in already.
const ADVISED_TODAY: usize = 640;
const SCANNED_TODAY: usize = 420;
/// Parcels whose address names no village the county knows: scanned, station to find.
const NO_VILLAGE: usize = 6;

/// A carrier's number `serial` in its shape.
pub fn demo_number(carrier: usize, serial: u64) -> String {
    let DemoCarrier { prefix, digits, .. } = CARRIERS[carrier];
    let modulus = 10u64.pow(digits as u32);
    format!("{prefix}{:0width$}", serial % modulus, width = digits)
}

/// A carrier's rates to the county's sellers: 1, 3 and 5 kg to each zone.
fn demo_rates(carrier: usize) -> Vec<Rate> {
    let base = 600 + carrier as i64 * 50;
    let mut rates = Vec::new();
    for (z, zone) in Zone::ALL.into_iter().enumerate() {
        for (w, grams) in [1_000, 3_000, 5_000].into_iter().enumerate() {
            rates.push(Rate {
                zone,
                up_to_grams: grams,
                fee: Fen(base + z as i64 * 300 + w as i64 * 400),
            });
        }
    }
    rates
}

impl Store {
    /// Adds Gaodu's depot with the eight carriers and this morning's parcels (once: nothing
    /// when the depot exists). Returns (carriers, parcels advised).
    pub async fn load_demo_logistics(
        &self,
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> Result<(u64, u64)> {
        let done = depot::Entity::find()
            .filter(depot::Column::Code.eq("zezhou-gaodu-depot"))
            .one(&self.db)
            .await?;
        if done.is_some() {
            return Ok((0, 0));
        }
        let carriers = self.demo_carriers().await?;
        let county = self.region_by_code("zezhou").await?;
        let town = self.region_by_code("zezhou-gaodu").await?;
        let depot = self
            .add_depot(NewDepot {
                code: "zezhou-gaodu-depot".into(),
                county_id: county.id,
                region_id: town.id,
                names: Texts::new(
                    Some("高都镇物流配送中心".into()),
                    Some("گاۋدۇ بازىرى لوگىستىكا تارقىتىش مەركىزى".into()),
                    Some("Gaodu Logistics Distribution Centre".into()),
                ),
                latitude: town.latitude,
                longitude: town.longitude,
            })
            .await?;
        self.demo_terms(&depot, &carriers).await?;
        let advised = self.demo_morning(&depot, &carriers, now).await?;
        self.demo_run(&depot, now).await?;
        self.demo_carrier_clerk(&carriers[1], password_hash).await?;
        self.demo_outbound(&depot, &carriers, now).await?;
        Ok((carriers.len() as u64, advised))
    }

    /// The eight carriers' terms at `depot`: their fees and rates by zone.
    pub(super) async fn demo_terms(&self, depot: &Depot, carriers: &[Carrier]) -> Result<()> {
        for (k, carrier) in carriers.iter().enumerate() {
            let terms = Terms {
                inbound_fee: Fen(CARRIERS[k].fee),
                active: true,
                rates: demo_rates(k),
            };
            self.save_terms(depot.id, carrier.id, &terms).await?;
        }
        Ok(())
    }

    /// The eight carriers (those already known are kept).
    pub(super) async fn demo_carriers(&self) -> Result<Vec<Carrier>> {
        let mut known = self.carriers().await?;
        for DemoCarrier {
            code,
            names: [zh, ug, en],
            pattern,
            ..
        } in CARRIERS
        {
            if known.iter().any(|c| c.code == code) {
                continue;
            }
            let pattern = TrackingPattern::parse(pattern)
                .map_err(|_| crate::Error::Config(format!("demo pattern of {code}")))?;
            let added = self
                .add_carrier(NewCarrier {
                    code: code.into(),
                    names: Texts::new(Some(zh.into()), Some(ug.into()), Some(en.into())),
                    pattern,
                })
                .await?;
            known.push(added);
        }
        Ok(CARRIERS
            .iter()
            .filter_map(|demo| known.iter().find(|c| c.code == demo.code).cloned())
            .collect())
    }

    /// Beijie's shop ships through the centre: each carrier's block of waybill numbers; two of
    /// 王芳's orders to Shanghai, one packed and waiting for its label (the seller's
    /// work), one labelled, shipped and scanned in at the centre, waiting for its carrier's van
    /// (the dispatcher's).
    async fn demo_outbound(
        &self,
        depot: &Depot,
        carriers: &[Carrier],
        now: DateTime<Utc>,
    ) -> Result<()> {
        use farmgate_domain::accounts::{DisplayName, LoginId};
        use farmgate_domain::orders::{Basket, IdempotencyKey, OrderEvent, PaymentMethod};
        let account = |login: &'static str| async move {
            self.account_by_login(&LoginId::parse(login)?).await
        };
        let Some(centre) = account("zezhou-centre").await? else {
            return Ok(());
        };
        self.demo_waybills(depot, carriers, centre.id).await?;
        let (Some(seller), Some(buyer)) = (
            account("gaodu-seller").await?,
            // 王芳 of Shanghai, one of the demo year's buyers (not `buyer`, whose first purchase
            // in a live room still chooses where it goes).
            account("demo-buyer-00").await?,
        ) else {
            return Ok(());
        };
        let Some(shop) = self.shops_of_member(seller.id).await?.into_iter().next() else {
            return Ok(());
        };
        let products = self.products_of_shop(shop.id).await?;
        let street = self.region_by_code("shanghai-zhangjiang").await?;
        let intake = crate::orders::OrderIntake::start(self.clone());
        // Goods of a known weight (millet), as parcels are priced by weight.
        let Some(variant) = products.iter().find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.spec.net_grams.unwrap_or(0) >= 100)
        }) else {
            return Ok(());
        };
        for k in 0..2 {
            if self.variant_stock(variant.id).await? < 1 {
                self.demo_restock(variant.id).await?;
            }
            let placed = intake
                .place(crate::orders::PlaceOrder {
                    buyer_id: buyer.id,
                    key: IdempotencyKey::parse(&format!("demo-outbound-{k}"))?,
                    basket: Basket::parse(&[(variant.id, 1)])?,
                    delivery: crate::orders::Delivery::Home {
                        region_id: street.id,
                        address: "张江路 88 弄 6 号 302 室".into(),
                        recipient: DisplayName::parse("王芳")?,
                        phone: PhoneNumber::parse("13917720001")?,
                    },
                    payment: PaymentMethod::Cash,
                    provider: "cash".to_owned(),
                    pay_within: Duration::minutes(30),
                    room_id: None,
                })
                .await
                .map_err(|e| crate::Error::Config(format!("a demo order was refused: {e}")))?;
            let Some(order) = placed.orders.into_iter().next() else {
                continue;
            };
            let (_, grams) = self.demo_packer(&order).await?;
            let pack = OrderEvent::Pack {
                packed_grams: grams,
            };
            let order = self.advance_order(order.id, pack, seller.id, None).await?;
            if k == 0 {
                continue;
            }
            let shipment = crate::logistics::Shipment {
                order: &order,
                carrier_id: None,
                grams: i32::try_from(grams).unwrap_or(1_000),
            };
            let parcel = self.label_order(depot, shipment, seller.id, now).await?;
            let carrier = carriers.iter().find(|c| c.id == parcel.carrier_id);
            let note = format!(
                "{} {}",
                carrier.map_or("", |c| c
                    .names
                    .shown(farmgate_domain::lang::Language::ZhCn)
                    .text),
                parcel.tracking_number
            );
            self.advance_order(order.id, OrderEvent::Ship, seller.id, Some(note))
                .await?;
            let scan = Scan {
                client_id: format!("demo-outbound-{}", parcel.id),
                number: TrackingNumber::parse(&parcel.tracking_number)?,
                at: now - Duration::minutes(40),
            };
            self.scan_in(depot, centre.id, &[scan], now).await?;
        }
        Ok(())
    }

    /// A block of a hundred thousand waybill numbers from each carrier, far from the numbers
    /// of its inbound parcels.
    async fn demo_waybills(
        &self,
        depot: &Depot,
        carriers: &[Carrier],
        actor_id: i64,
    ) -> Result<()> {
        use farmgate_domain::logistics::outbound::WaybillBlock;
        for (k, carrier) in carriers.iter().enumerate() {
            let DemoCarrier { prefix, digits, .. } = CARRIERS[k];
            let first = 9 * 10i64.pow(digits as u32 - 1);
            let block = WaybillBlock {
                prefix,
                digits: digits as u32,
                first,
                last: first + 99_999,
            };
            self.add_waybill_block(depot.id, carrier.id, &block, actor_id)
                .await?;
        }
        Ok(())
    }

    /// `gaodu-sf`, who keeps SF Express's Gaodu statements.
    async fn demo_carrier_clerk(&self, sf: &Carrier, password_hash: &str) -> Result<()> {
        let login = farmgate_domain::accounts::LoginId::parse("gaodu-sf")?;
        let clerk = match self.account_by_login(&login).await? {
            Some(found) => found,
            None => {
                self.create_account(crate::accounts::NewAccount {
                    login,
                    display_name: farmgate_domain::accounts::DisplayName::parse(
                        "顺丰速运高都网点",
                    )?,
                    password_hash: password_hash.to_owned(),
                    language: farmgate_domain::lang::Language::ZhCn,
                })
                .await?
            }
        };
        self.add_carrier_member(sf.id, clerk.id).await
    }

    /// Today's first run for `gaodu-courier`: the ten nearest of Gaodu's stations with parcels
    /// waiting, leaving at nine (China's time), planned and not left: the driver's work.
    async fn demo_run(&self, depot: &Depot, now: DateTime<Utc>) -> Result<()> {
        let login = farmgate_domain::accounts::LoginId::parse("gaodu-courier")?;
        let planner = farmgate_domain::accounts::LoginId::parse("zezhou-centre")?;
        let (Some(driver), Some(planner)) = (
            self.account_by_login(&login).await?,
            self.account_by_login(&planner).await?,
        ) else {
            return Ok(());
        };
        let county = self.region_by_code("zezhou").await?;
        let mut stations: Vec<_> = self
            .stations_within(&county.path)
            .await?
            .into_iter()
            .filter(|s| s.code.starts_with("zezhou-gaodu-"))
            .collect();
        let ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
        let waiting = self.waiting_for(depot.id, &ids).await?;
        stations.retain(|s| waiting.iter().any(|(id, n)| *id == s.id && *n > 0));
        // Gaodu's stations were placed on a spiral out from the town: by code is nearest first.
        stations.sort_by(|a, b| a.code.cmp(&b.code));
        stations.truncate(10);
        let start = depot
            .latitude
            .zip(depot.longitude)
            .unwrap_or((35.70, 112.93));
        let mut at = start;
        let mut legs = Vec::new();
        for station in &stations {
            let point = station.latitude.zip(station.longitude).unwrap_or(at);
            legs.push(farmgate_domain::regions::km_between(at, point));
            at = point;
        }
        let day = farmgate_domain::stations::till::LedgerDay::of(now);
        let depart = day.bounds().0 + Duration::hours(9);
        let times = farmgate_domain::logistics::expected_times(depart, &legs);
        let run = crate::logistics::NewRun {
            day,
            vehicle: "晋E·D2618 电动厢式货车".into(),
            driver_id: driver.id,
            depart_at: depart,
            stops: stations.iter().map(|s| s.id).zip(times).collect(),
        };
        if !run.stops.is_empty() {
            self.plan_run(depot, &run, planner.id).await?;
        }
        Ok(())
    }

    /// This morning's manifests for Gaodu's villages, and the parcels scanned in so far.
    async fn demo_morning(
        &self,
        depot: &Depot,
        carriers: &[Carrier],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let town = self.region_by_code("zezhou-gaodu").await?;
        let villages = self.region_children(town.id).await?;
        let day = now.timestamp() as u64 / 86_400;
        let mut numbers: Vec<Vec<(String, Option<i64>)>> = vec![Vec::new(); carriers.len()];
        for k in 0..ADVISED_TODAY {
            let carrier = k % carriers.len();
            let serial = day * 100_000 + k as u64;
            let village = (k >= NO_VILLAGE)
                .then(|| villages.get(k % villages.len().max(1)).map(|v| v.id))
                .flatten();
            numbers[carrier].push((demo_number(carrier, serial), village));
        }
        let mut advised = 0;
        for (carrier, lines) in carriers.iter().zip(&numbers) {
            let advice: Vec<Advice> = lines
                .iter()
                .enumerate()
                .filter_map(|(i, (number, village))| {
                    let number = TrackingNumber::parse(number).ok()?;
                    let name = villages
                        .iter()
                        .find(|v| Some(v.id) == *village)
                        .map_or("高都镇", |v| v.name_zh.as_str());
                    Some(Advice {
                        number,
                        region_id: *village,
                        receiver_name: Some(format!(
                            "{}女士",
                            ["王", "李", "张", "赵", "刘"][i % 5]
                        )),
                        receiver_phone: PhoneNumber::parse(&format!("139{:08}", 35_000_000 + i))
                            .ok(),
                        address: Some(format!("山西省晋城市泽州县{name}")),
                        weight_grams: Some(300 + (i as i32 * 137) % 4_000),
                    })
                })
                .collect();
            advised += self
                .advise_parcels(depot, carrier, &advice, now - Duration::hours(6))
                .await?;
        }
        // The vans came at seven; a parcel a few seconds.
        let scans: Vec<Scan> = (0..SCANNED_TODAY)
            .filter_map(|k| {
                let carrier = k % carriers.len();
                let number = TrackingNumber::parse(&numbers[carrier][k / carriers.len()].0).ok()?;
                Some(Scan {
                    client_id: format!("demo-{day}-{k}"),
                    number,
                    at: now - Duration::hours(2) + Duration::seconds(k as i64 * 4),
                })
            })
            .collect();
        let login = farmgate_domain::accounts::LoginId::parse("zezhou-centre")?;
        let worker = self.account_by_login(&login).await?.map(|a| a.id);
        if let Some(worker) = worker {
            for batch in scans.chunks(200) {
                self.scan_in(depot, worker, batch, now).await?;
            }
        }
        Ok(advised)
    }
}

/// Parcels written per statement by the bulk loaders (each with its six events).
pub(super) const BULK_CHUNK: usize = 500;

impl Store {
    /// For `farmgate bench parcels` (and longer demo histories): `count` inbound parcels of
    /// `carriers` spread over the 30 days from `from`, each taken through the whole way (advised,
    /// scanned in, sorted, on a run, at its station, handed over; one in twenty sent back) with
    /// its events, written set-based. Numbers start at `serial`. Returns the parcels written.
    pub async fn load_bench_parcels(
        &self,
        depot: &Depot,
        carriers: &[Carrier],
        stations: &[i64],
        (from, serial, count): (DateTime<Utc>, u64, usize),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        use crate::logistics::entity::{event, parcel};
        use farmgate_domain::logistics::{Direction, Stage};
        use sea_orm::{EntityTrait, QuerySelect, Set};
        let span = Duration::days(30).num_seconds();
        let mut written = 0u64;
        for start in (0..count).step_by(BULK_CHUNK) {
            let end = (start + BULK_CHUNK).min(count);
            let txn = self.begin_write().await?;
            let mut rows = Vec::with_capacity(end - start);
            let mut meta = Vec::with_capacity(end - start);
            for k in start..end {
                let c = k % carriers.len();
                let at = from + Duration::seconds(span * k as i64 / count.max(1) as i64);
                let returned = k % 20 == 19;
                let station = stations[k % stations.len()];
                let number = demo_number(c % CARRIERS.len(), serial + k as u64);
                meta.push((number.clone(), carriers[c].id, at, returned, station));
                rows.push(parcel::ActiveModel {
                    depot_id: Set(depot.id),
                    carrier_id: Set(carriers[c].id),
                    tracking_number: Set(number),
                    direction: Set(Direction::Inbound.as_str().to_owned()),
                    stage: Set(if returned {
                        Stage::Returned
                    } else {
                        Stage::HandedOver
                    }
                    .as_str()
                    .to_owned()),
                    day: Set(Some(
                        farmgate_domain::stations::till::LedgerDay::of(at - Duration::hours(6))
                            .to_string(),
                    )),
                    station_id: Set(Some(station)),
                    fee_fen: Set(CARRIERS[c % CARRIERS.len()].fee),
                    advised_at: Set(Some(at - Duration::hours(12))),
                    scanned_at: Set(Some(at - Duration::hours(6))),
                    updated_at: Set(at),
                    ..Default::default()
                });
            }
            parcel::Entity::insert_many(rows).exec(&txn).await?;
            let numbers: Vec<String> = meta.iter().map(|m| m.0.clone()).collect();
            let ids: Vec<(i64, String, i64)> = parcel::Entity::find()
                .select_only()
                .column(parcel::Column::Id)
                .column(parcel::Column::TrackingNumber)
                .column(parcel::Column::CarrierId)
                .filter(parcel::Column::TrackingNumber.is_in(numbers))
                .filter(parcel::Column::DepotId.eq(depot.id))
                .into_tuple()
                .all(&txn)
                .await?;
            let events = bench_events(ids, &meta);
            for chunk in events.chunks(3_000) {
                event::Entity::insert_many(chunk.to_vec())
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await?;
            written += (end - start) as u64;
            progress(written);
        }
        Ok(written)
    }
}

/// (tracking number, carrier, when it was handed over or sent back, sent back, station)
type BenchMeta = (String, i64, DateTime<Utc>, bool, i64);

/// The six events of each bulk-loaded parcel `ids` (id, number, carrier) described by `meta`.
fn bench_events(
    ids: Vec<(i64, String, i64)>,
    meta: &[BenchMeta],
) -> Vec<crate::logistics::entity::event::ActiveModel> {
    use crate::logistics::entity::event;
    use farmgate_domain::logistics::Stage;
    use sea_orm::Set;
    let mut events = Vec::with_capacity(ids.len() * 6);
    for (id, number, carrier_id) in ids {
        let Some((_, _, at, returned, station)) =
            meta.iter().find(|m| m.0 == number && m.1 == carrier_id)
        else {
            continue;
        };
        let last = if *returned {
            Stage::Returned
        } else {
            Stage::HandedOver
        };
        for (kind, hours) in [
            (Stage::Advised, 12),
            (Stage::ScannedIn, 6),
            (Stage::Sorted, 6),
            (Stage::OnRun, 3),
            (Stage::AtStation, 1),
            (last, 0),
        ] {
            events.push(event::ActiveModel {
                parcel_id: Set(id),
                carrier_id: Set(carrier_id),
                kind: Set(kind.as_str().to_owned()),
                at: Set(*at - Duration::hours(hours)),
                station_id: Set((kind >= Stage::Sorted).then_some(*station)),
                ..Default::default()
            });
        }
    }
    events
}
