//! Korla's registered households in the demo (issue 18): families of Saibag and Qiaerbag
//! villages, registered from 2014, some lifted out since; the Saibag stall's family linked to its
//! shop, seven families linked to the poverty-alleviation tricycles they ride (their runs
//! credit them; one is the family of the centre's rider), and the county's poverty line for the last three years.

use chrono::{DateTime, Datelike, Utc};
use farmgate_domain::accounts::LoginId;
use farmgate_domain::households::{IdNumber, LinkKind, Relation, check_character};
use farmgate_domain::money::Fen;

use crate::households::{HouseholdDetails, HouseholdFilter, IdVault, NewMember};
use crate::{Result, Store};

/// (village, head, registered, lifted, members: (name, relation, born yyyymmdd))
type Family = (
    &'static str,
    &'static str,
    i32,
    Option<i32>,
    &'static [(&'static str, Relation, &'static str)],
);

const FAMILIES: [Family; 9] = [
    (
        "korla-saibag",
        "吐尔逊·买买提",
        2014,
        None,
        &[
            ("阿依古丽·吐尔逊", Relation::Spouse, "19820316"),
            ("努尔兰·吐尔逊", Relation::Child, "20080921"),
        ],
    ),
    (
        "korla-saibag",
        "米热古丽·艾则孜",
        2015,
        Some(2020),
        &[("艾则孜·阿布都", Relation::Parent, "19520105")],
    ),
    (
        "korla-saibag",
        "王建国",
        2014,
        Some(2019),
        &[("李秀兰", Relation::Spouse, "19700611")],
    ),
    (
        "korla-qiaerbag-village",
        "买买提·依明",
        2014,
        None,
        &[
            ("热依拉·买买提", Relation::Spouse, "19850430"),
            ("艾力·买买提", Relation::Child, "20110202"),
        ],
    ),
    (
        "korla-qiaerbag-village",
        "阿布都热合曼·艾力",
        2016,
        None,
        &[("帕提古丽", Relation::Spouse, "19880808")],
    ),
    (
        "korla-qiaerbag-village",
        "艾力·托合提",
        2015,
        Some(2021),
        &[
            ("古丽娜", Relation::Spouse, "19790119"),
            ("托合提·艾力", Relation::Parent, "19480712"),
        ],
    ),
    ("korla-qiaerbag-village", "努尔东·热合曼", 2017, None, &[]),
    (
        "korla-qiaerbag-village",
        "热合曼·吐尔地",
        2014,
        Some(2020),
        &[("阿依努尔", Relation::Spouse, "19760325")],
    ),
    // The family of the centre's rider (`korla-rider`), who rides QEB-01.
    (
        "korla-qiaerbag-village",
        "阿卜杜拉·买买提",
        2016,
        None,
        &[
            ("祖丽皮耶·阿卜杜拉", Relation::Spouse, "19890917"),
            ("伊力亚尔·阿卜杜拉", Relation::Child, "20140503"),
        ],
    ),
];

/// The heads' birth dates, in the order of [`FAMILIES`].
const HEADS_BORN: [&str; 9] = [
    "19800101", "19781012", "19690204", "19830517", "19860923", "19770728", "19900314", "19720606",
    "19870211",
];

/// A demo identity number of Korla (652801), born `born`, with a right check character.
fn demo_id(born: &str, sequence: usize) -> Result<IdNumber> {
    let first17 = format!("652801{born}{:03}", sequence % 1000);
    let check = check_character(&first17).unwrap_or('X');
    Ok(IdNumber::parse(&format!("{first17}{check}"))?)
}

/// Family `n`'s members, the head first, each with a demo number of their own.
fn members_of(
    n: usize,
    (head, others): (&str, &[(&str, Relation, &str)]),
    sequence: &mut usize,
) -> Result<Vec<NewMember>> {
    *sequence += 7;
    let mut members = vec![NewMember {
        name: head.into(),
        relation: Relation::Head,
        id_number: demo_id(HEADS_BORN[n], *sequence)?,
        phone: None,
    }];
    for (name, relation, born) in others {
        *sequence += 7;
        members.push(NewMember {
            name: (*name).into(),
            relation: *relation,
            id_number: demo_id(born, *sequence)?,
            phone: None,
        });
    }
    Ok(members)
}

impl Store {
    /// Korla's households, their links and poverty lines, once. Returns households added.
    pub async fn load_demo_households(&self, vault: &IdVault, now: DateTime<Utc>) -> Result<u64> {
        let korla = self.region_by_code("korla").await?;
        if self
            .households(
                korla.id,
                &HouseholdFilter {
                    include_inactive: true,
                    ..Default::default()
                },
                (0, 1),
            )
            .await?
            .1
            > 0
        {
            return Ok(0);
        }
        let Some(centre) = self
            .account_by_login(&LoginId::parse("korla-centre")?)
            .await?
        else {
            return Ok(0);
        };
        for (year, yuan) in [
            (now.year() - 2, 4_400),
            (now.year() - 1, 4_500),
            (now.year(), 4_600),
        ] {
            self.set_poverty_line((korla.id, year), Fen(yuan * 100), (centre.id, now))
                .await?;
        }
        let tricycles = match self
            .depots_within(&korla.path)
            .await?
            .into_iter()
            .find(|d| d.code == super::fleet::DEPOT)
        {
            Some(depot) => self.vehicles(depot.id, true).await?,
            None => Vec::new(),
        };
        let seller = self
            .account_by_login(&LoginId::parse("saibag-seller")?)
            .await?;
        let stall = match &seller {
            Some(seller) => self.shops_of_member(seller.id).await?.first().map(|s| s.id),
            None => None,
        };
        let mut sequence = 11;
        let mut kept = Vec::with_capacity(FAMILIES.len());
        for (n, (village, head, registered, lifted, others)) in FAMILIES.iter().enumerate() {
            let village = self.region_by_code(village).await?;
            let members = members_of(n, (head, others), &mut sequence)?;
            let details = HouseholdDetails {
                village_id: village.id,
                registered_year: *registered,
                lifted_year: *lifted,
                note: String::new(),
            };
            let household = self
                .register_household(vault, (korla.id, &details), &members, (centre.id, now))
                .await?;
            // The Saibag stall's family its shop; households 3 to 8 ride QEB-02 to QEB-07,
            // the rider's family QEB-01.
            let earns = match n {
                0 => stall.map(|shop| (LinkKind::Shop, shop)),
                2..=8 => {
                    let code = if n == 8 {
                        "QEB-01".to_owned()
                    } else {
                        format!("QEB-{n:02}")
                    };
                    tricycles
                        .iter()
                        .find(|v| v.code == code)
                        .map(|v| (LinkKind::Vehicle, v.id))
                }
                _ => None,
            };
            if n == 0 {
                self.link_stall_keeper(korla.id, &household).await?;
            }
            if let Some((kind, target)) = earns {
                self.link_household(
                    (korla.id, household.id),
                    (kind, target, 100),
                    (centre.id, now),
                )
                .await?;
            }
            kept.push(household.id);
        }
        self.load_demo_incomes((korla.id, centre.id), &kept, now)
            .await?;
        Ok(FAMILIES.len() as u64)
    }

    /// The Saibag family's stall is kept by the head's wife, who signs in as `saibag-stallholder`:
    /// the centre linked her in person.
    async fn link_stall_keeper(
        &self,
        county: i64,
        household: &crate::households::Household,
    ) -> Result<()> {
        let keeper = self
            .account_by_login(&LoginId::parse("saibag-stallholder")?)
            .await?;
        let wife = household
            .members
            .iter()
            .find(|m| m.relation == Relation::Spouse);
        if let (Some(keeper), Some(wife)) = (keeper, wife) {
            self.set_member_account((county, household.id), wife.id, Some(keeper.id))
                .await?;
        }
        Ok(())
    }

    /// Two years of what the centre entered for the families (the Saibag stall's takings, about
    /// ¥200 a day; wages from the centre's sorting line and the rider's pay; odd jobs), and
    /// each December the greenhouse co-operative's dividend, split by work-days and paid through
    /// the dividend pools. Some families cross the line; Wang Jianguo's, lifted out in 2019,
    /// falls back below it.
    async fn load_demo_incomes(
        &self,
        (county, centre): (i64, i64),
        households: &[i64],
        now: DateTime<Utc>,
    ) -> Result<()> {
        use farmgate_domain::households::income::DividendRule;
        use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
        let mut month = LedgerMonth::of(LedgerDay::of(now));
        for _ in 0..24 {
            month = month.previous();
        }
        for k in 0..24_i64 {
            month = month.next();
            for (n, household) in households.iter().enumerate() {
                let Some((source, yuan, note)) = demo_month(n, k) else {
                    continue;
                };
                let entry = crate::households::NewIncome {
                    month,
                    source,
                    amount: Fen(yuan * 100),
                    note: note.to_owned(),
                };
                self.add_income((county, *household), &entry, (centre, now))
                    .await?;
            }
            if month.first.date().month() != 12 {
                continue;
            }
            let details = crate::households::PoolDetails {
                name: format!("恰尔巴格村大棚合作社 {} 年分红", month.first.date().year()),
                month,
                amount: Fen(3_000_000),
                rule: DividendRule::ByWorkDays,
            };
            let pool = self.create_pool(county, &details, (centre, now)).await?;
            for (n, household) in households.iter().enumerate() {
                let days = 40 + (n as u32 * 17) % 60;
                self.set_pool_share((county, pool.id), *household, days)
                    .await?;
            }
            self.pay_pool((county, pool.id), (centre, now)).await?;
        }
        Ok(())
    }
}

/// What the centre entered for family `n` in the `k`th of the 24 months (yuan).
fn demo_month(
    n: usize,
    k: i64,
) -> Option<(
    farmgate_domain::households::income::IncomeSource,
    i64,
    &'static str,
)> {
    use farmgate_domain::households::income::IncomeSource::{Other, Stall, Wages};
    let wobble = (k * 37 + n as i64 * 11) % 400;
    match n {
        // About ¥200 a day, 24 to 27 days a month, at Saibag's market; from last month at
        // the centre's stall, whose takings are recorded day by day (`demo::ground_floor`).
        0 if k >= 22 => None,
        0 => Some((Stall, (24 + k % 4) * 200 + wobble / 4, "赛巴格农贸市场摊位")),
        1 => Some((Wages, 1_500 + wobble, "中心分拣包装线工资")),
        2 => Some((Other, 250 + wobble / 4, "零工")),
        3 | 5 => Some((Wages, 1_100 + wobble, "中心分拣包装线工资")),
        4 | 6 => Some((Other, 300 + wobble / 2, "打零工、卖鸡蛋")),
        7 => Some((Wages, 800 + wobble, "中心保洁")),
        8 => Some((Wages, 1_200 + wobble / 2, "中心骑手基本工资")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_number_is_a_right_one_and_none_twice() {
        let mut seen = std::collections::HashSet::new();
        for (k, born) in HEADS_BORN.iter().enumerate() {
            assert!(seen.insert(demo_id(born, k * 7 + 18).unwrap()));
        }
    }
}
