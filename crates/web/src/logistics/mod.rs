//! The county's distribution centre on the web: the dispatcher's board (what waits for each
//! station, the "find the station" list), scanning parcels in off the carriers' vans (`scan`:
//! a queue on the phone, so the worker never waits on the server), the carriers' agreements
//! (`carriers`), the day's runs to the stations (`runs`) and the driver's phone (`driver`), and
//! tracking a parcel by its number (`track`, public).

mod api;
mod board;
mod carriers;
mod driver;
mod numbers;
mod outbound;
mod outbound_api;
mod runs;
pub(crate) use board::no_depot;
pub(crate) use runs::couriers;
mod runs_api;
mod scan;
mod settlement;
mod track;

use farmgate_domain::authz::Role;
use farmgate_store::logistics::Depot;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::problem::Problem;

/// Who works the distribution centre: its county's centre staff, and administrators.
pub(crate) const DISPATCHERS: [Role; 2] = [Role::CentreStaff, Role::Admin];

/// Which depot a page or call is about, when the caller's county has several.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct DepotParam {
    /// A depot of the caller's county; the first when absent.
    pub depot: Option<i64>,
}

/// The depot asked for (the first of the caller's county when none is), and all of the
/// county's; a 404 for another county's, a 403 for someone who works at none.
pub(crate) async fn depot(
    state: &AppState,
    user: &CurrentUser,
    asked: Option<i64>,
) -> Result<(Depot, Vec<Depot>), Problem> {
    let depots = depots(state, user).await?;
    let depot = match asked {
        Some(id) => depots.iter().find(|d| d.id == id),
        None => depots.first(),
    }
    .cloned()
    .ok_or(Problem::not_found())?;
    Ok((depot, depots))
}

/// The depots of the county `user` works for (every depot for an administrator at the root).
pub(crate) async fn depots(state: &AppState, user: &CurrentUser) -> Result<Vec<Depot>, Problem> {
    let county = user.home_path(&DISPATCHERS)?;
    Ok(state.store.depots_within(county).await?)
}

/// The centre's pages, and the public tracking page.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/centre/logistics", get(board::page))
        .route("/centre/logistics/unsorted", get(board::unsorted))
        .route("/centre/logistics/parcels/{id}/sort", post(board::sort))
        .route("/centre/logistics/scan", get(scan::page).post(scan::submit))
        .route("/static/logistics-scan.js", get(scan::script))
        .route("/centre/logistics/carriers", get(carriers::list))
        .route(
            "/centre/logistics/carriers/{code}",
            get(carriers::form).post(carriers::save),
        )
        .route("/centre/logistics/runs", get(runs::list).post(runs::plan))
        .route("/centre/logistics/runs/{id}", get(runs::detail))
        .route("/centre/logistics/runs/{id}/start", post(runs::start))
        .route("/centre/logistics/runs/{id}/cancel", post(runs::cancel))
        .route("/courier/run", get(driver::page))
        .route("/courier/runs/{id}/start", post(driver::start))
        .route(
            "/courier/runs/{id}/stops/{stop}/deliver",
            post(driver::deliver),
        )
        .route("/centre/logistics/settlements", get(settlement::centre))
        .route("/logistics/statement", get(settlement::statement))
        .route("/logistics/statement.xlsx", get(settlement::statement_xlsx))
        .route("/logistics/statement/disputes", post(settlement::dispute))
        .route(
            "/logistics/disputes/{depot}/{id}/answer",
            post(settlement::answer),
        )
        .route("/carrier", get(settlement::carrier_front))
        .route("/orders/{id}/label", post(outbound::label_order))
        .route("/logistics/labels/{id}", get(outbound::label))
        .route("/logistics/labels/{id}/void", post(outbound::void))
        .route("/centre/logistics/outbound", get(outbound::page))
        .route("/centre/logistics/numbers", get(numbers::page))
        .route(
            "/centre/logistics/outbound/dispatch",
            post(outbound::dispatch),
        )
        .route("/centre/logistics/waybills", post(outbound::add_block))
        .route("/track", get(track::search))
        .route("/track/{number}", get(track::page))
}

/// The API: scanning in, the consolidation, sorting, manifests and tracking.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api::scan))
        .routes(routes!(api::consolidation))
        .routes(routes!(api::sort))
        .routes(routes!(api::advise))
        .routes(routes!(api::tracking))
        .routes(routes!(runs_api::list, runs_api::plan))
        .routes(routes!(runs_api::start))
        .routes(routes!(runs_api::deliver))
        .routes(routes!(api::feed))
        .routes(routes!(api::settlements))
        .routes(routes!(outbound_api::label, outbound_api::parcel))
        .routes(routes!(numbers::api))
}

/// Texts the receiver of an express parcel that reached `station` where and with which code to
/// collect it (the carrier's manifest gave the phone; an account proven with that phone reads
/// it in its own language, anyone else in Chinese).
pub(crate) async fn tell_receiver(
    state: &AppState,
    parcel: &farmgate_store::stations::StationParcel,
    station: &farmgate_store::stations::Station,
) {
    let Some(messenger) = state.messenger.clone() else {
        return;
    };
    let Ok(Some(found)) = state.store.parcel_at_station(parcel.id).await else {
        return;
    };
    let Some(phone) = found
        .receiver_phone
        .as_deref()
        .and_then(|p| farmgate_domain::accounts::PhoneNumber::parse(p).ok())
    else {
        return;
    };
    let language = match state
        .store
        .account_by_login(&farmgate_domain::accounts::LoginId::Phone(phone.clone()))
        .await
    {
        Ok(Some(account)) => account.language,
        _ => farmgate_domain::lang::Language::ZhCn,
    };
    let t = crate::i18n::Tr(language);
    let text = format!(
        "{}: {}",
        t.get("site-name"),
        t.args(
            "logistics-sms-at-station",
            [
                ("number", found.tracking_number.clone().into()),
                ("station", station.name(language).to_owned().into()),
                ("code", parcel.pickup_code.as_str().to_owned().into()),
            ]
        )
    );
    if let Err(err) = messenger.send(&phone, &text).await {
        tracing::warn!(error = %err, "the receiver of an express parcel could not be texted");
    }
}
