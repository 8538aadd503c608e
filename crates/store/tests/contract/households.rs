//! The households register: a household registered with its members (one head), each identity
//! number sealed (never readable in the table), found again by its blind index, opened only with
//! the vault's key; a person registered twice is refused; a village of another county is
//! refused; links and their shares; a poverty line's settings kept, the latest for a year being
//! the line.

use chrono::Utc;
use farmgate_domain::households::{IdNumber, LinkKind, Relation};
use farmgate_domain::money::Fen;
use farmgate_store::Error;
use farmgate_store::households::{HouseholdDetails, HouseholdFilter, IdVault, NewMember};
use farmgate_store::testing::TestDb;

use super::{buyers, seed_demo};

fn member(name: &str, relation: Relation, id: &str) -> NewMember {
    NewMember {
        name: name.into(),
        relation,
        id_number: IdNumber::parse(id).unwrap(),
        phone: None,
    }
}

pub async fn a_household_is_registered_with_its_members_sealed(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let vault = IdVault::new(&[42u8; 32]).unwrap();
    let korla = store.region_by_code("korla").await.unwrap();
    let saibag = store.region_by_code("korla-saibag").await.unwrap();
    let tekes = store.region_by_code("tekes").await.unwrap();
    let now = Utc::now();
    let details = HouseholdDetails {
        village_id: saibag.id,
        registered_year: 2015,
        lifted_year: Some(2020),
        note: "种草莓、西红柿".into(),
    };
    let family = [
        member("吐尔逊·买买提", Relation::Head, "652801198001011238"),
        member("阿依古丽·吐尔逊", Relation::Spouse, "11010519491231002X"),
    ];
    let no_head = store
        .register_household(&vault, (korla.id, &details), &family[1..], (staff, now))
        .await;
    assert!(matches!(no_head, Err(Error::Invalid(e)) if e.code == "household-one-head"));
    let elsewhere = store
        .register_household(&vault, (tekes.id, &details), &family, (staff, now))
        .await;
    assert!(matches!(elsewhere, Err(Error::Invalid(e)) if e.code == "household-village-invalid"));

    let kept = store
        .register_household(&vault, (korla.id, &details), &family, (staff, now))
        .await
        .unwrap();
    assert_eq!(kept.head_name, "吐尔逊·买买提");
    assert_eq!(kept.members.len(), 2);
    assert_eq!(kept.members[0].id_masked, "6528**********1238");
    assert_eq!(kept.members[1].birth_year, 1949);
    let twice = store
        .register_household(
            &vault,
            (korla.id, &details),
            &[member("又一户", Relation::Head, "652801198001011238")],
            (staff, now),
        )
        .await;
    assert!(matches!(twice, Err(Error::Conflict { field: "id_number" })));
    assert!(
        store
            .households(korla.id, &HouseholdFilter::default(), (0, 10))
            .await
            .unwrap()
            .1
            == 1,
        "the refused household left nothing behind"
    );

    let whole = store
        .member_id_number(&vault, (korla.id, kept.id), kept.members[0].id)
        .await
        .unwrap();
    assert_eq!(whole.as_str(), "652801198001011238");
    let other_key = IdVault::new(&[43u8; 32]).unwrap();
    assert!(
        store
            .member_id_number(&other_key, (korla.id, kept.id), kept.members[0].id)
            .await
            .is_err()
    );
    assert!(
        matches!(
            store
                .member_id_number(&vault, (tekes.id, kept.id), kept.members[0].id)
                .await,
            Err(Error::NotFound)
        ),
        "another county's staff do not reach it"
    );
    assert_eq!(
        store.member_by_id_number(&vault, &whole).await.unwrap(),
        Some((kept.id, kept.members[0].id))
    );

    let child = store
        .add_member(
            &vault,
            (korla.id, kept.id),
            &member("小吐尔逊", Relation::Child, "652801201005051231"),
            now,
        )
        .await;
    let child = match child {
        Ok(child) => child,
        Err(err) => panic!("{err:?}"),
    };
    let head = kept.members[0].id;
    assert!(
        store
            .remove_member((korla.id, kept.id), head)
            .await
            .is_err(),
        "the head stays"
    );
    store
        .remove_member((korla.id, kept.id), child.id)
        .await
        .unwrap();

    let shop = store
        .link_household((korla.id, kept.id), (LinkKind::Shop, 77, 50), (staff, now))
        .await
        .unwrap();
    assert_eq!(shop.share_percent, 50);
    assert!(matches!(
        store
            .link_household((korla.id, kept.id), (LinkKind::Shop, 77, 50), (staff, now))
            .await,
        Err(Error::Conflict { field: "target" })
    ));
    assert!(
        store
            .link_household((korla.id, kept.id), (LinkKind::Vehicle, 3, 0), (staff, now))
            .await
            .is_err()
    );
    assert_eq!(
        store.households_of(LinkKind::Shop, 77).await.unwrap(),
        vec![(kept.id, 50)]
    );
    store
        .unlink_household((korla.id, kept.id), shop.id)
        .await
        .unwrap();
    assert!(
        store
            .households_of(LinkKind::Shop, 77)
            .await
            .unwrap()
            .is_empty()
    );

    // A tricycle is one household's labour: its runs credit the household.
    let depot = super::fleet::korla_centre(store, "qiaerbag").await;
    let tricycle = store
        .add_vehicle(
            depot,
            ("QEB-02", farmgate_domain::fleet::VehicleKind::Tricycle),
            &farmgate_store::fleet::VehicleDetails {
                label: "扶贫三轮车 2 号".into(),
                capacity: farmgate_domain::fleet::Capacity::new(300_000, 12).unwrap(),
                range_m: None,
                driver_id: None,
                household_id: None,
                run_pay: Fen(6_000),
            },
            now,
        )
        .await
        .unwrap();
    let rides = store
        .link_household(
            (korla.id, kept.id),
            (LinkKind::Vehicle, tricycle.id, 100),
            (staff, now),
        )
        .await
        .unwrap();
    let household_of = |v: Vec<farmgate_store::fleet::FleetVehicle>| v[0].details.household_id;
    assert_eq!(
        household_of(store.vehicles(depot, true).await.unwrap()),
        Some(kept.id)
    );
    let other = store
        .register_household(
            &vault,
            (korla.id, &details),
            &[member("艾力", Relation::Head, "65280119900202123X")],
            (staff, now),
        )
        .await
        .unwrap();
    let second = store
        .link_household(
            (korla.id, other.id),
            (LinkKind::Vehicle, tricycle.id, 100),
            (staff, now),
        )
        .await;
    assert!(
        matches!(second, Err(Error::Conflict { field: "target" })),
        "one household's tricycle"
    );
    store
        .unlink_household((korla.id, kept.id), rides.id)
        .await
        .unwrap();
    assert_eq!(
        household_of(store.vehicles(depot, true).await.unwrap()),
        None
    );

    let (still, _) = store
        .households(
            korla.id,
            &HouseholdFilter {
                not_lifted: true,
                ..HouseholdFilter::default()
            },
            (0, 10),
        )
        .await
        .unwrap();
    assert!(still.is_empty(), "lifted out in 2020");
    let (named, total) = store
        .households(
            korla.id,
            &HouseholdFilter {
                name: Some("吐尔逊".into()),
                village_id: Some(saibag.id),
                ..HouseholdFilter::default()
            },
            (0, 10),
        )
        .await
        .unwrap();
    assert_eq!((named.len(), total), (1, 1));
    let (_, everyone) = store
        .households(korla.id, &HouseholdFilter::default(), (0, 10))
        .await
        .unwrap();
    assert_eq!(everyone, 2);
}

pub async fn a_poverty_lines_settings_are_kept_and_the_latest_counts(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = buyers(store, 1).await[0];
    let korla = store.region_by_code("korla").await.unwrap().id;
    let now = Utc::now();
    store
        .set_poverty_line((korla, 2025), Fen(450_000), (staff, now))
        .await
        .unwrap();
    store
        .set_poverty_line(
            (korla, 2025),
            Fen(460_000),
            (staff, now + chrono::Duration::seconds(1)),
        )
        .await
        .unwrap();
    store
        .set_poverty_line((korla, 2024), Fen(440_000), (staff, now))
        .await
        .unwrap();
    assert_eq!(
        store.poverty_line(korla, 2025).await.unwrap(),
        Some(Fen(460_000))
    );
    assert_eq!(store.poverty_line(korla, 2023).await.unwrap(), None);
    assert_eq!(
        store.poverty_lines(korla).await.unwrap().len(),
        3,
        "every setting kept"
    );
    assert!(
        store
            .set_poverty_line((korla, 2025), Fen(0), (staff, now))
            .await
            .is_err()
    );
    assert!(
        store
            .set_poverty_line((korla, 2000), Fen(1), (staff, now))
            .await
            .is_err()
    );
}
