//! Reading an uploaded product sheet without trusting it: an XLSX is a zip whose parts may
//! declare anything, so the zip's uncompressed sizes, the sheet's declared dimension and every
//! cell's position are checked before anything sized by them is allocated. A CSV is bounded by
//! its line length and row count. Blocking work: call `read_rows` from `spawn_blocking`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The most rows (the header included) and columns a sheet may declare or use.
pub const MAX_SHEET_ROWS: u32 = 5_000;
pub const MAX_SHEET_COLUMNS: u32 = 40;
/// The most bytes an XLSX may unpack to, all parts together (the product template unpacks
/// to about 30 KB; 5,000 full rows to a few megabytes).
const MAX_UNPACKED: u64 = 32 * 1024 * 1024;
/// The longest CSV line accepted, in bytes.
const MAX_CSV_LINE: usize = 16 * 1024;

/// Why a sheet was refused before its rows were read; each is a message id `sheet-...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetRefusal {
    /// Not an XLSX or CSV we can read.
    Unreadable,
    /// More rows, columns or unpacked bytes than a product sheet can have.
    TooLarge,
}

impl SheetRefusal {
    pub fn message_id(self) -> &'static str {
        match self {
            SheetRefusal::Unreadable => "sheet-unreadable",
            SheetRefusal::TooLarge => "sheet-too-large",
        }
    }
}

/// Every row of an uploaded sheet as text (the first is its header), within the bounds above.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetRefusal> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetRefusal> {
    check_unpacked_size(bytes)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| SheetRefusal::Unreadable)?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetRefusal::Unreadable)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| SheetRefusal::Unreadable)?;
    let declared = cells.dimensions();
    if declared.end.0 >= MAX_SHEET_ROWS || declared.end.1 >= MAX_SHEET_COLUMNS {
        return Err(SheetRefusal::TooLarge);
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    // The dimension is only a claim: every cell's own position is checked as well.
    while let Some(cell) = cells.next_cell().map_err(|_| SheetRefusal::Unreadable)? {
        let (row, column) = cell.get_position();
        if row >= MAX_SHEET_ROWS || column >= MAX_SHEET_COLUMNS {
            return Err(SheetRefusal::TooLarge);
        }
        let text = text_of(Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let (row, column) = (row as usize, column as usize);
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        if rows[row].len() <= column {
            rows[row].resize(column + 1, String::new());
        }
        rows[row][column] = text;
    }
    Ok(rows)
}

/// Refuses a zip whose parts would unpack to more than `MAX_UNPACKED`, reading only its
/// central directory (each part's reader is then bounded by the size it declares).
fn check_unpacked_size(bytes: &[u8]) -> Result<(), SheetRefusal> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetRefusal::Unreadable)?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let part = archive
            .by_index_raw(index)
            .map_err(|_| SheetRefusal::Unreadable)?;
        total = total.saturating_add(part.size());
        if total > MAX_UNPACKED {
            return Err(SheetRefusal::TooLarge);
        }
    }
    Ok(())
}

fn text_of(cell: Data) -> String {
    match cell {
        Data::String(s) => s,
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The text of an uploaded CSV: UTF-8 (its byte-order mark dropped), or else GB18030, which
/// Chinese Excel saves CSV in.
pub fn csv_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text.trim_start_matches('\u{feff}')),
        Err(_) => encoding_rs::GB18030.decode(bytes).0,
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetRefusal> {
    let text = csv_text(bytes);
    if text.contains('\0') {
        return Err(SheetRefusal::Unreadable);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|_| SheetRefusal::Unreadable)?
    {
        if rows.len() >= MAX_SHEET_ROWS as usize
            || record.len() > MAX_SHEET_COLUMNS as usize
            || record.as_slice().len() > MAX_CSV_LINE
        {
            return Err(SheetRefusal::TooLarge);
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// An XLSX of a few kilobytes whose sheet declares (and uses) the last cell Excel allows.
    pub(crate) fn far_cell_xlsx(declare: &str, last_cell: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut put = |name: &str, body: &str| {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        };
        put("[Content_Types].xml", CONTENT_TYPES);
        put("_rels/.rels", ROOT_RELS);
        put("xl/workbook.xml", WORKBOOK);
        put("xl/_rels/workbook.xml.rels", WORKBOOK_RELS);
        put(
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{declare}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name_zh</t></is></c></row><row r="{row}"><c r="{last_cell}"><v>1</v></c></row></sheetData></worksheet>"#,
                row = last_cell.trim_start_matches(char::is_alphabetic)
            ),
        );
        zip.finish().unwrap().into_inner()
    }

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

    #[test]
    fn a_sheet_declaring_the_last_cell_is_refused_unread() {
        let bomb = far_cell_xlsx("A1:XFD1048576", "XFD1048576");
        assert!(bomb.len() < 4096);
        assert_eq!(read_rows(&bomb), Err(SheetRefusal::TooLarge));
    }

    #[test]
    fn a_far_cell_under_a_small_dimension_is_refused_too() {
        let bomb = far_cell_xlsx("A1:B2", "XFD1048576");
        assert_eq!(read_rows(&bomb), Err(SheetRefusal::TooLarge));
    }

    #[test]
    fn a_small_sheet_reads_sparse_cells_in_place() {
        let sheet = far_cell_xlsx("A1:C3", "C3");
        let rows = read_rows(&sheet).unwrap();
        assert_eq!(rows[0], vec!["name_zh".to_owned()]);
        assert!(rows[1].is_empty());
        assert_eq!(rows[2], vec![String::new(), String::new(), "1".to_owned()]);
    }

    #[test]
    fn a_zip_that_unpacks_too_far_is_refused_before_parsing() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..40 {
            zip.write_all(&zeros).unwrap();
        }
        let bomb = zip.finish().unwrap().into_inner();
        assert!(bomb.len() < 200 * 1024);
        assert_eq!(read_rows(&bomb), Err(SheetRefusal::TooLarge));
    }

    #[test]
    fn csv_rows_and_lines_are_bounded() {
        let many = "name_zh\n".repeat(MAX_SHEET_ROWS as usize + 1);
        assert_eq!(read_rows(many.as_bytes()), Err(SheetRefusal::TooLarge));
        let wide = format!("name_zh,{}\n", "x,".repeat(60));
        assert_eq!(read_rows(wide.as_bytes()), Err(SheetRefusal::TooLarge));
        let long = format!("name_zh,{}\n", "x".repeat(MAX_CSV_LINE + 1));
        assert_eq!(read_rows(long.as_bytes()), Err(SheetRefusal::TooLarge));
        let fine = "name_zh,price\n核桃,12.5\n";
        assert_eq!(read_rows(fine.as_bytes()).unwrap().len(), 2);
    }
}
