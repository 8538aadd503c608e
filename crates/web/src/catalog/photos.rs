//! A product's photos: the seller's upload form and the API, through the shared photo files
//! (`crate::photos`).

use axum::Json;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_store::catalog::Photo;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{CurrentUser, managed_shop};
use crate::photos::{photo_url, upload};
use crate::problem::{ApiError, Problem};

/// Stores the picture and adds it to the product, for a member of the product's shop.
async fn add(
    state: &AppState,
    user: &CurrentUser,
    product_id: i64,
    bytes: Vec<u8>,
) -> Result<Photo, Problem> {
    let product = state.store.product(product_id).await?;
    managed_shop(state, user, product.shop_id).await?;
    let photo = state.photos.store(bytes).await?;
    state
        .store
        .add_product_photo(product.id, &photo)
        .await
        .map_err(|err| match err {
            farmgate_store::Error::Conflict { .. } => {
                Problem::new(StatusCode::CONFLICT, "photo-too-many").with_field("photo")
            }
            other => other.into(),
        })?;
    Ok(photo)
}

/// `POST /seller/products/{id}/photos` (multipart, the CSRF token in the query): from the
/// product's management page.
pub async fn upload_form(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath(product_id): UrlPath<i64>,
    multipart: Multipart,
) -> Result<Response, Problem> {
    let bytes = upload(multipart).await?;
    add(&state, &user, product_id, bytes).await?;
    Ok(Redirect::to(&format!("/seller/products/{product_id}?saved=photos")).into_response())
}

/// The upload form, for the API document and generated clients: the handler reads the
/// multipart stream itself, bounded before it is parsed (`crate::photos::upload`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// A JPEG, PNG or WebP picture.
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoView {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub thumb_url: String,
    pub large_url: String,
}

impl From<&Photo> for PhotoView {
    fn from(photo: &Photo) -> Self {
        PhotoView {
            thumb_url: photo_url(&photo.hash, "thumb"),
            large_url: photo_url(&photo.hash, "large"),
            hash: photo.hash.clone(),
            width: photo.width,
            height: photo.height,
        }
    }
}

/// Adds a photo to a product (multipart field `photo`: JPEG, PNG or WebP, checked by content,
/// up to the photo size limit). The same picture twice is one photo; at most 8 per product.
#[utoipa::path(post, operation_id = "addProductPhoto", path = "/api/v1/products/{id}/photos", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product id")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data", description = "A field named `photo`"),
    responses(
        (status = 201, body = PhotoView),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The product has 8 photos", body = ApiError),
        (status = 413, body = ApiError),
        (status = 422, description = "Not a JPEG, PNG or WebP picture", body = ApiError),
    ))]
pub async fn upload_api(
    State(state): State<AppState>,
    user: CurrentUser,
    UrlPath(product_id): UrlPath<i64>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<PhotoView>), Problem> {
    let bytes = upload(multipart).await?;
    let photo = add(&state, &user, product_id, bytes).await?;
    Ok((StatusCode::CREATED, Json(PhotoView::from(&photo))))
}
