//! Sellers' lists in Excel: a template to fill, product import from XLSX or CSV (UTF-8 or the
//! GB18030 that Chinese Excel writes) with a row-by-row report and nothing half-imported, and
//! the export of products.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::ValidationError;
use std::collections::HashMap;

use farmgate_domain::catalog::{PricePolicy, parse_product_code, parse_yuan};
use farmgate_domain::lang::Language;
use farmgate_store::catalog::ImportItem;
use farmgate_store::shops::Shop;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{DetailsInput, ProductInput, VariantInput, parse_product};
use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::csrf::CsrfToken;
use crate::html::{Chrome, render};
use crate::i18n::Tr;
use crate::problem::Problem;
use crate::sheets::{server_error, xlsx};

/// The columns of the product sheet, by code; the template's header shows the code and its
/// name in the seller's language, and import reads the code.
pub const COLUMNS: [&str; 18] = [
    "sku",
    "name_zh",
    "name_ug",
    "name_en",
    "story_zh",
    "story_ug",
    "story_en",
    "category",
    "origin",
    "unit",
    "net_grams",
    "price",
    "stock",
    "price_policy",
    "tolerance_percent",
    "tags",
    "certificate",
    "status",
];

/// The most rows one import takes.
pub const MAX_ROWS: usize = 2000;

/// Which column a parse error of the product form belongs to.
fn column_of(field: &str) -> &'static str {
    match field {
        "name_zh-CN" | "name" => "name_zh",
        "name_ug" => "name_ug",
        "name_en" => "name_en",
        "story_zh-CN" => "story_zh",
        "story_ug" => "story_ug",
        "story_en" => "story_en",
        "category" => "category",
        "origin" => "origin",
        "tags" => "tags",
        "certificate" => "certificate",
        "status" => "status",
        "code" => "sku",
        f if f.ends_with("_unit") => "unit",
        f if f.ends_with("_net_grams") => "net_grams",
        f if f.ends_with("_price") => "price",
        f if f.ends_with("_stock") => "stock",
        _ => "price_policy",
    }
}

fn header_of(t: &Tr, code: &str) -> String {
    format!("{code} · {}", t.get(&format!("sheet-column-{code}")))
}

/// A workbook whose first sheet has the product columns' header row.
fn product_workbook(t: &Tr) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("products")?;
    for (col, code) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, header_of(t, code), &bold)?;
        sheet.set_column_width(col, 18)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook)
}

/// `GET /seller/shops/{id}/products/template.xlsx`: the sheet to fill, with an example row and
/// a second sheet listing the codes (categories, units, villages, tags).
pub async fn template(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(shop_id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let t = c.t;
    let village = state.store.region_by_id(shop.village_id).await?;
    let categories = state.store.categories().await?;
    let regions = state.store.all_regions().await?;
    let bytes = (|| -> Result<Vec<u8>, XlsxError> {
        let mut workbook = product_workbook(&t)?;
        let example = [
            "WAL-1KG",
            "核桃",
            "ياڭاق",
            "Walnuts",
            "",
            "",
            "",
            "nuts",
            village.code.as_str(),
            "bag",
            "1000",
            "38.00",
            "100",
            "fixed",
            "",
            "poverty_alleviation",
            "",
            "listed",
        ];
        let sheet = workbook.worksheet_from_index(0)?;
        for (col, value) in example.iter().enumerate() {
            sheet.write_string(1, u16::try_from(col).unwrap_or(u16::MAX), *value)?;
        }
        write_codes(&mut workbook, &t, &categories, &regions)?;
        workbook.save_to_buffer()
    })()
    .map_err(server_error)?;
    Ok(xlsx(bytes, "farmgate-products-template.xlsx"))
}

/// The template's second sheet: every code a cell may hold, with its meaning.
fn write_codes(
    workbook: &mut Workbook,
    t: &Tr,
    categories: &[farmgate_store::catalog::Category],
    regions: &[farmgate_store::regions::Region],
) -> Result<(), XlsxError> {
    let codes = workbook.add_worksheet();
    codes.set_name("codes")?;
    let bold = Format::new().set_bold();
    codes.write_string_with_format(0, 0, t.get("sheet-codes-what"), &bold)?;
    codes.write_string_with_format(0, 1, t.get("sheet-codes-code"), &bold)?;
    codes.write_string_with_format(0, 2, t.get("sheet-codes-meaning"), &bold)?;
    codes.set_column_width(2, 40)?;
    let mut row = 1;
    let mut put = |what: String, code: &str, meaning: String| -> Result<(), XlsxError> {
        codes.write_string(row, 0, what)?;
        codes.write_string(row, 1, code)?;
        codes.write_string(row, 2, meaning)?;
        row += 1;
        Ok(())
    };
    for category in categories {
        put(
            t.get("product-field-category"),
            &category.code,
            category.name(t.lang()).to_owned(),
        )?;
    }
    for unit in farmgate_domain::catalog::Unit::ALL {
        put(
            t.get("sheet-column-unit"),
            unit.as_str(),
            t.get(&format!("unit-{}", unit.as_str())),
        )?;
    }
    for tag in ["poverty_alleviation", "heritage", "organic"] {
        put(
            t.get("product-field-tags"),
            tag,
            t.get(&format!("tag-{tag}")),
        )?;
    }
    for policy in ["fixed", "follows_weight"] {
        put(
            t.get("sheet-column-price_policy"),
            policy,
            t.get(&format!("sheet-policy-{policy}")),
        )?;
    }
    for status in ["listed", "draft"] {
        put(
            t.get("product-field-status"),
            status,
            t.get(&format!("product-status-{status}")),
        )?;
    }
    for region in regions
        .iter()
        .filter(|r| r.level == farmgate_domain::regions::RegionLevel::Village)
    {
        put(
            t.get("product-field-origin"),
            region.code.as_str(),
            crate::format::place_label(regions, region, t.lang()),
        )?;
    }
    Ok(())
}

/// The rows of an uploaded sheet: its header (codes) and the data rows as text. The upload is
/// read on a blocking thread within `read`'s bounds.
async fn sheet_rows(bytes: Vec<u8>) -> Result<(Vec<String>, Vec<Vec<String>>), Problem> {
    let mut rows = crate::sheets::rows(bytes).await?;
    let header: Vec<String> = rows
        .remove(0)
        .iter()
        .map(|cell| {
            cell.split('·')
                .next()
                .unwrap_or_default()
                .trim()
                .to_lowercase()
        })
        .collect();
    if !header
        .iter()
        .any(|h| ["name_zh", "name_ug", "name_en"].contains(&h.as_str()))
    {
        return Err(
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "sheet-no-header").with_field("file"),
        );
    }
    rows.retain(|row| row.iter().any(|cell| !cell.trim().is_empty()));
    if rows.len() > MAX_ROWS {
        return Err(
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "sheet-too-long").with_field("file"),
        );
    }
    Ok((header, rows))
}

/// One row's mistake: the sheet's row number, the column, what to do.
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "catalog/seller_import.html")]
struct ImportPage {
    c: Chrome,
    csrf: String,
    shop_id: i64,
    shop_name: String,
    errors: Vec<RowError>,
    /// What the import did, in the reader's language.
    imported: Option<String>,
    problem: Option<String>,
}

fn page(c: Chrome, csrf: String, shop: &Shop) -> ImportPage {
    let shop_name = shop.name_in(c.t.lang()).to_owned();
    ImportPage {
        c,
        csrf,
        shop_id: shop.id,
        shop_name,
        errors: Vec::new(),
        imported: None,
        problem: None,
    }
}

/// `GET /seller/shops/{id}/products/import`: the upload form.
pub async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    Ok(render(StatusCode::OK, &page(c, csrf.0, &shop)))
}

/// The code a new product of the sheet gets: the one typed, or none for another shop's
/// FarmGate code (an export imported elsewhere), which makes a new product with its own.
fn new_code(typed: &str, errors: &mut Vec<ValidationError>) -> Option<String> {
    match parse_product_code(typed) {
        Ok(code) => Some(code),
        Err(e) if e.code == "product-code-reserved" => None,
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// One row as the product form would have it typed (a product of one variant); the shop's
/// village is the origin when the row names none.
fn row_input(cell: &dyn Fn(&str) -> String, village: &str) -> ProductInput {
    let origin = match cell("origin") {
        o if o.is_empty() => village.to_owned(),
        o => o,
    };
    ProductInput {
        details: DetailsInput {
            texts: [
                (Language::ZhCn, cell("name_zh"), cell("story_zh")),
                (Language::Ug, cell("name_ug"), cell("story_ug")),
                (Language::En, cell("name_en"), cell("story_en")),
            ],
            category: cell("category"),
            origin,
            tags: cell("tags")
                .split([',', '，', ';', ' '])
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_owned())
                .collect(),
            certificate: cell("certificate"),
            code: String::new(),
        },
        status: cell("status"),
        variants: vec![VariantInput {
            unit: cell("unit"),
            net_grams: cell("net_grams"),
            price: match cell("price") {
                p if p.is_empty() => None,
                p => Some(parse_yuan(&p)),
            },
            stock: cell("stock"),
            follows_weight: cell("price_policy") == "follows_weight",
            tolerance_percent: cell("tolerance_percent"),
        }],
    }
}

/// Parses every row as the product form would. Rows with the same code (`sku`) are one
/// product's variants (its details and status come from its first row); a code the shop
/// already has updates that product, a new one creates it, rows without one are new products
/// each. All errors, or every product.
async fn parse_rows(
    state: &AppState,
    shop: &Shop,
    t: &Tr,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Result<Vec<ImportItem>, Vec<RowError>>, Problem> {
    let village = state.store.region_by_id(shop.village_id).await?;
    let cell_of = |row: &Vec<String>, code: &str| -> String {
        header
            .iter()
            .position(|h| h == code)
            .and_then(|i| row.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let codes: Vec<String> = rows.iter().map(|row| cell_of(row, "sku")).collect();
    let known: HashMap<String, i64> = state
        .store
        .products_by_code(shop.id, &codes)
        .await?
        .into_iter()
        .collect();
    // (the code or the row's own place, the parsed product)
    let mut groups: Vec<(String, farmgate_store::catalog::NewProduct)> = Vec::new();
    let mut errors = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let cell = |code: &str| cell_of(row, code);
        let mut row_errors: Vec<ValidationError> = Vec::new();
        let sku = cell("sku");
        let code = match sku.as_str() {
            "" => None,
            known_code if known.contains_key(known_code) => None,
            typed => new_code(typed, &mut row_errors),
        };
        let input = row_input(&cell, village.code.as_str());
        let policy = cell("price_policy");
        if !policy.is_empty() && policy != "fixed" && policy != "follows_weight" {
            row_errors.push(ValidationError::new("price_policy", "price-policy-invalid"));
        }
        match parse_product(state, shop, input).await? {
            Ok(mut product) if row_errors.is_empty() => {
                product.details.code = code;
                let key = match sku.as_str() {
                    "" => format!("#{index}"),
                    sku => sku.to_owned(),
                };
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, first)) => first.variants.extend(product.variants),
                    None => groups.push((key, product)),
                }
            }
            Ok(_) => {}
            Err(parse_errors) => row_errors.extend(parse_errors),
        }
        for err in row_errors {
            errors.push(RowError {
                // The header is row 1 in the sheet.
                row: index + 2,
                column: column_of(err.field).to_owned(),
                message: Problem::from(err).message(t),
            });
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(groups
        .into_iter()
        .map(|(key, product)| match known.get(&key) {
            Some(&product_id) => ImportItem::Update {
                product_id,
                status: product.status,
                details: product.details,
                variants: product.variants,
            },
            None => ImportItem::Create(product),
        })
        .collect()))
}

/// `POST /seller/shops/{id}/products/import` (multipart field `file`, the CSRF token in the
/// query): every row is checked first; any mistake imports nothing and lists them all.
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    csrf: CsrfToken,
    Path(shop_id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let t = c.t;
    let mut bytes = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.ok();
            break;
        }
    }
    let mut result = page(c, csrf.0, &shop);
    let parsed = match bytes.filter(|b| !b.is_empty()) {
        Some(bytes) => sheet_rows(bytes.to_vec()).await,
        None => Err(
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "sheet-unreadable").with_field("file"),
        ),
    };
    let (header, rows) = match parsed {
        Ok(parsed) => parsed,
        Err(problem) => {
            result.problem = Some(problem.message(&t));
            return Ok(render(problem.status, &result));
        }
    };
    match parse_rows(&state, &shop, &t, &header, &rows).await? {
        Ok(items) => {
            let outcome = match state
                .store
                .import_products(shop.id, user.account.id, &items)
                .await
            {
                Ok(outcome) => outcome,
                Err(err) => {
                    let problem = super::upkeep::code_taken(err);
                    if problem.status.is_server_error() {
                        return Err(problem);
                    }
                    result.problem = Some(problem.message(&t));
                    return Ok(render(problem.status, &result));
                }
            };
            state.products_changed(outcome.created.iter().chain(&outcome.updated).copied());
            result.imported = Some(t.args(
                "import-done",
                [
                    ("created", outcome.created.len().into()),
                    ("updated", outcome.updated.len().into()),
                    ("unchanged", outcome.unchanged.into()),
                ],
            ));
            Ok(render(StatusCode::OK, &result))
        }
        Err(errors) => {
            result.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &result))
        }
    }
}

/// `GET /seller/shops/{id}/products.xlsx`: the shop's products in the import layout (one row
/// per variant), so an export can be edited and imported into another shop.
pub async fn export_products(
    State(state): State<AppState>,
    user: CurrentUser,
    c: Chrome,
    Path(shop_id): Path<i64>,
) -> Result<Response, Problem> {
    let shop = managed_shop(&state, &user, shop_id).await?;
    let t = c.t;
    let products = state.store.products_of_shop(shop.id).await?;
    let categories = state.store.categories().await?;
    let regions = state.store.all_regions().await?;
    let bytes = (|| -> Result<Vec<u8>, XlsxError> {
        let mut workbook = product_workbook(&t)?;
        let sheet = workbook.worksheet_from_index(0)?;
        let mut row = 1;
        for product in &products {
            let text = |language: Language| {
                product
                    .texts
                    .iter()
                    .find(|x| x.language == language)
                    .map(|x| (x.name.clone(), x.story.clone()))
                    .unwrap_or_default()
            };
            let (zh, ug, en) = (text(Language::ZhCn), text(Language::Ug), text(Language::En));
            for variant in &product.variants {
                let spec = &variant.spec;
                let (policy, tolerance) = match spec.price_policy {
                    PricePolicy::Fixed => ("fixed", String::new()),
                    PricePolicy::FollowsPackedWeight { tolerance_bp } => (
                        "follows_weight",
                        format!("{}", f64::from(tolerance_bp) / 100.0),
                    ),
                };
                let values = [
                    product.code.clone(),
                    zh.0.clone(),
                    ug.0.clone(),
                    en.0.clone(),
                    zh.1.clone(),
                    ug.1.clone(),
                    en.1.clone(),
                    categories
                        .iter()
                        .find(|c| c.id == product.category_id)
                        .map(|c| c.code.clone())
                        .unwrap_or_default(),
                    regions
                        .iter()
                        .find(|r| r.id == product.origin_id)
                        .map(|r| r.code.as_str().to_owned())
                        .unwrap_or_default(),
                    spec.unit.as_str().to_owned(),
                    spec.net_grams.map(|g| g.to_string()).unwrap_or_default(),
                    format!("{}.{:02}", spec.price.0 / 100, spec.price.0 % 100),
                    spec.stock.to_string(),
                    policy.to_owned(),
                    tolerance,
                    product
                        .tags
                        .iter()
                        .map(|tag| tag.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    product.organic_certificate.clone().unwrap_or_default(),
                    product.status.as_str().to_owned(),
                ];
                for (col, value) in values.iter().enumerate() {
                    sheet.write_string(row, u16::try_from(col).unwrap_or(u16::MAX), value)?;
                }
                row += 1;
            }
        }
        workbook.save_to_buffer()
    })()
    .map_err(server_error)?;
    Ok(xlsx(
        bytes,
        &format!("farmgate-shop-{}-products.xlsx", shop.id),
    ))
}
