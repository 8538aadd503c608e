//! The shop pages: apply, review, and the shop itself.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::shops::{ApplicationStatus, ShopKind};
use farmgate_domain::text::parse_text;
use farmgate_store::shops::{Decision, ShopApplication};
use serde::Deserialize;

use super::{ApplicationInput, REVIEWERS, parse_application};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::format::{VillageOption, china_time, place_label, village_options};
use crate::html::{Chrome, FormErrors, render};
use crate::i18n::Tr;
use crate::problem::Problem;

pub struct ApplicationLine {
    pub name: String,
    pub status: String,
    pub reason: Option<String>,
    pub shop_id: Option<i64>,
}

#[derive(Default)]
pub struct ApplyFields {
    pub name: String,
    pub kind: String,
    pub village: String,
    pub phone: String,
    pub story: String,
}

#[derive(Template)]
#[template(path = "shops/shop_apply.html")]
struct ApplyPage {
    c: Chrome,
    csrf: String,
    notice: Option<String>,
    fields: ApplyFields,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    villages: Vec<VillageOption>,
    mine: Vec<ApplicationLine>,
    /// An application is waiting for the centre: the page says what happens next instead of
    /// offering the form again.
    waiting: bool,
}

fn status_label(t: &Tr, status: ApplicationStatus) -> String {
    t.get(&format!("shop-status-{}", status.as_str()))
}

fn lines(t: &Tr, applications: Vec<ShopApplication>) -> Vec<ApplicationLine> {
    applications
        .into_iter()
        .map(|a| ApplicationLine {
            status: status_label(t, a.status),
            reason: a
                .rejection_reason
                .map(|r| t.arg("shop-rejection-reason", "reason", r)),
            name: a.name,
            shop_id: a.shop_id,
        })
        .collect()
}

async fn apply_page(
    state: &AppState,
    user: &CurrentUser,
    c: Chrome,
    csrf: String,
    fields: ApplyFields,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<ApplyPage, Problem> {
    let t = c.t;
    let regions = state.store.all_regions().await?;
    let mine = state.store.shop_applications_of(user.account.id).await?;
    // A form sent back with mistakes beside its fields is shown again, waiting or not.
    let mistakes = ["name", "kind", "village", "phone", "story"]
        .iter()
        .any(|field| errors.has(field));
    let waiting = mine.iter().any(|a| a.status == ApplicationStatus::Pending) && !mistakes;
    Ok(ApplyPage {
        waiting,
        kinds: ShopKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("shop-kind-{}", k.as_str()))))
            .collect(),
        villages: village_options(&regions, t.lang()),
        mine: lines(&t, mine),
        csrf,
        notice,
        fields,
        errors,
        c,
    })
}

#[derive(Deserialize)]
pub struct SentQuery {
    sent: Option<String>,
    /// A certificate's code: the form comes filled in from its holder's training record.
    certificate: Option<String>,
}

pub async fn apply_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<SentQuery>,
) -> Result<Response, Problem> {
    let mut notice = query.sent.map(|_| c.t.get("shop-apply-sent"));
    let mut fields = ApplyFields {
        phone: user.account.phone.clone().unwrap_or_default(),
        kind: "farmer".to_owned(),
        ..ApplyFields::default()
    };
    if let Some(code) = query.certificate.as_deref() {
        let view = match state.store.certificate(code).await {
            Ok(view) if view.trainee.account_id == Some(user.account.id) => view,
            Ok(_) | Err(farmgate_store::Error::NotFound) => return Err(Problem::not_found()),
            Err(other) => return Err(other.into()),
        };
        let region = state.store.region_by_id(view.trainee.region_id).await?;
        fields.name =
            c.t.arg("shop-name-of-trainee", "name", view.trainee.name.as_str());
        if let Some(phone) = view.trainee.phone {
            fields.phone = phone;
        }
        if region.level == farmgate_domain::regions::RegionLevel::Village {
            fields.village = region.code.as_str().to_owned();
        }
        fields.story = c.t.arg(
            "shop-story-of-trainee",
            "course",
            view.course.title.get(c.t.lang()).0,
        );
        notice = Some(c.t.get("shop-apply-prefilled"));
    }
    let page = apply_page(&state, &user, c, csrf.0, fields, FormErrors::none(), notice).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    story: String,
}

pub async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<ApplyForm>,
) -> Result<Response, Problem> {
    let input = ApplicationInput {
        name: &form.name,
        kind: &form.kind,
        village: &form.village,
        phone: &form.phone,
        story: &form.story,
    };
    match parse_application(&state, user.account.id, input).await? {
        Ok(application) => match state.store.submit_shop_application(application).await {
            Ok(_) => Ok(Redirect::to("/shops/apply?sent=1").into_response()),
            // A second tap, or a second application while one waits: said on the page.
            Err(farmgate_store::Error::ApplicationPending) => {
                let problem = Problem::from(farmgate_store::Error::ApplicationPending);
                let mut errors = FormErrors::none();
                errors.add("form", problem.message(&c.t));
                let page = apply_page(
                    &state,
                    &user,
                    c,
                    csrf.0,
                    ApplyFields::default(),
                    errors,
                    None,
                )
                .await?;
                Ok(render(StatusCode::CONFLICT, &page))
            }
            Err(other) => Err(other.into()),
        },
        Err(problems) => {
            let t = c.t;
            let errors = FormErrors::of(&t, &problems);
            let fields = ApplyFields {
                name: form.name,
                kind: form.kind,
                village: form.village,
                phone: form.phone,
                story: form.story,
            };
            let page = apply_page(&state, &user, c, csrf.0, fields, errors, None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub struct ReviewLine {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub village: String,
    pub phone: String,
    pub story: String,
    /// Who applied (their name on the platform) and when.
    pub applicant: String,
    pub applied: String,
    /// Their training certificate, if they have one: "course · code · date".
    pub certificate: Option<String>,
    /// The stations of the applicant's township, which know the village (the centre asks them).
    pub stations: Vec<String>,
    /// The village's registered households the shop could support (id, head's name, named).
    pub households: Vec<(i64, String, bool)>,
}

/// What a reviewer needs to decide on application `a`: who applied, their story, the course
/// they finished, the stations near their village.
async fn review_line(
    state: &AppState,
    t: &Tr,
    regions: &[farmgate_store::regions::Region],
    a: ShopApplication,
) -> Result<ReviewLine, Problem> {
    let language = t.lang();
    let village = regions.iter().find(|r| r.id == a.village_id);
    let applicant = state.store.account_by_id(a.applicant_id).await?;
    let certificate = match a.trainee_id {
        Some(trainee) => match state
            .store
            .certificates_of(trainee)
            .await?
            .into_iter()
            .next()
        {
            Some(certificate) => {
                let session = state.store.training_session(certificate.session_id).await?;
                let course = state.store.course(session.course_id).await?;
                Some(format!(
                    "{} · {} · {}",
                    course.title.get(language).0,
                    certificate.code,
                    china_time(certificate.issued_at)
                ))
            }
            None => None,
        },
        None => None,
    };
    let township = village
        .and_then(|v| v.parent_id)
        .and_then(|id| regions.iter().find(|r| r.id == id));
    let stations = match township {
        Some(town) => state
            .store
            .stations_within(&town.path)
            .await?
            .iter()
            .map(|s| s.name(language).to_owned())
            .collect(),
        None => Vec::new(),
    };
    let households = village_households(state, regions, &a).await?;
    Ok(ReviewLine {
        households,
        id: a.id,
        kind: t.get(&format!("shop-kind-{}", a.kind.as_str())),
        village: village
            .map(|v| place_label(regions, v, language))
            .unwrap_or_default(),
        applicant: applicant.map(|a| a.display_name).unwrap_or_default(),
        applied: china_time(a.created_at),
        certificate,
        stations,
        name: a.name,
        phone: a.phone,
        story: a.story,
    })
}

/// The registered households of application `a`'s village, the one it names marked.
async fn village_households(
    state: &AppState,
    regions: &[farmgate_store::regions::Region],
    a: &ShopApplication,
) -> Result<Vec<(i64, String, bool)>, Problem> {
    let Some(village) = regions.iter().find(|r| r.id == a.village_id) else {
        return Ok(Vec::new());
    };
    let county = regions.iter().find(|r| {
        r.level == farmgate_domain::regions::RegionLevel::County && r.path.contains(&village.path)
    });
    let Some(county) = county else {
        return Ok(Vec::new());
    };
    let filter = farmgate_store::households::HouseholdFilter {
        village_id: Some(village.id),
        ..Default::default()
    };
    let (listed, _) = state.store.households(county.id, &filter, (0, 100)).await?;
    Ok(listed
        .into_iter()
        .map(|h| (h.id, h.head_name, a.household_id == Some(h.id)))
        .collect())
}

#[derive(Deserialize)]
pub struct HouseholdForm {
    #[serde(default)]
    household: String,
    #[serde(default)]
    region: String,
}

/// `POST /centre/shop-applications/{id}/household`: names the registered household a pending
/// application's shop would support (empty: none). The reviewer must cover its village.
pub async fn name_household(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<HouseholdForm>,
) -> Result<Response, Problem> {
    let application = state
        .store
        .shop_application(id)
        .await
        .map_err(|_| Problem::not_found())?;
    let village = state.store.region_by_id(application.village_id).await?;
    if user.require(REVIEWERS, &village.path).is_err() {
        return Err(Problem::not_found());
    }
    let household = match form.household.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| ValidationError::new("household", "household-not-found"))?,
        ),
    };
    state
        .store
        .set_application_household(id, household)
        .await
        .map_err(|e| match e {
            farmgate_store::Error::NotFound => {
                Problem::from(ValidationError::new("household", "household-not-found"))
            }
            other => other.into(),
        })?;
    let back = if form.region.is_empty() {
        format!("/centre/shop-applications#application-{id}")
    } else {
        format!(
            "/centre/shop-applications?region={}#application-{id}",
            crate::problem::url_encode(&form.region)
        )
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "shops/shop_review.html")]
struct ReviewPage {
    c: Chrome,
    csrf: String,
    heading: String,
    region: String,
    notice: Option<String>,
    pending: Vec<ReviewLine>,
}

#[derive(Deserialize)]
pub struct ReviewQuery {
    region: Option<String>,
    done: Option<String>,
}

/// The review queue of the region named, or of the reviewer's own region.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<ReviewQuery>,
) -> Result<Response, Problem> {
    let region = match query.region {
        Some(code) => state.store.region_by_code(&code).await?,
        None => {
            let grant = user
                .grants
                .iter()
                .find(|g| REVIEWERS.contains(&g.role))
                .ok_or(Problem::forbidden())?;
            let id = grant.region.ids().last().ok_or(Problem::forbidden())?;
            state.store.region_by_id(id).await?
        }
    };
    user.require(REVIEWERS, &region.path)?;
    let language = c.t.lang();
    let regions = state.store.all_regions().await?;
    let mut pending = Vec::new();
    for a in state
        .store
        .shop_applications_within(&region.path, Some(ApplicationStatus::Pending))
        .await?
    {
        pending.push(review_line(&state, &c.t, &regions, a).await?);
    }
    let page = ReviewPage {
        heading: c.t.arg("review-title", "region", region.name(language)),
        region: region.code.as_str().to_owned(),
        notice: query.done.map(|_| c.t.get("review-decided")),
        csrf: csrf.0,
        pending,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    region: String,
}

/// Approves or rejects one application; the reviewer must cover its village.
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, Problem> {
    let decision = decision_of(&form.decision, &form.reason)?;
    decide_as(&state, &user, ip, id, decision).await?;
    let back = if form.region.is_empty() {
        "/centre/shop-applications?done=1".to_owned()
    } else {
        format!(
            "/centre/shop-applications?region={}&done=1",
            crate::problem::url_encode(&form.region)
        )
    };
    Ok(Redirect::to(&back).into_response())
}

pub fn decision_of(decision: &str, reason: &str) -> Result<Decision, Problem> {
    match decision {
        "approve" => Ok(Decision::Approve),
        "reject" => Ok(Decision::Reject {
            reason: parse_text("reason", reason, true, 500)?,
        }),
        _ => Err(ValidationError::new("decision", "required").into()),
    }
}

/// The one place a decision is authorised: the application's village must lie in the
/// reviewer's subtree. Applications outside it are reported as not found, not forbidden,
/// so ids cannot be probed across counties.
pub async fn decide_as(
    state: &AppState,
    user: &CurrentUser,
    ip: std::net::IpAddr,
    id: i64,
    decision: Decision,
) -> Result<ShopApplication, Problem> {
    let application = state.store.shop_application(id).await?;
    let village = state.store.region_by_id(application.village_id).await?;
    if user.require(REVIEWERS, &village.path).is_err() {
        return Err(Problem::not_found());
    }
    let decided = state
        .store
        .decide_shop_application(id, user.account.id, decision.clone())
        .await?;
    // An approval grants the applicant the seller's role: every instance reads it again.
    let applicant = farmgate_store::live::Forget::Account {
        id: decided.applicant_id,
    };
    state.hot.forget(&state.live, applicant).await;
    let (code, detail) = match decision {
        Decision::Approve => ("shop-approved", String::new()),
        Decision::Reject { reason } => ("shop-rejected", reason),
    };
    let tell = crate::notify::Tell {
        kind: farmgate_domain::notifications::NoticeKind::ShopDecided,
        subject: farmgate_store::notifications::Subject::ShopApplication(id),
        args: vec![
            ("shop".to_owned(), decided.name.clone()),
            (
                "outcome".to_owned(),
                if code == "shop-approved" {
                    "approved"
                } else {
                    "rejected"
                }
                .to_owned(),
            ),
        ],
        event: format!("shop_application:{id}:decided"),
    };
    crate::notify::tell(state, decided.applicant_id, &tell).await;
    crate::audit::record(
        state,
        user,
        ip,
        crate::audit::Action {
            code,
            subject_kind: "shop_application",
            subject_id: id,
            region_id: Some(village.id),
            detail,
        },
    )
    .await;
    Ok(decided)
}

#[derive(Template)]
#[template(path = "shops/shop.html")]
struct ShopPage {
    c: Chrome,
    id: i64,
    /// A member of the shop sees the link to change its profile.
    owner: bool,
    name: String,
    kind: String,
    village: String,
    story: String,
    products: Vec<crate::catalog::pages::ProductCard>,
    rating: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = state.store.shop(id).await?;
    let regions = state.store.all_regions().await?;
    let language = c.t.lang();
    let village = regions
        .iter()
        .find(|r| r.id == shop.village_id)
        .map(|v| place_label(&regions, v, language))
        .unwrap_or_default();
    let listed: Vec<_> = state
        .store
        .products_of_shop(shop.id)
        .await?
        .into_iter()
        .filter(|p| p.status == farmgate_domain::catalog::ProductStatus::Listed)
        .collect();
    let products = crate::catalog::pages::cards(&c.t, &listed);
    let page = ShopPage {
        products,
        rating: crate::catalog::pages::rating_line(&c.t, state.store.shop_rating(shop.id).await?),
        kind: c.t.get(&format!("shop-kind-{}", shop.kind.as_str())),
        name: shop.name_in(language).to_owned(),
        owner: match &user {
            Some(user) => state.store.is_shop_member(shop.id, user.account.id).await?,
            None => false,
        },
        id: shop.id,
        village,
        story: shop.story,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
