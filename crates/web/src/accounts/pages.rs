//! Signing up, in and out, and the account page.
//!
//! Registration never says whether a login is taken: a new and an existing login get the same
//! answer in the same time, so the form cannot be used to find out who has an account.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::accounts::{LoginId, Password};
use serde::Deserialize;

use super::registration::{Registration, create_registration};
use crate::AppState;
use crate::auth::{Credentials, CurrentUser, Session, SessionAccount};
use crate::client::ClientIp;
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, local_path, render};
use crate::problem::Problem;

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    c: Chrome,
    csrf: String,
    next: String,
    login: String,
    notice: Option<String>,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    registered: Option<String>,
    out: Option<String>,
}

pub async fn login_form(c: Chrome, csrf: CsrfToken, Query(query): Query<LoginQuery>) -> Response {
    let notice = if query.registered.is_some() {
        Some(c.t.get("login-registered"))
    } else if query.out.is_some() {
        Some(c.t.get("logout-done"))
    } else {
        None
    };
    let page = LoginPage {
        csrf: csrf.0,
        next: local_path(query.next.as_deref()),
        login: String::new(),
        notice,
        errors: FormErrors::none(),
        c,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    mut session: Session,
    Form(form): Form<LoginForm>,
) -> Response {
    let t = c.t;
    let mut page = LoginPage {
        csrf: csrf.0,
        next: local_path(form.next.as_deref()),
        login: form.login.clone(),
        notice: None,
        errors: FormErrors::none(),
        c,
    };
    let login = match LoginId::parse(&form.login) {
        Ok(login) => login,
        Err(err) => {
            page.errors = FormErrors::of(&t, &[err]);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if form.password.is_empty() {
        page.errors.add("password", t.get("error-required"));
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let account_key = login.to_string();
    if let Err(seconds) = state.limits.login_allowed(ip, &account_key) {
        page.errors
            .add("form", Problem::rate_limited(seconds).message(&t));
        return render(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let user = match session
        .authenticate(Credentials {
            login,
            password: form.password,
        })
        .await
    {
        Ok(Some(user)) => {
            state.limits.login_succeeded(ip, &account_key);
            user
        }
        Ok(None) => {
            state.limits.login_failed(ip, &account_key);
            page.errors.add("form", t.get("error-login-failed"));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(err) => {
            tracing::error!(error = %err, "login failed");
            return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server").into_response();
        }
    };
    if let Err(err) = session.login(&user).await {
        tracing::error!(error = %err, "could not start a session");
        return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server").into_response();
    }
    crate::csrf::renew(&session.session).await;
    // What they put in the cart as a guest comes with them.
    crate::orders::cart::merge_at_login(&state, &session.session, user.0.id).await;
    Redirect::to(&landing(&state, user.0.id, page.next).await).into_response()
}

/// Where a person lands after signing in: where they were going, else their first desk's
/// front page (a seller's orders, a station's parcels...), else the home page.
pub async fn landing(state: &AppState, account_id: i64, next: String) -> String {
    if next != "/" {
        return next;
    }
    let Ok(grants) = state.store.grants_of(account_id).await else {
        return next;
    };
    crate::desks::of_account(state, account_id, &grants)
        .await
        .first()
        .map_or(next, |desk| desk.front().to_owned())
}

pub async fn logout(mut session: Session) -> Response {
    if let Err(err) = session.logout().await {
        tracing::error!(error = %err, "logout failed");
        return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server").into_response();
    }
    Redirect::to("/login?out=1").into_response()
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage {
    c: Chrome,
    csrf: String,
    /// Where the new account goes once signed in (a local path).
    next: String,
    display_name: String,
    login: String,
    password_hint: String,
    errors: FormErrors,
}

impl RegisterPage {
    fn new(c: Chrome, csrf: String) -> RegisterPage {
        let password_hint =
            c.t.arg("register-password-hint", "min", Password::MIN_CHARS);
        RegisterPage {
            c,
            csrf,
            next: "/".to_owned(),
            display_name: String::new(),
            login: String::new(),
            password_hint,
            errors: FormErrors::none(),
        }
    }
}

pub async fn register_form(
    c: Chrome,
    csrf: CsrfToken,
    Query(query): Query<LoginQuery>,
) -> Response {
    let mut page = RegisterPage::new(c, csrf.0);
    page.next = local_path(query.next.as_deref());
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /register`: makes the account and signs it in, then goes where the person was going.
/// A login that is taken gets the same answer, signed out (it says nothing about the account).
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    c: Chrome,
    csrf: CsrfToken,
    mut session: Session,
    Form(form): Form<RegisterForm>,
) -> Response {
    let t = c.t;
    let mut page = RegisterPage::new(c, csrf.0);
    page.next = local_path(form.next.as_deref());
    page.display_name = form.display_name.clone();
    page.login = form.login.clone();
    let registration = match Registration::parse(&form.display_name, &form.login, &form.password) {
        Ok(registration) => registration,
        Err(errors) => {
            page.errors = FormErrors::of(&t, &errors);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if let Err(seconds) = state.limits.check_registration(ip) {
        page.errors
            .add("form", Problem::rate_limited(seconds).message(&t));
        return render(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let account = match create_registration(&state, registration, t.lang()).await {
        Ok(Some(account)) => account,
        // Taken: the same answer as a new account's (nobody learns whose login it is), but
        // nobody is signed in.
        Ok(None) => return Redirect::to(&page.next).into_response(),
        Err(problem) => return problem.into_response(),
    };
    let id = account.id;
    if let Err(err) = session.login(&SessionAccount(account)).await {
        tracing::error!(error = %err, "could not sign a new account in");
        return Redirect::to("/login?registered=1").into_response();
    }
    crate::csrf::renew(&session.session).await;
    crate::orders::cart::merge_at_login(&state, &session.session, id).await;
    Redirect::to(&landing(&state, id, page.next).await).into_response()
}

pub struct GrantLine {
    pub label: String,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    c: Chrome,
    display_name: String,
    login_name: Option<String>,
    phone: Option<String>,
    grants: Vec<GrantLine>,
    /// Each desk's name and tools (words, link).
    desks: Vec<(String, Vec<(String, String)>)>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
) -> Result<Response, Problem> {
    let mut grants = Vec::new();
    for grant in user.grants.iter() {
        let Some(region_id) = grant.region.ids().last() else {
            continue;
        };
        let region = state.store.region_by_id(region_id).await?;
        let label = c.t.args2(
            "account-grant",
            (
                "role",
                c.t.get(&format!("role-{}", grant.role.as_str())).into(),
            ),
            ("region", region.name(c.t.lang()).into()),
        );
        grants.push(GrantLine { label });
    }
    let desks = crate::desks::of_account(&state, user.account.id, &user.grants)
        .await
        .into_iter()
        .map(|desk| {
            let tools = desk
                .tools
                .iter()
                .map(|tool| (c.t.get(tool.label), tool.href.clone()))
                .collect();
            (c.t.get(desk.label), tools)
        })
        .collect();
    let page = AccountPage {
        display_name: user.account.display_name.clone(),
        login_name: user.account.login_name.clone(),
        phone: user.account.phone.clone(),
        grants,
        desks,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}
