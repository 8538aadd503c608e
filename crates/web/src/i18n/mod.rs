//! The message catalogue (Fluent, `locales/{zh-CN,ug,en}/`) and choosing the user's language.
//!
//! Order of choice: the `fg_lang` cookie the language switch sets, then `Accept-Language`,
//! then the configured default (Simplified Chinese unless configured otherwise).
//! Fluent's bidi isolation stays on so Chinese or Latin arguments sit safely inside Uyghur text.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use farmgate_domain::lang::Language;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(true),
    };
}

/// The cookie that remembers the language a person picked.
pub const LANG_COOKIE: &str = "fg_lang";

static ZH_CN: LanguageIdentifier = langid!("zh-CN");
static UG: LanguageIdentifier = langid!("ug");
static EN: LanguageIdentifier = langid!("en");

fn identifier(language: Language) -> &'static LanguageIdentifier {
    match language {
        Language::ZhCn => &ZH_CN,
        Language::Ug => &UG,
        Language::En => &EN,
    }
}

/// A translator for one language; templates call `t.get("key")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Language);

impl Tr {
    pub fn lang(&self) -> Language {
        self.0
    }

    /// The message `id`; a missing message shows its id, which the catalogue test forbids.
    pub fn get(&self, id: &str) -> String {
        LOCALES.lookup(identifier(self.0), id)
    }

    /// The message `id` with one argument.
    pub fn arg(&self, id: &str, name: &'static str, value: impl Into<FluentArg>) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), value.into().0);
        LOCALES.lookup_with_args(identifier(self.0), id, &args)
    }

    /// The message `id` with two arguments.
    pub fn args2(
        &self,
        id: &str,
        first: (&'static str, FluentArg),
        second: (&'static str, FluentArg),
    ) -> String {
        self.args(id, [first, second])
    }

    /// The message `id` with any number of named arguments.
    pub fn args<const N: usize>(&self, id: &str, named: [(&'static str, FluentArg); N]) -> String {
        self.args_vec(id, named.into_iter().collect())
    }

    /// The message `id` with the named arguments of a list.
    pub fn args_vec(&self, id: &str, named: Vec<(&'static str, FluentArg)>) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (name, value) in named {
            args.insert(Cow::Borrowed(name), value.0);
        }
        LOCALES.lookup_with_args(identifier(self.0), id, &args)
    }

    /// Whether the catalogue has the argument-free message `id` (messages that need arguments
    /// fail this check without them).
    pub fn has(&self, id: &str) -> bool {
        LOCALES.try_lookup(identifier(self.0), id).is_some()
    }
}

/// A value for a Fluent argument: text or a number (numbers pick plural forms).
pub struct FluentArg(FluentValue<'static>);

impl From<&str> for FluentArg {
    fn from(value: &str) -> Self {
        FluentArg(FluentValue::from(value.to_owned()))
    }
}

impl From<String> for FluentArg {
    fn from(value: String) -> Self {
        FluentArg(FluentValue::from(value))
    }
}

impl From<i64> for FluentArg {
    fn from(value: i64) -> Self {
        FluentArg(FluentValue::from(value))
    }
}

impl From<i32> for FluentArg {
    fn from(value: i32) -> Self {
        FluentArg(FluentValue::from(i64::from(value)))
    }
}

/// Templates hand values over by reference (twice, from inside a loop).
impl From<&i32> for FluentArg {
    fn from(value: &i32) -> Self {
        FluentArg::from(*value)
    }
}

impl From<&&i32> for FluentArg {
    fn from(value: &&i32) -> Self {
        FluentArg::from(**value)
    }
}

impl From<&&i64> for FluentArg {
    fn from(value: &&i64) -> Self {
        FluentArg::from(**value)
    }
}

/// Templates hand values over by reference.
impl From<&i64> for FluentArg {
    fn from(value: &i64) -> Self {
        FluentArg(FluentValue::from(*value))
    }
}

impl From<&usize> for FluentArg {
    fn from(value: &usize) -> Self {
        FluentArg(FluentValue::from(*value))
    }
}

impl From<usize> for FluentArg {
    fn from(value: usize) -> Self {
        FluentArg(FluentValue::from(value))
    }
}

/// Chooses the language for a request from its headers.
pub fn choose(headers: &HeaderMap, default: Language) -> Language {
    cookie_language(headers)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::negotiate)
        })
        .unwrap_or(default)
}

fn cookie_language(headers: &HeaderMap) -> Option<Language> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Language::from_tag(value))
}

/// The request's language, chosen once by the `negotiate` middleware.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Lang>()
            .copied()
            .unwrap_or(Lang(Language::default())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_ids(ftl: &str) -> Vec<String> {
        ftl.lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|line| line.split_once(" = ").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    /// Every message of the Chinese catalogue exists in Uyghur and English, and no more.
    #[test]
    fn every_catalogue_has_every_message() {
        let zh = message_ids(include_str!("../../../../locales/zh-CN/main.ftl"));
        let ug = message_ids(include_str!("../../../../locales/ug/main.ftl"));
        let en = message_ids(include_str!("../../../../locales/en/main.ftl"));
        assert!(zh.len() > 50);
        assert_eq!(zh, ug, "ug differs from zh-CN");
        assert_eq!(zh, en, "en differs from zh-CN");
        for language in Language::ALL {
            assert!(
                Tr(language).has("site-name"),
                "{} catalogue loads",
                language.tag()
            );
        }
    }

    /// Every literal message id the templates and the Rust code ask for exists (a missing one
    /// would show its id to users).
    #[test]
    fn every_message_asked_for_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        let mut folders = vec![root.join("templates"), root.join("src")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                    sources.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let asked = regex_lite_ids(&sources);
        assert!(asked.len() > 100, "found {} ids", asked.len());
        let known = message_ids(include_str!("../../../../locales/zh-CN/main.ftl"));
        for (path, id) in asked {
            assert!(
                known.contains(&id),
                "{} asks for {id:?}, which the catalogue lacks",
                path.display()
            );
        }
    }

    /// `t.get("id")`, `t.arg("id", ...)`, `t.args2("id", ...)` in the sources.
    fn regex_lite_ids(
        sources: &[(std::path::PathBuf, String)],
    ) -> Vec<(std::path::PathBuf, String)> {
        let mut ids = Vec::new();
        for (path, text) in sources {
            for call in ["t.get(\"", "t.arg(\"", "t.args2(\""] {
                for piece in text.split(call).skip(1) {
                    let id: String = piece.chars().take_while(|c| *c != '"').collect();
                    if !id.is_empty()
                        && id
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && id.contains('-')
                    {
                        ids.push((path.clone(), id));
                    }
                }
            }
        }
        ids
    }

    #[test]
    fn plurals_follow_cldr_in_english() {
        assert!(
            Tr(Language::En)
                .arg("home-townships", "count", 1i64)
                .contains("1\u{2069} township")
        );
        assert!(
            Tr(Language::En)
                .arg("home-townships", "count", 3i64)
                .contains("townships")
        );
    }

    #[test]
    fn cookie_beats_accept_language_and_default_is_last() {
        let mut headers = HeaderMap::new();
        assert_eq!(choose(&headers, Language::ZhCn), Language::ZhCn);
        headers.insert(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(choose(&headers, Language::ZhCn), Language::En);
        headers.insert(header::COOKIE, "a=b; fg_lang=ug".parse().unwrap());
        assert_eq!(choose(&headers, Language::ZhCn), Language::Ug);
    }
}
