//! Migrations, the region tree, demo loading, accounts, grants, tokens, sessions and backups.

use super::*;

pub(super) async fn migrating_twice_changes_nothing(db: &TestDb) {
    let report = db.store.migrate().await.unwrap();
    assert!(
        report.applied.is_empty(),
        "already migrated, yet applied {:?}",
        report.applied
    );
}

pub(super) async fn a_database_from_a_newer_farmgate_is_refused(db: &TestDb) {
    use sea_orm::ConnectionTrait;
    // Record a migration this binary has never heard of, as a newer FarmGate would.
    let statement = "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29990101_000001_from_the_future', 0)";
    db.store
        .raw_for_tests()
        .execute_unprepared(statement)
        .await
        .unwrap();
    match db.store.migrate().await {
        Err(Error::SchemaNewer { unknown }) => assert!(unknown.contains("from_the_future")),
        other => panic!("expected SchemaNewer, got {other:?}"),
    }
}

pub(super) async fn regions_form_a_tree_with_paths(db: &TestDb) {
    let store = &db.store;
    let root = store
        .add_region(
            None,
            NewRegion {
                code: "cn",
                name_zh: "中国",
                name_en: "China",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let xinjiang = store
        .add_region(
            Some(&root),
            NewRegion {
                code: "xinjiang",
                name_zh: "新疆",
                name_ug: Some("شىنجاڭ"),
                name_en: "Xinjiang",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ili = store
        .add_region(
            Some(&xinjiang),
            NewRegion {
                code: "ili",
                name_zh: "伊犁",
                name_en: "Ili",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let tekes = store
        .add_region(
            Some(&ili),
            NewRegion {
                code: "tekes",
                name_zh: "特克斯县",
                name_en: "Tekes",
                coordinates: Some((43.22, 81.84)),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(root.level, RegionLevel::Country);
    assert_eq!(tekes.level, RegionLevel::County);
    assert_eq!(
        tekes.path.as_str(),
        format!("/{}/{}/{}/{}/", root.id, xinjiang.id, ili.id, tekes.id)
    );
    assert!(xinjiang.path.contains(&tekes.path));
    assert_eq!(store.region_by_code("tekes").await.unwrap(), tekes);
    assert_eq!(
        store.region_children(xinjiang.id).await.unwrap(),
        vec![ili.clone()]
    );
    let ancestry: Vec<String> = store
        .region_ancestry(&tekes)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.code.as_str().to_owned())
        .collect();
    assert_eq!(ancestry, ["cn", "xinjiang", "ili", "tekes"]);
    assert_eq!(
        store.region_root().await.unwrap().map(|r| r.id),
        Some(root.id)
    );
    assert_eq!(xinjiang.name(Language::Ug), "شىنجاڭ");
    assert_eq!(
        ili.name(Language::Ug),
        "伊犁",
        "a missing Uyghur name falls back to Chinese"
    );
    assert!(matches!(
        store.region_by_code("atlantis").await,
        Err(Error::NotFound)
    ));
}

pub(super) async fn region_codes_are_unique(db: &TestDb) {
    let store = &db.store;
    let root = store
        .add_region(
            None,
            NewRegion {
                code: "cn",
                name_zh: "中国",
                name_en: "China",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let again = store
        .add_region(
            Some(&root),
            NewRegion {
                code: "cn",
                name_zh: "重复",
                name_en: "Again",
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(again, Err(Error::Conflict { field: "code" })),
        "{again:?}"
    );
    assert_eq!(
        store.all_regions().await.unwrap().len(),
        1,
        "a refused region leaves nothing behind"
    );
}

pub(super) async fn demo_loading_is_idempotent(db: &TestDb) {
    let store = &db.store;
    let first = store.load_demo_regions(&|| {}).await.unwrap();
    let expected = farmgate_store::demo::regions::count(&farmgate_store::demo::regions::tree());
    assert_eq!(first, expected);
    assert_eq!(store.load_demo_regions(&|| {}).await.unwrap(), 0);
    assert_eq!(
        store.load_demo_accounts("h").await.unwrap(),
        DEMO_ACCOUNTS.len() as u64
    );
    assert_eq!(store.load_demo_accounts("h").await.unwrap(), 0);

    let counties: Vec<String> = store
        .regions_at_level(RegionLevel::County)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.code.as_str().to_owned())
        .collect();
    for county in ["tekes", "jinghe", "korla", "kuqa", "huixian", "zezhou"] {
        assert!(
            counties.contains(&county.to_owned()),
            "{county} missing from {counties:?}"
        );
    }
    let saibag = store.region_by_code("korla-saibag").await.unwrap();
    assert_eq!(saibag.level, RegionLevel::Village);
    let qiaerbag = store.region_by_code("korla-qiaerbag").await.unwrap();
    assert_eq!(saibag.parent_id, Some(qiaerbag.id));
    let gaodu = store.region_by_code("zezhou-gaodu").await.unwrap();
    let villages: Vec<String> = store
        .region_children(gaodu.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name_en)
        .collect();
    assert_eq!(villages, ["Baofu Village", "Beijie Village"]);
}

pub(super) async fn accounts_are_unique_by_login_and_phone(db: &TestDb) {
    let store = &db.store;
    let by_name = store
        .create_account(new_account("Liang.Qianjuan"))
        .await
        .unwrap();
    assert_eq!(by_name.login_name.as_deref(), Some("liang.qianjuan"));
    assert_eq!(by_name.language, Language::Ug);
    let by_phone = store
        .create_account(new_account("+86 139 1234 5678"))
        .await
        .unwrap();
    assert_eq!(by_phone.phone.as_deref(), Some("13912345678"));

    let clash = store.create_account(new_account("liang.qianjuan")).await;
    assert!(
        matches!(clash, Err(Error::Conflict { field: "login" })),
        "{clash:?}"
    );
    let clash = store.create_account(new_account("13912345678")).await;
    assert!(
        matches!(clash, Err(Error::Conflict { field: "login" })),
        "{clash:?}"
    );

    let found = store
        .account_by_login(&LoginId::parse("139-1234-5678").unwrap())
        .await
        .unwrap();
    assert_eq!(found.map(|a| a.id), Some(by_phone.id));
    assert_eq!(
        store
            .account_by_login(&LoginId::parse("nobody").unwrap())
            .await
            .unwrap(),
        None
    );

    store
        .set_account_language(by_name.id, Language::En)
        .await
        .unwrap();
    assert_eq!(
        store
            .account_by_id(by_name.id)
            .await
            .unwrap()
            .map(|a| a.language),
        Some(Language::En)
    );
}

pub(super) async fn grants_are_scoped_and_idempotent(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let tekes = store.region_by_code("tekes").await.unwrap();
    let jinghe = store.region_by_code("jinghe").await.unwrap();
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    let account = store
        .create_account(new_account("guo.xuemei"))
        .await
        .unwrap();
    store
        .grant_role(account.id, Role::CentreStaff, tekes.id, None)
        .await
        .unwrap();
    store
        .grant_role(account.id, Role::CentreStaff, tekes.id, None)
        .await
        .unwrap();
    store
        .grant_role(account.id, Role::Trainer, tekes.id, None)
        .await
        .unwrap();

    let grants = store.grants_of(account.id).await.unwrap();
    assert_eq!(grants.iter().count(), 2, "granting twice keeps one grant");
    assert!(grants.allows(&[Role::CentreStaff], &village.path));
    assert!(!grants.allows(&[Role::CentreStaff], &jinghe.path));
    assert!(!grants.allows(&[Role::Official], &tekes.path));
}

pub(super) async fn grants_within_a_subtree_stay_inside_it(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let tekes = store.region_by_code("tekes").await.unwrap();
    let rows = store.grants_within(&tekes.path, 100).await.unwrap();
    let logins: Vec<String> = rows
        .iter()
        .filter_map(|(_, a)| a.login_name.clone())
        .collect();
    assert!(logins.contains(&"tekes-centre".to_owned()));
    assert!(logins.contains(&"tekes-official".to_owned()));
    assert!(!logins.contains(&"kuqa-centre".to_owned()), "{logins:?}");
    assert!(
        !logins.contains(&"admin".to_owned()),
        "the national admin is above Tekes, not in it"
    );
    assert!(
        rows.iter()
            .all(|(g, _)| tekes.path.contains(&g.region_path))
    );
}

pub(super) async fn api_tokens_open_their_account_only(db: &TestDb) {
    let store = &db.store;
    let a = store.create_account(new_account("tokens-a")).await.unwrap();
    let b = store.create_account(new_account("tokens-b")).await.unwrap();
    let token_a = store.issue_api_token(a.id).await.unwrap();
    let token_b = store.issue_api_token(b.id).await.unwrap();
    assert_ne!(token_a, token_b);
    assert_eq!(
        store
            .account_by_api_token(&token_a)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(a.id)
    );
    assert_eq!(
        store
            .account_by_api_token(&token_b)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(b.id)
    );
    assert_eq!(
        store.account_by_api_token("fgt_forged").await.unwrap(),
        None
    );
    store.revoke_api_token(&token_a).await.unwrap();
    assert_eq!(store.account_by_api_token(&token_a).await.unwrap(), None);
}

pub(super) async fn sessions_round_trip_and_expire(db: &TestDb) {
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};
    let sessions = DbSessionStore::new(db.store.clone());
    let mut record = Record {
        id: Id::default(),
        data: [("lang".to_owned(), serde_json::json!("ug"))]
            .into_iter()
            .collect(),
        expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
    };
    sessions.create(&mut record).await.unwrap();
    let loaded = sessions.load(&record.id).await.unwrap().unwrap();
    assert_eq!(loaded.data, record.data);
    // What the database keeps is not the cookie's id: a copy of it signs nobody in.
    use sea_orm::{ConnectionTrait, Statement};
    let stored = db
        .store
        .raw_for_tests()
        .query_one_raw(Statement::from_string(
            db.store.raw_for_tests().get_database_backend(),
            "SELECT id FROM sessions",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "id")
        .unwrap();
    assert_ne!(stored, record.id.to_string());
    assert_eq!(stored.len(), 64, "a SHA-256 in hex");

    record
        .data
        .insert("csrf".to_owned(), serde_json::json!("token"));
    sessions.save(&record).await.unwrap();
    assert_eq!(
        sessions.load(&record.id).await.unwrap().unwrap().data.len(),
        2
    );

    let mut old = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: OffsetDateTime::now_utc() - Duration::hours(1),
    };
    sessions.create(&mut old).await.unwrap();
    assert!(
        sessions.load(&old.id).await.unwrap().is_none(),
        "an expired session does not load"
    );
    assert_eq!(sessions.delete_expired().await.unwrap(), 1);

    sessions.delete(&record.id).await.unwrap();
    assert!(sessions.load(&record.id).await.unwrap().is_none());
}

pub(super) async fn backup_copies_sqlite_only(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("backup.db");
    match store.backend() {
        Backend::Sqlite => {
            store.backup_to(&target).await.unwrap();
            let copy = Store::connect(&format!("sqlite://{}", target.display()))
                .await
                .unwrap();
            assert_eq!(
                copy.all_regions().await.unwrap().len(),
                store.all_regions().await.unwrap().len()
            );
            assert!(copy.region_by_code("zezhou-beijie").await.is_ok());
            assert!(
                matches!(store.backup_to(&target).await, Err(Error::Config(_))),
                "never overwrites"
            );
        }
        Backend::Postgres => {
            assert!(
                matches!(store.backup_to(&target).await, Err(Error::Config(msg)) if msg.contains("pg_dump"))
            );
        }
    }
}
