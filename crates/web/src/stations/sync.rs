//! What an operator's phone did while the village connection was down, sent when it is back:
//! receiving parcels, handing them over, buying for villagers. Each operation carries the id
//! the phone made for it; sending it again (the phone could not tell whether the first sending
//! arrived) answers the same and does nothing twice. The phone's side is
//! `static/station-offline.js` (an IndexedDB queue) and `static/offline-sw.js` (the pages,
//! kept for when the connection is down).

use axum::Json;
use axum::extract::{Path, State};
use farmgate_domain::ValidationError;
use farmgate_domain::stations::ParcelStatus;
use farmgate_store::stations::{Station, SyncOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::buy::{VillagerPurchase, buy_at};
use super::desk::{chosen, hand_over_at, receive_at};
use super::till_api::PurchaseItem;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::problem::{ApiError, ApiJson, Problem};

/// The most operations one sending carries (a day offline at a busy station fits).
const MOST: usize = 500;

#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    /// A parcel received by its label.
    Receive { client_id: String, label: String },
    /// A parcel handed over against the buyer's code.
    HandOver {
        client_id: String,
        parcel_id: i64,
        code: String,
    },
    /// Goods bought for a villager, paid in cash.
    VillagerOrder {
        client_id: String,
        items: Vec<PurchaseItem>,
        villager_name: String,
        #[serde(default)]
        villager_phone: Option<String>,
    },
}

impl Operation {
    fn client_id(&self) -> &str {
        match self {
            Operation::Receive { client_id, .. }
            | Operation::HandOver { client_id, .. }
            | Operation::VillagerOrder { client_id, .. } => client_id,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Operation::Receive { .. } => "receive",
            Operation::HandOver { .. } => "hand_over",
            Operation::VillagerOrder { .. } => "villager_order",
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SyncBody {
    pub operations: Vec<Operation>,
}

#[derive(Serialize, ToSchema)]
pub struct SyncResult {
    pub client_id: String,
    /// `done` or `refused`
    pub outcome: String,
    /// Why it was refused (an error code), or the checkout of a villager's purchase (its slip).
    pub code: Option<String>,
    /// The refusal in the reader's language.
    pub message: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SyncAnswer {
    pub results: Vec<SyncResult>,
}

fn done(code: Option<String>) -> SyncOutcome {
    SyncOutcome {
        outcome: "done".to_owned(),
        code,
    }
}

/// Does `op` at `station`, reading a step that was already taken as done (its first sending
/// arrived but the phone never heard back).
async fn run(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    station: &Station,
    op: &Operation,
) -> Result<SyncOutcome, Problem> {
    match op {
        Operation::Receive { label, .. } => match receive_at(state, user, ip, station, label).await
        {
            Ok(_) => Ok(done(None)),
            Err(p) if p.code == "parcel-already-received" => Ok(done(None)),
            Err(p) => Err(p),
        },
        Operation::HandOver {
            parcel_id, code, ..
        } => match hand_over_at(state, user, ip, station, *parcel_id, code).await {
            Ok(_) => Ok(done(None)),
            Err(p) if p.code == "order-state" => {
                let parcel = state.store.station_parcel(*parcel_id).await?;
                if parcel.status == ParcelStatus::HandedOver
                    && farmgate_domain::stations::PickupCode::parse(code)
                        .is_ok_and(|c| c.matches(&parcel.pickup_code))
                {
                    Ok(done(None))
                } else {
                    Err(p)
                }
            }
            Err(p) => Err(p),
        },
        Operation::VillagerOrder {
            client_id,
            items,
            villager_name,
            villager_phone,
        } => {
            let lines: Vec<(i64, i64)> = items.iter().map(|i| (i.variant_id, i.quantity)).collect();
            let purchase = VillagerPurchase::parse(
                client_id,
                &lines,
                villager_name,
                villager_phone.as_deref().unwrap_or_default(),
            )?;
            let (checkout, _) = buy_at(state, user, ip, station, purchase).await?;
            Ok(done(Some(checkout)))
        }
    }
}

/// Sends what a station's operator did offline: each operation once, in order; its outcome,
/// also when it was sent before.
#[utoipa::path(post, operation_id = "syncStation", path = "/api/v1/stations/{id}/sync", tag = "stations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Station id")),
    request_body = SyncBody,
    responses(
        (status = 200, body = SyncAnswer),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, description = "Too many operations, or an id that is not 8 to 64 letters, digits and dashes", body = ApiError),
    ))]
pub async fn sync(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Lang(language): Lang,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SyncBody>,
) -> Result<Json<SyncAnswer>, Problem> {
    let (station, _) = chosen(&state, &user, Some(id)).await?;
    if body.operations.len() > MOST {
        return Err(ValidationError::new("operations", "too-many-operations").into());
    }
    for op in &body.operations {
        farmgate_domain::orders::IdempotencyKey::parse(op.client_id())
            .map_err(|_| ValidationError::new("client_id", "idempotency-key-invalid"))?;
    }
    let t = crate::i18n::Tr(language);
    let mut results = Vec::with_capacity(body.operations.len());
    for op in &body.operations {
        let client_id = op.client_id();
        let outcome = match state.store.sync_outcome(client_id, user.account.id).await? {
            Some(before) => before,
            None => {
                let outcome = match run(&state, &user, ip, &station, op).await {
                    Ok(outcome) => outcome,
                    Err(p) if p.status.is_client_error() => SyncOutcome {
                        outcome: "refused".to_owned(),
                        code: Some(p.code.to_owned()),
                    },
                    Err(other) => return Err(other),
                };
                state
                    .store
                    .record_sync(
                        client_id,
                        (station.id, user.account.id),
                        op.kind(),
                        &outcome,
                    )
                    .await?;
                outcome
            }
        };
        results.push(SyncResult {
            client_id: client_id.to_owned(),
            message: (outcome.outcome == "refused").then(|| {
                let code = outcome.code.as_deref().unwrap_or("bad-request");
                let id = format!("error-{code}");
                t.get(if t.has(&id) { &id } else { "error-bad-request" })
            }),
            outcome: outcome.outcome,
            code: outcome.code,
        });
    }
    Ok(Json(SyncAnswer { results }))
}
