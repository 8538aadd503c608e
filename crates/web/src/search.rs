//! Search and browse: `/search?q=核桃`, category pages, and `GET /api/v1/search`. Every list
//! of products with filters, sorting and pages goes through the product index.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use farmgate_domain::ValidationError;
use farmgate_domain::catalog::parse_yuan;
use farmgate_domain::regions::RegionLevel;
use farmgate_search::{SearchQuery, SortBy};
use farmgate_store::catalog::Product;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::catalog::pages::{ProductCard, cards};
use crate::html::{Chrome, render};
use crate::problem::{ApiError, Problem, url_encode};

/// The search page and the category pages.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/search", axum::routing::get(show))
        .route("/categories/{code}", axum::routing::get(category))
}

/// Searching products.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(find))
}

/// Products per page.
const PAGE_SIZE: usize = 20;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words in Chinese, Uyghur or English (traditional characters are fine).
    #[serde(default)]
    pub q: String,
    /// A category code (`nuts`, `dried-fruit`, ...).
    #[serde(default)]
    pub category: String,
    /// A region code (county, township or village): products from there.
    #[serde(default)]
    pub region: String,
    /// Lowest price in yuan (`20`, `19.90`).
    #[serde(default)]
    pub min: String,
    /// Highest price in yuan.
    #[serde(default)]
    pub max: String,
    /// `1` for products in stock only.
    #[serde(default)]
    pub in_stock: String,
    /// `relevance` (default), `newest`, `price_asc`, `price_desc`, `sales`
    #[serde(default)]
    pub sort: String,
    /// From 1.
    #[serde(default)]
    pub page: String,
}

struct Parsed {
    query: SearchQuery,
    page: usize,
}

async fn parse(state: &AppState, params: &SearchParams) -> Result<Parsed, Problem> {
    let text: String = params.q.trim().chars().take(100).collect();
    let category_id = match params.category.trim() {
        "" => None,
        code => Some(
            state
                .store
                .categories()
                .await?
                .into_iter()
                .find(|c| c.code == code)
                .ok_or_else(|| Problem::from(ValidationError::new("category", "category-invalid")))?
                .id,
        ),
    };
    let region_id = match params.region.trim() {
        "" => None,
        code => match state.store.region_by_code(code).await {
            Ok(region) => Some(region.id),
            Err(farmgate_store::Error::NotFound) => {
                return Err(ValidationError::new("region", "region-invalid").into());
            }
            Err(other) => return Err(other.into()),
        },
    };
    let price = |text: &str, field: &'static str| -> Result<Option<i64>, Problem> {
        match text.trim() {
            "" => Ok(None),
            text => parse_yuan(text)
                .map(|fen| Some(fen.0))
                .map_err(|_| ValidationError::new(field, "price-invalid").into()),
        }
    };
    let sort = SortBy::parse(params.sort.trim())
        .ok_or_else(|| Problem::from(ValidationError::new("sort", "sort-invalid")))?;
    let page = match params.page.trim() {
        "" => 1,
        text => text
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=500).contains(p))
            .ok_or_else(|| Problem::from(ValidationError::new("page", "page-invalid")))?,
    };
    Ok(Parsed {
        query: SearchQuery {
            text,
            category_id,
            region_id,
            min_price_fen: price(&params.min, "min")?,
            max_price_fen: price(&params.max, "max")?,
            in_stock_only: params.in_stock == "1" || params.in_stock == "true",
            sort,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
        page,
    })
}

/// Runs the query on the index (off the async threads) and loads the products in its order.
pub(crate) async fn run(
    state: &AppState,
    query: SearchQuery,
) -> Result<(Vec<Product>, usize), Problem> {
    let index = state.search.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server"))?
        .map_err(|err| {
            tracing::error!(error = %err, "search failed");
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
        })?;
    let mut products = state.store.products_by_ids(&results.product_ids).await?;
    // The index's order, and only what may still be found (listed, or paused and saying so).
    products.sort_by_key(|p| {
        results
            .product_ids
            .iter()
            .position(|id| *id == p.id)
            .unwrap_or(usize::MAX)
    });
    products.retain(|p| p.status.is_public());
    Ok((products, results.total))
}

pub struct Pick {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchPage {
    c: Chrome,
    heading: String,
    q: String,
    min: String,
    max: String,
    in_stock: bool,
    categories: Vec<Pick>,
    counties: Vec<Pick>,
    sorts: Vec<Pick>,
    products: Vec<ProductCard>,
    summary: String,
    previous: Option<String>,
    next: Option<String>,
    /// The field a mistake is in, and the message.
    error: Option<String>,
}

fn link(params: &SearchParams, page: usize) -> String {
    let mut parts = Vec::new();
    for (name, value) in [
        ("q", &params.q),
        ("category", &params.category),
        ("region", &params.region),
        ("min", &params.min),
        ("max", &params.max),
        ("in_stock", &params.in_stock),
        ("sort", &params.sort),
    ] {
        if !value.is_empty() {
            parts.push(format!("{name}={}", url_encode(value)));
        }
    }
    parts.push(format!("page={page}"));
    format!("/search?{}", parts.join("&"))
}

async fn page(
    state: &AppState,
    c: Chrome,
    params: SearchParams,
    heading: Option<String>,
) -> Result<Response, Problem> {
    let t = c.t;
    let (products, total, page_no, error) = match parse(state, &params).await {
        Ok(parsed) => {
            let (products, total) = run(state, parsed.query).await?;
            (products, total, parsed.page, None)
        }
        Err(problem) if problem.status.is_client_error() => {
            (Vec::new(), 0, 1, Some(problem.message(&t)))
        }
        Err(problem) => return Err(problem),
    };
    let categories = state
        .store
        .categories()
        .await?
        .into_iter()
        .map(|cat| Pick {
            selected: cat.code == params.category,
            label: cat.name(t.lang()).to_owned(),
            value: cat.code,
        })
        .collect();
    let counties = state
        .store
        .regions_at_level(RegionLevel::County)
        .await?
        .into_iter()
        .filter(|r| r.known_for_zh.is_some())
        .map(|r| Pick {
            selected: r.code.as_str() == params.region,
            label: r.name(t.lang()).to_owned(),
            value: r.code.as_str().to_owned(),
        })
        .collect();
    let sorts = [
        SortBy::Relevance,
        SortBy::Newest,
        SortBy::PriceLow,
        SortBy::PriceHigh,
        SortBy::Sales,
    ]
    .into_iter()
    .map(|s| Pick {
        selected: s.as_str() == params.sort || (params.sort.is_empty() && s == SortBy::Relevance),
        label: t.get(&format!("sort-{}", s.as_str())),
        value: s.as_str().to_owned(),
    })
    .collect();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = SearchPage {
        heading: heading.unwrap_or_else(|| t.get("search-title")),
        q: params.q.clone(),
        min: params.min.clone(),
        max: params.max.clone(),
        in_stock: params.in_stock == "1",
        categories,
        counties,
        sorts,
        products: cards(&t, &products),
        summary: t.args2(
            "search-summary",
            ("count", (total as i64).into()),
            ("page", format!("{page_no} / {pages}").into()),
        ),
        previous: (page_no > 1).then(|| link(&params, page_no - 1)),
        next: (page_no < pages).then(|| link(&params, page_no + 1)),
        error,
        c,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /search`: the search box's results, with filters, sorting and pages.
pub async fn show(
    State(state): State<AppState>,
    c: Chrome,
    Query(params): Query<SearchParams>,
) -> Result<Response, Problem> {
    page(&state, c, params, None).await
}

/// `GET /categories/{code}`: a category's products, newest first unless asked otherwise.
pub async fn category(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
    Query(mut params): Query<SearchParams>,
) -> Result<Response, Problem> {
    let category = state
        .store
        .categories()
        .await?
        .into_iter()
        .find(|cat| cat.code == code)
        .ok_or(Problem::not_found())?;
    params.category = category.code.clone();
    if params.sort.is_empty() && params.q.is_empty() {
        params.sort = SortBy::Newest.as_str().to_owned();
    }
    let heading = category.name(c.t.lang()).to_owned();
    page(&state, c, params, Some(heading)).await
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    pub id: i64,
    pub shop_id: i64,
    /// In the language asked for, or Chinese when there is no translation.
    pub name: String,
    pub translated: bool,
    pub min_price_fen: i64,
    pub in_stock: bool,
    pub sales: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    pub total: usize,
    pub page: usize,
    pub hits: Vec<SearchHit>,
}

/// Searches listed products. Chinese is segmented with jieba and traditional characters are
/// folded to simplified; Uyghur and English words match inflected forms. In-stock first.
#[utoipa::path(get, operation_id = "searchProducts", path = "/api/v1/search", tag = "catalog", params(SearchParams),
    responses((status = 200, body = SearchAnswer), (status = 422, body = ApiError)))]
pub async fn find(
    State(state): State<AppState>,
    c: Chrome,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchAnswer>, Problem> {
    let parsed = parse(&state, &params).await?;
    let (products, total) = run(&state, parsed.query).await?;
    let language = c.t.lang();
    Ok(Json(SearchAnswer {
        total,
        page: parsed.page,
        hits: products
            .iter()
            .map(|p| {
                let (name, translated) = p
                    .text(language)
                    .map(|(t, translated)| (t.name.clone(), translated))
                    .unwrap_or_default();
                SearchHit {
                    id: p.id,
                    shop_id: p.shop_id,
                    name,
                    translated,
                    min_price_fen: p.variants.iter().map(|v| v.spec.price.0).min().unwrap_or(0),
                    in_stock: p.variants.iter().any(|v| v.spec.stock > 0),
                    sales: p.sales_count,
                }
            })
            .collect(),
    }))
}
