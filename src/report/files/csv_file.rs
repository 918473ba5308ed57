//! Writing a CSV result file in its dialect: all rows at once, or in parts formatted in
//! parallel. Every CSV file trappe writes goes through [`write_rows`] or [`write_parts`],
//! so the dialect is applied here and nowhere else: a row says which of its cells are
//! numbers ([`Cell`]), and the dialect decides how they and the file's separators look.

use crate::numbers::{csv_number, push_csv_number};
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::output_error::OutputError;
use rayon::prelude::*;
use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

/// A CSV result file to write: where, and in which dialect (that of its output folder,
/// see [`crate::report::files::staging::Staging::csv`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    /// Where the file is written.
    pub path: PathBuf,
    /// How it is written.
    pub dialect: CsvDialect,
}

impl CsvFile {
    /// The file at `path`, written in `dialect`.
    pub fn new(path: impl Into<PathBuf>, dialect: CsvDialect) -> CsvFile {
        CsvFile { path: path.into(), dialect }
    }

    fn csv_error(&self, source: csv::Error) -> OutputError {
        OutputError::Csv { path: self.path.clone(), source }
    }

    fn file_error(&self, source: io::Error) -> OutputError {
        OutputError::File { path: self.path.clone(), source }
    }
}

/// One cell of a CSV result file, as the row that holds it knows it: a number, whose
/// decimal separator the dialect chooses, or text, written as it is in every dialect.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Written as it is: names, keys, dates, labels, yes/no, whole counts, and empty cells.
    Plain(String),
    /// A decimal number in the standard form of [`csv_number`] (`-1234.5`: a decimal
    /// point, no thousands separator; empty when undefined).
    Decimal(String),
}

impl Cell {
    /// A number, at most six decimals ([`csv_number`]); empty when undefined.
    pub fn number(v: f64) -> Cell {
        Cell::Decimal(csv_number(v))
    }

    /// A number if there is one, else an empty cell.
    pub fn number_or_empty(v: Option<f64>) -> Cell {
        v.map_or_else(Cell::empty, Cell::number)
    }

    /// A cell with nothing in it.
    pub fn empty() -> Cell {
        Cell::Plain(String::new())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Plain(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Plain(text.to_string())
    }
}

/// Writes records of [`Cell`]s in a dialect: numbers with its decimal separator, text as
/// it is, fields and records with its separators.
pub struct CellWriter<W: Write> {
    writer: csv::Writer<W>,
    dialect: CsvDialect,
    /// A number's text, reused from field to field.
    number: String,
}

impl<W: Write> CellWriter<W> {
    fn new(dialect: CsvDialect, out: W) -> CellWriter<W> {
        CellWriter { writer: dialect.writer_builder().from_writer(out), dialect, number: String::new() }
    }

    /// Writes `text` as the next field, as it is.
    pub fn plain(&mut self, text: &str) -> csv::Result<()> {
        self.writer.write_field(text)
    }

    /// Writes `v` as the next field, as [`Cell::number`] in this dialect.
    pub fn number(&mut self, v: f64) -> csv::Result<()> {
        self.number.clear();
        push_csv_number(&mut self.number, v);
        self.write_number()
    }

    /// Writes a [`Cell::Decimal`]'s text as the next field in this dialect.
    fn decimal(&mut self, standard: &str) -> csv::Result<()> {
        self.number.clear();
        self.number.push_str(standard);
        self.write_number()
    }

    fn write_number(&mut self) -> csv::Result<()> {
        let separator = self.dialect.decimal_separator();
        if separator != '.'
            && let Some(at) = self.number.find('.')
        {
            self.number.replace_range(at..=at, separator.encode_utf8(&mut [0; 4]));
        }
        self.writer.write_field(&self.number)
    }

    /// Writes `cell` as the next field.
    pub fn cell(&mut self, cell: &Cell) -> csv::Result<()> {
        match cell {
            Cell::Plain(text) => self.plain(text),
            Cell::Decimal(standard) => self.decimal(standard),
        }
    }

    /// Ends the record of the fields written since the last one.
    pub fn end_row(&mut self) -> csv::Result<()> {
        self.writer.write_record(None::<&[u8]>)
    }

    /// Writes one record of `cells`.
    pub fn row(&mut self, cells: &[Cell]) -> csv::Result<()> {
        for c in cells {
            self.cell(c)?;
        }
        self.end_row()
    }

    /// Writes the header: the column names, as they are.
    fn header(&mut self, names: &[String]) -> csv::Result<()> {
        self.writer.write_record(names)
    }

    fn into_inner(self) -> csv::Result<W> {
        self.writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Writes `file` with `header` and then `rows`, one record each.
pub fn write_rows(
    file: &CsvFile,
    header: &[String],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<(), OutputError> {
    let mut out = fs::File::create(&file.path).map_err(|e| file.csv_error(e.into()))?;
    out.write_all(file.dialect.preamble()).map_err(|e| file.file_error(e))?;
    let mut w = CellWriter::new(file.dialect, out);
    w.header(header).map_err(|e| file.csv_error(e))?;
    for r in rows {
        w.row(&r).map_err(|e| file.csv_error(e))?;
    }
    w.writer.flush().map_err(|e| file.file_error(e))
}

/// Writes `file` with records that come in `parts` consecutive parts, each written by
/// `part(i, writer)`. The parts are formatted in parallel on the current rayon pool, a
/// few per thread at a time so memory stays bounded, each into its own buffer in the
/// file's dialect, and written in order: the file is byte for byte what one writer
/// writing every part in turn would make, whatever the number of threads.
pub fn write_parts<F>(file: &CsvFile, header: &[String], parts: usize, part: F) -> Result<(), OutputError>
where
    F: Fn(usize, &mut CellWriter<Vec<u8>>) -> csv::Result<()> + Sync,
{
    let dialect = file.dialect;
    let format = |write: &dyn Fn(&mut CellWriter<Vec<u8>>) -> csv::Result<()>| -> csv::Result<Vec<u8>> {
        let mut w = CellWriter::new(dialect, Vec::new());
        write(&mut w)?;
        w.into_inner()
    };
    let created = fs::File::create(&file.path).map_err(|e| file.file_error(e))?;
    let mut out = io::BufWriter::new(created);
    out.write_all(dialect.preamble()).map_err(|e| file.file_error(e))?;
    let header = format(&|w| w.header(header)).map_err(|e| file.csv_error(e))?;
    out.write_all(&header).map_err(|e| file.file_error(e))?;
    let batch = 4 * rayon::current_num_threads().max(1);
    for start in (0..parts).step_by(batch) {
        let texts: Vec<Vec<u8>> = (start..(start + batch).min(parts))
            .into_par_iter()
            .map(|i| format(&|w| part(i, w)))
            .collect::<csv::Result<_>>()
            .map_err(|e| file.csv_error(e))?;
        for t in &texts {
            out.write_all(t).map_err(|e| file.file_error(e))?;
        }
    }
    out.flush().map_err(|e| file.file_error(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dialect: CsvDialect, rows: Vec<Vec<Cell>>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = CsvFile::new(dir.path().join("x.csv"), dialect);
        write_rows(&file, &["key".to_string(), "value".to_string()], rows.into_iter()).unwrap();
        String::from_utf8(fs::read(&file.path).unwrap()).unwrap()
    }

    #[test]
    fn standard_is_commas_and_points() {
        let rows = vec![vec!["transitions.a->b.probability".into(), Cell::number(-1234567.25)]];
        assert_eq!(
            written(CsvDialect::Standard, rows),
            "key,value\ntransitions.a->b.probability,-1234567.25\n"
        );
    }

    #[test]
    fn excel_da_changes_separators_and_numbers_only() {
        let rows = vec![
            vec!["transitions.a->b.probability".into(), Cell::number(-1234567.25)],
            vec!["2020-01".into(), Cell::number(3.0)],
            vec!["a; b, 0.5".into(), Cell::number(f64::NAN)],
        ];
        assert_eq!(
            written(CsvDialect::ExcelDa, rows),
            "\u{feff}key;value\r\ntransitions.a->b.probability;-1234567,25\r\n2020-01;3\r\n\"a; b, 0.5\";\r\n"
        );
    }
}
