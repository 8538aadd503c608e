//! The OpenAPI document, as JSON and as a page people can read on a phone. The page is rendered
//! here from the same document: browsable API viewers load their scripts from CDNs, which
//! rural networks and our CSP both rule out.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;

use crate::html::{Chrome, render};

pub async fn json(doc: Arc<utoipa::openapi::OpenApi>) -> Json<utoipa::openapi::OpenApi> {
    Json((*doc).clone())
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub secured: bool,
    pub responses: String,
}

#[derive(Template)]
#[template(path = "api/api_docs.html")]
struct DocsPage {
    c: Chrome,
    operations: Vec<Operation>,
}

pub async fn page(doc: Arc<utoipa::openapi::OpenApi>, c: Chrome) -> Response {
    let value = serde_json::to_value(&*doc).unwrap_or_default();
    let mut operations = Vec::new();
    if let Some(paths) = value.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    continue;
                }
                let text = |key: &str| {
                    op.get(key)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                let summary = match text("summary") {
                    s if s.is_empty() => text("description"),
                    s => s,
                };
                let responses = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|r| r.keys().cloned().collect::<Vec<_>>().join(" · "))
                    .unwrap_or_default();
                operations.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary,
                    secured: op.get("security").is_some(),
                    responses,
                });
            }
        }
    }
    render(StatusCode::OK, &DocsPage { c, operations })
}
