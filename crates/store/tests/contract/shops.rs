//! Shop applications, their review in the county, and opening the shop.

use super::*;

pub(super) async fn a_shop_application_is_reviewed_in_its_county(db: &TestDb) {
    use farmgate_domain::shops::ApplicationStatus;
    let store = &db.store;
    seed_demo(store).await;
    let tekes_app = apply(store, "apricot-farmer", "tekes-qiongkushitai").await;
    apply(store, "wolfberry-farmer", "jinghe-gouqi").await;
    assert_eq!(tekes_app.status, ApplicationStatus::Pending);

    let tekes = store.region_by_code("tekes").await.unwrap();
    let queue = store
        .shop_applications_within(&tekes.path, Some(ApplicationStatus::Pending))
        .await
        .unwrap();
    assert_eq!(
        queue.iter().map(|a| a.id).collect::<Vec<_>>(),
        [tekes_app.id],
        "Tekes sees only Tekes"
    );
    let xinjiang = store.region_by_code("xinjiang").await.unwrap();
    assert_eq!(
        store
            .shop_applications_within(&xinjiang.path, None)
            .await
            .unwrap()
            .len(),
        2
    );
    let mine = store
        .shop_applications_of(tekes_app.applicant_id)
        .await
        .unwrap();
    assert_eq!(mine, vec![tekes_app]);
}

pub(super) async fn approving_opens_the_shop_once(db: &TestDb) {
    use farmgate_domain::shops::ApplicationStatus;
    use farmgate_store::shops::Decision;
    let store = &db.store;
    seed_demo(store).await;
    let application = apply(store, "apricot-farmer", "tekes-qiongkushitai").await;
    let staff = store
        .account_by_login(&LoginId::parse("tekes-centre").unwrap())
        .await
        .unwrap()
        .unwrap();

    let approved = store
        .decide_shop_application(application.id, staff.id, Decision::Approve)
        .await
        .unwrap();
    assert_eq!(approved.status, ApplicationStatus::Approved);
    assert_eq!(approved.decided_by, Some(staff.id));
    let shop = store.shop(approved.shop_id.unwrap()).await.unwrap();
    assert_eq!(shop.name, "琼库什台杏干");
    assert_eq!(
        store
            .shops_of_member(application.applicant_id)
            .await
            .unwrap(),
        vec![shop.clone()]
    );
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    let grants = store.grants_of(application.applicant_id).await.unwrap();
    assert!(
        grants.allows(&[Role::Seller], &village.path),
        "the owner sells at the village"
    );

    let again = store
        .decide_shop_application(
            application.id,
            staff.id,
            Decision::Reject {
                reason: "no".to_owned(),
            },
        )
        .await;
    assert!(matches!(again, Err(Error::AlreadyDecided)), "{again:?}");
    assert_eq!(
        store
            .shops_of_member(application.applicant_id)
            .await
            .unwrap()
            .len(),
        1,
        "no second shop"
    );
    assert!(matches!(
        store
            .decide_shop_application(999_999, staff.id, Decision::Approve)
            .await,
        Err(Error::NotFound)
    ));
}

pub(super) async fn a_rejected_applicant_sees_the_reason_and_may_apply_again(db: &TestDb) {
    use farmgate_domain::shops::ApplicationStatus;
    use farmgate_store::shops::Decision;
    let store = &db.store;
    seed_demo(store).await;
    let first = apply(store, "apricot-farmer", "tekes-qiongkushitai").await;
    let staff = store
        .account_by_login(&LoginId::parse("tekes-centre").unwrap())
        .await
        .unwrap()
        .unwrap();
    let reason = "请先参加五天电商培训营".to_owned();
    let rejected = store
        .decide_shop_application(
            first.id,
            staff.id,
            Decision::Reject {
                reason: reason.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, ApplicationStatus::Rejected);
    assert_eq!(rejected.rejection_reason, Some(reason));
    assert_eq!(rejected.shop_id, None);
    assert!(
        store
            .shops_of_member(first.applicant_id)
            .await
            .unwrap()
            .is_empty()
    );
    let second = apply(store, "apricot-farmer", "tekes-qiongkushitai").await;
    let mine = store
        .shop_applications_of(first.applicant_id)
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|a| a.id).collect::<Vec<_>>(),
        [second.id, first.id],
        "newest first"
    );
}

/// One application waits at a time: a second (or a second tap racing the first) is refused
/// until the centre has decided; after a rejection the applicant may apply again.
pub(super) async fn an_applicant_has_one_application_waiting_at_a_time(db: &TestDb) {
    use farmgate_store::shops::Decision;
    let store = &db.store;
    seed_demo(store).await;
    let first = apply(store, "apricot-farmer", "tekes-qiongkushitai").await;
    let again = store
        .submit_shop_application(farmgate_store::shops::NewShopApplication {
            applicant_id: first.applicant_id,
            name: farmgate_domain::shops::ShopName::parse("又一个杏干店").unwrap(),
            kind: farmgate_domain::shops::ShopKind::Farmer,
            village_id: first.village_id,
            phone: farmgate_domain::accounts::PhoneNumber::parse("13912345678").unwrap(),
            story: String::new(),
            trainee_id: None,
        })
        .await;
    assert!(matches!(again, Err(Error::ApplicationPending)), "{again:?}");

    let staff = store
        .account_by_login(&LoginId::parse("admin").unwrap())
        .await
        .unwrap()
        .unwrap();
    store
        .decide_shop_application(
            first.id,
            staff.id,
            Decision::Reject {
                reason: "先参加培训".to_owned(),
            },
        )
        .await
        .unwrap();
    // Two taps at once after the rejection: one application, one refusal.
    let taps = (0..2).map(|_| {
        let store = store.clone();
        let new = farmgate_store::shops::NewShopApplication {
            applicant_id: first.applicant_id,
            name: farmgate_domain::shops::ShopName::parse("琼库什台杏干").unwrap(),
            kind: farmgate_domain::shops::ShopKind::Farmer,
            village_id: first.village_id,
            phone: farmgate_domain::accounts::PhoneNumber::parse("13912345678").unwrap(),
            story: String::new(),
            trainee_id: None,
        };
        tokio::spawn(async move { store.submit_shop_application(new).await })
    });
    let mut filed = 0;
    for tap in taps.collect::<Vec<_>>() {
        match tap.await.unwrap() {
            Ok(_) => filed += 1,
            Err(Error::ApplicationPending) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(filed, 1);
    assert_eq!(
        store
            .shop_applications_of(first.applicant_id)
            .await
            .unwrap()
            .len(),
        2
    );
}
