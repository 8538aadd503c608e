//! What every page shares: the chrome (header, language switch, footer), rendering, the
//! stylesheet and our scripts, safe return paths, and `negotiate`, the middleware that picks
//! the request's language and turns any `Problem` into the API's JSON or the error page.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use farmgate_domain::lang::Language;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Session;
use crate::csrf::CsrfToken;
use crate::i18n::{self, LANG_COOKIE, Lang, Tr};
use crate::problem::{Problem, url_encode};

pub mod charts;
mod form;
pub use form::{FormErrors, RepeatedForm, sent};

/// A text people wrote (a venue, an address), as a page shows it: in the reader's language,
/// or in another's when it has none (`lang` then names it). Pages put it in `<bdi>`
/// (`ui::written`), so a Chinese name inside a Uyghur sentence keeps its order and its
/// punctuation at its own end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    /// The text's language tag, when it is not the reader's.
    pub lang: Option<&'static str>,
}

impl Written {
    pub fn of(texts: &farmgate_domain::text::Texts, reader: Language) -> Self {
        let shown = texts.shown(reader);
        Written {
            text: shown.text.to_owned(),
            lang: (!shown.own).then(|| shown.language.tag()),
        }
    }
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The language switch and the stylesheet.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lang/{tag}", get(switch_language))
        .route("/static/app.css", get(stylesheet))
}

/// Bumped with the crate version so browsers refetch the stylesheet after an upgrade.
/// The stylesheet, compiled in.
const STYLESHEET: &str = include_str!("../../static/app.css");

/// The stylesheet's version in its address: a hash of its content, so a changed stylesheet is
/// fetched at once and an unchanged one stays cached for a year (rural data costs money).
static ASSET_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    STYLESHEET.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
});

pub struct LangLink {
    pub tag: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// What the shared layout needs from the request.
pub struct Chrome {
    pub t: Tr,
    pub lang_tag: &'static str,
    pub dir: &'static str,
    pub user_name: Option<String>,
    /// The CSRF token for the header's logout form (empty when nobody is signed in).
    pub csrf: String,
    pub languages: Vec<LangLink>,
    pub asset_version: &'static str,
    /// The sandbox gateway is on: every page says that payments are test money.
    pub test_payments: bool,
    /// The signed-in person's unread notices.
    pub unread: u64,
    /// The desk this page belongs to (or the person's first): its name and its tools (words,
    /// link, whether it is this page); empty for someone without a desk.
    pub desk_label: String,
    pub desk_tools: Vec<(String, String, bool)>,
    /// The person's other desks to switch to (words, front page).
    pub other_desks: Vec<(String, String)>,
}

impl Chrome {
    pub fn new(language: Language, path: &str, user_name: Option<String>, csrf: String) -> Chrome {
        let next = url_encode(path);
        Chrome {
            t: Tr(language),
            lang_tag: language.tag(),
            dir: language.direction().as_str(),
            user_name,
            csrf,
            languages: Language::ALL
                .into_iter()
                .map(|l| LangLink {
                    tag: l.tag(),
                    name: l.native_name(),
                    href: format!("/lang/{}?next={next}", l.tag()),
                    current: l == language,
                })
                .collect(),
            asset_version: ASSET_VERSION.as_str(),
            test_payments: false,
            unread: 0,
            desk_label: String::new(),
            desk_tools: Vec::new(),
            other_desks: Vec::new(),
        }
    }
}

impl Chrome {
    /// The header's desk row: the tools of the desk `path` belongs to (or of the first desk)
    /// and the other desks.
    fn set_desks(&mut self, desks: &[crate::desks::Desk], path: &str) {
        let Some(current) = crate::desks::current(desks, path).or(desks.first()) else {
            return;
        };
        let t = &self.t;
        self.desk_label = t.get(current.label);
        self.desk_tools = current
            .tools
            .iter()
            .map(|tool| {
                let here = tool.href.split('?').next() == Some(path);
                (t.get(tool.label), tool.href.clone(), here)
            })
            .collect();
        self.other_desks = desks
            .iter()
            .filter(|d| d.label != current.label)
            .map(|d| {
                let role = t.get(d.label);
                (t.arg("desk-switch", "role", role), d.front().to_owned())
            })
            .collect();
    }
}

impl FromRequestParts<AppState> for Chrome {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Lang(language) = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or(Lang(Language::ZhCn));
        let user = parts
            .extensions
            .get::<Session>()
            .and_then(|s| s.user.as_ref())
            .map(|u| (u.0.id, u.0.display_name.clone()));
        let user_name = user.as_ref().map(|(_, name)| name.clone());
        let csrf = if user_name.is_some() {
            CsrfToken::from_request_parts(parts, state).await?.0
        } else {
            String::new()
        };
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let mut chrome = Chrome::new(language, &path, user_name, csrf);
        chrome.test_payments = state.payments.sandbox.is_some();
        if let Some((account_id, _)) = user {
            // The header's count; a failure to count shows none rather than no page.
            chrome.unread = state.store.unread_notices(account_id).await.unwrap_or(0);
            if let Ok(grants) = state.store.grants_of(account_id).await {
                let desks = crate::desks::of_account(state, account_id, &grants).await;
                chrome.set_desks(&desks, parts.uri.path());
            }
        }
        Ok(chrome)
    }
}

/// Renders a page with `status`; a template that fails to render becomes the error page.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed");
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "html/error.html")]
struct ErrorPage {
    c: Chrome,
    heading: String,
    message: String,
}

/// The error page, in the user's language. Built without the request (the middleware that
/// calls it only has the response), so it shows the signed-out header.
fn error_page(t: Tr, problem: &Problem) -> Response {
    let heading = if problem.status == StatusCode::NOT_FOUND {
        t.get("error-not-found-title")
    } else {
        t.get("error-title")
    };
    let page = ErrorPage {
        c: Chrome::new(t.lang(), "/", None, String::new()),
        heading,
        message: problem.message(&t),
    };
    match page.render() {
        Ok(html) => (problem.status, Html(html)).into_response(),
        Err(_) => (problem.status, problem.message(&t)).into_response(),
    }
}

/// Chooses the request's language, and renders any problem the inner service returned.
pub async fn negotiate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let language = i18n::choose(request.headers(), state.config.default_language);
    request.extensions_mut().insert(Lang(language));
    let is_api = request.uri().path().starts_with("/api/");
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let response = next.run(request).await;

    let problem = match response.extensions().get::<Problem>() {
        Some(problem) => problem.clone(),
        None if is_bare_error(&response) => Problem::from_bare_status(response.status()),
        None => return response,
    };
    if problem.status == StatusCode::UNAUTHORIZED && !is_api {
        let next = url_encode(&path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let t = Tr(language);
    let mut rendered = if is_api {
        problem.json(&t)
    } else {
        error_page(t, &problem)
    };
    if let Some(seconds) = problem.retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        rendered.headers_mut().insert(header::RETRY_AFTER, value);
    }
    rendered
}

/// An error status whose body nobody wrote for a person: empty, or axum's plain-text rejections.
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    match response.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(content_type) => content_type.as_bytes().starts_with(b"text/plain"),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_our_own_paths_are_returned_to() {
        for (next, expected) in [
            ("/regions/tekes?page=2", "/regions/tekes?page=2"),
            ("/account", "/account"),
            ("//evil.example/", "/"),
            ("/\t/evil.example", "/"),
            ("/\n/x", "/"),
            ("/\r/x", "/"),
            ("/\\evil.example", "/"),
            ("https://evil.example/", "/"),
            ("evil.example", "/"),
            ("/%09/evil.example", "/%09/evil.example"),
            ("", "/"),
        ] {
            assert_eq!(local_path(Some(next)), expected, "{next:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only paths on this site may be returned to: `/x?y` but never `//evil.example`,
/// `http://..`, a backslash, or a control character (browsers drop tabs and line breaks, so
/// `/\t/evil.example` would become `//evil.example`, and a line break cannot go in a header).
/// The path must also resolve, as a relative URL, to our own origin; anything else is `/`.
pub fn local_path(next: Option<&str>) -> String {
    const ORIGIN: &str = "http://farmgate.invalid/";
    let Some(path) = next else {
        return "/".to_owned();
    };
    if !path.starts_with('/')
        || path.starts_with("//")
        || path.chars().any(|c| c.is_control() || c == '\\')
    {
        return "/".to_owned();
    }
    let Ok(base) = url::Url::parse(ORIGIN) else {
        return "/".to_owned();
    };
    match base.join(path) {
        Ok(joined) if joined.origin() == base.origin() => {
            joined[url::Position::BeforePath..].to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `GET /lang/{tag}?next=/path`: remembers the language for a year and goes back.
pub async fn switch_language(Path(tag): Path<String>, Query(query): Query<NextQuery>) -> Response {
    let Some(language) = Language::from_tag(&tag) else {
        return Problem::not_found().into_response();
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        language.tag()
    );
    let mut response = Redirect::to(&local_path(query.next.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// One of our scripts, cached for an hour (the address carries no version).
pub fn javascript(source: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        source,
    )
        .into_response()
}
