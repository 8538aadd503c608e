//! A household's income, on both databases: a linked shop's sales count at the household's share
//! once paid (a cancelled order does not), what the centre enters counts and can go, a dividend
//! pool is split to the fen by its rule and paid once (taken back whole), and a member joins an
//! account only through a proven phone (or staff, once per account).

use chrono::Utc;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::households::income::{DividendRule, IncomeSource};
use farmgate_domain::households::{IdNumber, LinkKind, Relation};
use farmgate_domain::money::Fen;
use farmgate_domain::orders::{OrderEvent, PaymentMethod};
use farmgate_domain::stations::till::{LedgerDay, LedgerMonth};
use farmgate_store::Error;
use farmgate_store::households::{HouseholdDetails, IdVault, NewIncome, NewMember, PoolDetails};
use farmgate_store::orders::OrderIntake;
use farmgate_store::testing::TestDb;

use super::{buyers, new_account, open_shop, placement, seed_demo, stocked_variant};

fn member(name: &str, relation: Relation, id: &str, phone: Option<&str>) -> NewMember {
    NewMember {
        name: name.into(),
        relation,
        id_number: IdNumber::parse(id).unwrap(),
        phone: phone.map(str::to_owned),
    }
}

pub async fn a_households_income_comes_from_what_earns_for_it(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let vault = IdVault::new(&[7u8; 32]).unwrap();
    let korla = store.region_by_code("korla").await.unwrap().id;
    let tekes = store.region_by_code("tekes").await.unwrap().id;
    let saibag = store.region_by_code("korla-saibag").await.unwrap().id;
    let now = Utc::now();
    let month = LedgerMonth::of(LedgerDay::of(now));
    let details = HouseholdDetails {
        village_id: saibag,
        registered_year: 2016,
        lifted_year: None,
        note: String::new(),
    };
    let family = store
        .register_household(
            &vault,
            (korla, &details),
            &[
                member(
                    "吐尔洪·艾买提",
                    Relation::Head,
                    "652801198001011238",
                    Some("13912340001"),
                ),
                member("阿依努尔", Relation::Spouse, "11010519491231002X", None),
            ],
            (staff, now),
        )
        .await
        .unwrap();
    let shop = open_shop(store, "saibag-stall", "korla-saibag").await;
    store
        .link_household(
            (korla, family.id),
            (LinkKind::Shop, shop.id, 50),
            (staff, now),
        )
        .await
        .unwrap();
    let income_of = |ledger: &std::collections::HashMap<
        i64,
        Vec<farmgate_store::households::IncomeMonth>,
    >| { ledger[&family.id].last().unwrap().clone() };

    // Two bags at ¥38 paid online: ¥76 of sales, half of it the household's.
    let variant = stocked_variant(store, shop.id, 20, ProductStatus::Listed).await;
    let buyer = store
        .create_account(new_account("income-buyer"))
        .await
        .unwrap()
        .id;
    let intake = OrderIntake::start(store.clone());
    let mut paid = placement(buyer, "income-paid", &[(variant, 2)]);
    paid.payment = PaymentMethod::Online;
    paid.provider = "sandbox".to_owned();
    let paid = intake.place(paid).await.unwrap();
    let unpaid = store
        .household_incomes(&[family.id], (month, month))
        .await
        .unwrap();
    assert_eq!(income_of(&unpaid).total(), Fen(0), "not sold until paid");
    store
        .settle_payment(paid.payment.id, paid.payment.amount, "SBX-income")
        .await
        .unwrap();
    let cancelled = intake
        .place(placement(buyer, "income-cancelled", &[(variant, 3)]))
        .await
        .unwrap();
    store
        .advance_order(cancelled.orders[0].id, OrderEvent::Cancel, buyer, None)
        .await
        .unwrap();
    let ledger = store
        .household_incomes(&[family.id], (month.previous(), month))
        .await
        .unwrap();
    assert_eq!(
        ledger[&family.id].len(),
        2,
        "every month, the empty ones too"
    );
    assert_eq!(income_of(&ledger).of(IncomeSource::Shop), Fen(3_800));

    // Entered by hand: a stall's takings count; a shop's sales cannot be typed in.
    let stall = NewIncome {
        month,
        source: IncomeSource::Stall,
        amount: Fen(20_000),
        note: "赛巴格摊位一天".into(),
    };
    let entry = store
        .add_income((korla, family.id), &stall, (staff, now))
        .await
        .unwrap();
    let typed_sales = NewIncome {
        source: IncomeSource::Shop,
        ..stall.clone()
    };
    assert!(matches!(
        store.add_income((korla, family.id), &typed_sales, (staff, now)).await,
        Err(Error::Invalid(e)) if e.code == "household-income-source-invalid"
    ));
    let ahead = NewIncome {
        month: month.next(),
        ..stall.clone()
    };
    assert!(
        store
            .add_income((korla, family.id), &ahead, (staff, now))
            .await
            .is_err()
    );
    assert!(matches!(
        store
            .add_income((tekes, family.id), &stall, (staff, now))
            .await,
        Err(Error::NotFound)
    ));
    let ledger = store
        .household_incomes(&[family.id], (month, month))
        .await
        .unwrap();
    assert_eq!(income_of(&ledger).total(), Fen(23_800));
    store
        .remove_income((korla, family.id), entry.id)
        .await
        .unwrap();

    // A dividend of ¥1,000 by members: two members and one member share 2:1, to the fen.
    let single = store
        .register_household(
            &vault,
            (korla, &details),
            &[member("艾力", Relation::Head, "65280119900202123X", None)],
            (staff, now),
        )
        .await
        .unwrap();
    let pool = store
        .create_pool(
            korla,
            &PoolDetails {
                name: "恰尔巴格大棚项目".into(),
                month,
                amount: Fen(100_000),
                rule: DividendRule::ByMembers,
            },
            (staff, now),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.pay_pool((korla, pool.id), (staff, now)).await,
        Err(Error::Invalid(e)) if e.code == "dividend-nobody-to-pay"
    ));
    for household in [family.id, single.id] {
        store
            .set_pool_share((korla, pool.id), household, 10)
            .await
            .unwrap();
    }
    assert!(matches!(
        store.dividend_pool(tekes, pool.id).await,
        Err(Error::NotFound)
    ));
    let paid_pool = store
        .pay_pool((korla, pool.id), (staff, now))
        .await
        .unwrap();
    let parts: Vec<Fen> = paid_pool.shares.iter().map(|s| s.amount).collect();
    assert_eq!(parts, vec![Fen(66_667), Fen(33_333)]);
    assert!(matches!(
        store.pay_pool((korla, pool.id), (staff, now)).await,
        Err(Error::Conflict { field: "paid" })
    ));
    assert!(
        store
            .set_pool_share((korla, pool.id), single.id, 3)
            .await
            .is_err()
    );
    let ledger = store
        .household_incomes(&[family.id, single.id], (month, month))
        .await
        .unwrap();
    assert_eq!(income_of(&ledger).of(IncomeSource::Dividend), Fen(66_667));
    assert_eq!(ledger[&single.id][0].total(), Fen(33_333));
    let dividend = store
        .income_entries(family.id, (month, month))
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.source == IncomeSource::Dividend)
        .unwrap();
    assert!(matches!(
        store.remove_income((korla, family.id), dividend.id).await,
        Err(Error::Conflict { field: "pool" })
    ));
    store.unpay_pool(korla, pool.id).await.unwrap();
    let ledger = store
        .household_incomes(&[single.id], (month, month))
        .await
        .unwrap();
    assert_eq!(ledger[&single.id][0].total(), Fen(0), "taken back whole");
    store.remove_pool(korla, pool.id).await.unwrap();

    // The head's phone, proven by an account's one-time code, joins that account.
    let account = store
        .create_account(new_account("tursun"))
        .await
        .unwrap()
        .id;
    let phone = PhoneNumber::parse("13912340001").unwrap();
    let (code_id, code) = store.issue_phone_code(account, &phone).await.unwrap();
    let proven = store.prove_phone(account, code_id, &code).await.unwrap();
    assert_eq!(proven.household_members, 1);
    let head = store.household(family.id).await.unwrap().unwrap().members[0].clone();
    assert_eq!(head.account_id, Some(account));
    let spouse = store.household(family.id).await.unwrap().unwrap().members[1].id;
    assert!(matches!(
        store
            .set_member_account((korla, family.id), spouse, Some(account))
            .await,
        Err(Error::Conflict { field: "account" })
    ));
}
