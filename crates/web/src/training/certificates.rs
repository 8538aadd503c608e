//! Certificates: the trainee's page (in their language, A4 when printed) with a QR code that
//! leads anyone to the public verification page, which shows only the name, the course, the
//! dates and the centre, and only for a code FarmGate signed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use farmgate_domain::training::{certificate_signature, verify_certificate};
use farmgate_store::training::CertificateView;

use super::{TEACHERS, county_of, dates, serves};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::html::charts::qr_svg;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;

/// The purpose the certificate key is kept under.
pub const KEY: &str = "certificate";

/// What both pages show of a certificate.
struct Shown {
    code: String,
    name: String,
    course: String,
    kind: String,
    dates: String,
    days: String,
    county: String,
    venue: crate::html::Written,
    issued: String,
}

async fn shown(state: &AppState, t: &Tr, view: &CertificateView) -> Result<Shown, Problem> {
    let regions = state.store.all_regions().await?;
    let region = regions
        .iter()
        .find(|r| r.id == view.session.region_id)
        .ok_or(Problem::not_found())?;
    let county = county_of(&regions, &region.path).unwrap_or(region);
    Ok(Shown {
        code: view.certificate.code.clone(),
        name: view.trainee.name.clone(),
        course: view.course.title.get(t.lang()).0.to_owned(),
        kind: t.get(&format!("course-kind-{}", view.course.kind.as_str())),
        dates: dates(&view.session),
        days: t.arg("certificate-days", "days", i64::from(view.session.days)),
        county: county.name(t.lang()).to_owned(),
        venue: crate::html::Written::of(&view.session.venue, t.lang()),
        issued: crate::format::china_time(view.certificate.issued_at)
            .chars()
            .take(10)
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "training/certificate.html")]
struct CertificatePage {
    c: Chrome,
    shown: Shown,
    qr: String,
    verify_url: String,
    own: bool,
}

/// `GET /training/certificates/{code}`: the holder's certificate (also open to the trainers
/// and centre staff of the session's county).
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let view = state.store.certificate(&code).await?;
    let own = view.trainee.account_id == Some(user.account.id);
    if !own {
        let regions = state.store.all_regions().await?;
        let region = regions
            .iter()
            .find(|r| r.id == view.session.region_id)
            .ok_or(Problem::not_found())?;
        if !serves(&user, &TEACHERS, &regions, &region.path) {
            return Err(Problem::not_found());
        }
    }
    let key = state.store.signing_key(KEY).await?;
    let verify_url = format!(
        "{}/verify/{}.{}",
        crate::client::public_base(&state, &headers),
        view.certificate.code,
        certificate_signature(&key, &view.certificate.code)
    );
    let page = CertificatePage {
        shown: shown(&state, &c.t, &view).await?,
        qr: qr_svg(&verify_url),
        verify_url,
        own,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "training/verify.html")]
struct VerifyPage {
    c: Chrome,
    shown: Shown,
}

/// The certificate a verification token (`code.signature`) stands for, if FarmGate signed it.
pub(super) async fn genuine(state: &AppState, token: &str) -> Result<CertificateView, Problem> {
    let not_genuine = || Problem::new(StatusCode::NOT_FOUND, "certificate-not-genuine");
    let (code, signature) = token.split_once('.').ok_or_else(not_genuine)?;
    let key = state.store.signing_key(KEY).await?;
    if !verify_certificate(&key, code, signature) {
        return Err(not_genuine());
    }
    state.store.certificate(code).await.map_err(|e| match e {
        farmgate_store::Error::NotFound => not_genuine(),
        other => other.into(),
    })
}

/// `GET /verify/{code}.{signature}`: public; says whether the certificate is genuine.
pub async fn verify(
    State(state): State<AppState>,
    c: Chrome,
    Path(token): Path<String>,
) -> Result<Response, Problem> {
    let view = genuine(&state, &token).await?;
    let page = VerifyPage {
        shown: shown(&state, &c.t, &view).await?,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
