//! The county's measured roads as the centre keeps them: the table in use (its places, how
//! many roads, who imported it when), importing a CSV in its place (every line checked first;
//! a mistake imports nothing and names its line), downloading it to correct, and taking it
//! away (plans go back to straight lines times the county's detour).

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_routing::{Roads, RoadsError};
use farmgate_store::logistics::Depot;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::china_time;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::logistics::depot;
use crate::problem::Problem;

/// Places listed per page.
const PAGE: usize = 50;

/// Imports shown in the history.
const HISTORY: u64 = 10;

struct PlaceRow {
    name: String,
    point: String,
    roads: usize,
}

struct ImportRow {
    when: String,
    line: String,
}

#[derive(Template)]
#[template(path = "fleet/roads.html")]
struct RoadsPage {
    c: Chrome,
    csrf: String,
    depot_id: i64,
    intro: String,
    /// What plans measure with now.
    using: String,
    places: Vec<PlaceRow>,
    imports: Vec<ImportRow>,
    notice: Option<String>,
    problem: Option<String>,
    next: Option<String>,
    has_table: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoadsQuery {
    depot: Option<i64>,
    page: usize,
    /// `imported` or `removed` after a change.
    done: String,
}

/// What the page says of the table in use.
pub(super) fn using(t: &Tr, roads: &Roads) -> String {
    if roads.legs.is_empty() {
        t.arg(
            "fleet-roads-using-none",
            "detour",
            format!("{:.2}", farmgate_domain::fleet::DETOUR),
        )
    } else {
        t.args2(
            "fleet-roads-using",
            ("places", (roads.places.len() as i64).into()),
            ("roads", (roads.legs.len() as i64).into()),
        )
    }
}

async fn page(
    state: &AppState,
    (c, csrf): (Chrome, String),
    depot: &Depot,
    query: &RoadsQuery,
    refused: Option<(StatusCode, String)>,
) -> Result<Response, Problem> {
    let t = &c.t;
    let roads = state.store.roads(depot.id).await?;
    let mut counts = vec![0usize; roads.places.len()];
    for leg in &roads.legs {
        counts[leg.from] += 1;
        counts[leg.to] += 1;
    }
    let places = roads
        .places
        .iter()
        .zip(&counts)
        .skip(query.page * PAGE)
        .take(PAGE)
        .map(|(p, n)| PlaceRow {
            name: p.name.clone(),
            point: format!("{:.5}, {:.5}", p.point.lat, p.point.lon),
            roads: *n,
        })
        .collect();
    let next = ((query.page + 1) * PAGE < roads.places.len()).then(|| {
        format!(
            "/centre/fleet/roads?depot={}&page={}",
            depot.id,
            query.page + 1
        )
    });
    let mut imports = Vec::new();
    for import in state.store.road_imports(depot.id, HISTORY).await? {
        let who = state
            .store
            .account_by_id(import.imported_by)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        let line = if import.legs == 0 {
            t.arg("fleet-roads-import-removed", "who", who)
        } else {
            t.args(
                "fleet-roads-import-line",
                [
                    ("who", who.into()),
                    ("file", import.file_name.into()),
                    ("places", import.places.into()),
                    ("roads", import.legs.into()),
                ],
            )
        };
        imports.push(ImportRow {
            when: china_time(import.imported_at),
            line,
        });
    }
    let notice = match query.done.as_str() {
        "imported" => Some(t.get("fleet-roads-imported")),
        "removed" => Some(t.get("fleet-roads-removed")),
        _ => None,
    };
    let page = RoadsPage {
        csrf,
        depot_id: depot.id,
        intro: t.arg("fleet-roads-intro", "depot", depot.name(t.lang())),
        using: using(t, &roads),
        places,
        imports,
        notice,
        problem: refused.as_ref().map(|r| r.1.clone()),
        next,
        has_table: !roads.legs.is_empty(),
        c,
    };
    Ok(render(refused.map_or(StatusCode::OK, |r| r.0), &page))
}

/// `GET /centre/fleet/roads?depot=&page=`: the road table in use and the form to import one.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<RoadsQuery>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, query.depot).await?;
    page(&state, (c, csrf.0), &depot, &query, None).await
}

/// The message for a mistake in a road table, naming its line.
fn refusal(t: &Tr, err: &RoadsError) -> (StatusCode, String) {
    let what = t.get(err.fault.code());
    let line = t.args2(
        "fleet-roads-line",
        ("line", (err.line as i64).into()),
        ("what", what.into()),
    );
    (StatusCode::UNPROCESSABLE_ENTITY, line)
}

/// `POST /centre/fleet/roads?depot=&_csrf=` (multipart field `file`): the CSV in place of the
/// table in use, or nothing imported and the first mistake named.
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<RoadsQuery>,
    mut multipart: Multipart,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(Problem::new(err.status(), "payload-too-large"));
                    }
                    Err(_) => break,
                }
                break;
            }
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => break,
        }
    }
    let read = match file.filter(|(_, bytes)| !bytes.is_empty()) {
        None => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            c.t.get("fleet-roads-no-file"),
        )),
        Some((name, bytes)) => {
            let text = crate::sheets::read::csv_text(&bytes).into_owned();
            Roads::from_csv(&text)
                .map(|roads| (name, roads))
                .map_err(|err| refusal(&c.t, &err))
        }
    };
    match read {
        Ok((name, roads)) => {
            state
                .store
                .replace_roads(
                    depot.id,
                    (&name, &roads),
                    user.account.id,
                    chrono::Utc::now(),
                )
                .await?;
            Ok(done(&depot, "imported"))
        }
        Err(refused) => page(&state, (c, csrf.0), &depot, &query, Some(refused)).await,
    }
}

fn done(depot: &Depot, what: &str) -> Response {
    Redirect::to(&format!(
        "/centre/fleet/roads?depot={}&done={what}",
        depot.id
    ))
    .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DepotForm {
    depot: Option<i64>,
}

/// `POST /centre/fleet/roads/remove`: plans go back to straight lines times the detour.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DepotForm>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, form.depot).await?;
    state
        .store
        .replace_roads(
            depot.id,
            ("", &Roads::default()),
            user.account.id,
            chrono::Utc::now(),
        )
        .await?;
    Ok(done(&depot, "removed"))
}

/// `GET /centre/fleet/roads.csv?depot=`: the table in use, in the layout the import reads.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RoadsQuery>,
) -> Result<Response, Problem> {
    let (depot, _) = depot(&state, &user, query.depot).await?;
    let roads = state.store.roads(depot.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"roads-{}.csv\"", depot.code),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        roads.to_csv(),
    )
        .into_response())
}
