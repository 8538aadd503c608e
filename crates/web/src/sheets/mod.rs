//! Spreadsheets in and out, for every module: uploads read within bounds (`read`), exports
//! streamed through a constant-memory sheet (`SheetStream`), and the download response.

pub mod read;
mod stream;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::XlsxError;

use crate::problem::Problem;
use read::SheetRefusal;
pub use stream::{SheetStream, WriteRows};

/// The rows of an uploaded XLSX or CSV as text, read on a blocking thread within `read`'s
/// bounds; refused with the file field's message when unreadable, too large or empty.
pub async fn rows(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, Problem> {
    let refused = |refusal: SheetRefusal| {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, refusal.message_id()).with_field("file")
    };
    let rows = tokio::task::spawn_blocking(move || read::read_rows(&bytes))
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "reading a sheet failed");
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
        })?
        .map_err(refused)?;
    if rows.is_empty() {
        return Err(refused(SheetRefusal::Unreadable));
    }
    Ok(rows)
}

pub fn server_error(err: XlsxError) -> Problem {
    tracing::error!(error = %err, "a spreadsheet could not be written");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
}

/// A spreadsheet download: bytes in memory, or a stream.
pub fn xlsx(bytes: impl Into<axum::body::Body>, file_name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes.into(),
    )
        .into_response()
}
