//! The audit log on both databases: entries are read by region, newest first, a page at a
//! time, and the database refuses to change or delete one.

use farmgate_domain::accounts::LoginId;
use farmgate_store::audit::NewAudit;
use farmgate_store::testing::TestDb;
use sea_orm::ConnectionTrait;

use super::seed_demo;

pub async fn the_audit_log_is_read_by_region_and_never_rewritten(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let staff = store
        .account_by_login(&LoginId::parse("tekes-centre").unwrap())
        .await
        .unwrap()
        .unwrap();
    let tekes = store.region_by_code("tekes").await.unwrap();
    let kuqa = store.region_by_code("kuqa").await.unwrap();
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    for (n, region) in [(1, village.id), (2, tekes.id), (3, kuqa.id)] {
        store
            .audit(NewAudit {
                actor_id: staff.id,
                address: "198.51.100.7".to_owned(),
                action: "shop-approved",
                subject_kind: "shop_application",
                subject_id: n,
                region_id: Some(region),
                detail: String::new(),
            })
            .await
            .unwrap();
    }
    let seen = store.audit_within(&tekes.path, None, 50).await.unwrap();
    assert_eq!(
        seen.iter().map(|e| e.subject_id).collect::<Vec<_>>(),
        vec![2, 1],
        "Tekes and its villages, newest first; not Kuqa"
    );
    assert_eq!(seen[0].address, "198.51.100.7");
    let older = store
        .audit_within(&tekes.path, Some(seen[0].id), 1)
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].subject_id, 1);
    // Not even the application's own connection can rewrite history.
    let raw = store.raw_for_tests();
    assert!(
        raw.execute_unprepared("UPDATE audit_log SET detail = 'nothing happened'")
            .await
            .is_err()
    );
    assert!(
        raw.execute_unprepared("DELETE FROM audit_log")
            .await
            .is_err()
    );
    assert_eq!(
        store
            .audit_within(&tekes.path, None, 50)
            .await
            .unwrap()
            .len(),
        2
    );
}
