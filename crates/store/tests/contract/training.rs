//! Training on both databases: places and the waitlist, attendance and certificates, trainees
//! found by phone, the funnel to a selling shop, and the programme's numbers.

use farmgate_domain::accounts::{DisplayName, LoginId, PhoneNumber};
use farmgate_domain::catalog::ProductStatus;
use farmgate_domain::lang::Language;
use farmgate_domain::shops::{ShopKind, ShopName};
use farmgate_domain::training::{
    AttendanceMethod, CompletionRule, CourseKind, EnrolmentStatus, Gender, VenueKind,
};
use farmgate_store::orders::OrderIntake;
use farmgate_store::shops::{Decision, NewShopApplication};
use farmgate_store::testing::TestDb;
use farmgate_store::training::{
    Course, FollowUpReason, FunnelStage, NewCourse, NewSession, NewTrainee, Texts, TrainingSession,
};
use farmgate_store::{Error, Store};

use super::{buyers, placement, seed_demo, stocked_variant};

fn texts(zh: &str) -> Texts {
    Texts::zh(zh)
}

async fn course(store: &Store, county: &str, kind: CourseKind, days: i32) -> Course {
    let region = store.region_by_code(county).await.unwrap();
    store
        .create_course(NewCourse {
            region_id: region.id,
            kind,
            rule: CompletionRule::usual(days).unwrap(),
            languages: vec![Language::ZhCn, Language::Ug],
            title: texts("电商创业训练营"),
            summary: texts("开网店和直播带货"),
            syllabus: (1..=days).map(|d| texts(&format!("第{d}天"))).collect(),
            created_by: None,
        })
        .await
        .unwrap()
}

async fn session(store: &Store, course: &Course, region: &str, capacity: i32) -> TrainingSession {
    let region = store.region_by_code(region).await.unwrap();
    store
        .schedule_session(NewSession {
            course_id: course.id,
            region_id: region.id,
            venue_kind: VenueKind::Centre,
            venue: Texts::zh("中心二楼培训室"),
            online_url: None,
            live_room_id: None,
            capacity,
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            trainer_ids: vec![],
            created_by: None,
        })
        .await
        .unwrap()
}

async fn trainee(store: &Store, name: &str, phone: &str, region: &str) -> i64 {
    let region = store.region_by_code(region).await.unwrap();
    store
        .find_or_add_trainee(NewTrainee {
            name: DisplayName::parse(name).unwrap(),
            phone: Some(PhoneNumber::parse(phone).unwrap()),
            account_id: None,
            region_id: region.id,
            station_id: None,
            gender: Some(Gender::Female),
            birth_year: Some(1990),
            created_by: None,
        })
        .await
        .unwrap()
        .id
}

pub async fn places_fill_then_the_waitlist_moves_up_in_order(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let basics = course(store, "tekes", CourseKind::Basics, 1).await;
    let full = session(store, &basics, "tekes", 2).await;
    let mut people = Vec::new();
    for n in 0..4 {
        people.push(
            trainee(
                store,
                &format!("学员{n}"),
                &format!("1390000000{n}"),
                "tekes",
            )
            .await,
        );
    }
    let mut statuses = Vec::new();
    for id in &people {
        statuses.push(store.enrol(full.id, *id, None).await.unwrap().status);
    }
    use EnrolmentStatus::{Enrolled, Waitlisted};
    assert_eq!(statuses, [Enrolled, Enrolled, Waitlisted, Waitlisted]);
    let again = store.enrol(full.id, people[0], None).await.unwrap();
    assert_eq!(again.status, Enrolled, "enrolling twice changes nothing");
    let counted = store.training_session(full.id).await.unwrap();
    assert_eq!(
        (counted.enrolled, counted.waitlisted, counted.free()),
        (2, 2, 0)
    );

    let promoted = store.withdraw(full.id, people[1]).await.unwrap();
    assert_eq!(
        promoted,
        Some(people[2]),
        "the first in line takes the place"
    );
    let promoted = store.withdraw(full.id, people[3]).await.unwrap();
    assert_eq!(promoted, None, "leaving the line frees no place");
    assert!(matches!(
        store.withdraw(full.id, people[3]).await,
        Err(Error::NotFound)
    ));
    let roster = store.roster(full.id).await.unwrap();
    assert_eq!(
        roster
            .iter()
            .map(|r| (r.trainee.id, r.status))
            .collect::<Vec<_>>(),
        [(people[0], Enrolled), (people[2], Enrolled)]
    );
    let schedule = store.schedule_of(people[2]).await.unwrap();
    assert_eq!(schedule.len(), 1);
    assert_eq!(schedule[0].status, Enrolled);

    // Twelve at once for three places: three get them, nobody twice, on either database.
    let rush = session(store, &basics, "tekes", 3).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(
            trainee(
                store,
                &format!("抢位{n}"),
                &format!("1380000{n:04}"),
                "tekes",
            )
            .await,
        );
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let store = store.clone();
            let (session, id) = (rush.id, *id);
            tokio::spawn(async move { store.enrol(session, id, None).await })
        })
        .collect();
    let mut enrolled = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().status == Enrolled {
            enrolled += 1;
        }
    }
    assert_eq!(enrolled, 3);
    let rush = store.training_session(rush.id).await.unwrap();
    assert_eq!((rush.enrolled, rush.waitlisted), (3, 9));
    assert!(
        matches!(
            store.set_capacity(rush.id, 2).await,
            Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::FewerThanTaken
            ))
        ),
        "nobody loses a place they were given"
    );
    let waiting: Vec<i64> = store
        .roster(rush.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.status == Waitlisted)
        .map(|r| r.trainee.id)
        .collect();
    let moved = store.set_capacity(rush.id, 5).await.unwrap();
    assert_eq!(
        moved,
        waiting[..2],
        "two more places go to the first two in line"
    );
    let rush = store.training_session(rush.id).await.unwrap();
    assert_eq!((rush.capacity, rush.enrolled, rush.waitlisted), (5, 5, 7));
    let first_waiting = store
        .roster(rush.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.status == Waitlisted)
        .unwrap();
    let leaver = store
        .roster(rush.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.status == Enrolled)
        .unwrap();
    assert_eq!(
        store.withdraw(rush.id, leaver.trainee.id).await.unwrap(),
        Some(first_waiting.trainee.id)
    );
}

pub async fn the_camp_completes_with_four_days_and_one_certificate(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let camp = course(store, "tekes", CourseKind::Camp, 5).await;
    assert_eq!(camp.rule.min_days, 4);
    assert_eq!(camp.syllabus.len(), 5);
    let run = session(store, &camp, "tekes", 1).await;
    assert_eq!(run.ends_on().to_string(), "2026-12-05");
    let later = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
    let moved = store
        .reschedule_session(
            run.id,
            later,
            VenueKind::IndustrialPark,
            Texts::zh("电商产业园"),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            moved.starts_on,
            moved.venue_kind,
            moved.venue.get(Language::ZhCn).0
        ),
        (later, VenueKind::IndustrialPark, "电商产业园")
    );
    let ayse = trainee(store, "阿依仙", "13900000001", "tekes").await;
    let waiting = trainee(store, "古丽", "13900000002", "tekes").await;
    store.enrol(run.id, ayse, None).await.unwrap();
    store.enrol(run.id, waiting, None).await.unwrap();
    let qr = AttendanceMethod::Qr;
    assert!(matches!(
        store.record_attendance(run.id, waiting, 1, qr, None).await,
        Err(Error::Training(
            farmgate_domain::training::TrainingRefusal::Waitlisted
        ))
    ));
    assert!(matches!(
        store.record_attendance(run.id, ayse, 6, qr, None).await,
        Err(Error::Training(
            farmgate_domain::training::TrainingRefusal::NoSuchDay
        ))
    ));
    let stranger = trainee(store, "路人", "13900000003", "tekes").await;
    assert!(matches!(
        store.record_attendance(run.id, stranger, 1, qr, None).await,
        Err(Error::NotFound)
    ));
    for day in [1, 2, 3] {
        let outcome = store
            .record_attendance(run.id, ayse, day, qr, None)
            .await
            .unwrap();
        assert!(outcome.newly_recorded);
        assert_eq!(outcome.certificate, None, "three days are not enough");
    }
    assert!(
        matches!(
            store
                .reschedule_session(
                    run.id,
                    later + chrono::Days::new(7),
                    VenueKind::Centre,
                    Texts::zh("二楼")
                )
                .await,
            Err(Error::Training(
                farmgate_domain::training::TrainingRefusal::DaysAttended
            ))
        ),
        "attended days do not move"
    );
    let same_days = store
        .reschedule_session(run.id, later, VenueKind::Centre, Texts::zh("二楼"))
        .await
        .unwrap();
    assert_eq!(
        same_days.venue,
        Texts::zh("二楼"),
        "the venue may still change"
    );
    let twice = store
        .record_attendance(run.id, ayse, 1, qr, None)
        .await
        .unwrap();
    assert!(!twice.newly_recorded, "a second scan changes nothing");
    let trainer = store
        .account_by_login(&LoginId::parse("tekes-centre").unwrap())
        .await
        .unwrap()
        .unwrap();
    let fourth = store
        .record_attendance(run.id, ayse, 5, AttendanceMethod::Roster, Some(trainer.id))
        .await
        .unwrap();
    let code = fourth
        .certificate
        .expect("four of five days complete the camp");
    assert_eq!(fourth.days, [1, 2, 3, 5]);
    let fifth = store
        .record_attendance(run.id, ayse, 4, qr, None)
        .await
        .unwrap();
    assert_eq!(
        fifth.certificate.as_deref(),
        Some(code.as_str()),
        "one certificate"
    );
    let view = store.certificate(&code).await.unwrap();
    assert_eq!(view.trainee.name, "阿依仙");
    assert_eq!(view.course.id, camp.id);
    assert!(matches!(
        store.certificate("not-a-code").await,
        Err(Error::NotFound)
    ));
    assert_eq!(store.certificates_of(ayse).await.unwrap().len(), 1);
    let roster = store.roster(run.id).await.unwrap();
    assert_eq!(roster[0].days, [1, 2, 3, 4, 5]);
    assert_eq!(
        roster[0].ticked_by,
        [(5, Some(trainer.id))],
        "a tick by hand keeps who ticked"
    );
    assert_eq!(roster[0].certificate.as_deref(), Some(code.as_str()));

    // A one-day course completes on its day.
    let basics = course(store, "tekes", CourseKind::Basics, 1).await;
    let day = session(store, &basics, "tekes", 10).await;
    store.enrol(day.id, waiting, None).await.unwrap();
    let done = store
        .record_attendance(day.id, waiting, 1, qr, None)
        .await
        .unwrap();
    assert!(done.certificate.is_some());
}

/// The review's takeover: typing someone's phone number must not hand over their training
/// record. It joins an account only when a code sent to the phone comes back, or when the
/// county's trainer confirms in person.
pub async fn a_trainee_record_joins_an_account_only_when_the_phone_is_proven(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let by_station = trainee(store, "米热古丽", "13911112222", "korla-saibag").await;
    let saibag = store.region_by_code("korla-saibag").await.unwrap();
    let claim = |account_id: i64| NewTrainee {
        name: DisplayName::parse("Mihrigul").unwrap(),
        phone: Some(PhoneNumber::parse("13911112222").unwrap()),
        account_id: Some(account_id),
        region_id: saibag.id,
        station_id: None,
        gender: None,
        birth_year: None,
        created_by: Some(account_id),
    };
    // Someone who only typed her number gets nothing of her record.
    let stranger = store
        .create_account(super::new_account("not-mihrigul"))
        .await
        .unwrap();
    assert!(matches!(
        store.find_or_add_trainee(claim(stranger.id)).await,
        Err(Error::Invalid(farmgate_domain::ValidationError {
            code: "phone-unproven",
            ..
        }))
    ));
    assert!(
        store
            .trainee_of_account(stranger.id)
            .await
            .unwrap()
            .is_none()
    );
    let phone = farmgate_domain::accounts::PhoneNumber::parse("13911112222").unwrap();
    let (code_id, _sent_to_her_phone) = store.issue_phone_code(stranger.id, &phone).await.unwrap();
    for _ in 0..5 {
        assert!(matches!(
            store.prove_phone(stranger.id, code_id, "000000").await,
            Err(Error::Invalid(_))
        ));
    }
    assert!(
        matches!(
            store.prove_phone(stranger.id, code_id, "123456").await,
            Err(Error::Invalid(farmgate_domain::ValidationError {
                code: "phone-code-spent",
                ..
            }))
        ),
        "five wrong tries spend the code"
    );
    assert!(
        store
            .trainee_of_account(stranger.id)
            .await
            .unwrap()
            .is_none()
    );

    // She proves it with the code her phone received: the record is hers, with its name.
    let account = store
        .create_account(super::new_account("mihrigul"))
        .await
        .unwrap();
    let (code_id, code) = store.issue_phone_code(account.id, &phone).await.unwrap();
    let proven = store.prove_phone(account.id, code_id, &code).await.unwrap();
    assert_eq!(proven.trainee_id, Some(by_station));
    assert!(
        store.prove_phone(account.id, code_id, &code).await.is_err(),
        "a code is used once"
    );
    let own = store.find_or_add_trainee(claim(account.id)).await.unwrap();
    assert_eq!((own.id, own.name.as_str()), (by_station, "米热古丽"));

    // In person: the trainer joins a neighbour's record to the account the neighbour names.
    let neighbour = trainee(store, "阿依古丽", "13911113333", "korla-saibag").await;
    let her = store
        .create_account(super::new_account("aygul"))
        .await
        .unwrap();
    let trainer = store
        .account_by_login(&LoginId::parse("tekes-centre").unwrap())
        .await
        .unwrap()
        .unwrap();
    let joined = store
        .confirm_trainee_in_person(neighbour, her.id, trainer.id)
        .await
        .unwrap();
    assert_eq!(joined.account_id, Some(her.id));
    assert!(matches!(
        store
            .confirm_trainee_in_person(neighbour, stranger.id, trainer.id)
            .await,
        Err(Error::Training(
            farmgate_domain::training::TrainingRefusal::RecordClaimed
        ))
    ));
    // At most five codes an hour.
    for _ in 0..4 {
        store.issue_phone_code(stranger.id, &phone).await.unwrap();
    }
    assert!(store.issue_phone_code(stranger.id, &phone).await.is_err());

    assert_eq!(
        store.signing_key("check-in").await.unwrap(),
        store.signing_key("check-in").await.unwrap()
    );
    assert_ne!(
        store.signing_key("check-in").await.unwrap(),
        store.signing_key("certificate").await.unwrap()
    );
}

async fn complete(store: &Store, session: &TrainingSession, trainee: i64) {
    store.enrol(session.id, trainee, None).await.unwrap();
    for day in 1..=session.days {
        store
            .record_attendance(session.id, trainee, day, AttendanceMethod::Qr, None)
            .await
            .unwrap();
    }
}

pub async fn the_funnel_follows_trainees_to_their_first_sales(db: &TestDb) {
    let store = &db.store;
    seed_demo(store).await;
    let camp = course(store, "tekes", CourseKind::Camp, 5).await;
    let run = session(store, &camp, "tekes", 30).await;
    let seller = trainee(store, "开店的", "13900000011", "tekes").await;
    let stalled = trainee(store, "没开店", "13900000012", "tekes").await;
    let quiet = trainee(store, "开了没卖", "13900000013", "tekes").await;
    for id in [seller, stalled, quiet] {
        complete(store, &run, id).await;
    }
    let partial = trainee(store, "只来两天", "13900000014", "tekes").await;
    store.enrol(run.id, partial, None).await.unwrap();
    for day in [1, 2] {
        store
            .record_attendance(run.id, partial, day, AttendanceMethod::Qr, None)
            .await
            .unwrap();
    }
    let admin = store
        .account_by_login(&LoginId::parse("admin").unwrap())
        .await
        .unwrap()
        .unwrap();
    let village = store.region_by_code("tekes-qiongkushitai").await.unwrap();
    let mut shops = Vec::new();
    for (n, id) in [seller, quiet].into_iter().enumerate() {
        let applicant = store
            .create_account(super::new_account(&format!("trainee-shop-{n}")))
            .await
            .unwrap();
        let application = store
            .submit_shop_application(NewShopApplication {
                applicant_id: applicant.id,
                name: ShopName::parse(&format!("学员小店{n}")).unwrap(),
                kind: ShopKind::Farmer,
                village_id: village.id,
                phone: PhoneNumber::parse("13912345678").unwrap(),
                story: String::new(),
                trainee_id: Some(id),
            })
            .await
            .unwrap();
        let approved = store
            .decide_shop_application(application.id, admin.id, Decision::Approve)
            .await
            .unwrap();
        shops.push(approved.shop_id.unwrap());
    }
    let variant = stocked_variant(store, shops[0], 100, ProductStatus::Listed).await;
    let people = buyers(store, 1).await;
    let intake = OrderIntake::start(store.clone());
    for n in 0..10 {
        intake
            .place(placement(
                people[0],
                &format!("funnel-{n}"),
                &[(variant, 1)],
            ))
            .await
            .unwrap();
    }
    let tekes = store.region_by_code("tekes").await.unwrap();
    let rows = store.funnel(&tekes.path).await.unwrap();
    let count = |stage: FunnelStage| rows.iter().filter(|r| r.reached(stage)).count();
    assert_eq!(
        FunnelStage::ALL.map(count),
        [3, 2, 2, 1, 1],
        "completed, applied, opened, first sale, ten orders"
    );
    let kuqa = store.region_by_code("kuqa").await.unwrap();
    assert!(store.funnel(&kuqa.path).await.unwrap().is_empty());

    let now = chrono::Utc::now();
    let follow = store.follow_ups(&rows, now).await.unwrap();
    assert_eq!(
        follow
            .iter()
            .map(|f| (f.trainee.id, f.reason))
            .collect::<Vec<_>>(),
        [(stalled, FollowUpReason::NoShop)],
        "a shop opened today is not yet stalled"
    );
    let later = store
        .follow_ups(&rows, now + chrono::Duration::days(45))
        .await
        .unwrap();
    let mut reasons: Vec<_> = later.iter().map(|f| (f.trainee.id, f.reason)).collect();
    reasons.sort_by_key(|r| r.0);
    assert_eq!(
        reasons,
        [
            (seller, FollowUpReason::NoSale),
            (stalled, FollowUpReason::NoShop),
            (quiet, FollowUpReason::NoSale)
        ],
        "45 days on, a month without sales puts both shops on the list"
    );

    let programme = store.programme(&tekes.path).await.unwrap();
    assert_eq!(
        programme.len(),
        4,
        "one attendance per trainee at the session"
    );
    assert!(
        programme
            .iter()
            .all(|p| p.year == 2026 && p.course_kind == CourseKind::Camp)
    );
    assert!(programme.iter().all(|p| p.gender == Some(Gender::Female)));
    assert!(store.programme(&kuqa.path).await.unwrap().is_empty());
}

/// A course, a session's venue and a station may be written in Uyghur (or English) alone:
/// what was written comes back as written, a reader of another language is shown it and
/// told its language, and nothing written at all is refused.
pub async fn courses_venues_and_stations_are_written_in_any_one_language(db: &TestDb) {
    use farmgate_domain::stations::StationKind;
    use farmgate_store::stations::StationDetails;
    let store = &db.store;
    seed_demo(store).await;
    let tekes = store.region_by_code("tekes").await.unwrap();
    let uyghur = |text: &str| Texts::new(None, Some(text.to_owned()), None);
    let camp = store
        .create_course(NewCourse {
            region_id: tekes.id,
            kind: CourseKind::Basics,
            rule: CompletionRule::usual(2).unwrap(),
            languages: vec![Language::Ug],
            title: uyghur("تور دۇكىنى ئېچىش"),
            summary: Texts::default(),
            syllabus: vec![uyghur("تور سودىسى"), uyghur("نەق مەيدان")],
            created_by: None,
        })
        .await
        .unwrap();
    let read = store.course(camp.id).await.unwrap();
    assert_eq!(read.title.zh, None, "no Chinese was written");
    let shown = read.title.shown(Language::ZhCn);
    assert_eq!(
        (shown.text, shown.language, shown.own),
        ("تور دۇكىنى ئېچىش", Language::Ug, false)
    );
    assert_eq!(read.syllabus[1].get(Language::Ug), ("نەق مەيدان", true));
    assert!(read.summary.is_empty());

    let run = store
        .schedule_session(NewSession {
            course_id: camp.id,
            region_id: tekes.id,
            venue_kind: VenueKind::Centre,
            venue: Texts::new(
                None,
                Some("ئىككىنچى قەۋەت".into()),
                Some("Second floor".into()),
            ),
            online_url: None,
            live_room_id: None,
            capacity: 10,
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            trainer_ids: vec![],
            created_by: None,
        })
        .await
        .unwrap();
    let run = store.training_session(run.id).await.unwrap();
    assert_eq!(run.venue.get(Language::En), ("Second floor", true));
    assert_eq!(run.venue.shown(Language::ZhCn).language, Language::Ug);

    let nameless = store
        .create_course(NewCourse {
            title: Texts::new(Some("  ".into()), None, None),
            ..NewCourse {
                region_id: tekes.id,
                kind: CourseKind::Basics,
                rule: CompletionRule::usual(1).unwrap(),
                languages: vec![Language::ZhCn],
                title: Texts::default(),
                summary: Texts::default(),
                syllabus: vec![Texts::zh("第一天")],
                created_by: None,
            }
        })
        .await;
    assert!(
        matches!(&nameless, Err(Error::Invalid(e)) if e.code == "written-in-none"),
        "a course needs a title in some language: {nameless:?}"
    );

    let village = store.region_by_code("tekes-kuokesu").await.unwrap();
    let station = store
        .add_station(farmgate_store::stations::NewStation {
            code: "tekes-kuokesu-2".to_owned(),
            details: StationDetails::new(
                village.id,
                StationKind::Village,
                uyghur("كۆكسۇ ئىككىنچى پونكىت"),
                uyghur("كەنت مەدەنىيەت ئۆيى يېنىدا"),
            ),
        })
        .await
        .unwrap();
    let station = store.station(station.id).await.unwrap();
    assert_eq!(station.name(Language::ZhCn), "كۆكسۇ ئىككىنچى پونكىت");
    assert_eq!(station.address.zh, None);
    assert_eq!(
        station.address.get(Language::Ug),
        ("كەنت مەدەنىيەت ئۆيى يېنىدا", true)
    );
    let unnamed = store
        .add_station(farmgate_store::stations::NewStation {
            code: "tekes-kuokesu-3".to_owned(),
            details: StationDetails::new(
                village.id,
                StationKind::Village,
                Texts::default(),
                uyghur("كەنت"),
            ),
        })
        .await;
    assert!(matches!(&unnamed, Err(Error::Invalid(e)) if e.code == "written-in-none"));
}
