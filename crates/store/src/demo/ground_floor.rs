//! The stalls and the park of the demo (issue 19). Qiaerbag's e-commerce operation centre "can
//! accommodate 38 stalls", free for poor households "including water, electricity and
//! heating": Korla's registered families hold stalls for the season (the Saibag family's
//! takings, about ¥200 a day, recorded day by day), other villagers rent by the month or the
//! day, a few stalls are free today and two people wait for a month's stall. Gaodu's
//! livestreaming park in Baofu's old compound: units leased to Beijie's shops that "have
//! moved" there (rent-free for their first year) and to two companies.

use chrono::{DateTime, Duration, Utc};
use farmgate_domain::centre::park::RentMethod;
use farmgate_domain::centre::stalls::{StallRates, StallServices, StallTerm};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};

use crate::centre::{Holder, LeaseDetails, NewBooking, StallDetails, UnitDetails};
use crate::households::HouseholdFilter;
use crate::{Result, Store};
use farmgate_domain::accounts::LoginId;

/// The hall of Qiaerbag's centre.
pub const HALL: &str = "恰尔巴格乡电商运营中心一楼";

/// Rows of the hall's map: 10, 10, 10 and 8 stalls.
const ROWS: [(char, i32); 4] = [('A', 10), ('B', 10), ('C', 10), ('D', 8)];

/// Villagers who rent a stall by the month (they are not on the register).
const RENTERS: [&str; 14] = [
    "米热古丽·孜亚吾东",
    "古丽娜尔·吐尔洪",
    "阿不都拉·热合曼",
    "张桂芳",
    "帕提古丽·买买提",
    "艾合买提·依不拉音",
    "刘德明",
    "热孜万古丽·阿卜杜",
    "买合木提·卡地尔",
    "阿依努尔·肉孜",
    "马秀英",
    "吐逊古丽·阿木提",
    "赵建军",
    "努尔曼古丽·司马义",
];

/// Villagers who came for the day with their strawberries, tomatoes and eggs.
const DAY_SELLERS: [&str; 6] = [
    "阿孜古丽·买买提",
    "李春花",
    "依力哈木·吐尔逊",
    "麦迪娜·艾力",
    "孙玉兰",
    "吾买尔·卡斯木",
];

fn stall_details(region_id: i64, (row, letter): (i32, char), column: i32) -> StallDetails {
    StallDetails {
        region_id,
        hall: HALL.to_owned(),
        code: format!("{letter}-{column:02}"),
        row,
        column,
        size_m2: if row == 4 { 9 } else { 6 },
        services: StallServices {
            water: true,
            power: true,
            heating: true,
        },
        rates: StallRates {
            day: Fen(2_000),
            month: Fen(30_000),
            season: Fen(80_000),
        },
        active: true,
    }
}

impl Store {
    /// Qiaerbag's stalls with their bookings, takings and waiting list, and Gaodu's park, once.
    /// Returns (stalls, leases) added.
    pub async fn load_demo_ground_floor(&self, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let stalls = self.load_demo_stalls(now).await?;
        let leases = self.load_demo_park(now).await?;
        Ok((stalls, leases))
    }

    async fn load_demo_stalls(&self, now: DateTime<Utc>) -> Result<usize> {
        let korla = self.region_by_code("korla").await?;
        if !self.stalls(korla.id, true).await?.is_empty() {
            return Ok(0);
        }
        let Some(centre) = self
            .account_by_login(&LoginId::parse("korla-centre")?)
            .await?
        else {
            return Ok(0);
        };
        let town = self.region_by_code("korla-qiaerbag").await?;
        let mut stalls = Vec::new();
        for (r, (letter, count)) in ROWS.iter().enumerate() {
            for column in 1..=*count {
                let details = stall_details(town.id, (r as i32 + 1, *letter), column);
                stalls.push(self.add_stall(korla.id, &details, now).await?);
            }
        }
        let today = LedgerDay::of(now);
        // The season began on the first of last month, booked that day.
        let season = LedgerMonth::of(today).previous().first;
        let booked_then = season.bounds().0 + Duration::hours(3);
        let (households, _) = self
            .households(korla.id, &HouseholdFilter::default(), (0, 20))
            .await?;
        let mut next = stalls.iter();
        let mut saibag = None;
        for h in households.iter().take(6) {
            let Some(stall) = next.next() else { break };
            let booking = NewBooking {
                holder: Holder {
                    household_id: Some(h.id),
                    name: String::new(),
                    phone: None,
                },
                term: StallTerm::Season,
                starts_on: season,
            };
            let held = self
                .book_stall((korla.id, stall.id), &booking, (centre.id, booked_then))
                .await?;
            if h.head_name == "吐尔逊·买买提" {
                saibag = Some(held.id);
            }
        }
        let month_start = LedgerMonth::of(today).first;
        for (k, name) in RENTERS.iter().enumerate() {
            let Some(stall) = next.next() else { break };
            let booking = NewBooking {
                holder: Holder {
                    household_id: None,
                    name: (*name).to_owned(),
                    phone: Some(format!("1389960{:04}", 1200 + k * 7)),
                },
                term: StallTerm::Month,
                starts_on: month_start,
            };
            self.book_stall(
                (korla.id, stall.id),
                &booking,
                (centre.id, month_start.bounds().0 + Duration::hours(2)),
            )
            .await?;
        }
        // Six more stalls taken for today only; the rest (12) free today.
        for (name, stall) in DAY_SELLERS.iter().zip(next.by_ref()) {
            let booking = NewBooking {
                holder: Holder {
                    household_id: None,
                    name: (*name).to_owned(),
                    phone: None,
                },
                term: StallTerm::Day,
                starts_on: today,
            };
            self.book_stall((korla.id, stall.id), &booking, (centre.id, now))
                .await?;
        }
        self.demo_waiting((korla.id, centre.id), today, now).await?;
        if let Some(booking) = saibag {
            self.demo_takings((korla.id, centre.id), (booking, season), now)
                .await?;
        }
        Ok(stalls.len())
    }

    /// Two villagers wait for a month's stall from next week.
    async fn demo_waiting(
        &self,
        (county, centre): (i64, i64),
        today: LedgerDay,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut from = today;
        for _ in 0..7 {
            from = from.next();
        }
        for (name, phone) in [
            ("阿卜杜克热木·吐尔地", "13899612011"),
            ("王秀珍", "13899612027"),
        ] {
            let holder = Holder {
                household_id: None,
                name: name.to_owned(),
                phone: Some(phone.to_owned()),
            };
            self.add_stall_wait(county, (&holder, StallTerm::Month, from), (centre, now))
                .await?;
        }
        Ok(())
    }

    /// The Saibag family's takings every day of its season until yesterday: about ¥200.
    async fn demo_takings(
        &self,
        (county, centre): (i64, i64),
        (booking, first): (i64, LedgerDay),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let today = LedgerDay::of(now);
        let mut day = first;
        let mut k: i64 = 0;
        while day < today {
            let yuan = 160 + (k * 37) % 90;
            let at = day.bounds().0 + Duration::hours(20);
            self.record_stall_takings((county, booking), (day, Fen(yuan * 100)), (centre, at))
                .await?;
            day = day.next();
            k += 1;
        }
        Ok(())
    }

    /// Gaodu's park: twelve units in Baofu's old compound, eight leased to Beijie's shops that
    /// moved there and two to companies.
    async fn load_demo_park(&self, now: DateTime<Utc>) -> Result<usize> {
        let county = self.region_by_code("zezhou").await?;
        if !self.park_units(county.id).await?.is_empty() {
            return Ok(0);
        }
        let Some(centre) = self
            .account_by_login(&LoginId::parse("zezhou-centre")?)
            .await?
        else {
            return Ok(0);
        };
        let baofu = self.region_by_code("zezhou-baofu").await?;
        let beijie = self.region_by_code("zezhou-beijie").await?;
        let mut units = Vec::new();
        for (k, code) in [
            "A101", "A102", "A103", "A104", "A105", "A106", "B101", "B102", "B103", "B104", "B105",
            "B106",
        ]
        .iter()
        .enumerate()
        {
            let details = UnitDetails {
                region_id: baofu.id,
                code: (*code).to_owned(),
                name: format!(
                    "古院{}厢 {} 号直播间",
                    if k < 6 { "东" } else { "西" },
                    k % 6 + 1
                ),
                size_m2: if k % 3 == 0 { 60 } else { 30 },
                monthly_rent: Fen(if k % 3 == 0 { 300_000 } else { 150_000 }),
                active: true,
            };
            units.push(
                self.save_park_unit((county.id, None), &details, now)
                    .await?,
            );
        }
        let shops = self.shops_in_villages(&[beijie.id]).await?;
        let today = LedgerDay::of(now);
        let mut leases = 0;
        let tenants = shops
            .iter()
            .take(8)
            .map(|s| (s.name.clone(), Some(s.id), Some(beijie.id)))
            .chain([
                ("泽州县布老虎非遗工作室".to_owned(), None, None),
                ("高都镇直播基地运营有限公司".to_owned(), None, None),
            ]);
        for (k, (tenant, shop, from)) in tenants.enumerate() {
            let Some(unit) = units.get(k) else { break };
            let mut starts = today;
            for _ in 0..(90 + k as i64 * 75) {
                starts = starts.previous();
            }
            let details = LeaseDetails {
                tenant_name: tenant,
                shop_id: shop,
                moved_from_id: from,
                starts_on: starts,
                free_months: 12,
                monthly_rent: unit.monthly_rent,
            };
            let lease = self
                .add_lease((county.id, unit.id), &details, (centre.id, now))
                .await?;
            // Tenants past their free year paid each month on the fifth, by transfer; the
            // seventh tenant has not paid its last three months, nor anyone this month.
            let (_, months) = self.lease_rents(county.id, lease.id, today).await?;
            let unpaid = if k == 6 { 3 } else { 1 };
            for m in months.iter().skip(unpaid) {
                let paid_on = m.month.first.bounds().0 + Duration::days(4) + Duration::hours(3);
                let reference = format!("GD{}{:02}", m.month.to_string().replace('-', ""), k);
                self.record_rent(
                    (county.id, lease.id),
                    (m.month, RentMethod::Transfer, &reference),
                    (centre.id, paid_on.min(now)),
                )
                .await?;
            }
            leases += 1;
        }
        Ok(leases)
    }
}
