//! Reading an uploaded .xlsx with calamine, defensively.

use std::io::{Cursor, Read as _};

use calamine::{open_workbook_from_rs, Data, Reader as _, Xlsx};
use chrono::{Duration, NaiveDate};

use crate::domain::form::{find_header, Grid, Header};

/// Uncompressed bytes an upload may expand to: a 1,000-row form is well under 5 MiB.
pub const MAX_UNCOMPRESSED: u64 = 32 * 1024 * 1024;
/// Entries of the zip: an .xlsx from Excel or WPS has a few dozen.
const MAX_ENTRIES: usize = 500;
/// Rows of a sheet, counting the title, header and footer lines.
pub const MAX_SHEET_ROWS: usize = 1_100;

/// Why a file was refused as a whole; nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a zip, or not a readable workbook.
    NotXlsx(String),
    /// Expands far beyond what a form can be.
    ZipBomb,
    /// More rows than one upload may carry.
    TooManyRows(usize),
    /// A formula, at this cell (`C7`).
    Formula(String),
    /// No sheet has the form's header row.
    NoHeader,
}

/// A sheet with the form's header.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub grid: Grid,
    pub header: Header,
    /// The Excel row number (from 1) of `grid[0]`.
    pub first_row: u32,
}

/// Checks the zip by actually inflating each entry up to the limit: sizes declared in the
/// directory can lie, the bytes cannot.
fn check_zip(bytes: &[u8]) -> Result<(), Refusal> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(Refusal::NotXlsx("not a zip archive".to_owned()));
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Refusal::NotXlsx(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(Refusal::ZipBomb);
    }
    let mut total: u64 = 0;
    let mut buffer = vec![0_u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| Refusal::NotXlsx(e.to_string()))?;
        if entry.size() > MAX_UNCOMPRESSED {
            return Err(Refusal::ZipBomb);
        }
        loop {
            let read = entry
                .read(&mut buffer)
                .map_err(|e| Refusal::NotXlsx(e.to_string()))?;
            if read == 0 {
                break;
            }
            total += read as u64;
            if total > MAX_UNCOMPRESSED {
                return Err(Refusal::ZipBomb);
            }
        }
    }
    Ok(())
}

fn excel_date(serial: f64) -> Option<String> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (serial * 86_400.0).round() as i64;
    let at = base.and_hms_opt(0, 0, 0)? + Duration::seconds(seconds);
    Some(if seconds % 86_400 == 0 {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    })
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_default(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn column_name(mut index: u32) -> String {
    let mut name = String::new();
    loop {
        name.insert(0, char::from(b'A' + u8::try_from(index % 26).unwrap_or(0)));
        if index < 26 {
            return name;
        }
        index = index / 26 - 1;
    }
}

/// Reads the first sheet that carries the form's header row.
pub fn read(bytes: &[u8]) -> Result<Sheet, Refusal> {
    check_zip(bytes)?;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| Refusal::NotXlsx(e.to_string()))?;
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| Refusal::NotXlsx(e.to_string()))?;
        if range.height() > MAX_SHEET_ROWS {
            return Err(Refusal::TooManyRows(range.height()));
        }
        let formulas = workbook
            .worksheet_formula(&name)
            .map_err(|e| Refusal::NotXlsx(e.to_string()))?;
        if let Some((row, col, _)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()) {
            let (r0, c0) = formulas.start().unwrap_or((0, 0));
            let at = format!("{}{}", column_name(c0 + col as u32), r0 + row as u32 + 1);
            return Err(Refusal::Formula(format!("{name}!{at}")));
        }
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut grid: Grid = range
            .rows()
            .map(|cells| cells.iter().map(text).collect())
            .collect();
        // A merged cell keeps its value in the top-left corner; give every covered cell the
        // same value so a title or a district merged over several rows reads everywhere.
        let merged = workbook
            .merge_cells_by_sheet_name(&name)
            .unwrap_or_default();
        for region in merged {
            let (top, left) = region.start;
            let value = grid
                .get(top.saturating_sub(r0) as usize)
                .and_then(|r| r.get(left.saturating_sub(c0) as usize))
                .cloned()
                .unwrap_or_default();
            for row in region.start.0..=region.end.0 {
                for col in region.start.1..=region.end.1 {
                    if let Some(cell) = grid
                        .get_mut(row.saturating_sub(r0) as usize)
                        .and_then(|r| r.get_mut(col.saturating_sub(c0) as usize))
                    {
                        cell.clone_from(&value);
                    }
                }
            }
        }
        if let Some(header) = find_header(&grid) {
            return Ok(Sheet {
                grid,
                header,
                first_row: r0 + 1,
            });
        }
    }
    Err(Refusal::NoHeader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_run_from_a_to_z_then_aa() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_refused() {
        assert!(matches!(read(b"name,qty\n"), Err(Refusal::NotXlsx(_))));
    }

    #[test]
    fn excel_serial_dates_become_iso_dates() {
        assert_eq!(excel_date(46_351.0).as_deref(), Some("2026-11-25"));
    }
}
