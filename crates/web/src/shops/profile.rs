//! A shop's profile, changed by its owner: the name as written (any language), its
//! translations for readers of the others, the phone buyers and the centre call, the story.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_domain::ValidationError;
use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::lang::Language;
use farmgate_domain::shops::ShopName;
use farmgate_domain::text::parse_text;
use farmgate_store::shops::{Shop, ShopProfile};

use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::csrf::CsrfToken;
use crate::html::{Chrome, FormErrors, render, sent};
use crate::problem::Problem;

/// The form's fields, as typed.
type Fields = Vec<(String, String)>;

/// A translation's field: `name_zh-CN`, `name_ug`, `name_en`.
fn translation_field(language: Language) -> &'static str {
    match language {
        Language::ZhCn => "name_zh-CN",
        Language::Ug => "name_ug",
        Language::En => "name_en",
    }
}

pub struct TranslationRow {
    pub field: &'static str,
    pub tag: &'static str,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "shops/profile.html")]
struct ProfilePage {
    c: Chrome,
    csrf: String,
    shop_id: i64,
    name: String,
    translations: Vec<TranslationRow>,
    phone: String,
    story: String,
    errors: FormErrors,
}

/// The form as the shop is now.
fn fields_of(shop: &Shop) -> Fields {
    let mut fields = vec![
        ("name".to_owned(), shop.name.clone()),
        ("phone".to_owned(), shop.phone.clone()),
        ("story".to_owned(), shop.story.clone()),
    ];
    for (language, name) in &shop.names {
        fields.push((translation_field(*language).to_owned(), name.clone()));
    }
    fields
}

fn page(c: Chrome, csrf: String, shop_id: i64, fields: &Fields, errors: FormErrors) -> ProfilePage {
    let translations = Language::ALL
        .into_iter()
        .map(|language| TranslationRow {
            field: translation_field(language),
            tag: language.tag(),
            label: c
                .t
                .arg("shop-field-name-in", "language", language.native_name()),
            value: sent(fields, translation_field(language)),
        })
        .collect();
    ProfilePage {
        csrf,
        shop_id,
        name: sent(fields, "name"),
        translations,
        phone: sent(fields, "phone"),
        story: sent(fields, "story"),
        errors,
        c,
    }
}

/// Parses the form; every field's mistake is reported at once.
fn parse(fields: &Fields) -> Result<ShopProfile, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let name = ShopName::parse(&sent(fields, "name")).map_err(|e| errors.push(e));
    let mut names = Vec::new();
    for language in Language::ALL {
        let field = translation_field(language);
        match sent(fields, field).trim() {
            "" => {}
            text => match ShopName::parse(text) {
                Ok(name) => names.push((language, name)),
                Err(e) => errors.push(ValidationError::new(field, e.code)),
            },
        }
    }
    let phone = PhoneNumber::parse(&sent(fields, "phone"))
        .map_err(|e| errors.push(ValidationError::new("phone", e.code)));
    let story =
        parse_text("story", &sent(fields, "story"), false, 2000).map_err(|e| errors.push(e));
    match (name, phone, story) {
        (Ok(name), Ok(phone), Ok(story)) if errors.is_empty() => Ok(ShopProfile {
            name,
            names,
            phone,
            story,
        }),
        _ => Err(errors),
    }
}

/// `GET /seller/shops/{id}/profile`, for the shop's members.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let page = page(c, csrf.0, shop.id, &fields_of(&shop), FormErrors::none());
    Ok(render(StatusCode::OK, &page))
}

/// `POST /seller/shops/{id}/profile`: saved, the shop's page opens.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    Form(fields): Form<Fields>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    match parse(&fields) {
        Ok(profile) => {
            state.store.update_shop_profile(shop.id, &profile).await?;
            Ok(Redirect::to(&format!("/shops/{}", shop.id)).into_response())
        }
        Err(problems) => {
            let errors = FormErrors::of(&c.t, &problems);
            let page = page(c, csrf.0, shop.id, &fields, errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
