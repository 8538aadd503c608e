//! The store's contract: every test here runs on SQLite, and on PostgreSQL whenever
//! `FARMGATE_TEST_POSTGRES_URL` is set (it is in CI), each on a fresh database of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_store::accounts::NewAccount;
use farmgate_store::demo::DEMO_ACCOUNTS;
use farmgate_store::regions::NewRegion;
use farmgate_store::sessions::DbSessionStore;
use farmgate_store::testing::TestDb;
use farmgate_store::{Backend, Error, Store};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = farmgate_store::testing::TestDb::sqlite().await;
                super::$name(&db).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = farmgate_store::testing::TestDb::postgres().await else {
                    eprintln!("skipped: {} is not set", farmgate_store::testing::POSTGRES_URL_VAR);
                    return;
                };
                super::$name(&db).await;
                db.finish().await;
            }
        }
    )*};
}

contract!(
    migrating_twice_changes_nothing,
    a_database_from_a_newer_farmgate_is_refused,
    regions_form_a_tree_with_paths,
    region_codes_are_unique,
    demo_loading_is_idempotent,
    accounts_are_unique_by_login_and_phone,
    grants_are_scoped_and_idempotent,
    grants_within_a_subtree_stay_inside_it,
    api_tokens_open_their_account_only,
    sessions_round_trip_and_expire,
    backup_copies_sqlite_only,
    a_shop_application_is_reviewed_in_its_county,
    approving_opens_the_shop_once,
    a_rejected_applicant_sees_the_reason_and_may_apply_again,
    the_category_tree_comes_with_every_database,
    products_keep_their_languages_variants_and_origin,
    the_demo_catalogue_loads_once,
    concurrent_placements_never_oversell,
    a_replayed_key_returns_the_same_orders,
    two_intakes_on_one_database_never_oversell,
    a_basket_makes_one_order_per_shop_or_nothing,
    an_order_moves_only_along_legal_steps,
    fees_follow_the_station_or_the_shops_rule,
    a_confirmed_payment_pays_every_order_once,
    unpaid_online_orders_expire_and_return_stock,
    carts_merge_and_bound_their_lines,
    reviews_follow_completion_once_per_product,
    a_burst_with_repeats_and_refusals_is_answered_one_by_one,
    a_room_is_scheduled_goes_live_pins_and_ends,
    room_prices_hold_only_while_the_room_is_live,
    chat_keeps_messages_deletes_and_mutes,
    results_count_viewers_messages_and_room_orders,
    the_bus_reaches_viewers_of_another_instance,
    places_fill_then_the_waitlist_moves_up_in_order,
    the_camp_completes_with_four_days_and_one_certificate,
    a_trainee_record_joins_an_account_only_when_the_phone_is_proven,
    the_funnel_follows_trainees_to_their_first_sales,
    an_amount_that_would_wrap_is_refused_not_wrapped,
    intake_totals_equal_big_integer_arithmetic,
    a_payment_for_cancelled_orders_is_owed_back,
    a_paid_order_cancelled_is_a_request_the_shop_answers,
    cancel_expire_and_settle_races_keep_the_money_straight,
    the_audit_log_is_read_by_region_and_never_rewritten,
);

#[path = "contract/audit.rs"]
mod audit;
use audit::the_audit_log_is_read_by_region_and_never_rewritten;

#[path = "contract/live.rs"]
mod live;
use live::{
    chat_keeps_messages_deletes_and_mutes, results_count_viewers_messages_and_room_orders,
    the_bus_reaches_viewers_of_another_instance,
};

#[path = "contract/money.rs"]
mod money;
use money::{
    an_amount_that_would_wrap_is_refused_not_wrapped, intake_totals_equal_big_integer_arithmetic,
};

#[path = "contract/refunds.rs"]
mod refunds;
use refunds::{
    a_paid_order_cancelled_is_a_request_the_shop_answers,
    a_payment_for_cancelled_orders_is_owed_back,
    cancel_expire_and_settle_races_keep_the_money_straight,
};

#[path = "contract/training.rs"]
mod training;
use training::{
    a_trainee_record_joins_an_account_only_when_the_phone_is_proven,
    places_fill_then_the_waitlist_moves_up_in_order,
    the_camp_completes_with_four_days_and_one_certificate,
    the_funnel_follows_trainees_to_their_first_sales,
};

async fn seed_demo(store: &Store) {
    store.load_demo_regions(&|| {}).await.unwrap();
    store
        .load_demo_accounts("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
        .await
        .unwrap();
    store.load_demo_stations().await.unwrap();
    let first = store.station(TEKES_CENTRE).await.unwrap();
    assert_eq!(
        (first.code.as_str(), first.pickup_fee.0),
        ("tekes-centre", 0)
    );
}

/// The first demo station on a fresh database: Tekes' centre, which charges no pickup fee.
const TEKES_CENTRE: i64 = 1;

fn new_account(login: &str) -> NewAccount {
    NewAccount {
        login: LoginId::parse(login).unwrap(),
        display_name: DisplayName::parse("测试用户").unwrap(),
        password_hash: "hash".to_owned(),
        language: Language::Ug,
    }
}

async fn migrating_twice_changes_nothing(db: &TestDb) {
    let report = db.store.migrate().await.unwrap();
    assert!(
        report.applied.is_empty(),
        "already migrated, yet applied {:?}",
        report.applied
    );
}

async fn a_database_from_a_newer_farmgate_is_refused(db: &TestDb) {
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

async fn regions_form_a_tree_with_paths(db: &TestDb) {
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

async fn region_codes_are_unique(db: &TestDb) {
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

async fn demo_loading_is_idempotent(db: &TestDb) {
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

async fn accounts_are_unique_by_login_and_phone(db: &TestDb) {
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

async fn grants_are_scoped_and_idempotent(db: &TestDb) {
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

async fn grants_within_a_subtree_stay_inside_it(db: &TestDb) {
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

async fn api_tokens_open_their_account_only(db: &TestDb) {
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

async fn sessions_round_trip_and_expire(db: &TestDb) {
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

async fn backup_copies_sqlite_only(db: &TestDb) {
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

async fn apply(
    store: &Store,
    login: &str,
    village: &str,
) -> farmgate_store::shops::ShopApplication {
    use farmgate_domain::accounts::PhoneNumber;
    use farmgate_domain::shops::{ShopKind, ShopName};
    let applicant = match store
        .account_by_login(&LoginId::parse(login).unwrap())
        .await
        .unwrap()
    {
        Some(account) => account,
        None => store.create_account(new_account(login)).await.unwrap(),
    };
    let village = store.region_by_code(village).await.unwrap();
    store
        .submit_shop_application(farmgate_store::shops::NewShopApplication {
            applicant_id: applicant.id,
            name: ShopName::parse("琼库什台杏干").unwrap(),
            kind: ShopKind::Farmer,
            village_id: village.id,
            phone: PhoneNumber::parse("13912345678").unwrap(),
            story: "山里晒的杏干".to_owned(),
            trainee_id: None,
        })
        .await
        .unwrap()
}

async fn a_shop_application_is_reviewed_in_its_county(db: &TestDb) {
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

async fn approving_opens_the_shop_once(db: &TestDb) {
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

async fn a_rejected_applicant_sees_the_reason_and_may_apply_again(db: &TestDb) {
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

async fn open_shop(store: &Store, login: &str, village: &str) -> farmgate_store::shops::Shop {
    use farmgate_store::shops::Decision;
    let application = apply(store, login, village).await;
    let staff = store
        .account_by_login(&LoginId::parse("admin").unwrap())
        .await
        .unwrap()
        .unwrap();
    let approved = store
        .decide_shop_application(application.id, staff.id, Decision::Approve)
        .await
        .unwrap();
    store.shop(approved.shop_id.unwrap()).await.unwrap()
}

async fn the_category_tree_comes_with_every_database(db: &TestDb) {
    let categories = db.store.categories().await.unwrap();
    let codes: Vec<&str> = categories.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes[..3], ["nuts", "dried-fruit", "fresh-produce"]);
    assert!(codes.contains(&"heritage") && codes.contains(&"naan-baked"));
    assert_eq!(categories[0].name(Language::Ug), "مېغىزلار");
}

async fn products_keep_their_languages_variants_and_origin(db: &TestDb) {
    use farmgate_domain::catalog::{PricePolicy, ProductStatus, Tag, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_store::catalog::{NewProduct, ProductText};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let origin = store.region_by_code("huixian-fujia-village").await.unwrap();
    let text = |language, name: &str| ProductText {
        language,
        name: name.to_owned(),
        story: String::new(),
    };
    let walnuts = store
        .create_product(NewProduct {
            shop_id: shop.id,
            category_id: nuts.id,
            origin_id: origin.id,
            status: ProductStatus::Listed,
            organic_certificate: None,
            tags: vec![Tag::PovertyAlleviation],
            texts: vec![
                text(Language::ZhCn, "徽县核桃"),
                text(Language::Ug, "خۇيشيەن ياڭىقى"),
            ],
            variants: vec![
                VariantSpec::new(
                    Unit::Bag,
                    Some(1000),
                    Fen(3800),
                    120,
                    PricePolicy::FollowsPackedWeight { tolerance_bp: 500 },
                )
                .unwrap(),
                VariantSpec::new(Unit::Jin, None, Fen(2000), 0, PricePolicy::Fixed).unwrap(),
            ],
        })
        .await
        .unwrap();
    assert_eq!(walnuts.variants.len(), 2);
    assert_eq!(
        walnuts.variants[0].spec.price_policy,
        PricePolicy::FollowsPackedWeight { tolerance_bp: 500 }
    );
    assert_eq!(walnuts.variants[1].spec.net_grams, Some(500));
    assert_eq!(walnuts.tags, [Tag::PovertyAlleviation]);
    let (ug, translated) = walnuts.text(Language::Ug).unwrap();
    assert_eq!((ug.name.as_str(), translated), ("خۇيشيەن ياڭىقى", true));
    let (en, translated) = walnuts.text(Language::En).unwrap();
    assert_eq!(
        (en.name.as_str(), translated),
        ("徽县核桃", false),
        "English falls back to Chinese, marked"
    );

    store
        .create_product(NewProduct {
            shop_id: shop.id,
            category_id: nuts.id,
            origin_id: origin.id,
            status: ProductStatus::Draft,
            organic_certificate: None,
            tags: vec![],
            texts: vec![text(Language::ZhCn, "核桃油")],
            variants: vec![
                VariantSpec::new(Unit::Bottle, Some(500), Fen(6800), 10, PricePolicy::Fixed)
                    .unwrap(),
            ],
        })
        .await
        .unwrap();
    assert_eq!(store.products_of_shop(shop.id).await.unwrap().len(), 2);
    let huixian = store.region_by_code("huixian").await.unwrap();
    let listed = store
        .listed_products_within(&huixian.path, 20, 0)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|p| p.id).collect::<Vec<_>>(),
        [walnuts.id],
        "drafts are not listed"
    );
    let tekes = store.region_by_code("tekes").await.unwrap();
    assert!(
        store
            .listed_products_within(&tekes.path, 20, 0)
            .await
            .unwrap()
            .is_empty()
    );
    let no_chinese = store
        .create_product(NewProduct {
            shop_id: shop.id,
            category_id: nuts.id,
            origin_id: origin.id,
            status: ProductStatus::Draft,
            organic_certificate: None,
            tags: vec![],
            texts: vec![text(Language::En, "Walnuts")],
            variants: vec![],
        })
        .await;
    assert!(matches!(no_chinese, Err(Error::Config(_))));
}

async fn the_demo_catalogue_loads_once(db: &TestDb) {
    use farmgate_store::demo::catalog::{DEMO_SHOPS, product_count};
    let store = &db.store;
    seed_demo(store).await;
    let (shops, products) = store.load_demo_catalog().await.unwrap();
    assert_eq!(shops as usize, DEMO_SHOPS.len());
    assert_eq!(products as usize, product_count());
    assert_eq!(
        store.load_demo_catalog().await.unwrap(),
        (0, 0),
        "loading again adds nothing"
    );
    let huixian = store.region_by_code("huixian").await.unwrap();
    let names: Vec<String> = store
        .listed_products_within(&huixian.path, 50, 0)
        .await
        .unwrap()
        .iter()
        .filter_map(|p| p.text(Language::ZhCn).map(|(t, _)| t.name.clone()))
        .collect();
    assert!(names.contains(&"徽县薄皮核桃".to_owned()), "{names:?}");
    let kuqa = store.region_by_code("kuqa").await.unwrap();
    assert_eq!(
        store
            .listed_products_within(&kuqa.path, 50, 0)
            .await
            .unwrap()
            .len(),
        5
    );
}

/// A listed product of `shop_id` with one variant of `stock` units at ¥38.00; returns the variant id.
async fn stocked_variant(
    store: &Store,
    shop_id: i64,
    stock: i64,
    status: farmgate_domain::catalog::ProductStatus,
) -> i64 {
    use farmgate_domain::catalog::{PricePolicy, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_store::catalog::{NewProduct, ProductText};
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let shop = store.shop(shop_id).await.unwrap();
    let product = store
        .create_product(NewProduct {
            shop_id,
            category_id: nuts.id,
            origin_id: shop.village_id,
            status,
            organic_certificate: None,
            tags: vec![],
            texts: vec![ProductText {
                language: Language::ZhCn,
                name: "徽县核桃".to_owned(),
                story: String::new(),
            }],
            variants: vec![
                VariantSpec::new(Unit::Bag, Some(1000), Fen(3800), stock, PricePolicy::Fixed)
                    .unwrap(),
            ],
        })
        .await
        .unwrap();
    product.variants[0].id
}

fn placement(buyer_id: i64, key: &str, lines: &[(i64, i64)]) -> farmgate_store::orders::PlaceOrder {
    use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
    farmgate_store::orders::PlaceOrder {
        buyer_id,
        key: IdempotencyKey::parse(key).unwrap(),
        basket: Basket::parse(lines).unwrap(),
        delivery: farmgate_store::orders::Delivery::Pickup {
            station_id: TEKES_CENTRE,
        },
        payment: PaymentMethod::Cash,
        provider: "cash".to_owned(),
        pay_within: chrono::Duration::minutes(30),
        room_id: None,
    }
}

async fn buyers(store: &Store, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in 0..count {
        ids.push(
            store
                .create_account(new_account(&format!("buyer-{n}")))
                .await
                .unwrap()
                .id,
        );
    }
    ids
}

async fn concurrent_placements_never_oversell(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::{IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyers = buyers(store, 5).await;
    let intake = OrderIntake::start(store.clone());
    let mut tasks = Vec::new();
    for n in 0..50 {
        let intake = intake.clone();
        let order = placement(buyers[n % 5], &format!("burst-key-{n:04}"), &[(variant, 1)]);
        tasks.push(tokio::spawn(async move { intake.place(order).await }));
    }
    let (mut placed, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(checkout) => {
                placed += 1;
                assert_eq!(checkout.orders.len(), 1);
                assert_eq!(checkout.orders[0].total.0, 3800);
            }
            Err(IntakeError::OutOfStock { variant_id }) => {
                refused += 1;
                assert_eq!(variant_id, variant);
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((placed, refused), (10, 40));
    assert_eq!(store.variant_stock(variant).await.unwrap(), 0);
    assert_eq!(
        store.all_orders_of_shop(shop.id).await.unwrap().len(),
        10,
        "every acknowledged order is there, and no more"
    );
}

async fn a_replayed_key_returns_the_same_orders(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::OrderStatus;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 10, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let first = intake
        .place(placement(buyer, "retry-me-0001", &[(variant, 3)]))
        .await
        .unwrap();
    let again = intake
        .place(placement(buyer, "retry-me-0001", &[(variant, 3)]))
        .await
        .unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.checkout_id, again.checkout_id);
    assert_eq!(first.orders, again.orders);
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        7,
        "stock taken once"
    );
    let order = store.order(first.orders[0].id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Placed);
    assert_eq!(order.lines[0].quantity, 3);
    assert_eq!(order.lines[0].name, "徽县核桃");
    assert_eq!(order.events.len(), 1);
    assert_eq!(
        store
            .orders_of_buyer(buyer, Default::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn two_intakes_on_one_database_never_oversell(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 25, ProductStatus::Listed).await;
    let buyers = buyers(store, 4).await;
    // Two intakes, as two server instances would run them against one database.
    let intakes = [
        OrderIntake::start(store.clone()),
        OrderIntake::start(store.clone()),
    ];
    let mut tasks = Vec::new();
    for n in 0..60 {
        let intake = intakes[n % 2].clone();
        let order = placement(
            buyers[n % 4],
            &format!("two-intakes-{n:04}"),
            &[(variant, 1)],
        );
        tasks.push(tokio::spawn(
            async move { intake.place(order).await.is_ok() },
        ));
    }
    let mut placed = 0;
    for task in tasks {
        if task.await.unwrap() {
            placed += 1;
        }
    }
    assert_eq!(placed, 25);
    assert_eq!(store.variant_stock(variant).await.unwrap(), 0);
    assert_eq!(store.all_orders_of_shop(shop.id).await.unwrap().len(), 25);
}

async fn a_basket_makes_one_order_per_shop_or_nothing(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::{IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let walnuts_shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let apricot_shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let walnuts = stocked_variant(store, walnuts_shop.id, 5, ProductStatus::Listed).await;
    let apricots = stocked_variant(store, apricot_shop.id, 1, ProductStatus::Listed).await;
    let draft = stocked_variant(store, apricot_shop.id, 9, ProductStatus::Draft).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());

    let both = intake
        .place(placement(
            buyer,
            "two-shops-0001",
            &[(walnuts, 2), (apricots, 1)],
        ))
        .await
        .unwrap();
    assert_eq!(both.orders.len(), 2, "one order per shop");
    assert!(
        both.orders
            .iter()
            .all(|o| o.checkout_id == both.checkout_id)
    );
    let shops: Vec<i64> = both.orders.iter().map(|o| o.shop_id).collect();
    assert!(shops.contains(&walnuts_shop.id) && shops.contains(&apricot_shop.id));

    let refused = intake
        .place(placement(
            buyer,
            "two-shops-0002",
            &[(walnuts, 1), (apricots, 1)],
        ))
        .await;
    assert!(
        matches!(refused, Err(IntakeError::OutOfStock { variant_id }) if variant_id == apricots)
    );
    assert_eq!(
        store.variant_stock(walnuts).await.unwrap(),
        3,
        "the refused basket took nothing"
    );
    assert_eq!(
        store
            .orders_of_buyer(buyer, Default::default())
            .await
            .unwrap()
            .len(),
        2
    );

    let not_for_sale = intake
        .place(placement(buyer, "two-shops-0003", &[(draft, 1)]))
        .await;
    assert!(matches!(not_for_sale, Err(IntakeError::NotForSale { .. })));
    let unknown = intake
        .place(placement(buyer, "two-shops-0004", &[(999_999, 1)]))
        .await;
    assert!(matches!(
        unknown,
        Err(IntakeError::NotForSale {
            variant_id: 999_999
        })
    ));
}

async fn an_order_moves_only_along_legal_steps(db: &TestDb) {
    use farmgate_domain::catalog::{PricePolicy, ProductStatus, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_domain::orders::{OrderEvent, OrderStatus};
    use farmgate_store::catalog::{NewProduct, ProductText};
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let product = store
        .create_product(NewProduct {
            shop_id: shop.id,
            category_id: nuts.id,
            origin_id: shop.village_id,
            status: ProductStatus::Listed,
            organic_certificate: None,
            tags: vec![],
            texts: vec![ProductText {
                language: Language::ZhCn,
                name: "徽县核桃".to_owned(),
                story: String::new(),
            }],
            variants: vec![
                VariantSpec::new(
                    Unit::Bag,
                    Some(1000),
                    Fen(3800),
                    10,
                    PricePolicy::FollowsPackedWeight { tolerance_bp: 500 },
                )
                .unwrap(),
            ],
        })
        .await
        .unwrap();
    let variant = product.variants[0].id;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let placed = intake
        .place(placement(buyer, "legal-steps-0001", &[(variant, 2)]))
        .await
        .unwrap();
    let id = placed.orders[0].id;

    let packed = store
        .advance_order(id, OrderEvent::Pack { packed_grams: 2080 }, 1, None)
        .await
        .unwrap();
    assert_eq!(packed.status, OrderStatus::Packed);
    assert_eq!(packed.lines[0].packed_grams, Some(2080));
    assert_eq!(
        packed.total.0, 7904,
        "4% heavier, inside the 5% tolerance: the price follows the weight"
    );
    assert!(
        matches!(
            store.advance_order(id, OrderEvent::Deliver, 1, None).await,
            Err(Error::OrderState)
        ),
        "not shipped yet"
    );
    assert!(
        matches!(
            store
                .advance_order(id, OrderEvent::Cancel, buyer, None)
                .await,
            Err(Error::OrderState)
        ),
        "too late to cancel"
    );
    for event in [
        OrderEvent::Ship,
        OrderEvent::MarkReadyForPickup,
        OrderEvent::PickUp,
        OrderEvent::Complete,
    ] {
        store.advance_order(id, event, 1, None).await.unwrap();
    }
    let done = store.order(id).await.unwrap();
    assert_eq!(done.status, OrderStatus::Completed);
    let timeline: Vec<OrderStatus> = done.events.iter().map(|e| e.status).collect();
    assert_eq!(
        timeline,
        [
            OrderStatus::Placed,
            OrderStatus::Packed,
            OrderStatus::Shipped,
            OrderStatus::ReadyForPickup,
            OrderStatus::PickedUp,
            OrderStatus::Completed
        ]
    );

    let second = intake
        .place(placement(buyer, "legal-steps-0002", &[(variant, 3)]))
        .await
        .unwrap();
    assert_eq!(store.variant_stock(variant).await.unwrap(), 5);
    let cancelled = store
        .advance_order(
            second.orders[0].id,
            OrderEvent::Cancel,
            buyer,
            Some("买多了".to_owned()),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        8,
        "cancelling returns the stock"
    );
    assert!(matches!(
        store
            .advance_order(second.orders[0].id, OrderEvent::Cancel, buyer, None)
            .await,
        Err(Error::OrderState)
    ));
    assert!(matches!(
        store
            .advance_order(999_999, OrderEvent::Ship, 1, None)
            .await,
        Err(Error::NotFound)
    ));
}

async fn fees_follow_the_station_or_the_shops_rule(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::money::Fen;
    use farmgate_domain::orders::shipping::ShippingRule;
    use farmgate_store::orders::{Delivery, IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let walnuts_shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let apricot_shop = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    // Walnuts: ¥10 for the first kilogram, ¥3 for each further one; apricots: free over ¥50.
    store
        .set_shop_shipping(
            walnuts_shop.id,
            ShippingRule::ByWeight {
                first_kg: Fen(1000),
                per_extra_kg: Fen(300),
            },
        )
        .await
        .unwrap();
    store
        .set_shop_shipping(
            apricot_shop.id,
            ShippingRule::FreeOver {
                fee: Fen(800),
                free_from: Fen(5000),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.shop_shipping(apricot_shop.id).await.unwrap(),
        ShippingRule::FreeOver {
            fee: Fen(800),
            free_from: Fen(5000)
        }
    );
    let walnuts = stocked_variant(store, walnuts_shop.id, 50, ProductStatus::Listed).await;
    let apricots = stocked_variant(store, apricot_shop.id, 50, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let region = store.region_by_code("korla-saibag").await.unwrap();
    let mut home = placement(buyer, "home-delivery-1", &[(walnuts, 3), (apricots, 1)]);
    home.delivery = Delivery::Home {
        region_id: region.id,
        address: "3 组 12 号".to_owned(),
        recipient: farmgate_domain::accounts::DisplayName::parse("米热古丽").unwrap(),
        phone: farmgate_domain::accounts::PhoneNumber::parse("13909990101").unwrap(),
    };
    let checkout = intake.place(home).await.unwrap();
    let fee_of = |shop: i64| {
        checkout
            .orders
            .iter()
            .find(|o| o.shop_id == shop)
            .unwrap()
            .shipping
            .0
    };
    // 3 kg of walnuts: first kg ¥10 + 2 x ¥3; ¥38 of apricots is under the free threshold.
    assert_eq!(fee_of(walnuts_shop.id), 1600);
    assert_eq!(fee_of(apricot_shop.id), 800);
    let order = &checkout.orders[0];
    assert_eq!(order.delivery_region_id, Some(region.id));
    assert_eq!(order.recipient_name.as_deref(), Some("米热古丽"));
    let goods: i64 = checkout.orders.iter().map(|o| o.goods.0).sum();
    assert_eq!(
        checkout.payment.amount.0,
        goods + 1600 + 800,
        "one payment covers every order"
    );

    // Pickup at Kuqa's Wuqia village station: its ¥1.50 per parcel, whatever the shops' rules.
    let wuqia = store
        .stations_within(&store.region_by_code("kuqa").await.unwrap().path)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "kuqa-wuqia")
        .unwrap();
    let mut pickup = placement(buyer, "pickup-at-wuqia", &[(walnuts, 3), (apricots, 1)]);
    pickup.delivery = Delivery::Pickup {
        station_id: wuqia.id,
    };
    let checkout = intake.place(pickup).await.unwrap();
    assert!(
        checkout
            .orders
            .iter()
            .all(|o| o.shipping.0 == 150 && o.station_id == Some(wuqia.id))
    );
    assert_eq!(checkout.orders[0].pickup_region_id, Some(wuqia.region_id));

    let mut nowhere = placement(buyer, "pickup-nowhere", &[(walnuts, 1)]);
    nowhere.delivery = Delivery::Pickup {
        station_id: 999_999,
    };
    assert!(matches!(
        intake.place(nowhere).await,
        Err(IntakeError::NoSuchStation {
            station_id: 999_999
        })
    ));
    assert_eq!(
        store.variant_stock(walnuts).await.unwrap(),
        44,
        "the refused one took nothing"
    );
}

async fn a_confirmed_payment_pays_every_order_once(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::money::Fen;
    use farmgate_domain::orders::{OrderStatus, PaymentMethod};
    use farmgate_store::orders::{OrderIntake, PaymentStatus, Settlement};
    let store = &db.store;
    seed_demo(store).await;
    let a = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let b = open_shop(store, "apricot-grower", "tekes-qiongkushitai").await;
    let va = stocked_variant(store, a.id, 5, ProductStatus::Listed).await;
    let vb = stocked_variant(store, b.id, 5, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let mut online = placement(buyer, "pay-online-01", &[(va, 1), (vb, 2)]);
    online.payment = PaymentMethod::Online;
    online.provider = "sandbox".to_owned();
    let checkout = intake.place(online).await.unwrap();
    let payment = checkout.payment.clone();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(payment.amount, Fen(3800 * 3));
    assert!(payment.expires_at.is_some());
    assert_eq!(
        store
            .payment_of_checkout(&checkout.checkout_id)
            .await
            .unwrap(),
        payment
    );

    assert!(matches!(
        store.settle_payment(payment.id, Fen(1), "gw-1").await,
        Err(Error::Conflict { field: "amount" })
    ));
    assert_eq!(
        store.payment(payment.id).await.unwrap().status,
        PaymentStatus::Pending
    );
    assert_eq!(
        store
            .settle_payment(payment.id, payment.amount, "gw-1")
            .await
            .unwrap(),
        Settlement::Settled
    );
    assert_eq!(
        store
            .settle_payment(payment.id, payment.amount, "gw-1")
            .await
            .unwrap(),
        Settlement::AlreadySettled,
        "gateways repeat their callbacks"
    );
    for order in &checkout.orders {
        let order = store.order(order.id).await.unwrap();
        assert_eq!(order.status, OrderStatus::Paid);
        assert_eq!(order.events.len(), 2, "paid once: {:?}", order.events);
    }
    let paid = store.payment(payment.id).await.unwrap();
    assert_eq!(
        (paid.status, paid.gateway_ref.as_deref()),
        (PaymentStatus::Paid, Some("gw-1"))
    );

    // Cash is due at the station: no gateway can settle it.
    let cash = intake
        .place(placement(buyer, "pay-cash-0001", &[(va, 1)]))
        .await
        .unwrap();
    assert_eq!(cash.payment.status, PaymentStatus::Due);
    assert!(matches!(
        store
            .settle_payment(cash.payment.id, cash.payment.amount, "gw-2")
            .await,
        Err(Error::Payment(
            farmgate_domain::orders::PaymentRefusal::NotOnline
        ))
    ));
}

async fn unpaid_online_orders_expire_and_return_stock(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::{OrderStatus, PaymentMethod};
    use farmgate_store::orders::{OrderIntake, PaymentStatus, Settlement};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let intake = OrderIntake::start(store.clone());
    let mut online = placement(buyer, "expire-me-001", &[(variant, 4)]);
    online.payment = PaymentMethod::Online;
    online.provider = "sandbox".to_owned();
    online.pay_within = chrono::Duration::minutes(15);
    let checkout = intake.place(online).await.unwrap();
    let cash = intake
        .place(placement(buyer, "cash-stays-01", &[(variant, 1)]))
        .await
        .unwrap();
    assert_eq!(store.variant_stock(variant).await.unwrap(), 0);

    let now = chrono::Utc::now();
    assert!(
        store.expire_unpaid(now, 100).await.unwrap().is_empty(),
        "not yet"
    );
    let later = now + chrono::Duration::minutes(16);
    assert_eq!(
        store.expire_unpaid(later, 100).await.unwrap(),
        vec![checkout.payment.id]
    );
    assert!(
        store.expire_unpaid(later, 100).await.unwrap().is_empty(),
        "once"
    );
    assert_eq!(
        store.variant_stock(variant).await.unwrap(),
        4,
        "the stock is back on sale"
    );
    let order = store.order(checkout.orders[0].id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(
        order.events.last().unwrap().actor_id,
        None,
        "FarmGate cancelled it"
    );
    assert_eq!(
        store.order(cash.orders[0].id).await.unwrap().status,
        OrderStatus::Placed
    );
    // The gateway's confirmation arriving now is recorded: all of it is owed back.
    assert_eq!(
        store
            .settle_payment(checkout.payment.id, checkout.payment.amount, "late")
            .await
            .unwrap(),
        Settlement::TooLate
    );
    let late = store.payment(checkout.payment.id).await.unwrap();
    assert_eq!(
        (late.status, late.refund_due),
        (PaymentStatus::RefundDue, checkout.payment.amount)
    );
    assert_eq!(
        store.order(checkout.orders[0].id).await.unwrap().status,
        OrderStatus::Cancelled
    );
}

async fn carts_merge_and_bound_their_lines(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::Basket;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let more = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    store.merge_cart(buyer, &[(walnuts, 2)]).await.unwrap();
    // What a guest put in before logging in joins what the account had.
    store
        .merge_cart(buyer, &[(walnuts, 1), (more, 4)])
        .await
        .unwrap();
    assert_eq!(
        store.cart(buyer).await.unwrap(),
        vec![(walnuts, 3), (more, 4)]
    );
    store.set_cart_quantity(buyer, more, 2).await.unwrap();
    store.merge_cart(buyer, &[(walnuts, 5000)]).await.unwrap();
    assert_eq!(
        store.cart(buyer).await.unwrap(),
        vec![(walnuts, Basket::MAX_QUANTITY), (more, 2)]
    );
    store.set_cart_quantity(buyer, more, 0).await.unwrap();
    assert_eq!(
        store.cart(buyer).await.unwrap(),
        vec![(walnuts, Basket::MAX_QUANTITY)]
    );
    store.remove_from_cart(buyer, &[walnuts]).await.unwrap();
    assert!(store.cart(buyer).await.unwrap().is_empty());
    let products = store.products_of_variants(&[walnuts, more]).await.unwrap();
    assert_eq!(products.len(), 2);
}

async fn reviews_follow_completion_once_per_product(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::orders::OrderEvent;
    use farmgate_domain::orders::review::ReviewText;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let variant = stocked_variant(store, shop.id, 5, ProductStatus::Listed).await;
    let buyers = buyers(store, 2).await;
    let intake = OrderIntake::start(store.clone());
    let checkout = intake
        .place(placement(buyers[0], "review-me-001", &[(variant, 1)]))
        .await
        .unwrap();
    let order = &checkout.orders[0];
    let product = order.lines[0].product_id;
    let words = ReviewText::parse(5, "皮薄，香").unwrap();
    assert!(
        matches!(
            store
                .add_review(order.id, buyers[0], product, &words, Language::ZhCn)
                .await,
            Err(Error::OrderState)
        ),
        "not before the parcel is received"
    );
    for event in [
        OrderEvent::Pack { packed_grams: 1000 },
        OrderEvent::Ship,
        OrderEvent::MarkReadyForPickup,
        OrderEvent::PickUp,
        OrderEvent::Complete,
    ] {
        store
            .advance_order(order.id, event, buyers[0], None)
            .await
            .unwrap();
    }
    assert!(
        matches!(
            store
                .add_review(order.id, buyers[1], product, &words, Language::ZhCn)
                .await,
            Err(Error::NotFound)
        ),
        "only its buyer"
    );
    let review = store
        .add_review(order.id, buyers[0], product, &words, Language::ZhCn)
        .await
        .unwrap();
    assert_eq!((review.stars, review.body.as_str()), (5, "皮薄，香"));
    assert!(
        matches!(
            store
                .add_review(order.id, buyers[0], product, &words, Language::ZhCn)
                .await,
            Err(Error::Conflict { field: "product" })
        ),
        "once per product"
    );
    assert_eq!(
        store.reviews_of_product(product, 10).await.unwrap(),
        vec![review]
    );
    let rating = store.product_rating(product).await.unwrap();
    assert_eq!((rating.average, rating.count), (5.0, 1));
    assert_eq!(store.shop_rating(shop.id).await.unwrap().count, 1);
    assert_eq!(
        store.reviewed_products(order.id).await.unwrap(),
        vec![product]
    );

    // The shop's own owner buys a bag of their walnuts: no five stars for themselves.
    let owner = store
        .account_by_login(&LoginId::parse("walnut-grower").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let own = intake
        .place(placement(owner, "own-shop-review", &[(variant, 1)]))
        .await
        .unwrap()
        .orders
        .remove(0);
    for event in [
        OrderEvent::Pack { packed_grams: 1000 },
        OrderEvent::Ship,
        OrderEvent::MarkReadyForPickup,
        OrderEvent::PickUp,
        OrderEvent::Complete,
    ] {
        store
            .advance_order(own.id, event, owner, None)
            .await
            .unwrap();
    }
    assert!(matches!(
        store
            .add_review(own.id, owner, product, &words, Language::ZhCn)
            .await,
        Err(Error::Invalid(farmgate_domain::ValidationError {
            code: "review-own-shop",
            ..
        }))
    ));
    assert_eq!(store.product_rating(product).await.unwrap().count, 1);
}

async fn a_burst_with_repeats_and_refusals_is_answered_one_by_one(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_store::orders::{Delivery, IntakeError, OrderIntake};
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 6, ProductStatus::Listed).await;
    let draft = stocked_variant(store, shop.id, 6, ProductStatus::Draft).await;
    let buyers = buyers(store, 3).await;
    let intake = OrderIntake::start(store.clone());
    // Sent together, so they land in one batch: a key sent twice, something not for sale,
    // a station that does not exist, more than is left, and plain orders.
    let mut nowhere = placement(buyers[2], "burst-nowhere", &[(walnuts, 1)]);
    nowhere.delivery = Delivery::Pickup {
        station_id: 999_999,
    };
    let requests = vec![
        placement(buyers[0], "burst-twice-1", &[(walnuts, 2)]),
        placement(buyers[0], "burst-twice-1", &[(walnuts, 2)]),
        placement(buyers[1], "burst-draft-1", &[(draft, 1)]),
        nowhere,
        placement(buyers[1], "burst-plain-1", &[(walnuts, 3)]),
        placement(buyers[2], "burst-toomuch", &[(walnuts, 2)]),
        placement(buyers[2], "burst-last-01", &[(walnuts, 1)]),
    ];
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|r| {
            let intake = intake.clone();
            tokio::spawn(async move { intake.place(r).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let first = outcomes[0].as_ref().unwrap();
    let again = outcomes[1].as_ref().unwrap();
    assert!(
        !first.replayed && again.replayed,
        "the same key, one checkout"
    );
    assert_eq!(first.checkout_id, again.checkout_id);
    assert!(
        matches!(outcomes[2], Err(IntakeError::NotForSale { variant_id }) if variant_id == draft)
    );
    assert!(matches!(
        outcomes[3],
        Err(IntakeError::NoSuchStation {
            station_id: 999_999
        })
    ));
    assert!(outcomes[4].is_ok());
    assert!(
        matches!(outcomes[5], Err(IntakeError::OutOfStock { .. })),
        "2 + 3 taken, 1 left"
    );
    let last = outcomes[6].as_ref().unwrap();
    assert_eq!(last.orders[0].lines[0].quantity, 1);
    assert_eq!(store.variant_stock(walnuts).await.unwrap(), 0);
    assert_eq!(store.all_orders_of_shop(shop.id).await.unwrap().len(), 3);
    // What was answered is what was written.
    let stored = store.order(first.orders[0].id).await.unwrap();
    assert_eq!(stored, first.orders[0]);
    assert_eq!(
        store.payment_of_checkout(&first.checkout_id).await.unwrap(),
        first.payment
    );
}

async fn a_room_is_scheduled_goes_live_pins_and_ends(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::live::{RoomEvent, RoomStatus};
    use farmgate_domain::money::Fen;
    use farmgate_store::live::NewRoom;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let host = buyers(store, 1).await[0];
    let huixian = store.region_by_code("huixian").await.unwrap();
    let soon = chrono::Utc::now() + chrono::Duration::hours(2);
    let room = store
        .schedule_room(NewRoom {
            host_id: host,
            region_id: huixian.id,
            title_zh: "徽县核桃直播".to_owned(),
            title_ug: None,
            title_en: Some("Huixian walnuts live".to_owned()),
            starts_at: soon,
            shop_ids: vec![shop.id],
        })
        .await
        .unwrap();
    assert_eq!(room.status, RoomStatus::Scheduled);
    assert_eq!(
        room.title(Language::Ug),
        ("徽县核桃直播", false),
        "Chinese stands in"
    );
    assert_eq!(room.stream_key.len(), 48);
    let again = store.room(room.id).await.unwrap();
    assert_eq!(again.shop_ids, vec![shop.id]);
    let rotated = store.rotate_stream_key(room.id).await.unwrap();
    assert_ne!(rotated, room.stream_key);

    let tekes = store.region_by_code("tekes").await.unwrap();
    assert!(
        store
            .rooms_on_air(&tekes.path, 10)
            .await
            .unwrap()
            .is_empty(),
        "another county's"
    );
    assert_eq!(
        store.rooms_on_air(&huixian.path, 10).await.unwrap().len(),
        1
    );

    store.pin(room.id, walnuts, Some(Fen(2990))).await.unwrap();
    store.pin(room.id, walnuts, Some(Fen(2890))).await.unwrap();
    let pins = store.pins(room.id).await.unwrap();
    assert_eq!(pins.len(), 1, "pinning again updates the pin");
    assert_eq!(pins[0].room_price, Some(Fen(2890)));
    let live = store.move_room(room.id, RoomEvent::Start).await.unwrap();
    assert_eq!(live.status, RoomStatus::Live);
    assert!(live.started_at.is_some());
    assert!(matches!(
        store.move_room(room.id, RoomEvent::Start).await,
        Err(Error::Room(farmgate_domain::live::RoomRefusal::AlreadyLive))
    ));
    store.unpin(room.id, walnuts).await.unwrap();
    assert!(store.pins(room.id).await.unwrap().is_empty());
    let ended = store.move_room(room.id, RoomEvent::End).await.unwrap();
    assert_eq!(ended.status, RoomStatus::Ended);
    assert!(
        store
            .rooms_on_air(&huixian.path, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.rooms_of_host(host).await.unwrap().len(), 1);
}

async fn room_prices_hold_only_while_the_room_is_live(db: &TestDb) {
    use farmgate_domain::catalog::ProductStatus;
    use farmgate_domain::live::RoomEvent;
    use farmgate_domain::money::Fen;
    use farmgate_store::live::NewRoom;
    use farmgate_store::orders::OrderIntake;
    let store = &db.store;
    seed_demo(store).await;
    let shop = open_shop(store, "walnut-grower", "huixian-fujia-village").await;
    let walnuts = stocked_variant(store, shop.id, 50, ProductStatus::Listed).await;
    let buyer = buyers(store, 1).await[0];
    let huixian = store.region_by_code("huixian").await.unwrap();
    let room = store
        .schedule_room(NewRoom {
            host_id: buyer,
            region_id: huixian.id,
            title_zh: "核桃专场".to_owned(),
            title_ug: None,
            title_en: None,
            starts_at: chrono::Utc::now(),
            shop_ids: vec![shop.id],
        })
        .await
        .unwrap();
    store.pin(room.id, walnuts, Some(Fen(2990))).await.unwrap();
    let intake = OrderIntake::start(store.clone());
    let from_room = |key: &str| {
        let mut p = placement(buyer, key, &[(walnuts, 2)]);
        p.room_id = Some(room.id);
        p
    };
    let before = intake.place(from_room("room-before-1")).await.unwrap();
    assert_eq!(
        before.orders[0].goods.0, 7600,
        "not live yet: the regular price"
    );
    store.move_room(room.id, RoomEvent::Start).await.unwrap();
    let live = intake.place(from_room("room-live-001")).await.unwrap();
    assert_eq!(live.orders[0].goods.0, 5980, "live: the room price");
    assert_eq!(live.orders[0].lines[0].unit_price.0, 2990);
    let elsewhere = intake
        .place(placement(buyer, "no-room-0001", &[(walnuts, 2)]))
        .await
        .unwrap();
    assert_eq!(
        elsewhere.orders[0].goods.0, 7600,
        "outside the room: the regular price"
    );
    store.move_room(room.id, RoomEvent::End).await.unwrap();
    let after = intake.place(from_room("room-after-01")).await.unwrap();
    assert_eq!(after.orders[0].goods.0, 7600, "ended: the regular price");
}
