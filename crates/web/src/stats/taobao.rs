//! Taobao village and Taobao town (issue 18): for the townships and villages under a region,
//! the published criteria computed from a year of the rollups (`store::stats::taobao`), each
//! criterion's value beside its threshold, which places qualify, which are close and what they
//! lack; the county's centre sets how many households a village has (the 10% rule); the same
//! tables as a workbook.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::authz::Role;
use farmgate_domain::money::Fen;
use farmgate_domain::regions::{RegionLevel, RegionPath};
use farmgate_domain::stations::till::LedgerMonth;
use farmgate_domain::taobao::{self, Criterion, Verdict};
use farmgate_store::regions::Region;
use farmgate_store::stats::VillageYear;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::{month_of, region_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::{server_error, xlsx};

/// Who sets a village's households.
const KEEPERS: [Role; 2] = [Role::CentreStaff, Role::Admin];

/// Villages a page.
const PAGE: usize = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaobaoQuery {
    region: String,
    month: String,
    /// `qualifies`, `close`, `all`, or empty for the villages selling online.
    show: String,
    page: usize,
}

/// A place's verdict as the page shows it.
struct Row {
    code: String,
    name: String,
    /// `qualifies`, `close` or `not-yet`.
    standing: &'static str,
    standing_text: String,
    criteria: Vec<String>,
    households: String,
    keeper: bool,
}

#[derive(Template)]
#[template(path = "stats/taobao.html")]
struct TaobaoPage {
    c: Chrome,
    csrf: String,
    title: String,
    period: String,
    region: String,
    month: String,
    previous: String,
    next: String,
    show: String,
    towns: Vec<Row>,
    villages: Vec<Row>,
    summary: String,
    more: Option<usize>,
    back: Option<usize>,
    error: Option<String>,
}

/// The year of months that ends with `month`: (first, last).
pub(super) fn year_to(month: LedgerMonth) -> (String, String) {
    let mut first = month;
    for _ in 0..11 {
        first = first.previous();
    }
    (first.to_string(), month.to_string())
}

/// The month asked for, else the last whole month.
pub(super) fn last_month(asked: &str) -> Result<LedgerMonth, Problem> {
    if asked.is_empty() {
        Ok(month_of("")?.previous())
    } else {
        month_of(asked)
    }
}

/// Whole yuan with thousands marked (`¥10,000,000`), isolated left-to-right: millions read
/// at a glance.
pub(super) fn whole_yuan(f: Fen) -> String {
    let digits = (f.0 / 100).unsigned_abs().to_string();
    let mut grouped = String::new();
    for (k, d) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    let sign = if f.0 < 0 { "-" } else { "" };
    format!("\u{2066}{sign}¥{grouped}\u{2069}")
}

fn standing(v: &Verdict) -> &'static str {
    if v.qualifies {
        "qualifies"
    } else if v.close {
        "close"
    } else {
        "not-yet"
    }
}

/// "年网络销售额 ¥8,000,000.00 / ¥10,000,000.00 ✓" in the reader's words.
fn criterion_text(t: &Tr, c: &Criterion) -> String {
    let show = |n: i64| match c.code {
        "taobao-village-sales" | "taobao-town-sales" => whole_yuan(Fen(n)),
        "taobao-village-share" => format!("{n}%"),
        _ => n.to_string(),
    };
    let key = if c.met {
        "taobao-criterion-met"
    } else {
        "taobao-criterion-missed"
    };
    t.args(
        key,
        [
            ("criterion", t.get(c.code).into()),
            ("value", show(c.value).into()),
            ("threshold", show(c.threshold).into()),
        ],
    )
}

fn row(t: &Tr, place: &Region, verdict: &Verdict, households: Option<i64>, keeper: bool) -> Row {
    let standing = standing(verdict);
    Row {
        code: place.code.as_str().to_owned(),
        name: place.name(t.lang()).to_owned(),
        standing,
        standing_text: t.get(&format!("taobao-{standing}")),
        criteria: verdict
            .criteria
            .iter()
            .map(|c| criterion_text(t, c))
            .collect(),
        households: households.map(|h| h.to_string()).unwrap_or_default(),
        keeper,
    }
}

/// The verdicts of a region's villages and townships over the year to `month`.
pub(super) struct Verdicts {
    pub villages: Vec<(VillageYear, Verdict)>,
    pub towns: Vec<(Region, Verdict)>,
}

pub(super) async fn verdicts(
    state: &AppState,
    region: &Region,
    month: LedgerMonth,
) -> Result<Verdicts, Problem> {
    let (from, until) = year_to(month);
    let years = state
        .store
        .taobao_villages(&region.path, (&from, &until))
        .await?;
    let villages: Vec<(VillageYear, Verdict)> = years
        .into_iter()
        .map(|y| {
            let v = taobao::village(y.sales, y.active_shops, y.households);
            (y, v)
        })
        .collect();
    let mut towns = Vec::new();
    let townships: Vec<Region> = if region.level == RegionLevel::Village {
        Vec::new()
    } else {
        state
            .store
            .regions_under(&region.path, RegionLevel::Township)
            .await?
    };
    for township in townships {
        let under = |p: &RegionPath| township.path.contains(p);
        let mine = villages.iter().filter(|(y, _)| under(&y.village.path));
        let (mut count, mut sales, mut shops) = (0, Fen(0), 0);
        for (y, v) in mine {
            count += i64::from(v.qualifies);
            sales = sales.checked_add(y.sales).unwrap_or(sales);
            shops += y.active_shops;
        }
        let verdict = taobao::town(count, sales, shops);
        towns.push((township, verdict));
    }
    Ok(Verdicts { villages, towns })
}

/// `GET /centre/taobao?region=&month=&show=&page=`.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<TaobaoQuery>,
) -> Result<Response, Problem> {
    show(&state, &user, (c, csrf.0), &query, None).await
}

async fn show(
    state: &AppState,
    user: &CurrentUser,
    (c, csrf): (Chrome, String),
    query: &TaobaoQuery,
    error: Option<&Problem>,
) -> Result<Response, Problem> {
    let region = region_of(state, user, &query.region).await?;
    let month = last_month(&query.month)?;
    let t = &c.t;
    let Verdicts { villages, towns } = verdicts(state, &region, month).await?;
    let qualifying = villages.iter().filter(|(_, v)| v.qualifies).count();
    let towns_qualifying = towns.iter().filter(|(_, v)| v.qualifies).count();
    let mut chosen: Vec<&(VillageYear, Verdict)> = villages
        .iter()
        .filter(|(y, v)| match query.show.as_str() {
            "qualifies" => v.qualifies,
            "close" => v.close,
            "all" => true,
            // By default the villages that sell online or whose households are known.
            _ => y.sales.0 > 0 || y.active_shops > 0 || y.households.is_some(),
        })
        .collect();
    // Qualifying first, then close, then by sales.
    chosen.sort_by_key(|(y, v)| (!v.qualifies, !v.close, std::cmp::Reverse(y.sales)));
    let start = query.page * PAGE;
    let rows: Vec<Row> = chosen
        .iter()
        .skip(start)
        .take(PAGE)
        .map(|(y, v)| {
            let keeper = user.require(&KEEPERS, &y.village.path).is_ok();
            row(t, &y.village, v, y.households, keeper)
        })
        .collect();
    let (from, until) = year_to(month);
    let page = TaobaoPage {
        csrf,
        title: t.arg("taobao-title", "region", region.name(t.lang()).to_owned()),
        period: t.args2(
            "taobao-period",
            ("from", from.into()),
            ("until", until.into()),
        ),
        region: region.code.as_str().to_owned(),
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        show: query.show.clone(),
        towns: towns
            .iter()
            .map(|(r, v)| row(t, r, v, None, false))
            .collect(),
        villages: rows,
        summary: t.args2(
            "taobao-summary",
            ("villages", (qualifying as i64).into()),
            ("towns", (towns_qualifying as i64).into()),
        ),
        more: (start + PAGE < chosen.len()).then_some(query.page + 1),
        back: query.page.checked_sub(1),
        error: error.map(|p| p.message(t)),
        c,
    };
    Ok(render(error.map_or(StatusCode::OK, |p| p.status), &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millions_read_at_a_glance() {
        let plain = |f| whole_yuan(Fen(f)).replace(['\u{2066}', '\u{2069}'], "");
        assert_eq!(plain(1_000_000_000), "¥10,000,000");
        assert_eq!(plain(7_600), "¥76");
        assert_eq!(plain(99_999), "¥999");
        assert_eq!(plain(-123_456_700), "-¥1,234,567");
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HouseholdsForm {
    village: String,
    households: String,
}

/// `POST /centre/taobao/households?region=&month=`: how many households a village has (empty
/// forgets it).
pub async fn set_households(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<TaobaoQuery>,
    Form(form): Form<HouseholdsForm>,
) -> Result<Response, Problem> {
    let village = farmgate_domain::regions::RegionCode::parse(&form.village)
        .map_err(|_| Problem::not_found())?;
    let village = state
        .store
        .region_by_code(village.as_str())
        .await
        .map_err(|_| Problem::not_found())?;
    if user.require(&super::READERS, &village.path).is_err() {
        return Err(Problem::not_found());
    }
    user.require(&KEEPERS, &village.path)?;
    let text = form.households.trim();
    let done = if text.is_empty() {
        Ok(None)
    } else {
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| ValidationError::new("households", "households-count-invalid"))
    };
    let done = match done {
        Ok(count) => state
            .store
            .set_village_households(&village, count, user.account.id)
            .await
            .map_err(Problem::from),
        Err(invalid) => Err(invalid.into()),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/centre/taobao?region={}&month={}#v-{}",
            query.region,
            query.month,
            village.code.as_str()
        ))
        .into_response()),
        Err(problem) if problem.status.is_client_error() => {
            show(&state, &user, (c, csrf.0), &query, Some(&problem)).await
        }
        Err(other) => Err(other),
    }
}

/// `GET /centre/taobao.xlsx?region=&month=`: every village's and township's criteria.
pub async fn sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Query(query): Query<TaobaoQuery>,
) -> Result<Response, Problem> {
    let region = region_of(&state, &user, &query.region).await?;
    let month = last_month(&query.month)?;
    let verdicts = verdicts(&state, &region, month).await?;
    let bytes = workbook(&c.t, &verdicts).map_err(server_error)?;
    Ok(xlsx(
        bytes,
        &format!("farmgate-taobao-{}-{month}.xlsx", region.code.as_str()),
    ))
}

/// The criteria of each sheet, in its columns' order.
const VILLAGE_CRITERIA: [&str; 3] = [
    "taobao-village-sales",
    "taobao-village-shops",
    "taobao-village-share",
];
const TOWN_CRITERIA: [&str; 3] = [
    "taobao-town-villages",
    "taobao-town-sales",
    "taobao-town-shops",
];

/// A sheet: its name, its criteria's codes in column order, its places and their verdicts.
type Sheet<'a> = (&'a str, [&'a str; 3], Vec<(&'a Region, &'a Verdict)>);

fn workbook(t: &Tr, v: &Verdicts) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let places: [Sheet; 2] = [
        (
            "villages",
            VILLAGE_CRITERIA,
            v.villages.iter().map(|(y, v)| (&y.village, v)).collect(),
        ),
        (
            "towns",
            TOWN_CRITERIA,
            v.towns.iter().map(|(r, v)| (r, v)).collect(),
        ),
    ];
    for (name, codes, rows) in places {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        sheet.write_string_with_format(0, 0, t.get("stats-place"), &bold)?;
        sheet.write_string_with_format(0, 1, t.get("taobao-standing"), &bold)?;
        for (k, code) in codes.iter().enumerate() {
            let col = 2 + 2 * k as u16;
            sheet.write_string_with_format(0, col, t.get(code), &bold)?;
            sheet.write_string_with_format(0, col + 1, t.get("taobao-threshold"), &bold)?;
        }
        for (i, (place, verdict)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, place.name(t.lang()))?;
            sheet.write_string(r, 1, t.get(&format!("taobao-{}", standing(verdict))))?;
            for c in &verdict.criteria {
                let Some(k) = codes.iter().position(|code| *code == c.code) else {
                    continue;
                };
                let col = 2 + 2 * k as u16;
                let money = c.code.ends_with("-sales");
                let n = |x: i64| if money { x as f64 / 100.0 } else { x as f64 };
                sheet.write_number(r, col, n(c.value))?;
                sheet.write_number(r, col + 1, n(c.threshold))?;
            }
        }
    }
    workbook.save_to_buffer()
}
