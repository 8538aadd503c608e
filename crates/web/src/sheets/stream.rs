//! Exports that stream: rows are written by a blocking thread into a constant-memory sheet
//! on disk as pages of records arrive from the store, and the finished file is sent as it is
//! read. An export of 40,000 orders holds one page of them at a time.

use axum::http::StatusCode;
use axum::response::Response;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;

use crate::problem::Problem;

/// Writes one record as one or more rows starting at `row`; answers the next free row.
pub type WriteRows<T> = Box<dyn Fn(&mut Worksheet, u32, &T) -> Result<u32, XlsxError> + Send>;

/// A sheet being written: `send` pages of records, then `finish` into the response.
pub struct SheetStream<T> {
    pages: mpsc::Sender<Vec<T>>,
    writer: tokio::task::JoinHandle<Result<(), XlsxError>>,
    file: tempfile::NamedTempFile,
}

fn server(err: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %err, "an export could not be written");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
}

impl<T: Send + 'static> SheetStream<T> {
    /// Starts a sheet named `name` with a bold header of `columns`, each `width` wide.
    pub fn start(
        name: &str,
        columns: Vec<String>,
        width: f64,
        write: WriteRows<T>,
    ) -> Result<SheetStream<T>, Problem> {
        let file = tempfile::NamedTempFile::new().map_err(server)?;
        let path = file.path().to_owned();
        let name = name.to_owned();
        let (pages, mut received) = mpsc::channel::<Vec<T>>(2);
        let writer = tokio::task::spawn_blocking(move || {
            let mut workbook = Workbook::new();
            let bold = Format::new().set_bold();
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(&name)?;
            for col in 0..columns.len() {
                sheet.set_column_width(u16::try_from(col).unwrap_or(u16::MAX), width)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            for (col, title) in columns.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                sheet.write_string_with_format(0, col, title, &bold)?;
            }
            let mut row = 1;
            while let Some(page) = received.blocking_recv() {
                for record in &page {
                    row = write(sheet, row, record)?;
                }
            }
            workbook.save(&path)
        });
        Ok(SheetStream {
            pages,
            writer,
            file,
        })
    }

    /// Hands a page of records to the writer (waits while it is two pages behind).
    pub async fn send(&self, page: Vec<T>) -> Result<(), Problem> {
        self.pages
            .send(page)
            .await
            .map_err(|_| server("the sheet writer stopped"))
    }

    /// Finishes the file and answers it as a download named `file_name`.
    pub async fn finish(self, file_name: &str) -> Result<Response, Problem> {
        drop(self.pages);
        self.writer.await.map_err(server)?.map_err(server)?;
        let opened = tokio::fs::File::open(self.file.path())
            .await
            .map_err(server)?;
        // The open file outlives its name: the name goes now, the bytes once sent.
        drop(self.file);
        let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(opened));
        Ok(super::xlsx(body, file_name))
    }
}
