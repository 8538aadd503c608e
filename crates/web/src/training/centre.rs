//! The centre's view of training: the incubation funnel (counts and conversion by stage, per
//! county, course and cohort, as a chart), the follow-up list (for the county's centre staff
//! only: it shows phones and stations), and the programme's numbers a year against the
//! national target of 3,000 attendances, by course kind, gender, age band and township, with
//! an XLSX export.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::authz::Role;
use farmgate_domain::regions::RegionLevel;
use farmgate_domain::training::{AGE_BANDS, CourseKind, age_band};
use farmgate_store::regions::Region;
use farmgate_store::training::{FollowUpReason, FunnelRow, FunnelStage, ProgrammeRow};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::{READERS, county_of, home_region};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::charts::bar_chart;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::{server_error, xlsx};

/// The page stays light on a rural connection: the latest cohorts, the first callers (the
/// count says how many there are in all).
const COHORTS_SHOWN: usize = 12;
const FOLLOW_UPS_SHOWN: usize = 60;

/// Attendances a year the national programme asks of a demonstration county.
pub const ANNUAL_TARGET: i64 = 3000;

#[derive(Debug, Default, Deserialize)]
pub struct RegionQuery {
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    year: Option<i32>,
}

/// The region asked for (or the reader's own), if the reader may read it.
async fn readable_region(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
) -> Result<Region, Problem> {
    let region = match code.filter(|c| !c.is_empty()) {
        Some(code) => state.store.region_by_code(code).await?,
        None => home_region(state, user, &READERS).await?,
    };
    user.require(&READERS, &region.path)?;
    Ok(region)
}

/// A line of a funnel table: a label and the count at each stage.
pub struct FunnelLine {
    pub label: String,
    pub counts: [i64; 5],
    /// Share of the completed who reached a shop that sells, "12.5%".
    pub conversion: String,
}

/// Counts people, not certificates: someone with the basics and the camp counts once (how far
/// they went is the same on both rows: shops are the person's).
fn funnel_line(label: String, rows: &[&FunnelRow]) -> FunnelLine {
    let mut seen = HashSet::new();
    let people: Vec<&&FunnelRow> = rows.iter().filter(|r| seen.insert(r.trainee_id)).collect();
    let counts =
        FunnelStage::ALL.map(|stage| people.iter().filter(|r| r.reached(stage)).count() as i64);
    FunnelLine {
        label,
        conversion: percent(counts[3], counts[0]),
        counts,
    }
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Stage names as the chart's axis shows them (short), in the reader's language.
fn stage_labels(t: &Tr) -> Vec<String> {
    FunnelStage::ALL
        .iter()
        .map(|s| t.get(&format!("funnel-{}", s.as_str().replace('_', "-"))))
        .collect()
}

/// A line of the follow-up list.
struct FollowLine {
    name: String,
    phone: String,
    station: String,
    reason: String,
    course: String,
    completed: String,
}

#[derive(Template)]
#[template(path = "training/centre_training.html")]
struct FunnelPage {
    c: Chrome,
    region: String,
    region_code: String,
    stages: Vec<String>,
    chart: String,
    total: FunnelLine,
    /// (heading, lines): by county, by course, by cohort.
    tables: Vec<(String, Vec<FunnelLine>)>,
    /// None when the reader may not see it (only the county's centre staff may).
    follow_ups: Option<Vec<FollowLine>>,
    follow_total: usize,
}

/// `GET /centre/training?region=code`
pub async fn funnel(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<RegionQuery>,
) -> Result<Response, Problem> {
    let region = readable_region(&state, &user, query.region.as_deref()).await?;
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let rows = state.store.funnel(&region.path).await?;
    let courses = state
        .store
        .courses_of(&regions.iter().map(|r| r.id).collect::<Vec<_>>())
        .await?;
    let course_title = |id: i64| {
        courses
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.title.get(t.lang()).0.to_owned())
            .unwrap_or_default()
    };
    let all: Vec<&FunnelRow> = rows.iter().collect();
    let total = funnel_line(t.get("funnel-total"), &all);
    let mut by_county: BTreeMap<String, Vec<&FunnelRow>> = BTreeMap::new();
    let mut by_course: BTreeMap<i64, Vec<&FunnelRow>> = BTreeMap::new();
    let mut by_cohort: BTreeMap<(chrono::NaiveDate, i64), Vec<&FunnelRow>> = BTreeMap::new();
    for row in &rows {
        let county = county_of(&regions, &row.session_region)
            .map(|r| r.name(t.lang()).to_owned())
            .unwrap_or_default();
        by_county.entry(county).or_default().push(row);
        by_course.entry(row.course_id).or_default().push(row);
        by_cohort
            .entry((row.starts_on, row.session_id))
            .or_default()
            .push(row);
    }
    let mut cohorts: Vec<FunnelLine> = Vec::new();
    for ((starts_on, _), members) in by_cohort.iter().rev().take(COHORTS_SHOWN) {
        let first = members[0];
        cohorts.push(funnel_line(
            format!("{} · {}", starts_on, course_title(first.course_id)),
            members,
        ));
    }
    let chart = crate::html::charts::lying_bar_chart(
        t.get("funnel-people"),
        &total.counts,
        stage_labels(&t),
        "#2e6b30",
    );
    let follow_ups = if user.require(&[Role::CentreStaff], &region.path).is_ok() {
        let list = state.store.follow_ups(&rows, chrono::Utc::now()).await?;
        let stations = state.store.stations_within(&region.path).await?;
        Some(follow_lines(&t, &list, &stations, &course_title))
    } else {
        None
    };
    let follow_total = follow_ups.as_ref().map_or(0, Vec::len);
    let page = FunnelPage {
        region: region.name(t.lang()).to_owned(),
        region_code: region.code.as_str().to_owned(),
        stages: FunnelStage::ALL
            .iter()
            .map(|s| t.get(&format!("funnel-{}", s.as_str().replace('_', "-"))))
            .collect(),
        chart,
        total,
        tables: vec![
            (
                t.get("funnel-by-county"),
                by_county
                    .into_iter()
                    .map(|(name, members)| funnel_line(name, &members))
                    .collect(),
            ),
            (
                t.get("funnel-by-course"),
                by_course
                    .into_iter()
                    .map(|(id, members)| funnel_line(course_title(id), &members))
                    .collect(),
            ),
            (t.get("funnel-by-cohort"), cohorts),
        ],
        follow_ups: follow_ups.map(|mut l| {
            l.truncate(FOLLOW_UPS_SHOWN);
            l
        }),
        follow_total,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

fn follow_lines(
    t: &Tr,
    list: &[farmgate_store::training::FollowUp],
    stations: &[farmgate_store::stations::Station],
    course_title: &dyn Fn(i64) -> String,
) -> Vec<FollowLine> {
    list.iter()
        .map(|f| FollowLine {
            name: f.trainee.name.clone(),
            phone: f.trainee.phone.clone().unwrap_or_default(),
            station: f
                .trainee
                .station_id
                .and_then(|id| stations.iter().find(|s| s.id == id))
                .map(|s| s.name(t.lang()).to_owned())
                .unwrap_or_default(),
            reason: t.get(match f.reason {
                FollowUpReason::NoShop => "follow-no-shop",
                FollowUpReason::NoSale => "follow-no-sale",
            }),
            course: course_title(f.course_id),
            completed: crate::format::china_time(f.completed_at)
                .chars()
                .take(10)
                .collect(),
        })
        .collect()
}

/// The programme's numbers for one region: per year, and broken down for one year.
struct Numbers {
    /// (year, attendances, unique trainees)
    years: Vec<(i32, i64, i64)>,
    year: i32,
    /// (label, attendances) per breakdown.
    kinds: Vec<(String, i64)>,
    genders: Vec<(String, i64)>,
    ages: Vec<(String, i64)>,
    townships: Vec<(String, i64)>,
}

fn numbers(t: &Tr, regions: &[Region], rows: &[ProgrammeRow], year: Option<i32>) -> Numbers {
    let mut years: BTreeMap<i32, (i64, HashSet<i64>)> = BTreeMap::new();
    for row in rows {
        let entry = years.entry(row.year).or_default();
        entry.0 += 1;
        entry.1.insert(row.trainee_id);
    }
    let year = year
        .or_else(|| years.keys().next_back().copied())
        .unwrap_or_else(|| chrono::Datelike::year(&super::today()));
    let of_year: Vec<&ProgrammeRow> = rows.iter().filter(|r| r.year == year).collect();
    let count_by = |key: &dyn Fn(&ProgrammeRow) -> String| {
        let mut counts: HashMap<String, i64> = HashMap::new();
        for row in &of_year {
            *counts.entry(key(row)).or_default() += 1;
        }
        counts
    };
    let kinds = count_by(&|r| r.course_kind.as_str().to_owned());
    let genders = count_by(&|r| r.gender.map_or("unknown", |g| g.as_str()).to_owned());
    let ages = count_by(&|r| {
        r.birth_year
            .map_or("unknown", |b| age_band(b, year))
            .to_owned()
    });
    let by_id: HashMap<i64, &Region> = regions.iter().map(|r| (r.id, r)).collect();
    let townships = count_by(&|r| {
        r.trainee_region
            .ids()
            .filter_map(|id| by_id.get(&id))
            .find(|region| region.level == RegionLevel::Township)
            .map(|region| region.name(t.lang()).to_owned())
            .unwrap_or_else(|| t.get("programme-township-none"))
    });
    let mut townships: Vec<(String, i64)> = townships.into_iter().collect();
    townships.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let labelled = |counts: &HashMap<String, i64>, keys: &[&str], prefix: &str| {
        keys.iter()
            .map(|k| {
                (
                    t.get(&format!("{prefix}{k}")),
                    counts.get(*k).copied().unwrap_or(0),
                )
            })
            .collect::<Vec<_>>()
    };
    Numbers {
        years: years
            .into_iter()
            .map(|(y, (n, people))| (y, n, people.len() as i64))
            .collect(),
        year,
        kinds: labelled(&kinds, &CourseKind::ALL.map(|k| k.as_str()), "course-kind-"),
        genders: labelled(&genders, &["female", "male", "unknown"], "gender-"),
        ages: labelled(
            &ages,
            &[
                AGE_BANDS[0],
                AGE_BANDS[1],
                AGE_BANDS[2],
                AGE_BANDS[3],
                AGE_BANDS[4],
                "unknown",
            ],
            "age-",
        ),
        townships,
    }
}

#[derive(Template)]
#[template(path = "training/centre_attendance.html")]
struct AttendancePage {
    c: Chrome,
    region: String,
    region_code: String,
    target: i64,
    /// (year, attendances, unique, share of target)
    years: Vec<(i32, i64, i64, String)>,
    chart: String,
    year: i32,
    /// (heading, (label, attendances)): by course kind, gender, age band, township.
    breakdowns: Vec<(String, Vec<(String, i64)>)>,
}

/// `GET /centre/training/attendance?region=code&year=2026`
pub async fn attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<RegionQuery>,
) -> Result<Response, Problem> {
    let region = readable_region(&state, &user, query.region.as_deref()).await?;
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let rows = state.store.programme(&region.path).await?;
    let n = numbers(&t, &regions, &rows, query.year);
    let chart = bar_chart(
        vec![
            (
                t.get("programme-attendances"),
                n.years.iter().map(|y| y.1 as f32).collect(),
            ),
            (
                t.get("programme-unique"),
                n.years.iter().map(|y| y.2 as f32).collect(),
            ),
            (
                t.get("programme-target"),
                n.years.iter().map(|_| ANNUAL_TARGET as f32).collect(),
            ),
        ],
        n.years.iter().map(|y| y.0.to_string()).collect(),
        &ATTENDANCE_COLOURS,
    );
    let page = AttendancePage {
        region: region.name(t.lang()).to_owned(),
        region_code: region.code.as_str().to_owned(),
        target: ANNUAL_TARGET,
        years: n
            .years
            .iter()
            .map(|(y, a, u)| (*y, *a, *u, percent(*a, ANNUAL_TARGET)))
            .collect(),
        chart,
        year: n.year,
        breakdowns: vec![
            (t.get("programme-by-kind"), n.kinds),
            (t.get("programme-by-gender"), n.genders),
            (t.get("programme-by-age"), n.ages),
            (t.get("programme-by-township"), n.townships),
        ],
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The attendance chart's bars: attendances, unique trainees, the target.
pub const ATTENDANCE_COLOURS: [&str; 3] = ["#2e6b30", "#a86b00", "#8a8a8a"];

/// `GET /centre/training/attendance.xlsx?region=code&year=2026`: the same numbers.
pub async fn attendance_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<RegionQuery>,
) -> Result<Response, Problem> {
    let region = readable_region(&state, &user, query.region.as_deref()).await?;
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let rows = state.store.programme(&region.path).await?;
    let n = numbers(&t, &regions, &rows, query.year);
    let bytes = workbook(&t, &region, &n).map_err(server_error)?;
    Ok(xlsx(
        bytes,
        &format!("farmgate-training-{}-{}.xlsx", region.code.as_str(), n.year),
    ))
}

fn workbook(t: &Tr, region: &Region, n: &Numbers) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("years")?;
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 16)?;
    sheet.set_column_width(2, 16)?;
    sheet.write_string_with_format(0, 0, region.name(t.lang()), &bold)?;
    for (col, id) in [
        "programme-year",
        "programme-attendances",
        "programme-unique",
        "programme-target",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(1, u16::try_from(col).unwrap_or(0), t.get(id), &bold)?;
    }
    for (row, (year, attendances, unique)) in n.years.iter().enumerate() {
        let row = u32::try_from(row).unwrap_or(0) + 2;
        sheet.write_number(row, 0, f64::from(*year))?;
        sheet.write_number(row, 1, *attendances as f64)?;
        sheet.write_number(row, 2, *unique as f64)?;
        sheet.write_number(row, 3, ANNUAL_TARGET as f64)?;
    }
    for (name, title, lines) in [
        ("kinds", "programme-by-kind", &n.kinds),
        ("gender", "programme-by-gender", &n.genders),
        ("age", "programme-by-age", &n.ages),
        ("townships", "programme-by-township", &n.townships),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        sheet.set_column_width(0, 24)?;
        sheet.write_string_with_format(0, 0, format!("{} {}", t.get(title), n.year), &bold)?;
        sheet.write_string_with_format(0, 1, t.get("programme-attendances"), &bold)?;
        for (row, (label, count)) in lines.iter().enumerate() {
            let row = u32::try_from(row).unwrap_or(0) + 1;
            sheet.write_string(row, 0, label)?;
            sheet.write_number(row, 1, *count as f64)?;
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(trainee_id: i64, course_id: i64, orders: i64) -> FunnelRow {
        FunnelRow {
            trainee_id,
            session_id: course_id,
            course_id,
            course_kind: CourseKind::Camp,
            session_region: farmgate_domain::regions::RegionPath::root(1),
            starts_on: chrono::NaiveDate::default(),
            completed_at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
            applied: orders > 0,
            shop_id: (orders > 0).then_some(7),
            opened_at: None,
            orders,
            last_order_at: None,
        }
    }

    #[test]
    fn the_funnel_counts_people_not_certificates() {
        // Trainee 1 holds the basics and the camp certificates and sells; trainee 2 only trained.
        let rows = [row(1, 10, 12), row(1, 11, 12), row(2, 10, 0)];
        let line = funnel_line("all".to_owned(), &rows.iter().collect::<Vec<_>>());
        assert_eq!(line.counts, [2, 1, 1, 1, 1]);
        assert_eq!(line.conversion, "50.0%");
        let nobody = funnel_line("none".to_owned(), &[]);
        assert_eq!((nobody.counts, nobody.conversion.as_str()), ([0; 5], "–"));
    }
}
