//! One sheet of the workbook as the builders make it (headings, cells, kinds of
//! number), and how it is written with rust_xlsxwriter: a bold frozen header row, number
//! formats, set column widths and an autofilter, so a finance officer can sort and
//! filter at once.

use super::labels::Kind;
use crate::report::lang::Lang;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number, formatted as its column's kind unless it says its own.
    Number(f64, Option<Kind>),
    /// Text.
    Text(String),
    /// Nothing: the figure does not apply or is undefined.
    Empty,
}

impl Cell {
    /// A number, or an empty cell.
    pub fn number(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Number(v, None))
    }

    /// A number with the format of `kind`, or an empty cell.
    pub fn number_as(v: Option<f64>, kind: Kind) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Number(v, Some(kind)))
    }

    /// Text.
    pub fn text(t: impl Into<String>) -> Cell {
        Cell::Text(t.into())
    }
}

/// A column: its heading and the kind of its numbers.
#[derive(Debug, Clone)]
pub struct Column {
    /// The heading, in the workbook's language.
    pub heading: String,
    /// The kind of its numbers.
    pub kind: Kind,
}

/// A sheet: its name, columns and rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name, in the workbook's language.
    pub name: String,
    /// Its columns.
    pub columns: Vec<Column>,
    /// Its rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// The formats of the workbook, one per kind of number, and the header's.
struct Formats {
    header: Format,
    money: Format,
    share: Format,
    number: Format,
    whole: Format,
}

impl Formats {
    fn new(lang: Lang) -> Formats {
        Formats {
            header: Format::new().set_bold().set_text_wrap(),
            money: Format::new().set_num_format(format!(
                "#,##0 \"{}\";-#,##0 \"{}\"",
                lang.pick("DKK", "kr."),
                lang.pick("DKK", "kr.")
            )),
            share: Format::new().set_num_format("0.0%"),
            number: Format::new().set_num_format("#,##0.00"),
            whole: Format::new().set_num_format("0"),
        }
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Money => &self.money,
            Kind::Share => &self.share,
            Kind::Whole => &self.whole,
            Kind::Number | Kind::Text => &self.number,
        }
    }
}

/// The width of a column (in characters): wide enough for its heading's longest word
/// and its cells, within bounds that keep a sheet readable.
fn width(column: &Column, rows: &[Vec<Cell>], index: usize) -> f64 {
    let longest_word = column.heading.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
    let cells = rows
        .iter()
        .take(500)
        .map(|r| match &r[index] {
            Cell::Text(t) => t.chars().count(),
            Cell::Number(..) => 14,
            Cell::Empty => 0,
        })
        .max()
        .unwrap_or(0);
    (longest_word.max(cells).max(column.heading.chars().count() / 2) + 2).clamp(8, 60) as f64
}

/// The sheets as an xlsx file's bytes, in `lang`'s money unit.
pub fn write(sheets: &[Sheet], lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new(lang);
    let mut workbook = Workbook::new();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(&sheet.name)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, &column.heading, &formats.header)?;
            ws.set_column_width(c, width(column, &sheet.rows, c as usize))?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let kind = sheet.columns[c].kind;
                match cell {
                    Cell::Number(v, own) => {
                        ws.write_number_with_format(r, c as u16, *v, formats.of(own.unwrap_or(kind)))?;
                    }
                    Cell::Text(t) => {
                        ws.write_string(r, c as u16, t)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if !sheet.columns.is_empty() {
            ws.autofilter(0, 0, sheet.rows.len().max(1) as u32, sheet.columns.len() as u16 - 1)?;
        }
    }
    workbook.save_to_buffer()
}
