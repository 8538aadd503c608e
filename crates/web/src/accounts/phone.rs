//! Proving one's phone number (`/account/phone`): a code is sent to it, and entering it joins
//! the training record a station or trainer made for that phone to the account. Without a
//! messenger the page says to ask the trainer or station to confirm in person. Administrators
//! read the development outbox at `/admin/outbox`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::authz::Role;
use farmgate_store::accounts::phone::{CODE_LIFETIME_MINUTES, OutboxMessage};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render};
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "accounts/account_phone.html")]
struct PhonePage {
    c: Chrome,
    csrf: String,
    /// Whether codes can be sent at all.
    can_send: bool,
    phone: String,
    /// The code just sent, to enter.
    code_id: Option<i64>,
    notice: Option<String>,
    errors: FormErrors,
}

fn page(state: &AppState, c: Chrome, csrf: String, phone: String) -> PhonePage {
    PhonePage {
        c,
        csrf,
        can_send: state.messenger.is_some(),
        phone,
        code_id: None,
        notice: None,
        errors: FormErrors::none(),
    }
}

/// `GET /account/phone`
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
) -> Result<Response, Problem> {
    let phone = user.account.phone.clone().unwrap_or_default();
    Ok(render(StatusCode::OK, &page(&state, c, csrf.0, phone)))
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    phone: String,
}

/// `POST /account/phone/code`: sends a code to the phone.
pub async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<SendForm>,
) -> Result<Response, Problem> {
    let t = c.t;
    let mut view = page(&state, c, csrf.0, form.phone.clone());
    let Some(messenger) = state.messenger.clone() else {
        return Ok(render(StatusCode::CONFLICT, &view));
    };
    let phone = match PhoneNumber::parse(&form.phone) {
        Ok(phone) => phone,
        Err(_) => {
            view.errors
                .add("phone".to_owned(), t.get("error-phone-invalid"));
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
    };
    let (code_id, code) = match state.store.issue_phone_code(user.account.id, &phone).await {
        Ok(issued) => issued,
        Err(farmgate_store::Error::Invalid(err)) => {
            view.errors
                .add(err.field.to_owned(), Problem::from(err).message(&t));
            return Ok(render(StatusCode::TOO_MANY_REQUESTS, &view));
        }
        Err(other) => return Err(other.into()),
    };
    let text = t.args2(
        "phone-code-message",
        ("code", code.into()),
        ("minutes", CODE_LIFETIME_MINUTES.into()),
    );
    if let Err(err) = messenger.send(&phone, &text).await {
        tracing::warn!(error = %err, "a phone code was not sent");
        return Err(Problem::new(StatusCode::BAD_GATEWAY, "phone-code-not-sent"));
    }
    view.phone = phone.as_str().to_owned();
    view.code_id = Some(code_id);
    view.notice = Some(t.get("phone-code-sent"));
    Ok(render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
pub struct ProveForm {
    code_id: i64,
    #[serde(default)]
    code: String,
    #[serde(default)]
    phone: String,
}

/// `POST /account/phone/prove`: the code comes back; the record made for the phone joins.
pub async fn prove(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Form(form): Form<ProveForm>,
) -> Result<Response, Problem> {
    let t = c.t;
    let mut view = page(&state, c, csrf.0, form.phone.clone());
    match state
        .store
        .prove_phone(user.account.id, form.code_id, &form.code)
        .await
    {
        Ok(proven) => {
            let changed = farmgate_store::live::Forget::Account {
                id: user.account.id,
            };
            state.hot.forget(&state.live, changed).await;
            view.notice = Some(if proven.household_members > 0 {
                t.get("phone-proven-household")
            } else if proven.trainee_id.is_some() {
                t.get("phone-proven-record")
            } else {
                t.get("phone-proven")
            });
            Ok(render(StatusCode::OK, &view))
        }
        Err(farmgate_store::Error::Invalid(err)) => {
            view.code_id = Some(form.code_id);
            view.errors
                .add("code".to_owned(), Problem::from(err).message(&t));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/admin_outbox.html")]
struct OutboxPage {
    c: Chrome,
    messages: Vec<(OutboxMessage, String)>,
}

/// `GET /admin/outbox`: what the development sender kept, for administrators; absent when
/// the server has no outbox.
pub async fn outbox(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    if state.config.messenger != crate::messaging::MessengerKind::Outbox {
        return Err(Problem::not_found());
    }
    let root = state
        .store
        .region_root()
        .await?
        .ok_or(Problem::not_found())?;
    user.require(&[Role::Admin], &root.path)?;
    let messages = state
        .store
        .outbox(50)
        .await?
        .into_iter()
        .map(|m| {
            let at = crate::format::china_time(m.at);
            (m, at)
        })
        .collect();
    Ok(render(StatusCode::OK, &OutboxPage { c, messages }))
}
