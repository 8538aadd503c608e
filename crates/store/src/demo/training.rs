//! Demo training: the courses of the seeds (Tekes' free basics and five-day camp on its
//! centre's second floor, skills and hosting; packaging, sorting and sales at Korla's training
//! points; livestream hosting at Gaodu's base), two years of sessions with more than 10,000
//! trainees in Tekes, their attendance and certificates, and a few hundred camp graduates who
//! went on to open shops that sell (see `graduates`).
//!
//! Generated from a fixed seed, so every demo has the same people; written in bulk, so the
//! load takes seconds.

use chrono::{Datelike, Days, NaiveDate, Utc};
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::training::{
    AttendanceMethod, CompletionRule, CourseKind, EnrolmentStatus, VenueKind,
};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::training_data::{COURSES, person_name};
use crate::regions::Region;
use crate::training::entity::{
    attendance, certificate, enrolment, session, session_trainer, trainee,
};
use crate::training::{Course, NewCourse, Texts};
use crate::{Error, Result, Store};

/// What the graduates sell, as (name, category): one picture of each, drawn to fit the goods
/// (see `load_demo_training`'s `photos`, keyed by the name).
pub fn graduate_goods() -> Vec<(&'static str, &'static str)> {
    super::graduates::GOODS
        .iter()
        .map(|g| (g.zh, g.category))
        .collect()
}

/// What loading the demo's training made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TrainingReport {
    pub courses: u64,
    pub sessions: u64,
    pub trainees: u64,
    pub certificates: u64,
    pub shops: u64,
}

/// A venue's name in Chinese, Uyghur and English.
type Venue = (&'static str, &'static str, &'static str);
const TEKES_CENTRE_ROOM: Venue = (
    "特克斯县电商公共服务中心二楼培训室",
    "تېكەس ناھىيەلىك ئېلېكترونلۇق سودا ئاممىۋى مۇلازىمەت مەركىزى، ئىككىنچى قەۋەت تەربىيەلەش ئۆيى",
    "Training room, 2nd floor, Tekes E-commerce Public Service Centre",
);
const TEKES_PARK: Venue = (
    "特克斯县电商产业园",
    "تېكەس ناھىيەلىك ئېلېكترونلۇق سودا كەسىپ باغچىسى",
    "Tekes E-commerce Industrial Park",
);
const QARBAGH_POINT: Venue = (
    "恰尔巴格乡电商培训点",
    "چارباغ يېزىسى ئېلېكترونلۇق سودا تەربىيەلەش نۇقتىسى",
    "Qarbagh Township e-commerce training point",
);
const GAODU_BASE: Venue = (
    "高都镇直播基地",
    "گاۋدۇ بازىرى نەق مەيدان بازىسى",
    "Gaodu Town livestream base",
);

/// A session to write: which course, where, when, who comes and how many days each attends.
struct Planned {
    course: usize,
    region_id: i64,
    venue: (VenueKind, Venue),
    capacity: i32,
    starts_on: NaiveDate,
    /// (trainee index, days attended)
    people: Vec<(usize, Vec<i32>)>,
}

/// The days a trainee of a `days`-day course attended, drawn so most complete.
fn days_attended(rng: &mut StdRng, days: i32, past: bool) -> Vec<i32> {
    if !past {
        return Vec::new();
    }
    let roll: f64 = rng.random();
    let count = match days {
        5 if roll < 0.62 => 5,
        5 if roll < 0.86 => 4,
        5 if roll < 0.95 => 3,
        5 => 1,
        _ if roll < 0.93 => days,
        _ => days - 1,
    };
    let mut all: Vec<i32> = (1..=days).collect();
    while all.len() > usize::try_from(count).unwrap_or(0) {
        let drop = rng.random_range(0..all.len());
        all.remove(drop);
    }
    all
}

/// SQLite binds at most 32,766 values a statement.
const CHUNK: usize = 2000;

impl Store {
    /// Loads the demo's training unless Tekes already has courses. The graduates' products get
    /// the picture of their category from `photos` (none when it has none). `progress` is
    /// called with (done, total) steps as the load goes.
    pub async fn load_demo_training(
        &self,
        password_hash: &str,
        photos: &std::collections::HashMap<String, crate::catalog::Photo>,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<TrainingReport> {
        let tekes = self.region_by_code("tekes").await?;
        if !self.courses_of(&[tekes.id]).await?.is_empty() {
            return Ok(TrainingReport::default());
        }
        let mut rng = StdRng::seed_from_u64(20_261_126);
        let regions = self.all_regions().await?;
        let trainer = self
            .account_by_login(
                &farmgate_domain::accounts::LoginId::parse("tekes-centre")
                    .map_err(|e| Error::Config(e.to_string()))?,
            )
            .await?
            .map(|a| a.id);
        let courses = self.demo_courses(trainer).await?;
        let plan = plan_sessions(&mut rng, &DemoPlaces::of(&regions, tekes.id)?);
        let total = plan.people.len() as u64 / CHUNK as u64 + plan.sessions.len() as u64 + 2;
        let mut done = 0;
        let ids = self
            .write_trainees(&plan.people, trainer, &mut |step| {
                done += step;
                progress(done, total);
            })
            .await?;
        let mut report = TrainingReport {
            courses: courses.len() as u64,
            trainees: plan.people.len() as u64,
            ..TrainingReport::default()
        };
        let mut camp_graduates: Vec<(usize, NaiveDate)> = Vec::new();
        for session in &plan.sessions {
            let course = &courses[session.course];
            let (certificates, graduates) = self
                .write_demo_session(session, course, &ids, trainer, tekes.id, &mut rng)
                .await?;
            report.certificates += certificates;
            camp_graduates.extend(graduates);
            report.sessions += 1;
            done += 1;
            progress(done, total);
        }
        // About one camp graduate in five opened a shop.
        // Someone who took the camp twice opens one shop, after their first.
        let mut seen = std::collections::HashSet::new();
        camp_graduates.retain(|(who, _)| seen.insert(*who));
        let chosen: Vec<(i64, String, NaiveDate)> = camp_graduates
            .iter()
            .filter(|_| rng.random_bool(0.2))
            .map(|(who, ends)| (ids[*who], trainee_phone(*who), *ends))
            .collect();
        report.shops =
            super::graduates::open_shops(self, password_hash, photos, &chosen, &mut rng).await?;
        progress(total, total);
        Ok(report)
    }

    /// The demo's courses, in the order of `COURSES`.
    async fn demo_courses(&self, trainer: Option<i64>) -> Result<Vec<Course>> {
        let mut courses: Vec<Course> = Vec::new();
        for demo in COURSES {
            let county = self.region_by_code(demo.county).await?;
            let texts = |[zh, ug, en]: [&'static str; 3]| {
                Texts::new(Some(zh.into()), Some(ug.into()), Some(en.into()))
            };
            let days = i32::try_from(demo.days.len()).unwrap_or(1);
            courses.push(
                self.create_course(NewCourse {
                    region_id: county.id,
                    kind: demo.kind,
                    rule: CompletionRule::usual(days).map_err(|e| Error::Config(e.to_string()))?,
                    languages: vec![Language::ZhCn, Language::Ug],
                    title: texts(demo.title),
                    summary: texts(demo.summary),
                    syllabus: demo.days.iter().map(|d| texts(*d)).collect(),
                    created_by: trainer,
                })
                .await?,
            );
        }
        Ok(courses)
    }

    /// The trainees in bulk, their ids read back by phone (unique), in the order of `people`;
    /// `step` is told of each chunk written.
    async fn write_trainees(
        &self,
        people: &[Person],
        trainer: Option<i64>,
        step: &mut (dyn FnMut(u64) + Send),
    ) -> Result<Vec<i64>> {
        // Trainees in bulk; their ids read back by phone (unique).
        let trainee_phone = |i: usize| format!("158{:08}", 10_000_000 + i);
        let mut ids: Vec<i64> = Vec::with_capacity(people.len());
        for (chunk_no, chunk) in people.chunks(CHUNK).enumerate() {
            let txn = self.db.begin().await?;
            let first = chunk_no * CHUNK;
            trainee::Entity::insert_many(chunk.iter().enumerate().map(|(i, p)| {
                trainee::ActiveModel {
                    name: Set(p.0.clone()),
                    phone: Set(Some(trainee_phone(first + i))),
                    account_id: Set(None),
                    region_id: Set(p.1),
                    station_id: Set(None),
                    gender: Set(p.2.map(str::to_owned)),
                    birth_year: Set(p.3),
                    created_by: Set(trainer),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
            }))
            .exec_without_returning(&txn)
            .await?;
            let phones: Vec<String> = (first..first + chunk.len()).map(trainee_phone).collect();
            let mut rows: Vec<(i64, Option<String>)> = trainee::Entity::find()
                .select_only()
                .column(trainee::Column::Id)
                .column(trainee::Column::Phone)
                .filter(trainee::Column::Phone.is_in(phones.clone()))
                .into_tuple()
                .all(&txn)
                .await?;
            rows.sort_by_key(|r| r.1.clone());
            for phone in &phones {
                let found = rows
                    .binary_search_by(|r| r.1.as_deref().cmp(&Some(phone.as_str())))
                    .map_err(|_| Error::NotFound)?;
                ids.push(rows[found].0);
            }
            txn.commit().await?;
            step(1);
        }
        Ok(ids)
    }

    /// One planned session with its enrolments, attendance and certificates, in one
    /// transaction; answers the certificates issued and the camp's graduates (who, last day).
    async fn write_demo_session(
        &self,
        plan: &Planned,
        course: &Course,
        ids: &[i64],
        trainer: Option<i64>,
        tekes_id: i64,
        rng: &mut StdRng,
    ) -> Result<(u64, Vec<(usize, NaiveDate)>)> {
        let mut camp_graduates = Vec::new();
        let txn = self.db.begin().await?;
        let row = session::Entity::insert(session::ActiveModel {
            course_id: Set(course.id),
            region_id: Set(plan.region_id),
            venue_kind: Set(plan.venue.0.as_str().to_owned()),
            venue_name: Set(plan.venue.1.0.to_owned()),
            venue_name_ug: Set(Some(plan.venue.1.1.to_owned())),
            venue_name_en: Set(Some(plan.venue.1.2.to_owned())),
            online_url: Set(None),
            live_room_id: Set(None),
            capacity: Set(plan.capacity),
            starts_on: Set(plan.starts_on),
            days: Set(course.rule.days),
            created_by: Set(trainer),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        let session_id = row.last_insert_id;
        if plan.region_id == tekes_id
            && let Some(trainer) = trainer
        {
            session_trainer::Entity::insert(session_trainer::ActiveModel {
                session_id: Set(session_id),
                account_id: Set(trainer),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        let (enrolments, present, certificates) = session_rows(
            plan,
            course,
            ids,
            trainer,
            session_id,
            rng,
            &mut camp_graduates,
        );
        let issued = certificates.len() as u64;
        if !enrolments.is_empty() {
            enrolment::Entity::insert_many(enrolments)
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in present.chunks(CHUNK) {
            attendance::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        if !certificates.is_empty() {
            certificate::Entity::insert_many(certificates)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok((issued, camp_graduates))
    }
}

/// A trainee's demo phone number: unique, so their ids can be read back by it.
fn trainee_phone(i: usize) -> String {
    format!("158{:08}", 10_000_000 + i)
}

/// Someone of the demo: (name, home village id, gender, birth year).
type Person = (String, i64, Option<&'static str>, Option<i32>);

/// Where the demo's trainees live and train.
struct DemoPlaces {
    tekes: i64,
    tekes_villages: Vec<Region>,
    korla_villages: Vec<Region>,
    gaodu_villages: Vec<Region>,
    korla_point: i64,
    gaodu: i64,
}

impl DemoPlaces {
    fn of(regions: &[Region], tekes: i64) -> Result<DemoPlaces> {
        let places = |county: &str| -> Vec<Region> {
            let Some(county) = regions.iter().find(|r| r.code.as_str() == county) else {
                return Vec::new();
            };
            regions
                .iter()
                .filter(|r| county.path.contains(&r.path) && r.level == RegionLevel::Village)
                .cloned()
                .collect()
        };
        let region_of = |code: &str| {
            regions
                .iter()
                .find(|r| r.code.as_str() == code)
                .map(|r| r.id)
        };
        Ok(DemoPlaces {
            tekes,
            tekes_villages: places("tekes"),
            korla_villages: places("korla"),
            gaodu_villages: places("zezhou"),
            korla_point: region_of("korla-qiaerbag")
                .or(region_of("korla"))
                .ok_or(Error::NotFound)?,
            gaodu: region_of("zezhou-gaodu")
                .or(region_of("zezhou"))
                .ok_or(Error::NotFound)?,
        })
    }
}

/// Two years of sessions, week by week, and the people in them.
struct Plan {
    people: Vec<Person>,
    sessions: Vec<Planned>,
    basics_graduates: Vec<usize>,
}

impl Plan {
    /// A new person living in one of `villages` (Tekes when there are none); their index.
    fn add_person(&mut self, rng: &mut StdRng, villages: &[Region], tekes: i64) -> usize {
        let home = villages
            .get(rng.random_range(0..villages.len().max(1)))
            .map_or(tekes, |v| v.id);
        let gender = match rng.random_range(0..100) {
            0..55 => Some("female"),
            55..92 => Some("male"),
            _ => None,
        };
        let birth = rng.random_bool(0.88).then(|| rng.random_range(1962..2007));
        self.people.push((person_name(rng), home, gender, birth));
        self.people.len() - 1
    }
}

/// The sessions of the two years up to today (and a few weeks after), drawn from `rng`.
fn plan_sessions(rng: &mut StdRng, places: &DemoPlaces) -> Plan {
    let today = Utc::now().date_naive();
    let start = today - Days::new(730);
    let monday = start - Days::new(u64::from(start.weekday().num_days_from_monday()));
    let mut plan = Plan {
        people: Vec::new(),
        sessions: Vec::new(),
        basics_graduates: Vec::new(),
    };
    // Four weeks ahead of today whatever day of the week it is, so there is always a session
    // to enrol in.
    let weeks = u64::try_from((today + Days::new(28) - monday).num_days() / 7).unwrap_or(106);
    for week in 0..weeks {
        plan_week(rng, places, &mut plan, monday, week, today);
    }
    plan
}

/// One week's sessions: basics every Monday, the camp every other week, skills and hosting
/// now and then, Korla's training point and Gaodu's livestream base.
fn plan_week(
    rng: &mut StdRng,
    places: &DemoPlaces,
    plan: &mut Plan,
    monday: NaiveDate,
    week: u64,
    today: NaiveDate,
) {
    let date = monday + Days::new(7 * week);
    let past = date + Days::new(5) < today;
    // Basics every Monday on the centre's second floor: 90 newcomers.
    let mut basics = Vec::new();
    for _ in 0..(if past { 90 } else { 12 }) {
        let who = plan.add_person(rng, &places.tekes_villages, places.tekes);
        let days = days_attended(rng, 1, past);
        if !days.is_empty() {
            plan.basics_graduates.push(who);
        }
        basics.push((who, days));
    }
    plan.sessions.push(Planned {
        course: 0,
        region_id: places.tekes,
        venue: (VenueKind::Centre, TEKES_CENTRE_ROOM),
        capacity: 100,
        starts_on: date,
        people: basics,
    });
    // The camp every other week, for 36 who took the basics before.
    if week % 2 == 1 && plan.basics_graduates.len() > 200 {
        let mut camp = Vec::new();
        let pool = plan.basics_graduates.len() - 90;
        for _ in 0..(if past { 36 } else { 9 }) {
            let who = plan.basics_graduates[rng.random_range(0..pool)];
            if camp.iter().any(|(p, _)| *p == who) {
                continue;
            }
            camp.push((who, days_attended(rng, 5, past)));
        }
        plan.sessions.push(Planned {
            course: 1,
            region_id: places.tekes,
            venue: (VenueKind::Centre, TEKES_CENTRE_ROOM),
            capacity: 40,
            starts_on: date + Days::new(1),
            people: camp,
        });
    }
    // Skills once a month, hosting every second month; newcomers too.
    for (course, every, size, days) in [(2usize, 4u64, 35, 1), (3, 8, 25, 2)] {
        if week % every == 2 {
            let group = (0..(if past { size } else { 5 }))
                .map(|_| {
                    let who = plan.add_person(rng, &places.tekes_villages, places.tekes);
                    (who, days_attended(rng, days, past))
                })
                .collect();
            plan.sessions.push(Planned {
                course,
                region_id: places.tekes,
                venue: (VenueKind::IndustrialPark, TEKES_PARK),
                capacity: size + 5,
                starts_on: date + Days::new(3),
                people: group,
            });
        }
    }
    plan_elsewhere(rng, places, plan, date, week, past);
}

/// A planned session's rows: each person's enrolment, their days present (by QR four times in
/// five) and, when they completed the course, their certificate; the camp's graduates are added
/// to `camp_graduates`.
fn session_rows(
    plan: &Planned,
    course: &Course,
    ids: &[i64],
    trainer: Option<i64>,
    session_id: i64,
    rng: &mut StdRng,
    camp_graduates: &mut Vec<(usize, NaiveDate)>,
) -> (
    Vec<enrolment::ActiveModel>,
    Vec<attendance::ActiveModel>,
    Vec<certificate::ActiveModel>,
) {
    let enrolled_at = plan
        .starts_on
        .and_hms_opt(9, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc())
        - chrono::Duration::days(3);
    let mut enrolments = Vec::new();
    let mut present = Vec::new();
    let mut certificates = Vec::new();
    for (who, days) in &plan.people {
        let trainee_id = ids[*who];
        enrolments.push(enrolment::ActiveModel {
            session_id: Set(session_id),
            trainee_id: Set(trainee_id),
            status: Set(EnrolmentStatus::Enrolled.as_str().to_owned()),
            enrolled_by: Set(trainer),
            created_at: Set(enrolled_at),
            promoted_at: Set(None),
            withdrawn_at: Set(None),
            ..Default::default()
        });
        for day in days {
            let at = plan.starts_on + Days::new(u64::try_from(day - 1).unwrap_or(0));
            present.push(attendance::ActiveModel {
                session_id: Set(session_id),
                trainee_id: Set(trainee_id),
                day: Set(*day),
                method: Set(if rng.random_bool(0.8) {
                    AttendanceMethod::Qr
                } else {
                    AttendanceMethod::Roster
                }
                .as_str()
                .to_owned()),
                recorded_by: Set(trainer),
                recorded_at: Set(at
                    .and_hms_opt(2, 30, 0)
                    .map_or_else(Utc::now, |t| t.and_utc())),
            });
        }
        if course.rule.completed_by(days) {
            let mut code = [0u8; 12];
            rng.fill_bytes(&mut code);
            let ends = plan.starts_on + Days::new(u64::try_from(course.rule.days - 1).unwrap_or(0));
            certificates.push(certificate::ActiveModel {
                code: Set(hex::encode(code)),
                session_id: Set(session_id),
                trainee_id: Set(trainee_id),
                issued_at: Set(ends
                    .and_hms_opt(9, 0, 0)
                    .map_or_else(Utc::now, |t| t.and_utc())),
                ..Default::default()
            });
            if course.kind == CourseKind::Camp {
                camp_graduates.push((*who, ends));
            }
        }
    }
    (enrolments, present, certificates)
}

/// Korla's training point and Gaodu's livestream base, now and then.
fn plan_elsewhere(
    rng: &mut StdRng,
    places: &DemoPlaces,
    plan: &mut Plan,
    date: NaiveDate,
    week: u64,
    past: bool,
) {
    if week.is_multiple_of(6) {
        let group = (0..(if past { 30 } else { 6 }))
            .map(|_| {
                let who = plan.add_person(rng, &places.korla_villages, places.tekes);
                (who, days_attended(rng, 1, past))
            })
            .collect();
        plan.sessions.push(Planned {
            course: 4,
            region_id: places.korla_point,
            venue: (VenueKind::TrainingPoint, QARBAGH_POINT),
            capacity: 40,
            starts_on: date + Days::new(2),
            people: group,
        });
    }
    if week % 8 == 4 {
        let group = (0..(if past { 24 } else { 6 }))
            .map(|_| {
                let who = plan.add_person(rng, &places.gaodu_villages, places.tekes);
                (who, days_attended(rng, 3, past))
            })
            .collect();
        plan.sessions.push(Planned {
            course: 5,
            region_id: places.gaodu,
            venue: (VenueKind::IndustrialPark, GAODU_BASE),
            capacity: 30,
            starts_on: date + Days::new(1),
            people: group,
        });
    }
}
