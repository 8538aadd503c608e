//! Photos (products' and live rooms' covers): uploads are checked by their content (JPEG, PNG or WebP, whatever the file
//! is called), decoded under limits (no decompression bombs), turned upright, and stored as a
//! thumbnail and a large JPEG under `data_dir/photos`, named by the SHA-256 of the upload so
//! the same picture is kept once. They are served with a year's cache: a name never changes
//! its content.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_store::catalog::Photo;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::problem::Problem;

/// The sizes kept of every photo: (name, longest side in pixels).
pub const SIZES: [(&str, u32); 2] = [("thumb", 320), ("large", 960)];
/// Pictures wider or taller than this are refused before decoding (a 48-megapixel phone
/// photo is 8,000 x 6,000).
pub const MAX_SIDE: u32 = 8_000;
/// The most memory one decode may take; with `DECODES_AT_ONCE` this bounds what photo uploads
/// can make the server hold.
const MAX_DECODE_BYTES: u64 = 160 * 1024 * 1024;
/// How many uploads are decoded at the same time; the others wait their turn.
const DECODES_AT_ONCE: usize = 2;
const JPEG_QUALITY: u8 = 82;

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("not a JPEG, PNG or WebP picture")]
    NotAPicture,
    #[error("the picture is larger than {MAX_SIDE} pixels on a side")]
    TooLarge,
    #[error("photo files: {0}")]
    Io(#[from] std::io::Error),
    #[error("encoding a photo: {0}")]
    Encode(image::ImageError),
}

impl From<PhotoError> for Problem {
    fn from(err: PhotoError) -> Problem {
        match err {
            PhotoError::NotAPicture => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "photo-invalid").with_field("photo")
            }
            PhotoError::TooLarge => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "photo-too-large")
                    .with_field("photo")
            }
            other => {
                tracing::error!(error = %other, "a photo could not be stored");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
            }
        }
    }
}

/// Where photo files live, and the turns uploads take to be decoded.
#[derive(Debug, Clone)]
pub struct PhotoFiles {
    root: PathBuf,
    decoding: std::sync::Arc<tokio::sync::Semaphore>,
}

fn valid_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl PhotoFiles {
    pub fn new(data_dir: &Path) -> PhotoFiles {
        PhotoFiles {
            root: data_dir.join("photos"),
            decoding: std::sync::Arc::new(tokio::sync::Semaphore::new(DECODES_AT_ONCE)),
        }
    }

    /// The file of one size of a photo, if the names are well-formed.
    pub fn path(&self, hash: &str, size: &str) -> Option<PathBuf> {
        if !valid_hash(hash) || !SIZES.iter().any(|(name, _)| *name == size) {
            return None;
        }
        Some(
            self.root
                .join(&hash[..2])
                .join(hash)
                .join(format!("{size}.jpg")),
        )
    }

    /// Checks, decodes and stores a picture on a blocking thread, when its turn comes (at most
    /// `DECODES_AT_ONCE` at a time).
    pub async fn store(&self, bytes: Vec<u8>) -> Result<Photo, PhotoError> {
        let _turn = self
            .decoding
            .acquire()
            .await
            .map_err(|_| PhotoError::Io(std::io::Error::other("photo decoding stopped")))?;
        let files = self.clone();
        tokio::task::spawn_blocking(move || files.ingest(&bytes))
            .await
            .map_err(|err| PhotoError::Io(std::io::Error::other(err)))?
    }

    /// Checks, decodes and stores an uploaded picture; blocking (decoding and resizing take
    /// CPU). Uploads go through `store`, which bounds how many decode at once.
    pub fn ingest(&self, bytes: &[u8]) -> Result<Photo, PhotoError> {
        let hash = hex::encode(Sha256::digest(bytes));
        let mut reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| PhotoError::NotAPicture)?;
        if !matches!(
            reader.format(),
            Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
        ) {
            return Err(PhotoError::NotAPicture);
        }
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(|err| match err {
            image::ImageError::Limits(_) => PhotoError::TooLarge,
            _ => PhotoError::NotAPicture,
        })?;
        let orientation = decoder.orientation().ok();
        let mut picture = DynamicImage::from_decoder(decoder).map_err(|err| match err {
            image::ImageError::Limits(_) => PhotoError::TooLarge,
            _ => PhotoError::NotAPicture,
        })?;
        if let Some(orientation) = orientation {
            picture.apply_orientation(orientation);
        }
        let (width, height) = (picture.width(), picture.height());
        for (size, side) in SIZES {
            let Some(path) = self.path(&hash, size) else {
                continue;
            };
            if path.exists() {
                continue;
            }
            let scaled = if width.max(height) > side {
                picture.resize(side, side, FilterType::Triangle)
            } else {
                picture.clone()
            };
            let mut jpeg = Vec::new();
            JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
                .encode_image(&scaled.to_rgb8())
                .map_err(PhotoError::Encode)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            // Written whole, then renamed: a reader never sees half a file.
            let partial = path.with_extension("jpg.partial");
            std::fs::write(&partial, &jpeg)?;
            std::fs::rename(&partial, &path)?;
        }
        Ok(Photo {
            hash,
            width,
            height,
        })
    }
}

/// The URL of one size of a photo.
pub fn photo_url(hash: &str, size: &str) -> String {
    format!("/photos/{hash}/{size}.jpg")
}

/// `GET /photos/{hash}/{file}`: a stored photo, cached for a year.
pub async fn serve(
    State(state): State<AppState>,
    UrlPath((hash, file)): UrlPath<(String, String)>,
) -> Result<Response, Problem> {
    let size = file.strip_suffix(".jpg").ok_or(Problem::not_found())?;
    let path = state.photos.path(&hash, size).ok_or(Problem::not_found())?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| Problem::not_found())?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// Reads the `photo` field of a multipart upload.
pub async fn upload(mut multipart: Multipart) -> Result<Vec<u8>, Problem> {
    let invalid =
        || Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "photo-invalid").with_field("photo");
    while let Some(field) = multipart.next_field().await.map_err(|_| invalid())? {
        if field.name() == Some("photo") {
            let bytes = field.bytes().await.map_err(|err| {
                if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large")
                } else {
                    invalid()
                }
            })?;
            if bytes.is_empty() {
                return Err(invalid());
            }
            return Ok(bytes.to_vec());
        }
    }
    Err(invalid())
}

/// The most text fields a form with a photo may carry (the product form has about 40).
const MAX_FORM_FIELDS: usize = 200;

/// A form that may carry one picture (the product form, so a first product is listed with its
/// photo in one screen): sent as `multipart/form-data` (the CSRF token in the query, as for
/// every upload) or, without a picture, as an ordinary form. The body is bounded by the
/// server's body limit before any of it is read.
pub struct FormWithPhoto {
    pub fields: Vec<(String, String)>,
    /// The bytes of the `photo` field, when a file was chosen.
    pub photo: Option<Vec<u8>>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormWithPhoto {
    type Rejection = Problem;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let axum::Form(fields) =
                axum::Form::<Vec<(String, String)>>::from_request(request, state)
                    .await
                    .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "bad-request"))?;
            return Ok(FormWithPhoto {
                fields,
                photo: None,
            });
        }
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "bad-request"))?;
        read_form_with_photo(&mut multipart).await
    }
}

async fn read_form_with_photo(multipart: &mut Multipart) -> Result<FormWithPhoto, Problem> {
    let too_large = || Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    let unreadable = |err: axum::extract::multipart::MultipartError| {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "bad-request")
        }
    };
    let mut form = FormWithPhoto {
        fields: Vec::new(),
        photo: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(unreadable)?;
            // A file input left empty still sends the field, with no bytes.
            form.photo = (!bytes.is_empty()).then(|| bytes.to_vec());
        } else if form.fields.len() < MAX_FORM_FIELDS {
            let value = field.text().await.map_err(unreadable)?;
            form.fields.push((name, value));
        } else {
            return Err(too_large());
        }
    }
    Ok(form)
}

pub mod demo;

/// `GET /photos/{hash}/{file}`.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/photos/{hash}/{file}", axum::routing::get(serve))
}
