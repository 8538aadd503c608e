//! The centre's stalls and the park: bookings of one stall never share a day (eight racing for
//! the same day, one wins), a household of the register pays nothing, a cancelled booking goes
//! to the first on the waiting list whose days fit; a day's takings count in the household's
//! income once (recording the day again replaces it) and only on days the booking holds; a
//! park unit is leased to one tenant at a time, rent-free at first.

use std::sync::Arc;

use chrono::{Duration, Utc};
use farmgate_domain::centre::stalls::{StallRates, StallServices, StallTerm};
use farmgate_domain::households::income::IncomeSource;
use farmgate_domain::households::{IdNumber, Relation};
use farmgate_domain::money::Fen;
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::Error;
use farmgate_store::centre::{
    BookingFilter, Holder, LeaseDetails, NewBooking, StallDetails, UnitDetails,
};
use farmgate_store::households::{HouseholdDetails, IdVault, NewMember};
use farmgate_store::testing::TestDb;

use super::{buyers, seed_demo};

fn stall(region_id: i64, code: &str) -> StallDetails {
    StallDetails {
        region_id,
        hall: "恰尔巴格乡电商运营中心一楼".into(),
        code: code.into(),
        row: 1,
        column: 1,
        size_m2: 6,
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

/// A family of Saibag on Korla's register, `head` alone.
async fn saibag_family(
    store: &farmgate_store::Store,
    staff: i64,
    head: &str,
) -> farmgate_store::households::Household {
    let vault = IdVault::new(&[7u8; 32]).unwrap();
    let korla = store.region_by_code("korla").await.unwrap();
    let saibag = store.region_by_code("korla-saibag").await.unwrap();
    let details = HouseholdDetails {
        village_id: saibag.id,
        registered_year: 2014,
        lifted_year: None,
        note: String::new(),
    };
    let head = NewMember {
        name: head.into(),
        relation: Relation::Head,
        id_number: IdNumber::parse("652801198001011238").unwrap(),
        phone: None,
    };
    store
        .register_household(&vault, (korla.id, &details), &[head], (staff, Utc::now()))
        .await
        .unwrap()
}

fn someone(name: &str) -> Holder {
    Holder {
        household_id: None,
        name: name.into(),
        phone: None,
    }
}

fn days_after(day: LedgerDay, n: u32) -> LedgerDay {
    (0..n).fold(day, |d, _| d.next())
}

pub async fn stall_bookings_never_share_a_day_and_the_waiting_list_moves_up(db: &TestDb) {
    let store = Arc::new(db.store.clone());
    seed_demo(&store).await;
    let staff = buyers(&store, 1).await[0];
    let korla = store.region_by_code("korla").await.unwrap();
    let town = store.region_by_code("korla-qiaerbag").await.unwrap();
    let tekes = store.region_by_code("tekes").await.ok();
    let now = Utc::now();
    let today = LedgerDay::of(now);
    let a01 = store
        .add_stall(korla.id, &stall(town.id, "a-01"), now)
        .await
        .unwrap();
    assert_eq!(a01.code, "A-01");
    let twice = store
        .add_stall(korla.id, &stall(town.id, "A-01"), now)
        .await;
    assert!(matches!(twice, Err(Error::Conflict { field: "code" })));
    if let Some(elsewhere) = tekes {
        let refused = store
            .add_stall(korla.id, &stall(elsewhere.id, "A-02"), now)
            .await;
        assert!(matches!(refused, Err(Error::Invalid(e)) if e.code == "stall-region-invalid"));
    }

    // Eight bookings race for tomorrow: one wins, seven are told the stall is taken.
    let tomorrow = today.next();
    let mut racing = Vec::new();
    for k in 0..8 {
        let store = Arc::clone(&store);
        racing.push(tokio::spawn(async move {
            let booking = NewBooking {
                holder: someone(&format!("摊主{k}")),
                term: StallTerm::Day,
                starts_on: tomorrow,
            };
            store
                .book_stall((korla.id, a01.id), &booking, (staff, now))
                .await
        }));
    }
    let mut won = Vec::new();
    for handle in racing {
        match handle.await.unwrap() {
            Ok(b) => won.push(b),
            Err(Error::Invalid(e)) => assert_eq!(e.code, "stall-taken"),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won.len(), 1, "one booking holds the day");
    assert_eq!(
        won[0].rent,
        Fen(2_000),
        "someone off the register pays the day's rate"
    );

    // A month from today overlaps tomorrow: refused; from the day after tomorrow it fits.
    let month = NewBooking {
        holder: someone("张桂芳"),
        term: StallTerm::Month,
        starts_on: today,
    };
    let overlapping = store
        .book_stall((korla.id, a01.id), &month, (staff, now))
        .await;
    assert!(matches!(overlapping, Err(Error::Invalid(e)) if e.code == "stall-taken"));
    let yesterday = NewBooking {
        starts_on: today.previous(),
        ..month.clone()
    };
    let late = store
        .book_stall((korla.id, a01.id), &yesterday, (staff, now))
        .await;
    assert!(matches!(late, Err(Error::Invalid(e)) if e.code == "stall-start-invalid"));

    // Two wait for tomorrow; cancelling the day's booking gives it to the first.
    let first = store
        .add_stall_wait(
            korla.id,
            (&someone("王秀珍"), StallTerm::Day, tomorrow),
            (staff, now),
        )
        .await
        .unwrap();
    let second = store
        .add_stall_wait(
            korla.id,
            (&someone("刘德明"), StallTerm::Day, tomorrow),
            (staff, now),
        )
        .await
        .unwrap();
    let (cancelled, moved) = store
        .cancel_stall_booking((korla.id, won[0].id), (staff, now))
        .await
        .unwrap();
    assert!(cancelled.cancelled);
    let moved = moved.expect("the first waiting took the stall");
    assert_eq!(moved.holder_name, "王秀珍");
    assert_eq!(moved.wait_id, Some(first.id));
    let waiting = store.stall_waits(korla.id, true).await.unwrap();
    assert_eq!(
        waiting.iter().map(|w| w.id).collect::<Vec<_>>(),
        vec![second.id]
    );
    let again = store
        .cancel_stall_booking((korla.id, won[0].id), (staff, now))
        .await;
    assert!(matches!(again, Err(Error::AlreadyDecided)));

    let on_tomorrow = BookingFilter {
        on: Some(tomorrow),
        ..BookingFilter::default()
    };
    let (held, total) = store
        .stall_bookings(korla.id, &on_tomorrow, (0, 10))
        .await
        .unwrap();
    assert_eq!((held.len(), total), (1, 1));
    let occupancy = store
        .stall_occupancy(korla.id, (today, days_after(today, 2)))
        .await
        .unwrap();
    assert_eq!(
        occupancy.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        vec![0, 1, 0]
    );
    let other_county = store.region_by_code("tekes").await.unwrap();
    let hidden = store.stall(other_county.id, a01.id).await;
    assert!(matches!(hidden, Err(Error::NotFound)));
}

pub async fn stall_takings_count_in_the_household_income_once(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let korla = store.region_by_code("korla").await.unwrap();
    let town = store.region_by_code("korla-qiaerbag").await.unwrap();
    let now = Utc::now();
    let today = LedgerDay::of(now);
    let household = saibag_family(store, staff, "米热古丽·艾则孜").await;
    let a02 = store
        .add_stall(korla.id, &stall(town.id, "A-02"), now)
        .await
        .unwrap();
    // Booked a week ago for the season: free for the household.
    let week_ago = now - Duration::days(7);
    let first = LedgerDay::of(week_ago);
    let booking = NewBooking {
        holder: Holder {
            household_id: Some(household.id),
            name: String::new(),
            phone: None,
        },
        term: StallTerm::Season,
        starts_on: first,
    };
    let held = store
        .book_stall((korla.id, a02.id), &booking, (staff, week_ago))
        .await
        .unwrap();
    assert_eq!(held.rent, Fen(0), "a registered household pays no rent");
    assert_eq!(held.holder_name, "米热古丽·艾则孜");

    let record = |day: LedgerDay, fen: i64| {
        store.record_stall_takings((korla.id, held.id), (day, Fen(fen)), (staff, now))
    };
    record(today, 15_000).await.unwrap();
    record(today, 20_000).await.unwrap();
    record(today.previous(), 18_000).await.unwrap();
    let ahead = record(today.next(), 10_000).await;
    assert!(matches!(ahead, Err(Error::Invalid(e)) if e.code == "stall-takings-day-invalid"));
    let before = record(first.previous(), 10_000).await;
    assert!(matches!(before, Err(Error::Invalid(e)) if e.code == "stall-takings-day-invalid"));
    let nothing = record(today, 0).await;
    assert!(matches!(nothing, Err(Error::Invalid(e)) if e.code == "stall-takings-invalid"));
    assert_eq!(store.stall_takings(held.id).await.unwrap().len(), 2);

    let month = LedgerMonth::of(today);
    let from = LedgerMonth::of(today.previous());
    let ledger = store
        .household_incomes(&[household.id], (from, month))
        .await
        .unwrap();
    let stall_total: i64 = ledger[&household.id]
        .iter()
        .map(|m| m.of(IncomeSource::Stall).0)
        .sum();
    assert_eq!(
        stall_total, 38_000,
        "today's replaced amount and yesterday's"
    );
}

pub async fn a_park_unit_has_one_tenant_at_a_time_rent_free_at_first(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let zezhou = store.region_by_code("zezhou").await.unwrap();
    let baofu = store.region_by_code("zezhou-baofu").await.unwrap();
    let beijie = store.region_by_code("zezhou-beijie").await.unwrap();
    let korla = store.region_by_code("korla").await.unwrap();
    let now = Utc::now();
    let today = LedgerDay::of(now);
    let unit = UnitDetails {
        region_id: baofu.id,
        code: "A101".into(),
        name: "古院东厢 1 号直播间".into(),
        size_m2: 60,
        monthly_rent: Fen(300_000),
        active: true,
    };
    let a101 = store
        .save_park_unit((zezhou.id, None), &unit, now)
        .await
        .unwrap();
    let started = (0..40).fold(today, |d, _| d.previous());
    let lease = LeaseDetails {
        tenant_name: "周广天佑的网店".into(),
        shop_id: None,
        moved_from_id: Some(beijie.id),
        starts_on: started,
        free_months: 12,
        monthly_rent: Fen(300_000),
    };
    let kept = store
        .add_lease((zezhou.id, a101.id), &lease, (staff, now))
        .await
        .unwrap();
    assert_eq!(
        kept.rent_in(LedgerMonth::of(today)),
        Fen(0),
        "rent-free in its first year"
    );
    assert!(kept.rent_from > today);
    let second = store
        .add_lease(
            (zezhou.id, a101.id),
            &LeaseDetails {
                starts_on: today,
                ..lease.clone()
            },
            (staff, now),
        )
        .await;
    assert!(matches!(second, Err(Error::Invalid(e)) if e.code == "park-unit-taken"));
    let from_elsewhere = LeaseDetails {
        moved_from_id: Some(korla.id),
        ..lease.clone()
    };
    let refused = store
        .add_lease((zezhou.id, a101.id), &from_elsewhere, (staff, now))
        .await;
    assert!(matches!(refused, Err(Error::Invalid(e)) if e.code == "park-region-invalid"));
    let ended = store
        .end_lease(zezhou.id, kept.id, today.previous())
        .await
        .unwrap();
    assert!(!ended.runs_on(today));
    let next = store
        .add_lease(
            (zezhou.id, a101.id),
            &LeaseDetails {
                starts_on: today,
                free_months: 0,
                ..lease
            },
            (staff, now),
        )
        .await
        .unwrap();
    assert_eq!(next.rent_in(LedgerMonth::of(today)), Fen(300_000));
    let hidden = store.park_unit(korla.id, a101.id).await;
    assert!(matches!(hidden, Err(Error::NotFound)));
    assert_eq!(store.park_leases(zezhou.id).await.unwrap().len(), 2);
}

/// A stall-holder finds the stalls of their household (a member linked to their account) and
/// those booked under a phone they proved, and records this week's takings there; a typed
/// phone finds nothing, and nobody records on another's stall.
pub async fn a_stall_holder_records_their_own_takings(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let korla = store.region_by_code("korla").await.unwrap();
    let town = store.region_by_code("korla-qiaerbag").await.unwrap();
    let now = Utc::now();
    let today = LedgerDay::of(now);
    let household = saibag_family(store, staff, "吐尔逊·买买提").await;
    let a03 = store
        .add_stall(korla.id, &stall(town.id, "A-03"), now)
        .await
        .unwrap();
    let a04 = store
        .add_stall(korla.id, &stall(town.id, "A-04"), now)
        .await
        .unwrap();
    let week_ago = now - Duration::days(10);
    let family = NewBooking {
        holder: Holder {
            household_id: Some(household.id),
            name: String::new(),
            phone: None,
        },
        term: StallTerm::Month,
        starts_on: LedgerDay::of(week_ago),
    };
    let theirs = store
        .book_stall((korla.id, a03.id), &family, (staff, week_ago))
        .await
        .unwrap();
    let renter = NewBooking {
        holder: Holder {
            household_id: None,
            name: "王秀珍".into(),
            phone: Some("13899612027".into()),
        },
        term: StallTerm::Day,
        starts_on: today,
    };
    let rented = store
        .book_stall((korla.id, a04.id), &renter, (staff, now))
        .await
        .unwrap();

    let wife = store
        .create_account(super::new_account("aygul"))
        .await
        .unwrap()
        .id;
    assert!(store.stalls_held_by(wife, today).await.unwrap().is_empty());
    assert!(!store.holds_stall(wife, today).await.unwrap());
    let not_yet = store
        .record_own_stall_takings((wife, theirs.id), (today, Fen(20_000)), now)
        .await;
    assert!(matches!(not_yet, Err(Error::NotFound)), "not linked yet");

    let head_id = household.members[0].id;
    store
        .set_member_account((korla.id, household.id), head_id, Some(wife))
        .await
        .unwrap();
    let held = store.stalls_held_by(wife, today).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].0.id, held[0].1.code.as_str()), (theirs.id, "A-03"));
    assert!(store.holds_stall(wife, today).await.unwrap());

    let own = |day: LedgerDay, fen: i64| {
        store.record_own_stall_takings((wife, theirs.id), (day, Fen(fen)), now)
    };
    own(today, 20_000).await.unwrap();
    let six_back = (0..6).fold(today, |d, _| d.previous());
    own(six_back, 18_000).await.unwrap();
    let too_old = own(six_back.previous(), 10_000).await;
    assert!(matches!(too_old, Err(Error::Invalid(e)) if e.code == "stall-takings-too-old"));
    let ahead = own(today.next(), 10_000).await;
    assert!(matches!(ahead, Err(Error::Invalid(e)) if e.code == "stall-takings-too-old"));
    let kept = store.stall_takings(theirs.id).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|k| k.entered_by == wife));
    let month = LedgerMonth::of(today);
    let incomes = store
        .household_incomes(&[household.id], (month, month))
        .await
        .unwrap();
    let stall_income: i64 = incomes[&household.id]
        .iter()
        .map(|m| m.of(IncomeSource::Stall).0)
        .sum();
    let this_month: i64 = kept
        .iter()
        .filter(|k| LedgerMonth::of(k.day) == month)
        .map(|k| k.amount.0)
        .sum();
    assert_eq!(
        stall_income, this_month,
        "her takings are the household's income"
    );

    // Someone else's stall stays theirs: a typed phone is nothing, a proven one finds it.
    let renter_account = store
        .create_account(super::new_account("wangxz"))
        .await
        .unwrap()
        .id;
    let on_other = store
        .record_own_stall_takings((wife, rented.id), (today, Fen(5_000)), now)
        .await;
    assert!(matches!(on_other, Err(Error::NotFound)));
    assert!(
        store
            .stalls_held_by(renter_account, today)
            .await
            .unwrap()
            .is_empty()
    );
    let phone = farmgate_domain::accounts::PhoneNumber::parse("13899612027").unwrap();
    let (code_id, code) = store
        .issue_phone_code(renter_account, &phone)
        .await
        .unwrap();
    store
        .prove_phone(renter_account, code_id, &code)
        .await
        .unwrap();
    let found = store.stalls_held_by(renter_account, today).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.id, rented.id);
    store
        .record_own_stall_takings((renter_account, rented.id), (today, Fen(9_000)), now)
        .await
        .unwrap();
}

/// A tenant past its rent-free start owes each month's rent until it is received, once per
/// month; the months before rent starts and those to come are refused; a payment taken back is
/// owed again; the tenant's shop reads the same figures.
pub async fn a_park_tenants_rent_is_received_once_a_month(db: &TestDb) {
    use farmgate_domain::centre::park::RentMethod;
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let zezhou = store.region_by_code("zezhou").await.unwrap();
    let korla = store.region_by_code("korla").await.unwrap();
    let baofu = store.region_by_code("zezhou-baofu").await.unwrap();
    let now = Utc::now();
    let today = LedgerDay::of(now);
    let unit = UnitDetails {
        region_id: baofu.id,
        code: "B102".into(),
        name: "古院西厢 2 号直播间".into(),
        size_m2: 30,
        monthly_rent: Fen(150_000),
        active: true,
    };
    let b102 = store
        .save_park_unit((zezhou.id, None), &unit, now)
        .await
        .unwrap();
    let shop = store
        .shops_of_member(staff)
        .await
        .unwrap()
        .first()
        .map(|s| s.id);
    // In for four months and a bit, the first two rent-free: three months owe rent.
    let this_month = LedgerMonth::of(today);
    let started = this_month.previous().previous().previous().previous().first;
    let lease = store
        .add_lease(
            (zezhou.id, b102.id),
            &LeaseDetails {
                tenant_name: "高都镇直播基地运营有限公司".into(),
                shop_id: shop,
                moved_from_id: None,
                starts_on: started,
                free_months: 2,
                monthly_rent: Fen(150_000),
            },
            (staff, now),
        )
        .await
        .unwrap();
    let (_, months) = store.lease_rents(zezhou.id, lease.id, today).await.unwrap();
    let owed: Vec<LedgerMonth> = months.iter().map(|m| m.month).collect();
    assert_eq!(
        owed,
        [
            this_month,
            this_month.previous(),
            this_month.previous().previous()
        ]
    );
    assert_eq!(
        store.rents_owed(zezhou.id, today).await.unwrap()[&lease.id].amount,
        Fen(450_000)
    );

    let pay = |month: LedgerMonth, method: RentMethod, reference: &'static str| {
        store.record_rent(
            (zezhou.id, lease.id),
            (month, method, reference),
            (staff, now),
        )
    };
    let oldest = this_month.previous().previous();
    let paid = pay(oldest, RentMethod::Transfer, "6222 0001")
        .await
        .unwrap();
    assert_eq!(paid.amount, Fen(150_000));
    let twice = pay(oldest, RentMethod::Cash, "").await;
    assert!(matches!(twice, Err(Error::Conflict { field: "month" })));
    let free = pay(oldest.previous(), RentMethod::Cash, "").await;
    assert!(matches!(free, Err(Error::Invalid(e)) if e.code == "park-rent-not-due"));
    let ahead = pay(this_month.next(), RentMethod::Cash, "").await;
    assert!(matches!(ahead, Err(Error::Invalid(e)) if e.code == "park-rent-not-due"));
    let no_number = pay(this_month, RentMethod::Transfer, " ").await;
    assert!(matches!(no_number, Err(Error::Invalid(e)) if e.code == "park-rent-reference-invalid"));
    pay(this_month, RentMethod::Cash, "").await.unwrap();
    let owed = store.rents_owed(zezhou.id, today).await.unwrap()[&lease.id];
    assert_eq!((owed.months, owed.amount), (1, Fen(150_000)));

    // Another county reaches neither the lease nor its payments.
    assert!(matches!(
        store.lease_rents(korla.id, lease.id, today).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        store.undo_rent((korla.id, lease.id), paid.id).await,
        Err(Error::NotFound)
    ));
    store
        .undo_rent((zezhou.id, lease.id), paid.id)
        .await
        .unwrap();
    let owed = store.rents_owed(zezhou.id, today).await.unwrap()[&lease.id];
    assert_eq!((owed.months, owed.amount), (2, Fen(300_000)), "owed again");
    if let Some(shop) = shop {
        let seen = store.leases_of_shop(shop, today).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].1.code, "B102");
        assert_eq!(seen[0].2, owed);
    }
}
